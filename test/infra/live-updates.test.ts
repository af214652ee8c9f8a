import { Match } from 'aws-cdk-lib/assertions';
import { appTemplates, statementsOfFunction } from './app';

const built = appTemplates();
const template = built.statelessTemplate;
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;

function logicalIdOf(
  type: string,
  predicate: (props: Record<string, unknown>) => boolean = () => true,
  idPredicate: (logicalId: string) => boolean = () => true,
): string {
  const found = Object.entries(resources).find(
    ([id, r]) => r.Type === type && predicate(r.Properties) && idPredicate(id),
  );
  if (!found) throw new Error(`no ${type}`);
  return found[0];
}

const wsApiId = logicalIdOf('AWS::ApiGatewayV2::Api', (p) => p.ProtocolType === 'WEBSOCKET');

function route(routeKey: string): Record<string, unknown> {
  const found = Object.values(resources).find(
    (r) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.RouteKey === routeKey,
  );
  if (!found) throw new Error(`no route ${routeKey}`);
  return found.Properties;
}

describe('the live updates WebSocket API', () => {
  it('routes by $request.body.action on a stage named by the stage config', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: wsApiId },
      StageName: 'sandbox',
      AutoDeploy: true,
    });
  });

  it('guards $connect with a Lambda REQUEST authorizer reading the token from the query string', () => {
    const authorizerId = logicalIdOf(
      'AWS::ApiGatewayV2::Authorizer',
      (p) => (p.ApiId as { Ref?: string } | undefined)?.Ref === wsApiId,
    );
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      ApiId: { Ref: wsApiId },
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.querystring.token'],
    });
    expect(route('$connect')).toMatchObject({
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: authorizerId },
    });
  });

  it('serves $disconnect one-way and subscribe and $default two-way, all through the connections function', () => {
    expect(route('$disconnect').RouteResponseSelectionExpression).toBeUndefined();
    for (const key of ['subscribe', '$default']) {
      expect(route(key).RouteResponseSelectionExpression).toBe('$default');
    }
    // One integration on this API (the public HTTP API in the same stack has its own).
    const integrations = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::ApiGatewayV2::Integration' &&
        (r.Properties.ApiId as { Ref?: string } | undefined)?.Ref === wsApiId,
    );
    expect(integrations).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY' });
  });

  it('lets the connect authorizer read tenant profiles and look up users, nothing else', () => {
    const statements = statementsOfFunction(template, 'connect-authorizer');
    const actions = statements
      .flatMap((s) => [s.Action].flat())
      .filter((a) => !String(a).startsWith('logs:') && !String(a).startsWith('xray:'));
    expect(actions.sort()).toEqual(['cognito-idp:AdminGetUser', 'dynamodb:GetItem']);
  });
});

describe('the broadcaster', () => {
  it('consumes the table stream filtered to order and job inserts and modifications', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: Match.anyValue(),
      StartingPosition: 'LATEST',
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT', 'MODIFY'],
              dynamodb: { NewImage: { entity: { S: ['order', 'job'] } } },
            }),
          },
        ],
      },
    });
  });

  it('reports batch item failures, bisects, retries a bounded number of times and sends the rest to a queue', () => {
    // Other capabilities have failure queues too: this one is the live-updates construct's.
    const queueId = logicalIdOf(
      'AWS::SQS::Queue',
      () => true,
      (id) => id.startsWith('LiveBroadcastFailures'),
    );
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('may only POST to @connections of this API and stage, and only Query and Delete the table', () => {
    const statements = statementsOfFunction(template, 'broadcaster');
    const manage = statements.filter((s) => s.Action === 'execute-api:ManageConnections');
    expect(manage).toHaveLength(1);
    const resource = JSON.stringify(manage[0]?.Resource);
    expect(resource).toContain(`{"Ref":"${wsApiId}"}`);
    expect(resource).toContain('/sandbox/POST/@connections/*');
    const tableActions = statements
      .flatMap((s) => [s.Action].flat())
      .filter((a) => /^dynamodb:(GetItem|PutItem|UpdateItem|DeleteItem|Query|Scan|Batch)/.test(String(a)));
    expect(tableActions.sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:Query']);
  });
});
