import { Match } from 'aws-cdk-lib/assertions';
import { bearerToken } from '../../services/authorizer/bearer-token';
import { appTemplates, methodsByRoute } from './app';

const { statelessTemplate: template } = appTemplates();
const routes = methodsByRoute(template);
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const resources = template.toJSON().Resources as Resources;
// WAF bills whether used or not: prod has it, a sandbox only when asked. The stage cache is on in both (-c stageCache=false saves it).
const { statelessTemplate: prodTemplate } = appTemplates('prod');
const prodResources = prodTemplate.toJSON().Resources as Resources;

function logicalIdOf(
  type: string,
  predicate: (props: Record<string, unknown>) => boolean = () => true,
): string {
  const found = Object.entries(resources).find(([, r]) => r.Type === type && predicate(r.Properties));
  if (!found) throw new Error(`no ${type}`);
  return found[0];
}

describe('the REST API routes', () => {
  it('exposes exactly the routes of the API spec plus CORS preflights', () => {
    expect(
      Object.keys(routes)
        .filter((r) => !r.startsWith('OPTIONS'))
        .sort(),
    ).toEqual(
      [
        'DELETE /orders/{orderId}',
        'GET /catalog',
        'GET /catalog/{sku}',
        'GET /jobs',
        'GET /jobs/{jobId}',
        'GET /jobs/{jobId}/result',
        'POST /jobs',
        'GET /orders',
        'GET /orders/{orderId}',
        'GET /orders/{orderId}/invoice',
        'PATCH /orders/{orderId}',
        'POST /orders',
        'POST /events',
        'GET /partner-clients',
        'POST /partner-clients',
        'GET /usage',
        'GET /users',
        'POST /users',
        'GET /users/{userId}',
        'PATCH /users/{userId}',
        'DELETE /users/{userId}',
        'POST /tenants',
        'GET /audit',
        'GET /tenants',
        'GET /tenants/{tenantId}',
        'PATCH /tenants/{tenantId}',
        'DELETE /tenants/{tenantId}',
        'POST /tenants/{tenantId}/suspend',
        'POST /tenants/{tenantId}/reactivate',
        'PUT /catalog/{sku}',
      ].sort(),
    );
  });

  it.each([
    ['POST /tenants', 'AWS_IAM'],
    ['GET /tenants', 'AWS_IAM'],
    ['GET /audit', 'CUSTOM'],
    ['GET /tenants/{tenantId}', 'AWS_IAM'],
    ['PATCH /tenants/{tenantId}', 'AWS_IAM'],
    ['DELETE /tenants/{tenantId}', 'AWS_IAM'],
    ['POST /tenants/{tenantId}/suspend', 'AWS_IAM'],
    ['POST /tenants/{tenantId}/reactivate', 'AWS_IAM'],
    ['GET /catalog', 'COGNITO_USER_POOLS'],
    ['GET /catalog/{sku}', 'COGNITO_USER_POOLS'],
    ['PUT /catalog/{sku}', 'COGNITO_USER_POOLS'],
    ['GET /orders', 'CUSTOM'],
    ['POST /orders', 'CUSTOM'],
    ['GET /orders/{orderId}', 'CUSTOM'],
    ['PATCH /orders/{orderId}', 'CUSTOM'],
    ['DELETE /orders/{orderId}', 'CUSTOM'],
    ['POST /events', 'CUSTOM'],
    ['GET /partner-clients', 'CUSTOM'],
    ['POST /partner-clients', 'CUSTOM'],
    ['GET /users', 'CUSTOM'],
    ['POST /users', 'CUSTOM'],
    ['PATCH /users/{userId}', 'CUSTOM'],
    ['DELETE /users/{userId}', 'CUSTOM'],
    ['GET /usage', 'CUSTOM'],
  ])('authorizes %s with %s', (route, type) => {
    expect(routes[route]?.AuthorizationType).toBe(type);
  });

  it('requires the tenant API key (supplied by the Lambda authorizer) on every orders method', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
    for (const [route, method] of Object.entries(routes)) {
      if (route.includes('/orders')) {
        expect([route, method.ApiKeyRequired]).toEqual([route, !route.startsWith('OPTIONS')]);
      }
    }
  });

  it('answers CORS preflights without authorization from a MOCK integration', () => {
    const preflight = routes['OPTIONS /orders'];
    expect(preflight?.AuthorizationType).toBe('NONE');
    expect((preflight?.Integration as { Type: string } | undefined)?.Type).toBe('MOCK');
  });

  it('verifies tokens in a TOKEN authorizer on the Authorization header, cached for at most 300 s', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 300,
    });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
    });
  });
});

