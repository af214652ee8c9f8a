import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { stageConfig } from '../../infra/config';
import { PublicApi } from '../../infra/public-api';
import { appTemplates, statementsOfFunction } from './app';

const { statelessTemplate } = appTemplates();
type Resource = { Properties: Record<string, unknown> };
// The stack also holds the live-updates WebSocket API: look only at the HTTP API and what belongs to it.
const [httpApiId] = Object.entries(statelessTemplate.findResources('AWS::ApiGatewayV2::Api'))
  .filter(([, r]) => (r as Resource).Properties.ProtocolType === 'HTTP')
  .map(([id]) => id);
const only = (type: string): Resource[] =>
  (Object.entries(statelessTemplate.findResources(type)) as Array<[string, Resource]>)
    .filter(([id, r]) =>
      type === 'AWS::ApiGatewayV2::Api'
        ? id === httpApiId
        : !type.startsWith('AWS::ApiGatewayV2::') ||
          (r.Properties.ApiId as { Ref?: string } | undefined)?.Ref === httpApiId,
    )
    .map(([, r]) => r);
const httpApi = () => {
  const apis = only('AWS::ApiGatewayV2::Api');
  expect(apis).toHaveLength(1);
  return apis[0] as Resource;
};

describe('public HTTP API', () => {
  it('serves exactly the two public routes without authorization and /me behind the JWT authorizer', () => {
    const routes = Object.fromEntries(
      only('AWS::ApiGatewayV2::Route').map((r) => [r.Properties.RouteKey, r.Properties.AuthorizationType]),
    );
    expect(routes).toEqual({
      'GET /public/{tenantSlug}/catalog': 'NONE',
      'GET /public/track/{trackingId}': 'NONE',
      'GET /me': 'JWT',
    });
    expect(httpApi().Properties.ProtocolType).toBe('HTTP');
  });

  it('verifies /me tokens natively: the user pool as issuer, the SPA client as the only audience', () => {
    const [authorizer] = only('AWS::ApiGatewayV2::Authorizer');
    expect(authorizer?.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ 'Fn::ImportValue': expect.stringMatching(/UserPoolSpaClient/) }],
        Issuer: { 'Fn::ImportValue': expect.stringMatching(/UserPool.*ProviderURL/) },
      },
    });
  });

  it('answers CORS from the stage’s origins, GET only, no credentials, never "*"', () => {
    expect(httpApi().Properties.CorsConfiguration).toEqual({
      // The sandbox's web console (https://<distribution domain>) after the configured origins.
      AllowOrigins: [
        ...stageConfig('sandbox').allowedOrigins,
        expect.objectContaining({ 'Fn::Join': expect.any(Array) }),
      ],
      AllowMethods: ['GET', 'OPTIONS'],
      AllowHeaders: ['Authorization', 'Content-Type'],
      ExposeHeaders: ['X-Request-Id', 'x-amzn-RequestId'],
      MaxAge: 600,
      AllowCredentials: false,
    });
    const prod = appTemplates('prod').statelessTemplate.findResources('AWS::ApiGatewayV2::Api');
    const http = Object.values(prod).find((api) => (api as Resource).Properties.ProtocolType === 'HTTP');
    const origins = (http as Resource).Properties.CorsConfiguration as {
      AllowOrigins: string[];
    };
    expect(origins.AllowOrigins).toEqual(['https://app.example.com']);
  });

  it('throttles the default stage and each route, naming only routes that exist', () => {
    const [stage] = only('AWS::ApiGatewayV2::Stage');
    expect(stage?.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
    const settings = stage?.Properties.RouteSettings as Record<string, Record<string, number>>;
    expect(Object.keys(settings).sort()).toEqual(
      only('AWS::ApiGatewayV2::Route')
        .map((r) => String(r.Properties.RouteKey))
        .sort(),
    );
    for (const limits of Object.values(settings)) {
      expect(limits.ThrottlingRateLimit).toBeGreaterThan(0);
      expect(limits.ThrottlingBurstLimit).toBeGreaterThanOrEqual(limits.ThrottlingRateLimit ?? 0);
    }
  });

  it('writes JSON access logs with the route and the status to its own log group', () => {
    const [stage] = only('AWS::ApiGatewayV2::Stage');
    const settings = stage?.Properties.AccessLogSettings as { Format: string; DestinationArn: unknown };
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
    expect(JSON.stringify(settings.DestinationArn)).toMatch(/PublicAccessLogs/);
  });
});

