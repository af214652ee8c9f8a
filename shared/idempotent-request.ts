import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { dynamoClient } from './dynamo';
import { ConflictError, UnprocessableError } from './errors';

/** How long a replayed `Idempotency-Key` returns the first response. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

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
}

/**
 * Wraps a create operation so that a request with an `Idempotency-Key` runs once per tenant and key (Powertools
 * idempotency): a retry with the same payload returns the first result, the same key with another payload is a
 * 422, one still running a 409. Requests without a key run as they are.
 */
export function idempotentRequest<R extends KeyedRequest, T>(
  operation: (request: R) => Promise<T>,
  options: IdempotentRequestOptions,
): (request: R, lambdaContext: Context) => Promise<T> {
  const config = new IdempotencyConfig({
    // The key is per tenant: two tenants may well pick the same Idempotency-Key.
    eventKeyJmesPath: '[tenantId, idempotencyKey]',
    payloadValidationJmesPath: options.payloadField,
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
    throwOnNoIdempotencyKey: true,
  });
  const once = makeIdempotent(operation, {
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: options.tableName,
      keyAttr: 'id',
      awsSdkV3Client: options.dynamoClient ?? dynamoClient,
    }),
    config,
    keyPrefix: options.keyPrefix,
  });
  return async (request, lambdaContext) => {
    if (request.idempotencyKey === null) return operation(request);
    // An in-progress key expires when the invocation would have timed out.
    config.registerLambdaContext(lambdaContext);
    try {
      return await once(request);
    } catch (error) {
      if (error instanceof IdempotencyValidationError) {
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
