import { Duration, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { broadcasterEnvironment } from '../services/broadcaster/environment';
import { connectAuthorizerEnvironment } from '../services/connect-authorizer/environment';
import { liveConnectionsEnvironment } from '../services/live-connections/environment';
import { ROUTE_SELECTION_EXPRESSION } from '../services/live-connections/message-schemas';
import { APP_NAME } from '../shared/app-name';
import { ENTITY_ATTRIBUTE, ENTITY_TYPES } from '../shared/keys/entity-type';
import { ServiceFunction } from './service-function';
import type { TenantDataRole } from './tenant-data-role';

/** Where `$connect` reads the ID token: browsers cannot set headers on a WebSocket. */
export const TOKEN_IDENTITY_SOURCE = 'route.request.querystring.token';

/** JSON access-log lines with what a WebSocket request has (no HTTP method or path). */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  connectionId: '$context.connectionId',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  status: '$context.status',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  principalId: '$context.authorizer.principalId',
  tenantId: '$context.authorizer.tenantId',
  userId: '$context.authorizer.userId',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
};

export interface LiveUpdatesProps {
  /** The single table: its stream feeds the broadcaster, and it stores the connections. */
  readonly table: dynamodb.ITable;
  /** The role connections (and the order a subscription names) are reached with, one session per tenant. */
  readonly tenantData: TenantDataRole;
  /** The pool whose ID tokens may connect (its provider URL is the issuer); deleted users are refused. */
  readonly userPool: cognito.UserPool;
  /** The app client whose ID tokens are accepted (`aud`). */
  readonly userPoolClient: cognito.IUserPoolClient;
  /** The WebSocket stage's name (the stage config's). */
  readonly stageName: string;
  /**
   * How many times the stream retries a batch whose records failed before sending it to the failure queue.
   * @default 5
   */
  readonly retryAttempts?: number;
  /**
   * API Gateway execution logging of the stage's routes (never message bodies: they carry tenant data). The
   * account's API Gateway logging role must exist before the stage: see `TenantRestApi.loggingAccount`.
   * @default 'ERROR'
   */
  readonly executionLogLevel?: 'INFO' | 'ERROR';
}

/**
 * Live order and job updates: a WebSocket API (`$connect` behind a REQUEST authorizer reading `?token=`, then
 * `$disconnect`, `subscribe` and `$default`) whose connections are stored under their tenant, and a broadcaster
 * on the table's stream that posts every order and job change to the connections of that tenant only.
 */