describe('public functions read only what they serve', () => {
  const dynamo = (service: string) =>
    statementsOfFunction(statelessTemplate, service).filter((s) =>
      (Array.isArray(s.Action) ? s.Action : [s.Action]).some((a) => String(a).startsWith('dynamodb:')),
    );

  it.each([
    [
      'public-catalog',
      ['dynamodb:GetItem', 'dynamodb:Query'],
      ['TENANTSLUG#*', 'TENANT#*#PROFILE', 'TENANT#*#CATALOG'],
    ],
    // The profile's status too: a suspended tenant's tracking ids answer as unknown ones.
    ['public-tracking', 'dynamodb:GetItem', ['TRACKING#*', 'TENANT#*#ORDERS', 'TENANT#*#PROFILE']],
    ['me', 'dynamodb:GetItem', ['TENANT#*#PROFILE']],
  ])('%s may only read, only its partitions, only projected', (service, actions, partitions) => {
    const statements = dynamo(service);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({
      Effect: 'Allow',
      Action: actions,
      Condition: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': partitions },
        StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
      },
    });
    const text = JSON.stringify(statements);
    expect(text).not.toMatch(/IdempotencyTable|\/index\//);
    expect(
      statementsOfFunction(statelessTemplate, service).some((s) =>
        /cognito|apigateway/.test(JSON.stringify(s.Action)),
      ),
    ).toBe(false);
  });

  it.each([
    [
      'public-catalog',
      ['PK', 'SK', 'slug', 'tenantId', 'createdAt', 'status', 'sku', 'name', 'price', 'currency', 'public'],
    ],
    ['public-tracking', ['PK', 'SK', 'tenantId', 'orderId', 'status', 'timeline']],
    ['me', ['PK', 'SK', 'tenantId', 'name', 'tier', 'status']],
  ])(
    '%s may read exactly its attributes (never API keys, e-mails, prices of orders or notes)',
    (service, attributes) => {
      const [statement] = dynamo(service);
      const condition = (statement?.Condition ?? {}) as Record<string, Record<string, string[]>>;
      const allowed = condition['ForAllValues:StringLike']?.['dynamodb:Attributes'];
      expect([...(allowed ?? [])].sort()).toEqual([...attributes].sort());
      for (const secret of [
        'apiKeyValue',
        'apiKeyId',
        'adminEmail',
        'total',
        'items',
        'note',
        'updatedBy',
        'createdBy',
      ]) {
        expect(allowed).not.toContain(secret);
      }
    },
  );
});

describe('misuse fails synth', () => {
  function synthWith(allowedOrigins: string[], allowWildcardOrigin?: boolean) {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Probe');
    const userPool = new cognito.UserPool(stack, 'Pool');
    new PublicApi(stack, 'Public', {
      stageName: 'probe',
      allowedOrigins,
      ...(allowWildcardOrigin === undefined ? {} : { allowWildcardOrigin }),
      table: new dynamodb.TableV2(stack, 'Table', {
        partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
      }),
      userPool,
      userPoolClient: userPool.addClient('Client'),
    });
    return () => Template.fromStack(stack);
  }

  it('refuses a "*" origin outside a sandbox, with the fix in the message', () => {
    expect(synthWith(['*'])).toThrow(/allowed origin '\*' on the public API outside a sandbox stage/);
  });

  it('accepts a "*" origin in a sandbox', () => {
    expect(synthWith(['*'], true)().findResources('AWS::ApiGatewayV2::Api')).not.toEqual({});
  });
});
