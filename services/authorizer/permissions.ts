import type { Role } from '../../shared/role';

/** One REST API operation: an HTTP method and a resource path (`*` matches the rest of the path). */
export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
}

/**
 * Every operation a tenant user may invoke through the Lambda authorizer, per role. Both roles share the
 * same surface today; admin-only work lives behind the Cognito authorizer (catalog writes), not here.
 * The authorizer's result is cached per token across methods, so this table must list everything the
 * principal may call, not just the method being authorized now — and nothing the API does not serve:
 * infra/tenant-authorizer.ts fails synth when a grant and the routes behind the authorizer disagree.
 */
const TENANT_USER_ROUTES: readonly Route[] = [
  { method: 'GET', path: 'orders' },
  { method: 'POST', path: 'orders' },
  { method: 'GET', path: 'orders/*' },
  { method: 'PATCH', path: 'orders/*' },
  { method: 'DELETE', path: 'orders/*' },
  { method: 'GET', path: 'jobs' },
  { method: 'POST', path: 'jobs' },
  { method: 'GET', path: 'jobs/*' },
  { method: 'POST', path: 'events' },
  // Admins only: the partner-clients function refuses members (403) itself, since grants are cached per token.
  { method: 'GET', path: 'partner-clients' },
  { method: 'POST', path: 'partner-clients' },
  // Admins only, as above: the users function refuses members (403).
  { method: 'GET', path: 'users' },
  { method: 'POST', path: 'users' },
  { method: 'GET', path: 'users/*' },
  { method: 'PATCH', path: 'users/*' },
  { method: 'DELETE', path: 'users/*' },
  { method: 'GET', path: 'usage' },
  // Admins only: the audit function refuses members (403) itself.
  { method: 'GET', path: 'audit' },
];

/** Role → the routes it may invoke. Pure data, so the policy can be reviewed against the API spec. */
export const ROUTES_BY_ROLE: Readonly<Record<Role, readonly Route[]>> = {
  admin: TENANT_USER_ROUTES,
  member: TENANT_USER_ROUTES,
};

/** What a partner's machine client (client credentials, `events/write`) may invoke: posting events, nothing else. */
export const PARTNER_ROUTES: readonly Route[] = [{ method: 'POST', path: 'events' }];

/** The parts of an execute-api method ARN that the policy keeps: everything up to and including the stage. */
export interface ApiStage {
  readonly region: string;
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
}

const METHOD_ARN =
  /^arn:(aws[a-z-]*):execute-api:([a-z0-9-]+):(\d{12}):([A-Za-z0-9]+)\/([A-Za-z0-9_-]+)\/[A-Z*]+\/.*$/;

/**
 * Reads `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`.
 * A malformed ARN comes from API Gateway itself (or a misconfigured emulator), never from the caller, so it
 * throws a plain error (API Gateway answers 500) rather than `Unauthorized`: it is a fault, not a bad token.
 */
export function parseMethodArn(methodArn: string): ApiStage & { readonly partition: string } {
  const match = METHOD_ARN.exec(methodArn);
  const [, partition, region, accountId, apiId, stage] = match ?? [];
  if (!partition || !region || !accountId || !apiId || !stage) {
    throw new Error(`malformed methodArn '${methodArn}'`);
  }
  return { partition, region, accountId, apiId, stage };
}

/** The execute-api resource ARNs a role may invoke on the API and stage that `methodArn` belongs to. */
export function allowedResources(methodArn: string, role: Role): string[] {
  const { partition, region, accountId, apiId, stage } = parseMethodArn(methodArn);
  const prefix = `arn:${partition}:execute-api:${region}:${accountId}:${apiId}/${stage}/`;
  return ROUTES_BY_ROLE[role].map((route) => `${prefix}${route.method}/${route.path}`);
}

/** The execute-api resource ARNs a partner's machine client may invoke on the API and stage of `methodArn`. */
export function partnerResources(methodArn: string): string[] {
  const { partition, region, accountId, apiId, stage } = parseMethodArn(methodArn);
  const prefix = `arn:${partition}:execute-api:${region}:${accountId}:${apiId}/${stage}/`;
  return PARTNER_ROUTES.map((route) => `${prefix}${route.method}/${route.path}`);
}
