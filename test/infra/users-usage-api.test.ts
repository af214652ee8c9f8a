import { appTemplates, methodsByRoute, statementsOfFunction } from './app';

const { statelessTemplate: template } = appTemplates();
const routes = methodsByRoute(template);

describe('/users and /usage', () => {
  it('serves every route behind the same Lambda TOKEN authorizer as the orders, with the tenant API key', () => {
    const ordersAuthorizer = routes['POST /orders']?.AuthorizerId;
    for (const route of [
      'POST /users',
      'GET /users',
      'GET /users/{userId}',
      'PATCH /users/{userId}',
      'DELETE /users/{userId}',
      'GET /usage',
    ]) {
      expect([route, routes[route]]).toEqual([
        route,
        expect.objectContaining({
          AuthorizationType: 'CUSTOM',
          ApiKeyRequired: true,
          AuthorizerId: ordersAuthorizer,
        }),
      ]);
    }
    expect(routes['POST /users']?.RequestValidatorId).toBeDefined();
    expect(routes['PATCH /users/{userId}']?.RequestValidatorId).toBeDefined();
  });

  it('lets the users function administer users of the one pool and flush only its stage authorizer cache', () => {
    const statements = statementsOfFunction(template, 'users');
    const cognito = statements.filter((s) => JSON.stringify(s.Action).includes('cognito-idp'));
    expect(cognito).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'cognito-idp:AdminCreateUser',
          'cognito-idp:AdminGetUser',
          'cognito-idp:AdminAddUserToGroup',
          'cognito-idp:AdminRemoveUserFromGroup',
          'cognito-idp:AdminDisableUser',
          'cognito-idp:AdminEnableUser',
          'cognito-idp:AdminDeleteUser',
        ],
        Resource: { 'Fn::ImportValue': expect.stringMatching(/UserPool/) },
      },
    ]);
    const flush = statements.filter((s) => s.Action === 'apigateway:DELETE');
    expect(flush).toHaveLength(1);
    expect(JSON.stringify(flush[0]?.Resource)).toMatch(/\/restapis\/.*\/stages\/sandbox\/cache\/authorizers/);
    expect(statements.filter((s) => s.Resource === '*').flatMap((s) => s.Action)).toEqual([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
    ]);
  });

  it('lets the usage function read the usage plans with their usage, nothing else (the profile through its tenant session)', () => {
    const statements = statementsOfFunction(template, 'usage');
    expect(
      statements.filter((s) => JSON.stringify(s.Action).includes('dynamodb')).flatMap((s) => s.Action),
    ).toEqual([]);
    const apigateway = statements.filter((s) => JSON.stringify(s.Action).includes('apigateway'));
    expect(apigateway.flatMap((s) => s.Action)).toEqual(['apigateway:GET']);
    expect(JSON.stringify(apigateway[0]?.Resource)).toContain('/usageplans/*/usage');
  });

  it("lets the operator function read a tenant's usage and carry it over on a tier change, on plans and keys only", () => {
    const paths = (resource: unknown) =>
      [...JSON.stringify(resource).matchAll(/::(\/[^"]*)"/g)].map((match) => match[1] ?? '');
    const grants: Record<string, string[]> = {};
    for (const statement of statementsOfFunction(template, 'tenants')) {
      const actions = [statement.Action].flat().map(String);
      for (const action of actions.filter((name) => name.startsWith('apigateway:'))) {
        grants[action] = [...(grants[action] ?? []), ...paths(statement.Resource)];
      }
    }
    // GET /tenants/{id}: the key's plan (GetUsagePlans) and its usage (GetUsage).
    expect(grants['apigateway:GET']).toEqual(
      expect.arrayContaining(['/usageplans', '/usageplans/*/usage', '/usageplans/*/keys/*']),
    );
    // PATCH /tenants/{id}: the key's remaining quota on the new plan (UpdateUsage), besides the key itself.
    expect(grants['apigateway:PATCH']).toEqual(['/apikeys/*', '/usageplans/*/keys/*/usage']);
  });
});
