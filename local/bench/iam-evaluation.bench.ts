/**
 * What IAM enforcement costs per request: (1) the evaluation alone (a DynamoDB GetItem mapped to its IAM call and
 * evaluated against a role with a CDK grant and a LeadingKeys condition), in microseconds; (2) GetItem round trips
 * through the local DynamoDB endpoint signed with a function's credentials, `--iam enforce` against `--iam off`, as a
 * ratio. Run: `npx tsx local/bench/iam-evaluation.bench.ts`. Figures, not assertions: the machine is shared.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IamAuthority, type IamMode } from '../iam/call-authority';
import { dynamoDbCalls, dynamoDbTables } from '../iam/dynamodb-calls';
import { functionCredentials } from '../iam/session-credentials';
import { startLocalCloud } from '../local-cloud';

const ROUND_TRIPS = 1500;
const EVALUATIONS = 50_000;

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'IamBench');
  const table = new dynamodb.Table(stack, 'Items', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
  });
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    functionName: 'bench-fn',
  });
  table.grantReadWriteData(fn);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: ['dynamodb:*'],
      resources: [table.tableArn],
      conditions: { 'ForAnyValue:StringNotLike': { 'dynamodb:LeadingKeys': ['TENANT#*'] } },
    }),
  );
  app.synth();
}

async function roundTrips(
  cdkOut: string,
  mode: IamMode,
): Promise<{ perRequestMs: number; evaluationUs: number }> {
  const cloud = await startLocalCloud({ cdkOut, port: 0, iam: mode, log: { write: () => true } });
  try {
    const fn = cloud.model.resources.find((r) => r.type === 'AWS::Lambda::Function');
    const table = cloud.model.resources.find((r) => r.type === 'AWS::DynamoDB::Table');
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: cloud.functionEnv.AWS_ENDPOINT_URL_DYNAMODB,
      credentials: functionCredentials(fn?.attributes.Arn ?? ''),
    });
    const input = { TableName: table?.physicalId, Key: { pk: { S: 'TENANT#t1' }, sk: { S: 'A' } } };
    for (let i = 0; i < 200; i++) await client.send(new GetItemCommand(input)); // warm up
    const began = performance.now();
    for (let i = 0; i < ROUND_TRIPS; i++) await client.send(new GetItemCommand(input));
    const perRequestMs = (performance.now() - began) / ROUND_TRIPS;

    // The evaluation alone, as the DynamoDB endpoint runs it for each request.
    const authority = new IamAuthority(mode === 'off' ? 'off' : 'enforce', () => undefined);
    authority.setModel(cloud.model);
    const tables = dynamoDbTables(cloud.model);
    const principal = authority.principalOf(functionCredentials(fn?.attributes.Arn ?? '').accessKeyId);
    const evalBegan = performance.now();
    for (let i = 0; i < EVALUATIONS; i++) {
      const calls = dynamoDbCalls('GetItem', input, tables, 'us-east-1', cloud.model.accountId);
      if (authority.authorizeAll(principal, calls)) throw new Error('refused');
    }
    const evaluationUs = ((performance.now() - evalBegan) / EVALUATIONS) * 1000;
    client.destroy();
    return { perRequestMs, evaluationUs };
  } finally {
    await cloud.close();
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'iam-bench-'));
  try {
    const cdkOut = join(work, 'cdk.out');
    synth(cdkOut);
    const off = await roundTrips(cdkOut, 'off');
    const enforce = await roundTrips(cdkOut, 'enforce');
    const again = await roundTrips(cdkOut, 'off');
    const offMs = (off.perRequestMs + again.perRequestMs) / 2;
    console.log(
      `evaluation alone: ${enforce.evaluationUs.toFixed(1)} µs per GetItem (mapping + policy evaluation)`,
    );
    console.log(
      `GetItem round trip: --iam off ${offMs.toFixed(3)} ms, enforce ${enforce.perRequestMs.toFixed(3)} ms, ratio ${(enforce.perRequestMs / offMs).toFixed(3)}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
