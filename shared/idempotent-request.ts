import { createHash } from 'node:crypto';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { isConditionFailure } from './condition-failure';
import { dynamoClient } from './dynamo';
import { AppError, ConflictError, UnprocessableError } from './errors';
import { secretId } from './ids';
import { logger } from './logger';

/** How long a replayed `Idempotency-Key` returns the first response. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** The same key, another body than the first run's (the run crashed, so Powertools has nothing to compare). */
class FirstRunMismatch extends Error {}

/** A request that may carry the client's `Idempotency-Key` (null: none). */
export interface KeyedRequest {
  readonly tenantId: string;
  readonly idempotencyKey: string | null;
}

export interface IdempotentRequestOptions {
  /** A fixed key prefix (instead of the function name) keeps keys valid across renames and versions. */
  readonly keyPrefix: string;
  /** The request field whose value a replay must repeat exactly (else 422). */
  readonly payloadField: string;
  /** What the client makes, for the 422 message ("order", "job"). */
  readonly what: string;
  /** Table of Powertools idempotency records (partition key `id`). */
  readonly tableName: string;
  /** @default the shared DynamoDB client */
  readonly dynamoClient?: DynamoDBClient;
  /** @default Date.now */
  readonly clock?: () => number;
}

/**
 * What a create operation derives its ids and times from. For a request with an `Idempotency-Key` it is the
 * first run's, kept under the tenant and key: a run that crashed (a timeout, out of memory, a killed runtime) left
 * Powertools' record `INPROGRESS`, which expires, and the client's retry then runs the operation again — with the
 * same `FirstRun`, so it names the same items, its conditional writes find what the first run wrote, and it
 * returns that instead of creating it twice.
 */
export interface FirstRun {
  /** When the first run started (epoch ms): the time every derived id and timestamp uses. */
  readonly at: number;
  /** `<tenant>#<key>` for ids derived with `deterministicSortableId`, or null (no key: ids are random). */
  readonly idSeed: string | null;
  /** A secret drawn once for the first run (e.g. a tracking id), the same for every run after it. */
  readonly nonce: string;
}

/**
 * Wraps a create operation so that a request with an `Idempotency-Key` runs once per tenant and key (Powertools
 * idempotency): a retry with the same payload returns the first result, the same key with another payload is a
 * 422, one still running a 409. The operation gets the key's {@link FirstRun}, so a retry after a crash (whose
 * Powertools record expired without a result) derives the same ids and finds what the first run wrote; the
 * operation's writes must be conditional for that. Requests without a key run as they are, with a fresh run.
 */
export function idempotentRequest<R extends KeyedRequest, T>(
  operation: (request: R, run: FirstRun) => Promise<T>,
  options: IdempotentRequestOptions,
): (request: R, lambdaContext: Context) => Promise<T> {
  const client = options.dynamoClient ?? dynamoClient;
  const clock = options.clock ?? Date.now;
  const claimKey = (request: R) => ({
    id: { S: `${options.keyPrefix}#first-run#${request.tenantId}#${request.idempotencyKey}` },
  });

  /**
   * Records this run as the first for the tenant and key (conditional put), or reads the first run a crashed
   * invocation recorded. Another body under the same key is refused here too: after a crash Powertools has no
   * completed record to compare it with.
   */
  async function firstRun(request: R): Promise<FirstRun> {
    const payloadHash = createHash('sha256')
      .update(JSON.stringify((request as Record<string, unknown>)[options.payloadField]) ?? '')
      .digest('base64url');
    const now = clock();
    const mine = { at: now, idSeed: `${request.tenantId}#${request.idempotencyKey}`, nonce: secretId() };
    try {
      await client.send(
        new PutItemCommand({
          TableName: options.tableName,
          Item: {
            ...claimKey(request),
            startedAt: { N: String(mine.at) },
            nonce: { S: mine.nonce },
            payloadHash: { S: payloadHash },
            expiration: { N: String(Math.floor(now / 1000) + IDEMPOTENCY_TTL_SECONDS) },
          },
          // An expired claim (TTL deletion lags up to days) is a new first run, as an expired key is.
          ConditionExpression: 'attribute_not_exists(id) OR expiration < :now',
          ExpressionAttributeValues: { ':now': { N: String(Math.floor(now / 1000)) } },
        }),
      );
      return mine;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await client.send(
      new GetItemCommand({ TableName: options.tableName, Key: claimKey(request), ConsistentRead: true }),
    );
    if (!Item?.startedAt?.N || !Item.nonce?.S) throw new Error('first-run record vanished or is malformed');
    if (Item.payloadHash?.S !== payloadHash) throw new FirstRunMismatch();
    logger.warn('resuming a request whose first run did not finish', { keyPrefix: options.keyPrefix });
    return { at: Number(Item.startedAt.N), idSeed: mine.idSeed, nonce: Item.nonce.S };
  }

  /**
   * An AppError is an outcome the operation decided and reported (nothing written, or what was written marked
   * failed): like Powertools' record, the first-run record goes, so a retry is a new attempt. Anything else may
   * have left writes behind, so the record stays and a retry resumes them under the same ids.
   */
  async function forgetFirstRun(request: R): Promise<void> {
    try {
      await client.send(new DeleteItemCommand({ TableName: options.tableName, Key: claimKey(request) }));
    } catch (error) {
      logger.warn('first-run record not removed; a retry resumes the reported attempt', {
        error: error as Error,
      });
    }
  }

  const keyed = async (request: R): Promise<T> => {
    const run = await firstRun(request);
    try {
      return await operation(request, run);
    } catch (error) {
      if (error instanceof AppError) await forgetFirstRun(request);
      throw error;
    }
  };

  const config = new IdempotencyConfig({
    // The key is per tenant: two tenants may well pick the same Idempotency-Key.
    eventKeyJmesPath: '[tenantId, idempotencyKey]',
    payloadValidationJmesPath: options.payloadField,
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
    throwOnNoIdempotencyKey: true,
  });
  const once = makeIdempotent(keyed, {
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: options.tableName,
      keyAttr: 'id',
      awsSdkV3Client: options.dynamoClient ?? dynamoClient,
    }),
    config,
    keyPrefix: options.keyPrefix,
  });
  return async (request, lambdaContext) => {
    if (request.idempotencyKey === null)
      return operation(request, { at: clock(), idSeed: null, nonce: secretId() });
    // An in-progress key expires when the invocation would have timed out.
    config.registerLambdaContext(lambdaContext);
    try {
      return await once(request);
    } catch (error) {
      if (error instanceof IdempotencyValidationError || error instanceof FirstRunMismatch) {
        throw new UnprocessableError(
          `this Idempotency-Key was already used with a different request body; use a new key for a different ${options.what}`,
          undefined,
          { cause: error },
        );
      }
      if (error instanceof IdempotencyAlreadyInProgressError) {
        throw new ConflictError(
          'a request with this Idempotency-Key is still in progress; retry shortly',
          undefined,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
  };
}
