import {
  arnMatch,
  conditionsHold,
  globMatch,
  type RequestContext,
  substituteVariables,
} from './condition-operators';
import type { PolicyDocument, PolicyStatement, PrincipalSet } from './policy-document';

/** Who signed a call, as IAM sees it. */
export interface Principal {
  /**
   * `arn:aws:sts::<acct>:assumed-role/<role>/<session>` for a role session (a function's, or one from
   * AssumeRole), `arn:aws:iam::<acct>:user/<name>` for a user, the service's name (`apigateway.amazonaws.com`)
   * for a service principal.
   */
  readonly arn: string;
  readonly kind: 'assumed-role' | 'user' | 'service';
  readonly accountId: string;
  /** The role a session belongs to (what `aws:PrincipalArn` is for a session, and what trust policies name). */
  readonly roleArn?: string;
  /** Identity-based policies: the role's or user's, inline and attached. */
  readonly identityPolicies: readonly PolicyDocument[];
  /** `aws:PrincipalTag/*`: the role's tags, overridden by the session's. */
  readonly tags: Readonly<Record<string, string>>;
}

/** One call to authorize: what the principal asks to do to which resource, with the request's condition keys. */
export interface AuthorizationRequest {
  readonly principal: Principal;
  /** `service:Operation`, e.g. `dynamodb:GetItem`. */
  readonly action: string;
  /** The resource's ARN. */
  readonly resource: string;
  /** Condition keys the request carries (service keys such as `dynamodb:LeadingKeys`, `aws:SourceArn`). */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /** The resource's own policy (a queue policy, a function's permissions, a role's trust policy), if any. */
  readonly resourcePolicy?: PolicyDocument;
}

/** Why a call was refused, in the words AWS's AccessDenied messages use. */
export type DenialReason =
  | 'no identity-based policy allows'
  | 'an explicit deny in an identity-based policy'
  | 'an explicit deny in a resource-based policy';

/** The outcome of one evaluation. */
export type Decision =
  | { readonly allowed: true; readonly by: 'identity-based policy' | 'resource-based policy' }
  | { readonly allowed: false; readonly reason: DenialReason };

/** How a resource-based statement's principal matched: by name (it grants on its own), or as the account (it delegates to IAM). */
type PrincipalMatch = 'named' | 'account' | undefined;

function matchesPrincipalSet(set: PrincipalSet | '*', principal: Principal): PrincipalMatch {
  if (set === '*') return 'named';
  if (principal.kind === 'service') return set.service.includes(principal.arn) ? 'named' : undefined;
  let match: PrincipalMatch;
  for (const name of set.aws) {
    if (
      name === '*' ||
      name === principal.arn ||
      (principal.roleArn !== undefined && name === principal.roleArn)
    )
      return 'named';
    if (name === principal.accountId || name === `arn:aws:iam::${principal.accountId}:root`)
      match = 'account';
  }
  return match;
}

function principalMatch(statement: PolicyStatement, principal: Principal): PrincipalMatch {
  if (statement.principal !== undefined) return matchesPrincipalSet(statement.principal, principal);
  if (statement.notPrincipal !== undefined)
    return matchesPrincipalSet(statement.notPrincipal, principal) === undefined ? 'named' : undefined;
  return undefined;
}

function actionMatches(statement: PolicyStatement, action: string): boolean {
  if (statement.actions !== undefined) return statement.actions.some((a) => globMatch(a, action, true));
  if (statement.notActions !== undefined)
    return !statement.notActions.some((a) => globMatch(a, action, true));
  return false;
}

function resourceMatches(statement: PolicyStatement, resource: string, context: RequestContext): boolean {
  const matches = (pattern: string) => {
    const substituted = substituteVariables(pattern, context);
    return substituted !== undefined && arnMatch(substituted, resource);
  };
  if (statement.resources !== undefined) return statement.resources.some(matches);
  if (statement.notResources !== undefined) return !statement.notResources.some(matches);
  // A trust policy has no Resource: the role itself is the resource.
  return true;
}

