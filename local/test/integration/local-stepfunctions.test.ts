import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpStepFunctionsIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { LOCAL_CREDENTIALS } from '../../local-cloud';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * Step Functions in a small CDK app of our own: an express machine (Lambda, Choice, SQS) started synchronously
 * with the SDK, through a REST `StepFunctionsIntegration` and through an HTTP API `StepFunctions-StartExecution`
 * integration; a standard machine with DynamoDB, SNS and EventBridge tasks and a Catch around a failing function,
 * started with StartExecution and followed with DescribeExecution.
 */
const ACCOUNT = '123456789012';
let served: CloudOnApp | undefined;
let expressArn = '';
let standardArn = '';

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'SfnApp', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const fn = (id: string, body: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(`exports.handler = async (event) => { ${body} };`),
    });
  // StepFunctionsIntegration hands the machine `{"body": <request body>}`; the SDK callers pass the value itself.
  const double = fn('Double', 'return { value: (event.value ?? event.body.value) * 2 };');
  const boom = fn('Boom', "throw new Error('boom');");
  const big = new sqs.Queue(stack, 'Big', { queueName: 'sfn-app-big' });
  const notes = new sqs.Queue(stack, 'Notes', { queueName: 'sfn-app-notes' });
  const table = new dynamodb.Table(stack, 'Runs', {
    tableName: 'sfn-app-runs',
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const topic = new sns.Topic(stack, 'Done');
  topic.addSubscription(new subscriptions.SqsSubscription(notes, { rawMessageDelivery: true }));
  new events.Rule(stack, 'RunEvents', {
    eventPattern: { source: ['sfn-app'] },
    targets: [
      new targets.SqsQueue(notes, {
        message: events.RuleTargetInput.fromText(`event ${events.EventField.fromPath('$.detail.run')}`),
      }),
    ],
  });

  const isBig = new sfn.Choice(stack, 'IsBig')
    .when(
      sfn.Condition.numberGreaterThan('$.value', 10),
      new tasks.SqsSendMessage(stack, 'ToBigQueue', {
        queue: big,
        messageBody: sfn.TaskInput.fromJsonPathAt('$'),
        resultPath: sfn.JsonPath.DISCARD,
      }),
    )
    .otherwise(new sfn.Pass(stack, 'Small'));
  const express = new sfn.StateMachine(stack, 'Express', {
    stateMachineName: 'sfn-app-express',
    stateMachineType: sfn.StateMachineType.EXPRESS,
    definitionBody: sfn.DefinitionBody.fromChainable(
      new tasks.LambdaInvoke(stack, 'DoubleIt', {
        lambdaFunction: double,
        payloadResponseOnly: false,
        outputPath: '$.Payload',
      }).next(isBig),
    ),
  });
  const standard = new sfn.StateMachine(stack, 'Standard', {
    stateMachineName: 'sfn-app-standard',
    definitionBody: sfn.DefinitionBody.fromChainable(
      new tasks.DynamoPutItem(stack, 'Record', {
        table,
        item: { pk: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.run')) },
        resultPath: sfn.JsonPath.DISCARD,
      })
        .next(
          new tasks.SnsPublish(stack, 'Notify', {
            topic,
            message: sfn.TaskInput.fromJsonPathAt('$.run'),
            resultPath: sfn.JsonPath.DISCARD,
          }),
        )
        .next(
          new tasks.EventBridgePutEvents(stack, 'Announce', {
            entries: [
              {
                detail: sfn.TaskInput.fromObject({ run: sfn.JsonPath.stringAt('$.run') }),
                detailType: 'RunDone',
                source: 'sfn-app',
              },
            ],
            resultPath: sfn.JsonPath.DISCARD,
          }),
        )
        .next(
          new tasks.LambdaInvoke(stack, 'Explode', {
            lambdaFunction: boom,
            resultPath: sfn.JsonPath.DISCARD,
          }).addCatch(
            new sfn.Pass(stack, 'Recovered', {
              parameters: { recovered: true, 'error.$': '$.failure.Error' },
            }),
            { resultPath: '$.failure' },
          ),
        ),
    ),
  });

  new events.Rule(stack, 'StartRuns', {
    eventPattern: { source: ['trigger'] },
    targets: [
      new targets.SfnStateMachine(standard, {
        input: events.RuleTargetInput.fromObject({ run: events.EventField.fromPath('$.detail.run') }),
      }),
    ],
  });

  const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
  api.root.addResource('double').addMethod('POST', apigw.StepFunctionsIntegration.startExecution(express));
  const http = new apigwv2.HttpApi(stack, 'Http');
  http.addRoutes({
    path: '/start',
    methods: [apigwv2.HttpMethod.POST],
    integration: new HttpStepFunctionsIntegration('Start', {
      stateMachine: standard,
      parameterMapping: new apigwv2.ParameterMapping()
        .custom('Input', '$request.body')
        .custom('StateMachineArn', standard.stateMachineArn),
    }),
  });
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-sfn', synth);
  const arnOf = (name: string) =>
    served?.cloud.model.resources.find(
      (r) => r.type === 'AWS::StepFunctions::StateMachine' && r.physicalId.endsWith(`:${name}`),
    )?.physicalId ?? '';
  expressArn = arnOf('sfn-app-express');
  standardArn = arnOf('sfn-app-standard');
}, 60_000);

afterAll(async () => {
  await served?.close();
});

// The SDK puts `sync-` before the host of StartSyncExecution calls: a local endpoint needs disableHostPrefix.
const sfnClient = () =>
  new SFNClient({
    disableHostPrefix: true,
    region: 'us-east-1',
    endpoint: served?.cloud.functionEnv.AWS_ENDPOINT_URL_SFN,
    credentials: LOCAL_CREDENTIALS,
  });

async function receive(queueName: string, count: number): Promise<string[]> {
  const client = new SQSClient({
    region: 'us-east-1',
    endpoint: served?.endpoint('SQS'),
    credentials: LOCAL_CREDENTIALS,
  });
  const bodies: string[] = [];
  for (let attempt = 0; attempt < 20 && bodies.length < count; attempt++) {
    const got = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: `${served?.endpoint('SQS')}/${ACCOUNT}/${queueName}`,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    bodies.push(...(got.Messages ?? []).map((m) => m.Body ?? ''));
  }
  return bodies;
}

describe('Step Functions state machines', () => {
  it('runs an express machine synchronously: Lambda, Choice, SQS', async () => {
    const result = await sfnClient().send(
      new StartSyncExecutionCommand({ stateMachineArn: expressArn, input: '{"value": 21}' }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? 'null')).toEqual({ value: 42 });
    expect((await receive('sfn-app-big', 1)).map((b) => JSON.parse(b))).toEqual([{ value: 42 }]);
  });

  it('refuses StartSyncExecution on a standard machine', async () => {
    await expect(
      sfnClient().send(new StartSyncExecutionCommand({ stateMachineArn: standardArn, input: '{}' })),
    ).rejects.toMatchObject({ name: 'StateMachineTypeNotSupported' });
  });

  it('runs a standard machine: DynamoDB, SNS and EventBridge tasks, and a Catch around a failing function', async () => {
    const { executionArn } = await sfnClient().send(
      new StartExecutionCommand({ stateMachineArn: standardArn, input: '{"run": "r-1"}' }),
    );
    expect(executionArn).toMatch(/^arn:aws:states:us-east-1:123456789012:execution:sfn-app-standard:/);
    let described = await sfnClient().send(new DescribeExecutionCommand({ executionArn }));
    for (let attempt = 0; attempt < 100 && described.status === 'RUNNING'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      described = await sfnClient().send(new DescribeExecutionCommand({ executionArn }));
    }
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? 'null')).toEqual({ recovered: true, error: 'Error' });
    const dynamo = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: served?.cloud.functionEnv.AWS_ENDPOINT_URL_DYNAMODB,
      credentials: LOCAL_CREDENTIALS,
    });
    const item = await dynamo.send(
      new GetItemCommand({ TableName: 'sfn-app-runs', Key: { pk: { S: 'r-1' } } }),
    );
    expect(item.Item).toEqual({ pk: { S: 'r-1' } });
    expect((await receive('sfn-app-notes', 2)).sort()).toEqual(['event r-1', 'r-1']);
  });
});

