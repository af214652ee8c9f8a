import type { LocalCloudModel, LocalResource } from '../../model';
import { readRestApiDefinition } from '../../rest-api/rest-api-definition';

const resource = (
  type: string,
  physicalId: string,
  properties: Record<string, unknown>,
  attributes: Record<string, string> = {},
): LocalResource => ({
  stackName: 'S',
  logicalId: `L${physicalId}`,
  type,
  physicalId,
  properties,
  attributes,
});

const FN = 'arn:aws:lambda:us-east-1:111111111111:function:orders';
const URI = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FN}/invocations`;

const model: LocalCloudModel = {
  region: 'us-east-1',
  accountId: '111111111111',
  resources: [
    resource(
      'AWS::ApiGateway::RestApi',
      'api1',
      { Name: 'Orders', BinaryMediaTypes: ['image/png'] },
      {
        RootResourceId: 'root',
      },
    ),
    resource('AWS::ApiGateway::Resource', 'orders', {
      RestApiId: 'api1',
      ParentId: 'root',
      PathPart: 'orders',
    }),
    resource('AWS::ApiGateway::Resource', 'order', {
      RestApiId: 'api1',
      ParentId: 'orders',
      PathPart: '{id}',
    }),
    resource('AWS::ApiGateway::Method', 'getOrder', {
      RestApiId: 'api1',
      ResourceId: 'order',
      HttpMethod: 'get',
      AuthorizationType: 'custom',
      AuthorizerId: 'auth1',
      ApiKeyRequired: 'true',
      RequestValidatorId: 'val1',
      RequestParameters: { 'method.request.path.id': true, 'method.request.header.x-opt': 'false' },
      RequestModels: { 'application/json': 'OrderModel' },
      Integration: {
        Type: 'aws_proxy',
        Uri: URI,
        TimeoutInMillis: '5000',
        CacheKeyParameters: ['method.request.path.id', 'method.request.header.Authorization'],
      },
    }),
    resource('AWS::ApiGateway::Method', 'options', {
      RestApiId: 'api1',
      ResourceId: 'orders',
      HttpMethod: 'OPTIONS',
      Integration: {
        Type: 'MOCK',
        RequestTemplates: { 'application/json': '{ statusCode: 200 }', ignored: 3 },
        IntegrationResponses: [
          { StatusCode: '204', ResponseParameters: { 'method.response.header.A': "'b'" } },
          { StatusCode: '500', SelectionPattern: '5\\d{2}' },
          { StatusCode: '400', SelectionPattern: '' },
        ],
      },
    }),
    resource('AWS::ApiGateway::Authorizer', 'auth1', {
      RestApiId: 'api1',
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Auth, method.request.querystring.t',
      AuthorizerUri: URI,
      AuthorizerResultTtlInSeconds: 0,
    }),
    resource('AWS::ApiGateway::RequestValidator', 'val1', { RestApiId: 'api1', ValidateRequestBody: true }),
    resource('AWS::ApiGateway::Model', 'mod1', {
      RestApiId: 'api1',
      Name: 'OrderModel',
      Schema: '{"type":"object"}',
    }),
    resource('AWS::ApiGateway::GatewayResponse', 'gr1', {
      RestApiId: 'api1',
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseParameters: { 'gatewayresponse.header.X': "'y'" },
    }),
    resource('AWS::ApiGateway::Deployment', 'dep1', { RestApiId: 'api1' }),
    resource('AWS::ApiGateway::Stage', 'stage1', {
      RestApiId: 'api1',
      StageName: 'prod',
      DeploymentId: 'dep1',
      CacheClusterEnabled: true,
      CacheClusterSize: '0.5',
      MethodSettings: [
        { ResourcePath: '/*', HttpMethod: '*', CachingEnabled: false, ThrottlingRateLimit: 10 },
        {
          ResourcePath: '/~1orders~1{id}',
          HttpMethod: 'GET',
          CachingEnabled: 'true',
          CacheTtlInSeconds: 60,
          CacheDataEncrypted: true,
        },
      ],
    }),
    // Another API's method is not this one's.
    resource('AWS::ApiGateway::Method', 'other', {
      RestApiId: 'api2',
      ResourceId: 'root',
      HttpMethod: 'GET',
    }),
  ],
};

describe('REST API definition, read once from the template', () => {
  const definition = readRestApiDefinition(model, 'api1');
  const order = definition.root.children[0]?.children[0];

  it('builds the resource tree with full path templates and only its own methods', () => {
    expect(definition.name).toBe('Orders');
    expect(definition.root.methods.size).toBe(0);
    expect(definition.root.children.map((c) => c.path)).toEqual(['/orders']);
    expect(order?.path).toBe('/orders/{id}');
    expect([...(order?.methods.keys() ?? [])]).toEqual(['GET']);
    expect(definition.binaryMediaTypes).toEqual(['image/png']);
  });

  it('types a method: upper-cased kinds, string flags read as booleans, the function of its Lambda URI', () => {
    expect(order?.methods.get('GET')).toEqual({
      id: 'getOrder',
      logicalId: 'LgetOrder',
      httpMethod: 'GET',
      authorizationType: 'CUSTOM',
      authorizerId: 'auth1',
      authorizationScopes: [],
      apiKeyRequired: true,
      requestValidatorId: 'val1',
      requestParameters: { 'method.request.path.id': true, 'method.request.header.x-opt': false },
      requestModels: { 'application/json': 'OrderModel' },
      integration: expect.objectContaining({
        type: 'AWS_PROXY',
        functionArn: FN,
        timeoutMs: 5000,
        passthroughBehavior: 'WHEN_NO_MATCH',
        cacheKeyParameters: ['method.request.path.id', 'method.request.header.Authorization'],
      }),
    });
  });

  it('defaults a method without settings to NONE, no API key, a 29 s integration timeout', () => {
    const options = definition.root.children[0]?.methods.get('OPTIONS');
    expect(options).toMatchObject({ authorizationType: 'NONE', apiKeyRequired: false });
    expect(options?.integration.timeoutMs).toBe(29_000);
  });

  it('keeps only string templates and reads integration responses, an empty pattern being the default', () => {
    const integration = definition.root.children[0]?.methods.get('OPTIONS')?.integration;
    expect(integration?.requestTemplates).toEqual({ 'application/json': '{ statusCode: 200 }' });
    expect(integration?.responses).toEqual([
      { statusCode: 204, responseParameters: { 'method.response.header.A': "'b'" }, responseTemplates: {} },
      { statusCode: 500, selectionPattern: '5\\d{2}', responseParameters: {}, responseTemplates: {} },
      { statusCode: 400, responseParameters: {}, responseTemplates: {} },
    ]);
  });

  it('reads authorizers, validators, models (a JSON-string schema parsed) and gateway responses', () => {
    expect(definition.authorizers.get('auth1')).toEqual({
      id: 'auth1',
      logicalId: 'Lauth1',
      type: 'REQUEST',
      identitySource: 'method.request.header.Auth, method.request.querystring.t',
      functionArn: FN,
      resultTtlSeconds: 0,
      providerArns: [],
    });
    expect(definition.validators.get('val1')).toEqual({
      id: 'val1',
      validateRequestBody: true,
      validateRequestParameters: false,
    });
    expect(definition.models.get('OrderModel')?.schema).toEqual({ type: 'object' });
    expect(definition.models.get('mod1')?.schema).toEqual({ type: 'object' });
    expect(definition.gatewayResponses.get('UNAUTHORIZED')).toEqual({
      responseType: 'UNAUTHORIZED',
      statusCode: 401,
      responseParameters: { 'gatewayresponse.header.X': "'y'" },
    });
  });

  it('reads a stage with its cache cluster and per-method caching and throttling settings', () => {
    const stage = definition.stages.get('prod');
    expect(stage).toMatchObject({
      name: 'prod',
      physicalId: 'stage1',
      deploymentId: 'dep1',
      cacheClusterEnabled: true,
      cacheClusterSize: '0.5',
    });
    expect(stage?.methodSettings).toEqual([
      expect.objectContaining({
        resourcePath: '/*',
        httpMethod: '*',
        cachingEnabled: false,
        throttlingRateLimit: 10,
      }),
      expect.objectContaining({
        resourcePath: '/~1orders~1{id}',
        httpMethod: 'GET',
        cachingEnabled: true,
        cacheTtlInSeconds: 60,
        cacheDataEncrypted: true,
      }),
    ]);
  });

  it('names the API it cannot find', () => {
    expect(() => readRestApiDefinition(model, 'nope')).toThrow(/no AWS::ApiGateway::RestApi .*'nope'/);
  });
});
