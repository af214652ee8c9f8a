import { Match } from 'aws-cdk-lib/assertions';
import { appTemplates, methodsByRoute } from './app';

const { statelessTemplate: template } = appTemplates();
const post = methodsByRoute(template)['POST /events'] ?? {};
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;
const integration = (post.Integration ?? {}) as Record<string, unknown>;

function roleOf(credentials: unknown): Record<string, unknown> {
  const logicalId = (credentials as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0] ?? '';
  return resources[logicalId]?.Properties ?? {};
}

describe('POST /events', () => {
  it('is an AWS service integration to DynamoDB PutItem, with no Lambda, that refuses bodies it has no template for', () => {
    expect(integration).toMatchObject({
      Type: 'AWS',
      IntegrationHttpMethod: 'POST',
      PassthroughBehavior: 'NEVER',
      Uri: { 'Fn::Join': ['', expect.arrayContaining([':apigateway:eu-west-1:dynamodb:action/PutItem'])] },
    });
    expect(Object.keys(integration.RequestTemplates as object)).toEqual(['application/json']);
  });

  it('selects 202, 400 and a default 500 by DynamoDB status code', () => {
    expect(
      (integration.IntegrationResponses as Array<Record<string, unknown>>).map((r) => [
        r.SelectionPattern,
        r.StatusCode,
      ]),
    ).toEqual([
      ['2\\d{2}', '202'],
      ['4\\d{2}', '400'],
      [undefined, '500'],
    ]);
  });

  it('assumes a role that API Gateway alone may assume and that may only PutItem tenant keys on the table', () => {
    const role = roleOf(integration.Credentials);
    expect(role.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const policies = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties.Roles) ===
          JSON.stringify([{ Ref: (integration.Credentials as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] }]),
    );
    expect(policies.map((p) => (p.Properties.PolicyDocument as { Statement: unknown }).Statement)).toEqual([
      [
        {
          Action: 'dynamodb:PutItem',
          Effect: 'Allow',
          Resource: { 'Fn::ImportValue': expect.stringContaining('Table') },
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TENANT#*'] } },
        },
      ],
    ]);
  });

  it('is behind the Lambda authorizer with the tenant API key, and validates the body against its model', () => {
    expect(post).toMatchObject({
      AuthorizationType: 'CUSTOM',
      ApiKeyRequired: true,
      RequestValidatorId: { Ref: expect.stringMatching(/^RestBodyValidator/) },
    });
    const model = Object.values(resources).find(
      (r) => r.Type === 'AWS::ApiGateway::Model' && r.Properties.Description === 'IngestEvent request body',
    );
    expect(model?.Properties.Schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['orderId', 'type', 'occurredAt'],
      properties: {
        type: { enum: ['picked', 'shipped', 'delivered', 'returned'] },
        orderId: { pattern: expect.any(String) },
        occurredAt: { pattern: expect.any(String) },
        carrier: { minLength: 1, maxLength: 64 },
        note: { maxLength: 500 },
      },
    });
  });

  it("leaves the route to the tenants' plans: no method throttle every tenant would share", () => {
    const stages = template.findResources('AWS::ApiGateway::Stage');
    const settings = Object.values(stages).flatMap(
      (stage) =>
        (stage as { Properties: { MethodSettings?: Array<Record<string, unknown>> } }).Properties
          .MethodSettings ?? [],
    );
    expect(
      settings.filter((s) => s.ResourcePath === '/~1events' && s.ThrottlingRateLimit !== undefined),
    ).toEqual([]);
  });

  it('feeds the projector only new event items from the stream, retrying from the failed record', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { Keys: { SK: { S: [{ prefix: 'EVENT#' }] } } },
            }),
          },
        ],
      },
    });
  });
});