describe('the Authorization header of the Lambda authorizer', () => {
  const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
  /** API Gateway's check of the header, as synthesized: the whole value must match before the function runs. */
  const gatewayAccepts = (header: string) => {
    const expression = resources[logicalIdOf('AWS::ApiGateway::Authorizer', (p) => p.Type === 'TOKEN')]
      ?.Properties.IdentityValidationExpression as string;
    return new RegExp(`^(?:${expression})$`).test(header);
  };
  const functionAccepts = (header: string) => {
    try {
      bearerToken(header);
      return true;
    } catch {
      return false;
    }
  };

  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])(
    'takes the %s scheme at the gateway and in the function alike, as the README says',
    (scheme) => {
      expect(gatewayAccepts(`${scheme} ${JWT}`)).toBe(true);
      expect(functionAccepts(`${scheme} ${JWT}`)).toBe(true);
    },
  );

  it.each([JWT, `Basic ${JWT}`, `Bearer  ${JWT}`, `Bearer ${JWT} `, `Bearerx ${JWT}`, 'Bearer '])(
    'refuses %p at the gateway and in the function alike',
    (header) => {
      expect(gatewayAccepts(header)).toBe(false);
      expect(functionAccepts(header)).toBe(false);
    },
  );
});

describe('request validation', () => {
  it.each([
    ['POST /orders', 'CreateOrder'],
    ['PATCH /orders/{orderId}', 'PatchOrder'],
    ['PUT /catalog/{sku}', 'PutCatalogItem'],
    ['POST /tenants', 'CreateTenant'],
    ['PATCH /tenants/{tenantId}', 'PatchTenant'],
  ])('validates the body of %s against a closed JSON-schema model', (route, model) => {
    const method = routes[route];
    expect(method?.RequestValidatorId).toBeDefined();
    const modelId = logicalIdOf('AWS::ApiGateway::Model', (p) => String(p.Description).startsWith(model));
    expect(method?.RequestModels).toEqual({ 'application/json': { Ref: modelId } });
    const schema = resources[modelId]?.Properties.Schema as Record<string, unknown>;
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(schema.additionalProperties).toBe(false);
  });

  it('validates bodies only (parameters are validated by the handlers)', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: false,
    });
  });
});

describe('the catalog stage cache (prod)', () => {
  const stage = () =>
    Object.values(prodResources).find((r) => r.Type === 'AWS::ApiGateway::Stage')?.Properties ?? {};
  const setting = (path: string, verb: string) =>
    (stage().MethodSettings as Array<Record<string, unknown>>).find(
      (s) => s.ResourcePath === path && s.HttpMethod === verb,
    );

  it('runs a 0.5 GB cache cluster with caching off by default', () => {
    expect(stage()).toMatchObject({ CacheClusterEnabled: true, CacheClusterSize: '0.5' });
    expect(setting('/*', '*')).toMatchObject({ CachingEnabled: false });
  });

  it.each([
    ['/~1catalog', 'GET'],
    ['/~1catalog~1{sku}', 'GET'],
  ])('caches %s %s for 300 s, encrypted', (path, verb) => {
    expect(setting(path, verb)).toMatchObject({
      CachingEnabled: true,
      CacheTtlInSeconds: 300,
      CacheDataEncrypted: true,
    });
  });

  it('never caches the orders routes', () => {
    const cachedPaths = (stage().MethodSettings as Array<Record<string, unknown>>)
      .filter((s) => s.CachingEnabled === true)
      .map((s) => s.ResourcePath);
    expect(cachedPaths.every((p) => String(p).startsWith('/~1catalog'))).toBe(true);
  });

  it.each([
    [
      'GET /catalog',
      [
        'method.request.header.Authorization',
        'method.request.querystring.limit',
        'method.request.querystring.nextToken',
      ],
    ],
    ['GET /catalog/{sku}', ['method.request.header.Authorization', 'method.request.path.sku']],
  ])('keys %s by the caller token and the page or sku', (route, keys) => {
    const method = methodsByRoute(prodTemplate)[route] as {
      Integration: { CacheKeyParameters: string[] };
      RequestParameters: object;
    };
    expect(method.Integration.CacheKeyParameters).toEqual(keys);
    expect(Object.keys(method.RequestParameters).sort()).toEqual([...keys].sort());
  });

  it('makes unauthorized cache invalidation fail with 403', () => {
    const custom = Object.values(prodResources).find((r) => r.Type === 'Custom::AWS');
    expect(JSON.stringify(custom?.Properties.Create)).toContain('FAIL_WITH_403');
    expect(JSON.stringify(custom?.Properties.Update)).toContain('requireAuthorizationForCacheControl');
  });

  it('lets the catalog function flush exactly its stage cache, so an admin edit reaches every reader', () => {
    const catalogFn = Object.values(prodResources).find(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
          ?.STAGE_CACHE !== undefined,
    );
    expect(catalogFn?.Properties.Environment).toMatchObject({
      Variables: { STAGE_CACHE: 'on', STAGE_NAME: 'prod', REST_API_ID: expect.anything() },
    });
    const flushGrants = Object.entries(prodResources)
      .filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('CatalogHandler'))
      .map(([, r]) => r)
      .flatMap(
        (r) => (r.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
      )
      .filter((s) => s.Action === 'apigateway:DELETE' && JSON.stringify(s.Resource).includes('/cache/data'));
    expect(flushGrants).toHaveLength(1);
    expect(JSON.stringify(flushGrants[0]?.Resource)).toContain('/stages/prod/cache/data');
  });
});