export class LiveUpdates extends Construct {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
  readonly connectAuthorizer: ServiceFunction<typeof connectAuthorizerEnvironment>;
  readonly connections: ServiceFunction<typeof liveConnectionsEnvironment>;
  readonly broadcaster: ServiceFunction<typeof broadcasterEnvironment>;
  /** Where the stream reports the records it gave up on (which shard, which sequence numbers). */
  readonly failureQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: LiveUpdatesProps) {
    super(scope, id);
    if (props.table.tableStreamArn === undefined) {
      throw new Error(
        'live updates need the table stream: set dynamoStream: NEW_AND_OLD_IMAGES on the table',
      );
    }
    const issuer = props.userPool.userPoolProviderUrl;

    this.connectAuthorizer = new ServiceFunction(this, 'ConnectAuthorizer', {
      service: 'connect-authorizer',
      environment: connectAuthorizerEnvironment,
      description: 'WebSocket $connect authorizer: verifies the ?token= ID token as the REST authorizer does',
      memorySize: 256,
      timeout: Duration.seconds(5),
    })
      .bindTable(props.table, 'TABLE_NAME', ['dynamodb:GetItem'])
      .bindValue('ISSUER', issuer)
      .bindValue('JWKS_URI', `${issuer}/.well-known/jwks.json`)
      .bindValue('USER_POOL_CLIENT_ID', props.userPoolClient.userPoolClientId)
      .bindUserPool(props.userPool, 'USER_POOL_ID', ['cognito-idp:AdminGetUser']);

    this.connections = new ServiceFunction(this, 'Connections', {
      service: 'live-connections',
      environment: liveConnectionsEnvironment,
      description: 'WebSocket routes: stores, narrows and deletes a tenant connection',
      memorySize: 256,
    })
      // Connections (TENANT#<id>#CONNECTIONS) and the order a subscription names are the caller's tenant's data,
      // reached with its session only: the function's own role has nothing on the table.
      .bindTenantData(props.tenantData, 'TENANT_DATA_ROLE_ARN')
      .bindValue('TABLE_NAME', props.table.tableName);

    const integration = new WebSocketLambdaIntegration('Connections', this.connections.live);
    this.api = new apigwv2.WebSocketApi(this, 'Api', {
      description: `${APP_NAME} live updates`,
      routeSelectionExpression: ROUTE_SELECTION_EXPRESSION,
      connectRouteOptions: {
        integration,
        authorizer: new WebSocketLambdaAuthorizer('TokenAuthorizer', this.connectAuthorizer.live, {
          identitySource: [TOKEN_IDENTITY_SOURCE],
        }),
      },
      disconnectRouteOptions: { integration },
      defaultRouteOptions: { integration, returnResponse: true },
    });
    this.api.addRoute('subscribe', { integration, returnResponse: true });
    for (const routeKey of ['$disconnect', '$default', 'subscribe']) {
      const route = this.api.node.tryFindChild(`${routeKey}-Route`);
      if (route === undefined) throw new Error(`the ${routeKey} route was not created`);
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'a WebSocket API authorizes only $connect; every message travels on a connection its authorizer admitted',
      });
    }

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {});
    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.defaultRouteSettings = {
      ...(cfnStage.defaultRouteSettings as apigwv2.CfnStage.RouteSettingsProperty | undefined),
      loggingLevel: props.executionLogLevel ?? 'ERROR',
      dataTraceEnabled: false,
    };
    // API Gateway creates this group itself on the first log line, with no retention, unless it exists first.
    const executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `/aws/apigateway/${this.api.apiId}/${props.stageName}`,
    });
    this.stage.node.addDependency(executionLogs);

    this.failureQueue = new sqs.Queue(this, 'BroadcastFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    for (const id of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
      Validations.of(this.failureQueue).acknowledge({
        id,
        reason: 'this queue is itself the on-failure destination of the broadcaster stream mapping',
      });
    }

    this.broadcaster = new ServiceFunction(this, 'Broadcaster', {
      service: 'broadcaster',
      environment: broadcasterEnvironment,
      description: 'Table stream → @connections: order and job changes to their tenant connections',
      timeout: Duration.seconds(30),
    })
      .bindTable(props.table, 'TABLE_NAME', ['dynamodb:Query', 'dynamodb:DeleteItem'])
      .bindConnectionsApi(this.stage, 'CALLBACK_URL');

    this.broadcaster.live.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: props.retryAttempts ?? 5,
        // A live update an hour late is no longer live; the failure queue still says which records were dropped.
        maxRecordAge: Duration.hours(1),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.failureQueue),
        // Only order and job writes invoke the broadcaster (not connections, catalog, tenants); removals carry
        // no new state to push.
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.or('INSERT', 'MODIFY'),
            dynamodb: {
              NewImage: {
                [ENTITY_ATTRIBUTE]: { S: lambda.FilterRule.or(ENTITY_TYPES.order, ENTITY_TYPES.job) },
              },
            },
          }),
        ],
      }),
    );
    // dynamodb:ListStreams has no resource-level permissions; the read grants themselves name the stream.
    Validations.of(this.broadcaster).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams (added by the stream event source) supports no resource-level permissions',
    });
  }

  /** The URL clients connect to (`wss://…/<stage>`), with `?token=<ID token>`. */
  get url(): string {
    return this.stage.url;
  }
}
