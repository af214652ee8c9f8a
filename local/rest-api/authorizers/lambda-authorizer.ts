import {
  type LambdaAuthorizerOutput,
  parseLambdaAuthorizerOutput,
} from '../../gateway/lambda-authorizer-result';
import { functionArnOfInvocationUri } from '../../gateway/lambda-integration-uri';
import { evaluatePolicy } from '../../gateway/policy-evaluation';
import { LambdaInvocationError, type LambdaInvoker, type LocalResource } from '../../model';
import type { AuthorizationRequest, AuthorizationResult } from '../rest-authorization';
import { requestAuthorizerEvent, tokenAuthorizerEvent } from './authorizer-events';
import { authorizerRefusals } from './authorizer-refusals';
import { identitySourceExpressions, readIdentitySource } from './identity-sources';

const DEFAULT_TTL_SECONDS = 300;
const TOKEN_IDENTITY_SOURCE = 'method.request.header.Authorization';

/** Options of `createLambdaAuthorizers`. */
export interface LambdaAuthorizerOptions {
  readonly region: string;
  readonly accountId: string;
  readonly invoker: LambdaInvoker;
  /** Epoch milliseconds; injectable so cache expiry can be tested without waiting. */
  readonly now: () => number;
}

function ttlSecondsOf(authorizer: LocalResource): number {
  const value = Number(authorizer.properties.AuthorizerResultTtlInSeconds ?? DEFAULT_TTL_SECONDS);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * TOKEN and REQUEST (CUSTOM) authorizers: reads the identity sources (401 without invoking when one is
 * missing or the token fails IdentityValidationExpression), invokes the function, and caches its
 * *policy* per identity for the authorizer's TTL. Every request, cached or not, evaluates that policy
 * against its own method ARN, so one cached result never allows a method its policy does not cover.
 */
export function createLambdaAuthorizers(options: LambdaAuthorizerOptions) {
  const cache = new Map<string, { expiresAt: number; output: LambdaAuthorizerOutput }>();

  const decide = (
    request: AuthorizationRequest,
    output: LambdaAuthorizerOutput,
    integrationLatency: number,
  ): AuthorizationResult => {
    const decision = evaluatePolicy(output.policy, request.methodArn);
    if (decision !== 'Allow') return authorizerRefusals.accessDenied(decision === 'ExplicitDeny');
    return {
      ok: true,
      authorizer: { ...output.context, principalId: output.principalId, integrationLatency },
      ...(output.usageIdentifierKey === undefined ? {} : { usageIdentifierKey: output.usageIdentifierKey }),
    };
  };

  return {
    async authorize(request: AuthorizationRequest, authorizer: LocalResource): Promise<AuthorizationResult> {
      const props = authorizer.properties;
      const type = String(props.Type ?? 'TOKEN').toUpperCase();
      const expressions =
        type === 'TOKEN'
          ? [typeof props.IdentitySource === 'string' ? props.IdentitySource : TOKEN_IDENTITY_SOURCE]
          : identitySourceExpressions(props.IdentitySource);
      const values: string[] = [];
      for (const expression of expressions) {
        const value = readIdentitySource(expression, request);
        if (value === undefined || value.trim() === '') return authorizerRefusals.unauthorized();
        values.push(value);
      }
      const token = values[0] ?? '';
      if (type === 'TOKEN' && typeof props.IdentityValidationExpression === 'string') {
        if (!new RegExp(`^(?:${props.IdentityValidationExpression})$`).test(token)) {
          return authorizerRefusals.unauthorized();
        }
      }

      const ttlSeconds = ttlSecondsOf(authorizer);
      // The cache belongs to one authorizer of one stage, as in API Gateway.
      const cacheKey =
        ttlSeconds > 0 && values.length > 0
          ? JSON.stringify([request.restApiId, request.stage, authorizer.logicalId, ...values])
          : undefined;
      const startedAt = options.now();
      const cached = cacheKey === undefined ? undefined : cache.get(cacheKey);
      if (cached !== undefined && cached.expiresAt > startedAt) return decide(request, cached.output, 0);

      const functionArn = functionArnOfInvocationUri(props.AuthorizerUri);
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
        result = await options.invoker.invoke(functionArn, event);
      } catch (error) {
        if (error instanceof LambdaInvocationError && error.message === 'Unauthorized') {
          return authorizerRefusals.unauthorized();
        }
        return authorizerRefusals.authorizerFailure();
      }
      const output = parseLambdaAuthorizerOutput(result);
      if (output === undefined) return authorizerRefusals.authorizerConfigurationError();
      const finishedAt = options.now();
      if (cacheKey !== undefined) cache.set(cacheKey, { expiresAt: finishedAt + ttlSeconds * 1000, output });
      return decide(request, output, Math.max(0, finishedAt - startedAt));
    },
  };
}