describe('an EventBridge rule with a Step Functions target', () => {
  it('starts an execution with the rule target input', async () => {
    await fetch(served?.cloud.functionEnv.AWS_ENDPOINT_URL_EVENTBRIDGE ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
      body: JSON.stringify({
        Entries: [{ Source: 'trigger', DetailType: 'Go', Detail: JSON.stringify({ run: 'e-1' }) }],
      }),
    });
    const dynamo = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: served?.cloud.functionEnv.AWS_ENDPOINT_URL_DYNAMODB,
      credentials: LOCAL_CREDENTIALS,
    });
    let item: unknown;
    for (let attempt = 0; attempt < 100 && !item; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      item = (await dynamo.send(new GetItemCommand({ TableName: 'sfn-app-runs', Key: { pk: { S: 'e-1' } } })))
        .Item;
    }
    expect(item).toEqual({ pk: { S: 'e-1' } });
  });
});

describe('API Gateway integrations with Step Functions', () => {
  it('runs the express machine through a REST StepFunctionsIntegration (StartSyncExecution)', async () => {
    const response = await fetch(`${served?.cloud.restApis[0]?.url}/double`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: 2 }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ value: 4 });
  });

  it('starts the standard machine through an HTTP API StepFunctions-StartExecution integration', async () => {
    const response = await fetch(`${served?.endpoint('HTTP API')}/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ run: 'h-1' }),
    });
    expect(response.status).toBe(200);
    const { executionArn } = (await response.json()) as { executionArn: string };
    expect(executionArn).toMatch(/:execution:sfn-app-standard:/);
  });
});
