import {
  type LambdaAuthorizerOutput,
  parseLambdaAuthorizerOutput,
} from '../../gateway/lambda-authorizer-result';
import { evaluatePolicy } from '../../gateway/policy-evaluation';
import { LambdaInvocationError, type LambdaInvoker } from '../../model';
import { authorizerInvocation, noteAuthorizerCacheHit } from '../../request-records';
import { AuthorizerCaches } from '../authorizer-caches';
import type { RestAuthorizerDefinition } from '../rest-api-definition';
import type { AuthorizationRequest, AuthorizationResult } from '../rest-authorization';
import { requestAuthorizerEvent, tokenAuthorizerEvent } from './authorizer-events';
import { authorizerRefusals } from './authorizer-refusals';
import { identitySourceExpressions, readIdentitySource } from './identity-sources';

const TOKEN_IDENTITY_SOURCE = 'method.request.header.Authorization';

/** Options of `createLambdaAuthorizers`. */
export interface LambdaAuthorizerOptions {
  readonly region: string;
  readonly accountId: string;
  readonly invoker: LambdaInvoker;
  /** Epoch milliseconds; injectable so cache expiry can be tested without waiting. */
  readonly now: () => number;
  /** Where results are cached, per stage (the control plane flushes them). @default a cache of its own */
  readonly caches?: AuthorizerCaches;
}

/**
 * TOKEN and REQUEST (CUSTOM) authorizers: reads the identity sources (401 without invoking when one is
 * missing or the token fails IdentityValidationExpression), invokes the function, and caches its
 * *policy* per identity for the authorizer's TTL. Every request, cached or not, evaluates that policy
 * against its own method ARN, so one cached result never allows a method its policy does not cover.
 */
export function createLambdaAuthorizers(options: LambdaAuthorizerOptions) {
  const cache = (options.caches ?? new AuthorizerCaches()) as AuthorizerCaches<LambdaAuthorizerOutput>;

  const decide = (
    request: AuthorizationRequest,
    output: LambdaAuthorizerOutput,
    integrationLatency: number,
    authorizerCache: 'hit' | 'miss' | undefined,
  ): AuthorizationResult => {
    const decision = evaluatePolicy(output.policy, request.methodArn);
    if (decision !== 'Allow') return authorizerRefusals.accessDenied(decision === 'ExplicitDeny');
    return {
      ok: true,
      authorizer: { ...output.context, principalId: output.principalId, integrationLatency },
      ...(authorizerCache === undefined ? {} : { authorizerCache }),
      // A policy may grant the cache invalidation too, as an IAM policy would.
      mayInvalidateCache:
        evaluatePolicy(output.policy, request.methodArn, 'execute-api:InvalidateCache') === 'Allow',
      ...(output.usageIdentifierKey === undefined ? {} : { usageIdentifierKey: output.usageIdentifierKey }),
    };
  };

  return {
    async authorize(
      request: AuthorizationRequest,
      authorizer: RestAuthorizerDefinition,
    ): Promise<AuthorizationResult> {
      const { type } = authorizer;
      const expressions =
        type === 'TOKEN'
          ? [authorizer.identitySource ?? TOKEN_IDENTITY_SOURCE]
          : identitySourceExpressions(authorizer.identitySource);
      const values: string[] = [];
      for (const expression of expressions) {
        const value = readIdentitySource(expression, request);
        if (value === undefined || value.trim() === '') return authorizerRefusals.unauthorized();
        values.push(value);
      }
      const token = values[0] ?? '';
      if (type === 'TOKEN' && authorizer.identityValidationExpression !== undefined) {
        if (!new RegExp(`^(?:${authorizer.identityValidationExpression})$`).test(token)) {
          return authorizerRefusals.unauthorized();
        }
      }

      const ttlSeconds = authorizer.resultTtlSeconds;
      // The cache belongs to one authorizer of one stage, as in API Gateway.
      const cacheKey =
        ttlSeconds > 0 && values.length > 0 ? JSON.stringify([authorizer.logicalId, ...values]) : undefined;
      const startedAt = options.now();
      const cached =
        cacheKey === undefined ? undefined : cache.get(request.restApiId, request.stage, cacheKey);
      if (cached !== undefined && cached.expiresAt > startedAt) {
        noteAuthorizerCacheHit();
        return decide(request, cached.output, 0, 'hit');
      }

      const { functionArn } = authorizer;
      if (functionArn === undefined) return authorizerRefusals.authorizerConfigurationError();
      const event =
        type === 'TOKEN'
          ? tokenAuthorizerEvent(request, token)
          : requestAuthorizerEvent(request, {
              region: options.region,
              accountId: options.accountId,
              nowMs: startedAt,
            });
      let result: unknown;
      try {
        result = await authorizerInvocation(() => options.invoker.invoke(functionArn, event));
      } catch (error) {
        if (error instanceof LambdaInvocationError && error.message === 'Unauthorized') {
          return authorizerRefusals.unauthorized();
        }
        return authorizerRefusals.authorizerFailure();
      }
      const output = parseLambdaAuthorizerOutput(result);
      if (output === undefined) return authorizerRefusals.authorizerConfigurationError();
      const finishedAt = options.now();
      if (cacheKey !== undefined) {
        cache.set(request.restApiId, request.stage, cacheKey, {
          expiresAt: finishedAt + ttlSeconds * 1000,
          output,
        });
      }
      return decide(
        request,
        output,
        Math.max(0, finishedAt - startedAt),
        cacheKey === undefined ? undefined : 'miss',
      );
    },
  };
}