describe('the sandbox stage cache', () => {
  it('is deployed by default, as in prod, so a sandbox shows cached catalog reads', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      CacheClusterEnabled: true,
      CacheClusterSize: '0.5',
    });
  });
});

describe('a sandbox stage without the cache (-c stageCache=false)', () => {
  const withoutCache = appTemplates('sandbox', { stageCache: 'false' }).statelessTemplate.toJSON()
    .Resources as Resources;
  const stage = () =>
    Object.values(withoutCache).find((r) => r.Type === 'AWS::ApiGateway::Stage')?.Properties ?? {};

  it('runs no cache cluster and renders no caching setting, keeping the methods other settings', () => {
    expect(stage().CacheClusterEnabled).toBe(false);
    expect(stage().CacheClusterSize).toBeUndefined();
    const settings = stage().MethodSettings as Array<Record<string, unknown>>;
    expect(settings.some((s) => 'CachingEnabled' in s || 'CacheTtlInSeconds' in s)).toBe(false);
    expect(settings.find((s) => s.ResourcePath === '/*')).toMatchObject({ ThrottlingRateLimit: 1800 });
  });

  it('needs no cache-invalidation setting, so no custom resource', () => {
    expect(Object.values(withoutCache).some((r) => r.Type === 'Custom::AWS')).toBe(false);
  });

  it('gives the catalog function nothing to flush and no grant to do it, and no function a response-cache flush', () => {
    const policies = JSON.stringify(Object.values(withoutCache).filter((r) => r.Type === 'AWS::IAM::Policy'));
    expect(policies).not.toContain('/cache/data');
    const catalogPolicies = JSON.stringify(
      Object.entries(withoutCache).filter(
        ([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('CatalogHandler'),
      ),
    );
    expect(catalogPolicies).not.toContain('apigateway:DELETE');
    expect(JSON.stringify(withoutCache)).toContain('"STAGE_CACHE":"off"');
  });
});

describe('throttling and metering', () => {
  // Each capability adds its own method settings, so their order in the stage is not part of the contract.
  it('caps the stage above what the expected tenants plans add up to (1500 rps, burst 3000, plus 20%)', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          ResourcePath: '/*',
          HttpMethod: '*',
          ThrottlingRateLimit: 1800,
          ThrottlingBurstLimit: 3600,
        }),
      ]),
    });
  });

  it('has no method throttle that tenants would share on a tenant route', () => {
    const stages = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::Stage');
    const throttled = stages.flatMap((stage) =>
      ((stage.Properties.MethodSettings ?? []) as Array<Record<string, unknown>>)
        .filter((setting) => setting.ResourcePath !== '/*' && setting.ThrottlingRateLimit !== undefined)
        .map((setting) => `${setting.HttpMethod} ${setting.ResourcePath}`),
    );
    // Onboarding is the operator's route (one caller), so a tight method throttle there shares nothing.
    expect(throttled).toEqual(['POST /~1tenants']);
  });

  it('throttles the operator-only onboarding at 1/s, burst 2', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          ResourcePath: '/~1tenants',
          HttpMethod: 'POST',
          ThrottlingRateLimit: 1,
          ThrottlingBurstLimit: 2,
        }),
      ]),
    });
  });

  it.each([
    ['basic', 10, 20, 10_000],
    ['premium', 100, 200, 1_000_000],
  ])('has a %s usage plan with rate, burst and a monthly quota', (tier, rate, burst, quota) => {
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      UsagePlanName: Match.stringLikeRegexp(`-${tier}$`),
      Throttle: { RateLimit: rate, BurstLimit: burst },
      Quota: { Limit: quota, Period: 'MONTH' },
    });
  });
});

