/**
 * IAM policy documents as the evaluator reads them: every element that may be a string or a list is a list,
 * so evaluation never branches on shape. Parsed once, when the template is loaded.
 */

/** A condition block: operator → condition key → the policy's values for it. */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

/** Who a resource-based (or trust) policy statement names. */
export interface PrincipalSet {
  /** `*` (anyone), an account id, `arn:aws:iam::<acct>:root`, a role, user or session ARN. */
  readonly aws: readonly string[];
  /** Service principals, e.g. `apigateway.amazonaws.com`. */
  readonly service: readonly string[];
  /** `Federated` principals (kept so a trust policy naming only them matches no local caller). */
  readonly federated: readonly string[];
}

/** One statement, normalized. */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** Exactly one of `actions` / `notActions` is set. */
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  /** Neither set in a trust policy (the role is the resource); otherwise exactly one. */
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  /** Resource-based policies only; exactly one of the two then. */
  readonly principal?: PrincipalSet | '*';
  readonly notPrincipal?: PrincipalSet | '*';
  readonly condition: ConditionBlock;
}

/** A policy document with where it came from, for log lines (`Stack/FnServiceRoleDefaultPolicy`). */
export interface PolicyDocument {
  readonly source: string;
  readonly statements: readonly PolicyStatement[];
}

const list = (value: unknown): string[] =>
  value === undefined || value === null ? [] : (Array.isArray(value) ? value : [value]).map(String);

function principalSet(value: unknown): PrincipalSet | '*' | undefined {
  if (value === undefined) return undefined;
  if (value === '*') return '*';
  const record = (value ?? {}) as Record<string, unknown>;
  return {
    aws: list(record.AWS),
    service: list(record.Service),
    federated: list(record.Federated),
  };
}

function conditionBlock(value: unknown): ConditionBlock {
  if (value === null || typeof value !== 'object') return {};
  const block: Record<string, Record<string, string[]>> = {};
  for (const [operator, keys] of Object.entries(value as Record<string, unknown>)) {
    if (keys === null || typeof keys !== 'object') continue;
    block[operator] = {};
    for (const [key, values] of Object.entries(keys as Record<string, unknown>)) {
      (block[operator] as Record<string, string[]>)[key] = list(values).map((v) =>
        typeof v === 'boolean' ? String(v) : v,
      );
    }
  }
  return block;
}

/** Parses a policy document (`{ Version, Statement }`); a statement that is not an object is ignored. */
export function parsePolicyDocument(source: string, document: unknown): PolicyDocument {
  const raw = (document ?? {}) as { Statement?: unknown };
  const statements = (Array.isArray(raw.Statement) ? raw.Statement : raw.Statement ? [raw.Statement] : [])
    .filter((s): s is Record<string, unknown> => s !== null && typeof s === 'object')
    .map((s): PolicyStatement => {
      const principal = principalSet(s.Principal);
      const notPrincipal = principalSet(s.NotPrincipal);
      return {
        ...(typeof s.Sid === 'string' ? { sid: s.Sid } : {}),
        effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
        ...(s.Action !== undefined ? { actions: list(s.Action) } : {}),
        ...(s.NotAction !== undefined ? { notActions: list(s.NotAction) } : {}),
        ...(s.Resource !== undefined ? { resources: list(s.Resource) } : {}),
        ...(s.NotResource !== undefined ? { notResources: list(s.NotResource) } : {}),
        ...(principal !== undefined ? { principal } : {}),
        ...(notPrincipal !== undefined ? { notPrincipal } : {}),
        condition: conditionBlock(s.Condition),
      };
    });
  return { source, statements };
}
