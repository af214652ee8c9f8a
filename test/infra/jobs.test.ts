import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Jobs } from '../../infra/jobs';
import { JOB_WORKER_TIMEOUT, JobsQueue } from '../../infra/jobs-queue';
import { TenantAuthorizer } from '../../infra/tenant-authorizer';
import { TenantDataRole } from '../../infra/tenant-data-role';
import { TenantRestApi } from '../../infra/tenant-rest-api';
import { appTemplates, statementsOfFunction } from './app';

const { statefulTemplate, statelessTemplate } = appTemplates();

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const resourcesOf = (type: string) =>
  Object.entries(statefulTemplate.toJSON().Resources as Resources).filter(([, r]) => r.Type === type);
const actionsOf = (statements: Array<Record<string, unknown>>) =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])) as string[];

const [mainQueue] = resourcesOf('AWS::SQS::Queue').filter(([, r]) => r.Properties.RedrivePolicy);
const [deadLetters] = resourcesOf('AWS::SQS::Queue').filter(([, r]) => !r.Properties.RedrivePolicy);

describe('the jobs queue', () => {
  it('is encrypted at rest, and so is its dead-letter queue', () => {
    expect(mainQueue?.[1].Properties.SqsManagedSseEnabled).toBe(true);
    expect(deadLetters?.[1].Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('dead-letters a message after 5 deliveries', () => {
    expect(mainQueue?.[1].Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters?.[0], 'Arn'] },
      maxReceiveCount: 5,
    });
  });

  it('hides a received message for six times the worker timeout', () => {
    expect(mainQueue?.[1].Properties.VisibilityTimeout).toBe(6 * JOB_WORKER_TIMEOUT.toSeconds());
    statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: JOB_WORKER_TIMEOUT.toSeconds(),
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'job-worker' }) },
    });
  });

  it('denies every request that does not use TLS, on both queues', () => {
    const policies = resourcesOf('AWS::SQS::QueuePolicy');
    const secured = policies.flatMap(([, p]) =>
      (p.Properties.Queues as Array<{ Ref: string }>).map((q) => q.Ref),
    );
    expect(secured.sort()).toEqual([mainQueue?.[0], deadLetters?.[0]].sort());
    for (const [, policy] of policies) {
      expect((policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement[0]).toMatchObject({
        Effect: 'Deny',
        Action: 'sqs:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    }
  });

  it('lets S3 send to the jobs queue only for the files bucket (its object-created notifications)', () => {
    const found = resourcesOf('AWS::SQS::QueuePolicy').find(([, p]) =>
      JSON.stringify(p.Properties.Queues).includes(mainQueue?.[0] ?? '?'),
    );
    if (!found) throw new Error('the jobs queue has no policy');
    const statements = (found[1].Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> })
      .Statement;
    const fromS3 = statements.filter((s) => JSON.stringify(s.Principal).includes('s3.amazonaws.com'));
    expect(fromS3).toHaveLength(1);
    expect(fromS3[0]).toMatchObject({
      Effect: 'Allow',
      Condition: {
        ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^FilesBucket/), 'Arn'] } },
      },
    });
  });
});

describe('the jobs worker', () => {
  it('gets the retry backoff cap of the stage config (5 minutes unless -c jobRetryMaxDelaySeconds says less)', () => {
    statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'job-worker',
          RETRY_MAX_DELAY_SECONDS: '300',
        }),
      },
    });
  });
});

describe('the jobs worker event source', () => {
  it('reports batch item failures, bounds concurrency and reads the jobs queue', () => {
    statelessTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('JobsQueue') },
    });
  });
});

describe('least privilege for jobs', () => {
  const sqsStatements = (service: string) =>
    statementsOfFunction(statelessTemplate, service).filter((s) =>
      actionsOf([s]).some((a) => a.startsWith('sqs:')),
    );

  it('lets the jobs API only SendMessage, and only to the jobs queue', () => {
    const statements = sqsStatements('jobs');
    expect(actionsOf(statements)).toEqual(['sqs:SendMessage']);
    expect(JSON.stringify(statements.map((s) => s.Resource))).toMatch(/JobsQueue/);
    expect(JSON.stringify(statements.map((s) => s.Resource))).not.toMatch(/DeadLetters/);
  });

  it("lets the worker consume the jobs queue, change visibility and send a long import's follow-up there only", () => {
    const statements = sqsStatements('job-worker');
    expect(actionsOf(statements)).toEqual(
      expect.arrayContaining([
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:SendMessage',
      ]),
    );
    const sending = statements.filter((s) => actionsOf([s]).includes('sqs:SendMessage'));
    expect(JSON.stringify(sending.map((s) => s.Resource))).toMatch(/JobsQueue/);
    expect(JSON.stringify(sending.map((s) => s.Resource))).not.toMatch(/DeadLetters/);
  });

  it("confines the worker's BatchWriteItem (which could delete) to the tracking-pointer partitions", () => {
    const batch = statementsOfFunction(statelessTemplate, 'job-worker').filter((s) =>
      actionsOf([s]).includes('dynamodb:BatchWriteItem'),
    );
    expect(batch).toHaveLength(1);
    expect(batch[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TRACKING#*'] },
    });
  });

  it.each(['jobs', 'job-worker'])(
    'gives %s no wildcard action, no Scan and no DeleteItem on the table',
    (service) => {
      const statements = statementsOfFunction(statelessTemplate, service);
      const actions = actionsOf(statements);
      expect(actions.some((a) => a === '*' || a.endsWith(':*'))).toBe(false);
      expect(actions).not.toContain('dynamodb:Scan');
      const onTable = statements.filter(
        (s) =>
          JSON.stringify(s.Resource).match(/Table/) && !JSON.stringify(s.Resource).match(/IdempotencyTable/),
      );
      expect(actionsOf(onTable)).not.toContain('dynamodb:DeleteItem');
    },
  );
});

describe('the jobs capability', () => {
  function scratch(visibility: Duration) {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Scratch', { env: { account: '123456789012', region: 'eu-west-1' } });
    const table = new dynamodb.TableV2(stack, 'Table', {
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
    });
    const userPool = new cognito.UserPool(stack, 'Pool');
    const api = new TenantRestApi(stack, 'Rest', {
      stageName: 'test',
      allowedOrigins: ['https://app.example.com'],
    });
    const authorizer = new TenantAuthorizer(stack, 'Authorizer', {
      api,
      table,
      userPool,
      userPoolClient: userPool.addClient('Client'),
    });
    const queue = new JobsQueue(stack, 'Queue', { visibilityTimeout: visibility });
    const files = new s3.Bucket(stack, 'Files');
    new Jobs(stack, 'Jobs', {
      api,
      authorizer,
      table,
      tenantData: new TenantDataRole(stack, 'TenantData', { table, files }),
      idempotencyTable: table,
      queue,
      files,
      allowedOrigins: ['https://app.example.com'],
    });
    return app;
  }

  it('fails synth when the queue would show a message again while a worker may still run it', () => {
    expect(() => scratch(Duration.seconds(120)).synth()).toThrow(
      "jobs queue visibility timeout is 120 s, less than 6× the worker's 60 s timeout: set it to at least 360 s",
    );
  });
});
