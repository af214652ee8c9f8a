import { Duration, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { eventProjectorEnvironment } from '../services/event-projector/environment';
import { ingestEventSchema } from '../services/event-projector/ingest-event-schema';
import { ORDER_EVENT_SK_PREFIX } from '../shared/keys/order-event-keys';
import {
  acceptedResponseTemplate,
  clientErrorResponseTemplate,
  putEventRequestTemplate,
  serverErrorResponseTemplate,
} from './event-ingestion-templates';
import { ServiceFunction } from './service-function';
import type { TenantAuthorizer } from './tenant-authorizer';
import type { TenantRestApi } from './tenant-rest-api';

export interface EventIngestionProps {
  /** The API `POST /events` is added to. */
  readonly api: TenantRestApi;
  /** Supplies the tenant (the template's only source of it) and the tenant's API key, which meters the call. */
  readonly authorizer: TenantAuthorizer;
  /** The single table: events are put into it, and its stream feeds the projector. */
  readonly table: dynamodb.ITable;
}

/**
 * Direct ingestion of carrier and partner order events: `POST /events` is an API Gateway service integration
 * that puts the event into the table (no function runs to accept it), through a role that may only PutItem
 * on that table under tenant keys; a projector function on the table's stream, filtered to new event items,
 * applies each to its order.
 */
export class EventIngestion extends Construct {
  /** The role API Gateway assumes to write events: PutItem on the table, tenant-prefixed keys only. */
  readonly integrationRole: iam.Role;
  readonly projector: ServiceFunction<typeof eventProjectorEnvironment>;
  readonly method: apigw.Method;
  /** Where the projector's stream mapping notes a batch that exhausted its retries (the events stay in the table). */
  readonly projectorFailures: sqs.Queue;

  constructor(scope: Construct, id: string, props: EventIngestionProps) {
    super(scope, id);
    const { api, authorizer, table } = props;

    this.integrationRole = new iam.Role(this, 'PutEventRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'POST /events: PutItem of tenant-keyed items on the table, nothing else',
    });
    this.integrationRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TENANT#*'] } },
      }),
    );

    const errorResponse = (selectionPattern: string | undefined, statusCode: string, template: string) => ({
      ...(selectionPattern === undefined ? {} : { selectionPattern }),
      statusCode,
      responseTemplates: { 'application/json': template },
    });
    const integration = new apigw.AwsIntegration({
      service: 'dynamodb',
      action: 'PutItem',
      options: {
        credentialsRole: this.integrationRole,
        // Only the template writes: a body that is not application/json is refused (415), never passed through.
        passthroughBehavior: apigw.PassthroughBehavior.NEVER,
        requestTemplates: { 'application/json': putEventRequestTemplate(table.tableName) },
        // For AWS integrations the selection pattern is matched against DynamoDB's HTTP status code.
        integrationResponses: [
          errorResponse('2\\d{2}', '202', acceptedResponseTemplate),
          errorResponse('4\\d{2}', '400', clientErrorResponseTemplate),
          errorResponse(undefined, '500', serverErrorResponseTemplate),
        ],
      },
    });

    const events = api.root.addResource('events');
    this.method = events.addMethod('POST', integration, {
      ...authorizer.methodOptions,
      ...api.requestBody('IngestEvent', ingestEventSchema),
      methodResponses: ['202', '400', '409', '500', '503'].map((statusCode) => ({ statusCode })),
    });
    // No method throttle: every tenant's partners share this route, so a shared limit would let one tenant's
    // volume refuse another's. Each tenant is metered by its own key on its plan; the stage throttle is the
    // backend's ceiling above them (infra/usage-plans.ts).
    Validations.of(this.method).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'authorized by the Lambda authorizer, which verifies the same Cognito ID token with aws-jwt-verify and supplies the tenant and its API key',
    });

    this.projector = new ServiceFunction(this, 'Projector', {
      service: 'event-projector',
      environment: eventProjectorEnvironment,
      description:
        'Applies ingested order events (table stream) to their orders; rejects the ones that do not apply',
      memorySize: 256,
      timeout: Duration.seconds(30),
    }).bindTable(table, 'TABLE_NAME', ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    this.projectorFailures = new sqs.Queue(this, 'ProjectorFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    for (const id of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
      Validations.of(this.projectorFailures).acknowledge({
        id,
        reason:
          "this queue is the projector's on-failure destination (a dead-letter queue itself); nothing consumes it automatically",
      });
    }
    this.projector.live.addEventSource(
      new sources.DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 50,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: 10,
        reportBatchItemFailures: true,
        onFailure: new sources.SqsDlq(this.projectorFailures),
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { Keys: { SK: { S: lambda.FilterRule.beginsWith(ORDER_EVENT_SK_PREFIX) } } },
          }),
        ],
      }),
    );
  }
}