function applies(
  statement: PolicyStatement,
  request: AuthorizationRequest,
  context: RequestContext,
): boolean {
  return (
    actionMatches(statement, request.action) &&
    resourceMatches(statement, request.resource, context) &&
    conditionsHold(statement.condition, context)
  );
}

/** The request context: the global keys every call carries, then the request's own. */
export function requestContextOf(request: AuthorizationRequest, now = new Date()): RequestContext {
  const { principal } = request;
  const context = new Map<string, string | readonly string[]>([
    ['aws:principalarn', principal.roleArn ?? principal.arn],
    ['aws:principalaccount', principal.accountId],
    [
      'aws:principaltype',
      principal.kind === 'assumed-role' ? 'AssumedRole' : principal.kind === 'user' ? 'User' : 'Service',
    ],
    // Every call an AWS SDK makes is over TLS; the local endpoints are plain HTTP on the loopback, which is not
    // what a policy's `aws:SecureTransport` (CDK's enforceSSL) means to refuse.
    ['aws:securetransport', 'true'],
    ['aws:currenttime', now.toISOString()],
    ['aws:epochtime', String(Math.floor(now.getTime() / 1000))],
    ['aws:principaltagkeys', Object.keys(principal.tags)],
  ]);
  if (principal.kind === 'user') context.set('aws:username', principal.arn.split('/').at(-1) ?? '');
  for (const [key, value] of Object.entries(principal.tags))
    context.set(`aws:principaltag/${key.toLowerCase()}`, value);
  for (const [key, value] of Object.entries(request.context ?? {})) context.set(key.toLowerCase(), value);
  return context;
}

/**
 * IAM's policy evaluation logic for a request within one account (the IAM User Guide's "Policy evaluation
 * logic": no SCPs, permissions boundaries or session policies locally):
 * 1. an explicit Deny in any applicable identity- or resource-based policy refuses;
 * 2. an Allow in the resource-based policy that names the principal (its session or its role, or a service)
 *    allows on its own; one that names only the account delegates to the identity-based policies;
 * 3. an Allow in an identity-based policy allows;
 * 4. otherwise the implicit deny refuses.
 */
export function evaluate(request: AuthorizationRequest, context = requestContextOf(request)): Decision {
  const { principal, resourcePolicy } = request;
  let identityAllows = false;
  for (const policy of principal.identityPolicies) {
    for (const statement of policy.statements) {
      if (!applies(statement, request, context)) continue;
      if (statement.effect === 'Deny')
        return { allowed: false, reason: 'an explicit deny in an identity-based policy' };
      identityAllows = true;
    }
  }
  let resourceAllows = false;
  for (const statement of resourcePolicy?.statements ?? []) {
    const matched = principalMatch(statement, principal);
    if (matched === undefined || !applies(statement, request, context)) continue;
    if (statement.effect === 'Deny')
      return { allowed: false, reason: 'an explicit deny in a resource-based policy' };
    if (matched === 'named') resourceAllows = true;
  }
  if (resourceAllows) return { allowed: true, by: 'resource-based policy' };
  if (identityAllows) return { allowed: true, by: 'identity-based policy' };
  return { allowed: false, reason: 'no identity-based policy allows' };
}

/**
 * AWS's AccessDenied message: `User: <arn> is not authorized to perform: <action> on resource: <arn> because
 * no identity-based policy allows the <action> action` (or `with an explicit deny in …`).
 */
export function accessDeniedMessage(
  request: AuthorizationRequest,
  reason: DenialReason,
  actionCase = (a: string) => a,
): string {
  const action = actionCase(request.action);
  const why =
    reason === 'no identity-based policy allows'
      ? `because no identity-based policy allows the ${action} action`
      : `with ${reason}`;
  return `User: ${request.principal.arn} is not authorized to perform: ${action} on resource: ${request.resource} ${why}`;
}
