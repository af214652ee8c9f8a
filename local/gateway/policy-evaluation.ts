/** Outcome of evaluating a Lambda authorizer's policy against one method ARN. */
export type PolicyDecision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** One statement of an IAM policy document, as an authorizer returns it. */
export interface PolicyStatement {
  readonly Effect: string;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
}

/** The `policyDocument` of a Lambda authorizer result. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly PolicyStatement[];
}

const INVOKE_ACTION = 'execute-api:Invoke';

function list(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/** IAM wildcard match: `*` is any run of characters (including `/` and `:`), `?` exactly one. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

function actionMatches(statement: PolicyStatement, wanted: string): boolean {
  // Action names are case-insensitive in IAM; `*`, `execute-api:*` and `execute-api:Invoke` all cover Invoke.
  if (statement.NotAction !== undefined) {
    return !list(statement.NotAction).some((action) => wildcardMatch(action, wanted, true));
  }
  return list(statement.Action).some((action) => wildcardMatch(action, wanted, true));
}

function resourceMatches(statement: PolicyStatement, methodArn: string): boolean {
  if (statement.NotResource !== undefined) {
    return !list(statement.NotResource).some((resource) => wildcardMatch(resource, methodArn));
  }
  return list(statement.Resource).some((resource) => wildcardMatch(resource, methodArn));
}

/**
 * Evaluates a policy the way API Gateway does for a Lambda authorizer: a matching Deny wins over any
 * Allow, and without a matching Allow the request is implicitly denied. Conditions are not supported.
 * `action` is `execute-api:Invoke` unless asked otherwise (`execute-api:InvalidateCache` for the stage cache).
 */
export function evaluatePolicy(
  policy: PolicyDocument,
  methodArn: string,
  action: string = INVOKE_ACTION,
): PolicyDecision {
  let allowed = false;
  for (const statement of policy.Statement) {
    if (!actionMatches(statement, action) || !resourceMatches(statement, methodArn)) continue;
    const effect = statement.Effect.toLowerCase();
    if (effect === 'deny') return 'ExplicitDeny';
    if (effect === 'allow') allowed = true;
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}