describe('gateway responses', () => {
  const allowOrigin = (stack: typeof template, type: string) => {
    const response = Object.values(stack.findResources('AWS::ApiGateway::GatewayResponse')).find(
      (r) => r.Properties.ResponseType === type,
    );
    if (response === undefined) throw new Error(`no ${type} gateway response`);
    return (response.Properties.ResponseParameters as Record<string, unknown>)[
      'gatewayresponse.header.Access-Control-Allow-Origin'
    ];
  };

  it.each(['DEFAULT_4XX', 'DEFAULT_5XX', 'BAD_REQUEST_BODY'])(
    'answers %s as JSON with CORS headers naming the hosted console, and a request id',
    (type) => {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseParameters: Match.objectLike({
          'gatewayresponse.header.Access-Control-Allow-Credentials': "'true'",
        }),
        ResponseTemplates: {
          'application/json': Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
        },
      });
      // One origin (never `*`): the sandbox's CloudFront console, imported from the stateful stack.
      expect(JSON.stringify(allowOrigin(template, type))).toMatch(
        /^\{"Fn::Join":\["",\["'https:\/\/",\{"Fn::ImportValue":"[^"]*ConsoleDistribution[^"]*"\},"'"\]\]\}$/,
      );
    },
  );

  it('names the console origin the stage is given (-c consoleOrigin, as npm start sets it), and in prod with no console the allowed origin', () => {
    const local = appTemplates('sandbox', { consoleOrigin: 'http://localhost:5173' }).statelessTemplate;
    expect(allowOrigin(local, 'DEFAULT_4XX')).toBe("'http://localhost:5173'");
    expect(allowOrigin(local, 'DEFAULT_5XX')).toBe("'http://localhost:5173'");
    expect(allowOrigin(prodTemplate, 'DEFAULT_4XX')).toBe("'https://app.example.com'");
  });
});

describe('edge protection and observability', () => {
  it('puts a WAF web ACL on the prod stage: IP reputation, common, bad inputs, SQL injection and a per-IP rate rule', () => {
    prodTemplate.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    const acl = Object.values(prodResources).find((r) => r.Type === 'AWS::WAFv2::WebACL')?.Properties;
    expect(acl?.Scope).toBe('REGIONAL');
    const rules = acl?.Rules as Array<{
      Name: string;
      Priority: number;
      Statement: { ManagedRuleGroupStatement?: { VendorName: string }; RateBasedStatement?: object };
    }>;
    expect(rules.map((r) => [r.Priority, r.Name])).toEqual([
      [1, 'AWSManagedRulesAmazonIpReputationList'],
      [2, 'AWSManagedRulesCommonRuleSet'],
      [3, 'AWSManagedRulesKnownBadInputsRuleSet'],
      [4, 'AWSManagedRulesSQLiRuleSet'],
      [5, 'PerIpRateLimit'],
    ]);
    expect(rules[4]?.Statement.RateBasedStatement).toEqual({ Limit: 2000, AggregateKeyType: 'IP' });
  });

  it('has no WAF in a sandbox unless -c waf=true', () => {
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    appTemplates('sandbox', { waf: 'true' }).statelessTemplate.resourceCountIs(
      'AWS::WAFv2::WebACLAssociation',
      1,
    );
  });

  it('writes JSON access logs and traces with X-Ray', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      }),
    });
  });
});
