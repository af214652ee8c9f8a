import { appTemplates, methodsByRoute, statementsOfFunction } from './app';

const { statelessTemplate: template } = appTemplates();
const routes = methodsByRoute(template);
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;
const authorizerIdOf = (method: Record<string, unknown> | undefined) =>
  (method?.AuthorizerId as { Ref?: string } | undefined)?.Ref;

describe('/partner-clients', () => {
  it('serves POST and GET behind the Lambda TOKEN authorizer with the tenant API key', () => {
    for (const route of ['POST /partner-clients', 'GET /partner-clients']) {
      const method = routes[route];
      expect(method).toMatchObject({ AuthorizationType: 'CUSTOM', ApiKeyRequired: true });
      const authorizer = resources[authorizerIdOf(method) ?? '']?.Properties;
      expect(authorizer).toMatchObject({ Type: 'TOKEN' });
    }
    // The same authorizer as the orders routes: one tenant token, one cached policy.
    expect(authorizerIdOf(routes['POST /partner-clients'])).toBe(authorizerIdOf(routes['POST /orders']));
  });

  it('validates the POST body against a model generated from the zod schema (unknown properties refused)', () => {
    expect(routes['POST /partner-clients']?.RequestValidatorId).toBeDefined();
    const model = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::ApiGateway::Model' &&
        r.Properties.Description === 'CreatePartnerClient request body',
    );
    expect(model?.Properties.Schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: { type: 'string', pattern: expect.any(String) } },
    });
  });

  it("tells the admin the Cognito domain's token endpoint (TOKEN_URL from the stateful stack's domain)", () => {
    const fn = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
          ?.POWERTOOLS_SERVICE_NAME === 'partner-clients',
    );
    if (fn === undefined) throw new Error('no partner-clients function in the template');
    const tokenUrl = JSON.stringify(
      (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.TOKEN_URL,
    );
    expect(tokenUrl).toMatch(/UserPoolDomain|Domain/);
    expect(tokenUrl).toMatch(/\.amazoncognito\.com\/oauth2\/token/);
  });

  it('may create and delete app clients on the user pool only, and put bindings only (the list through its tenant session)', () => {
    const statements = statementsOfFunction(template, 'partner-clients');
    const cognito = statements.filter((s) => JSON.stringify(s.Action).includes('cognito-idp'));
    expect(cognito).toEqual([
      {
        Effect: 'Allow',
        Action: ['cognito-idp:CreateUserPoolClient', 'cognito-idp:DeleteUserPoolClient'],
        Resource: { 'Fn::ImportValue': expect.stringMatching(/UserPool/) },
      },
    ]);
    const dynamo = statements.filter((s) => JSON.stringify(s.Action).includes('dynamodb'));
    expect(dynamo.flatMap((s) => s.Action)).toEqual(['dynamodb:PutItem']);
    expect(JSON.stringify(dynamo[0]?.Condition)).toContain('PARTNERCLIENT#*');
    // Only X-Ray's trace calls, which name no resource, are granted on every resource.
    expect(statements.filter((s) => s.Resource === '*').flatMap((s) => s.Action)).toEqual([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
    ]);
  });
});
