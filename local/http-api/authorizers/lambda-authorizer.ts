import { parseLambdaAuthorizerOutput } from '../../gateway/lambda-authorizer-result';
import { evaluatePolicy, type PolicyDocument } from '../../gateway/policy-evaluation';
import type { LambdaInvoker } from '../../model';
import { authorizerInvocation, noteAuthorizerCacheHit } from '../../request-records';
import { withTimeout } from '../../timeout';
import type { AuthorizerDefinition } from '../http-api-definition';
import { GATEWAY_ERRORS, jsonError } from '../http-api-response';
import { buildV1Event } from '../payload-v1-event';
import { buildV2AuthorizerEvent } from '../payload-v2-event';
import { readIdentitySources } from './identity-source';
import type { AuthorizationInput, AuthorizationOutcome, RouteAuthorization } from './route-authorization';

/** Options of `createLambdaAuthorization`. */
export interface LambdaAuthorizationOptions {
  readonly invoker: LambdaInvoker;
  readonly log: (line: string) => void;
  /** Epoch milliseconds, for the result cache. @default Date.now */
  readonly now?: () => number;
  /** How long API Gateway waits for the authorizer. @default 10 000 (AWS's fixed 10 s) */
  readonly timeoutMs?: number;
}

/** What a Lambda authorizer decided, as cached per identity. */
type Decision =
  | { readonly kind: 'simple'; readonly isAuthorized: boolean; readonly context: unknown }
  | { readonly kind: 'policy'; readonly policy: PolicyDocument; readonly context: Record<string, string> };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks the authorizer's output; undefined means malformed (API Gateway answers 500). */
function parseDecision(definition: AuthorizerDefinition, value: unknown): Decision | undefined {
  if (definition.simpleResponses && definition.payloadFormatVersion === '2.0') {
    if (!isRecord(value) || typeof value.isAuthorized !== 'boolean') return undefined;
    if (value.context !== undefined && value.context !== null && !isRecord(value.context)) return undefined;
    return { kind: 'simple', isAuthorized: value.isAuthorized, context: value.context ?? null };
  }
  const output = parseLambdaAuthorizerOutput(value);
  return output === undefined
    ? undefined
    : { kind: 'policy', policy: output.policy, context: output.context };
}

/**
 * Lambda (REQUEST) authorizers of HTTP APIs. The identity sources must all be present and non-empty, else 401
 * without invoking. The event is payload 2.0 (AWS's capture) or 1.0 (the REST-style REQUEST event with
 * `methodArn` = the route ARN). Simple responses (`EnableSimpleResponses`) give `{isAuthorized, context}`; otherwise
 * an IAM policy is evaluated against the route ARN. Allowed: the context becomes `requestContext.authorizer.lambda`
 * (null without one); denied: 403 `{"message":"Forbidden"}` (status UNCONFIRMED); an error, a timeout (10 s) or a
 * malformed result: 500. Results are cached per authorizer and identity-source values for
 * AuthorizerResultTtlInSeconds; a cached policy is evaluated again for each route.
 */
export function createLambdaAuthorization(options: LambdaAuthorizationOptions): RouteAuthorization {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const cache = new Map<string, { decision: Decision; expiresAt: number }>();

  const invoke = async (input: AuthorizationInput, definition: AuthorizerDefinition, identity: string[]) => {
    const functionArn = definition.functionArn;
    if (functionArn === undefined) throw new Error(`authorizer ${definition.name} names no Lambda function`);
    const event =
      definition.payloadFormatVersion === '2.0'
        ? buildV2AuthorizerEvent(input.facts, input.routeArn, identity)
        : {
            ...buildV1Event(input.facts),
            type: 'REQUEST',
            methodArn: input.routeArn,
            identitySource: identity.join(','),
          };
    return withTimeout(options.invoker.invoke(functionArn, event), timeoutMs, 'authorizer');
  };

  return {
    async authorize(input: AuthorizationInput): Promise<AuthorizationOutcome> {
      const definition = input.route.authorizer;
      if (definition === undefined) {
        options.log(`route ${input.route.key.text}: CUSTOM authorization without an authorizer`);
        return { ok: false, response: jsonError(GATEWAY_ERRORS.internalError) };
      }
      const identity = readIdentitySources(definition.identitySource, input.facts);
      if (identity === undefined) return { ok: false, response: jsonError(GATEWAY_ERRORS.unauthorized) };

      const cacheKey =
        definition.resultTtlSeconds > 0 && identity.length > 0
          ? JSON.stringify([definition.id, ...identity])
          : undefined;
      const cached = cacheKey === undefined ? undefined : cache.get(cacheKey);
      let decision = cached !== undefined && cached.expiresAt > now() ? cached.decision : undefined;
      if (decision !== undefined) noteAuthorizerCacheHit();
      if (decision === undefined) {
        let result: unknown;
        try {
          result = await authorizerInvocation(() => invoke(input, definition, identity));
        } catch (error) {
          options.log(
            `authorizer ${definition.name} failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          return { ok: false, response: jsonError(GATEWAY_ERRORS.internalError) };
        }
        decision = parseDecision(definition, result);
        if (decision === undefined) {
          options.log(`authorizer ${definition.name} returned a malformed response`);
          return { ok: false, response: jsonError(GATEWAY_ERRORS.internalError) };
        }
        if (cacheKey !== undefined) {
          cache.set(cacheKey, { decision, expiresAt: now() + definition.resultTtlSeconds * 1000 });
        }
      }

      if (decision.kind === 'simple') {
        return decision.isAuthorized
          ? { ok: true, authorizer: { lambda: decision.context } }
          : { ok: false, response: jsonError(GATEWAY_ERRORS.forbidden) };
      }
      if (evaluatePolicy(decision.policy, input.routeArn) !== 'Allow') {
        return { ok: false, response: jsonError(GATEWAY_ERRORS.forbidden) };
      }
      const context = Object.keys(decision.context).length > 0 ? decision.context : null;
      return { ok: true, authorizer: { lambda: context } };
    },
  };
}
