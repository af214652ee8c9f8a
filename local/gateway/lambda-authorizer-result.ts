import type { PolicyDocument, PolicyStatement } from './policy-evaluation';

/** A Lambda authorizer's output once checked: what API Gateway caches per identity. */
export interface LambdaAuthorizerOutput {
  readonly principalId: string;
  readonly policy: PolicyDocument;
  /** Context values, already stringified as the REST API passes them on. */
  readonly context: Record<string, string>;
  readonly usageIdentifierKey?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isStringOrList = (value: unknown) =>
  value === undefined ||
  typeof value === 'string' ||
  (Array.isArray(value) && value.every((item) => typeof item === 'string'));

function parseStatement(value: unknown): PolicyStatement | undefined {
  if (!isRecord(value) || typeof value.Effect !== 'string') return undefined;
  const fields = [value.Action, value.NotAction, value.Resource, value.NotResource];
  if (!fields.every(isStringOrList)) return undefined;
  if (value.Action === undefined && value.NotAction === undefined) return undefined;
  if (value.Resource === undefined && value.NotResource === undefined) return undefined;
  return value as unknown as PolicyStatement;
}

/**
 * Checks a Lambda authorizer's result as API Gateway does; undefined means malformed, which API Gateway
 * answers with AUTHORIZER_CONFIGURATION_ERROR. Context values must be strings, numbers or booleans
 * (objects and arrays are refused); numbers and booleans become strings, as the REST API passes them.
 */
export function parseLambdaAuthorizerOutput(value: unknown): LambdaAuthorizerOutput | undefined {
  if (!isRecord(value) || !isRecord(value.policyDocument)) return undefined;
  const principalId = value.principalId;
  if (typeof principalId !== 'string' && typeof principalId !== 'number') return undefined;
  const rawStatements = value.policyDocument.Statement;
  const statements = (Array.isArray(rawStatements) ? rawStatements : [rawStatements]).map(parseStatement);
  if (statements.length === 0 || statements.some((statement) => statement === undefined)) return undefined;
  const context: Record<string, string> = {};
  if (value.context !== undefined && value.context !== null) {
    if (!isRecord(value.context)) return undefined;
    for (const [key, item] of Object.entries(value.context)) {
      if (item === null || item === undefined) continue;
      if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') return undefined;
      context[key] = String(item);
    }
  }
  const usageIdentifierKey = value.usageIdentifierKey;
  if (
    usageIdentifierKey !== undefined &&
    usageIdentifierKey !== null &&
    typeof usageIdentifierKey !== 'string'
  ) {
    return undefined;
  }
  return {
    principalId: String(principalId),
    policy: {
      Version: typeof value.policyDocument.Version === 'string' ? value.policyDocument.Version : undefined,
      Statement: statements.filter((statement): statement is PolicyStatement => statement !== undefined),
    },
    context,
    ...(typeof usageIdentifierKey === 'string' ? { usageIdentifierKey } : {}),
  };
}
