import {
  type ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';

/** How a post ended: delivered, or the connection no longer exists (410) and should be forgotten. */
export type PostOutcome = 'sent' | 'gone';

export interface PostRetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** The first backoff; each retry doubles it (with full jitter), up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Throttling and 5xx are retried within the batch, a few times and quickly: the stream retries the rest. */
export const DEFAULT_POST_RETRY: PostRetryPolicy = { attempts: 4, baseDelayMs: 50, maxDelayMs: 1000 };

function statusOf(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

function isGone(error: unknown): boolean {
  return (error instanceof Error && error.name === 'GoneException') || statusOf(error) === 410;
}

/** 429 (`LimitExceededException`, `TooManyRequestsException`), any 5xx, or no response at all (network). */
function isRetryable(error: unknown): boolean {
  const status = statusOf(error);
  if (status === undefined) return true;
  return status === 429 || status >= 500;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Posts to one connection through the `@connections` API. The client is created with the SDK's own retries off
 * (`maxAttempts: 1`) so this policy is the only one: 410 answers `gone` at once, throttling and 5xx are retried
 * with exponential backoff and full jitter, and anything else (or the last failure) is thrown to the caller.
 */
export function createConnectionPoster(
  client: ApiGatewayManagementApiClient,
  policy: PostRetryPolicy = DEFAULT_POST_RETRY,
) {
  return {
    async post(connectionId: string, data: string): Promise<PostOutcome> {
      for (let attempt = 1; ; attempt++) {
        try {
          await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
          return 'sent';
        } catch (error) {
          if (isGone(error)) return 'gone';
          if (!isRetryable(error) || attempt >= policy.attempts) throw error;
          const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
          await sleep(Math.random() * ceiling);
        }
      }
    },
  };
}

export type ConnectionPoster = ReturnType<typeof createConnectionPoster>;
