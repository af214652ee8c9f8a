import { allowedResources, parseMethodArn, ROUTES_BY_ROLE } from '../../services/authorizer/permissions';
import { type AuthorizedCaller, authorizerResult } from '../../services/authorizer/policy';

const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/orders';
const PREFIX = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/';

const EVERY_TENANT_ROUTE = [
  'GET/orders',
  'POST/orders',
  'GET/orders/*',
  'PATCH/orders/*',
  'DELETE/orders/*',
  'GET/jobs',
  'POST/jobs',
  'GET/jobs/*',
  'POST/events',
  // Granted to members too (the policy is cached per token); the function itself refuses them with 403.
  'GET/partner-clients',
  'POST/partner-clients',
  'GET/users',
  'POST/users',
  'GET/users/*',
  'PATCH/users/*',
  'DELETE/users/*',
  'GET/usage',
  'GET/audit',
];

const caller: AuthorizedCaller = {
  userId: '3f1c2a9e-0000-4000-8000-000000000001',
  tenantId: 'tabcdefghij012345',
  role: 'member',
  tier: 'premium',
  apiKeyValue: 'tenant-api-key-value-0123456789',
};

describe('the authorizer policy', () => {
  it.each(['admin', 'member'] as const)(
    'allows a %s every orders, jobs, events, partner-clients, users, usage and audit route',
    (role) => {
      expect(allowedResources(METHOD_ARN, role)).toEqual(
        EVERY_TENANT_ROUTE.map((route) => `${PREFIX}${route}`),
      );
    },
  );

  it('gives both roles the same routes, since admin-only operations sit behind the Cognito authorizer', () => {
    expect(ROUTES_BY_ROLE.admin).toEqual(ROUTES_BY_ROLE.member);
  });

  it('covers the other methods too, so a result cached for one method is right for the next', () => {
    const fromGet = allowedResources(METHOD_ARN, 'member');
    const fromDelete = allowedResources(`${PREFIX}DELETE/orders/01J0000000000000000000000`, 'member');
    expect(fromDelete).toEqual(fromGet);
    expect(fromGet).toContain(`${PREFIX}PATCH/orders/*`);
  });

  it('takes the region, account, api id and stage from the methodArn', () => {
    const resources = allowedResources(
      'arn:aws:execute-api:eu-west-1:210987654321:puhdx84jy9/canary/POST/orders',
      'admin',
    );
    for (const resource of resources) {
      expect(resource.startsWith('arn:aws:execute-api:eu-west-1:210987654321:puhdx84jy9/canary/')).toBe(true);
    }
  });

  it('keeps the partition of the methodArn (e.g. aws-cn)', () => {
    expect(parseMethodArn('arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/v1/GET/orders')).toEqual({
      partition: 'aws-cn',
      region: 'cn-north-1',
      accountId: '123456789012',
      apiId: 'abc123',
      stage: 'v1',
    });
  });

  it.each([
    ['an empty string', ''],
    ['a Lambda ARN', 'arn:aws:lambda:us-east-1:123456789012:function:orders'],
    ['no stage', 'arn:aws:execute-api:us-east-1:123456789012:abc123'],
    ['a wildcard api id', 'arn:aws:execute-api:us-east-1:123456789012:*/prod/GET/orders'],
    ['a short account id', 'arn:aws:execute-api:us-east-1:1234:abc123/prod/GET/orders'],
  ])('throws a fault (not Unauthorized) for a malformed methodArn: %s', (_what, methodArn) => {
    expect(() => allowedResources(methodArn, 'member')).toThrow(/^malformed methodArn/);
  });

  it('answers the caller as principal, with an Allow policy on the allowed routes', () => {
    const result = authorizerResult(METHOD_ARN, caller);
    expect(result.principalId).toBe(caller.userId);
    expect(result.policyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'execute-api:Invoke',
          Resource: EVERY_TENANT_ROUTE.map((route) => `${PREFIX}${route}`),
        },
      ],
    });
  });

  it('puts tenantId, userId, role and tier in the context, as strings only', () => {
    const { context } = authorizerResult(METHOD_ARN, caller);
    expect(context).toEqual({
      tenantId: caller.tenantId,
      userId: caller.userId,
      role: 'member',
      tier: 'premium',
    });
    for (const value of Object.values(context ?? {})) expect(typeof value).toBe('string');
  });

  it("returns the tenant's own API key as usageIdentifierKey and keeps it out of the context", () => {
    const result = authorizerResult(METHOD_ARN, caller);
    expect(result.usageIdentifierKey).toBe(caller.apiKeyValue);
    expect(Object.values(result.context ?? {})).not.toContain(caller.apiKeyValue);
  });
});
