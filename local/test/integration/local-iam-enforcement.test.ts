import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { LocalCloudOptions } from '../../local-cloud';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * Every function answers what its AWS call did: `{ ok: true, … }` or the SDK error's name, message and status.
 * `action` picks the call from the query string, so one code serves every function.
 */
const CODE = `
const { DynamoDBClient, GetItemCommand, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
const { S3Client, PutObjectCommand, GetObjectCommand } = require('@aws-sdk/client-s3');
const outcome = async (call) => {
  try { return { ok: true, ...(await call()) }; }
  catch (e) { return { ok: false, name: e.name, message: e.message, status: e.$metadata && e.$metadata.httpStatusCode }; }
};
const get = (client, pk) => client.send(new GetItemCommand({ TableName: process.env.TABLE, Key: { pk: { S: pk } } })).then(() => ({}));
exports.handler = async (event) => {
  const q = event.queryStringParameters || {};
  const pk = q.pk || 'TENANT#t1';
  const actions = {
    get: () => outcome(() => get(new DynamoDBClient({}), pk)),
    put: () => outcome(() => new DynamoDBClient({}).send(new PutItemCommand({ TableName: process.env.TABLE, Item: { pk: { S: pk } } })).then(() => ({}))),
    send: () => outcome(() => new SQSClient({}).send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: 'hi' })).then(() => ({}))),
    s3put: () => outcome(() => new S3Client({}).send(new PutObjectCommand({ Bucket: process.env.BUCKET, Key: q.key, Body: 'x' })).then(() => ({}))),
    s3get: () => outcome(() => new S3Client({}).send(new GetObjectCommand({ Bucket: process.env.BUCKET, Key: q.key })).then(() => ({}))),
    whoami: () => outcome(() => new STSClient({}).send(new GetCallerIdentityCommand({})).then((r) => ({ arn: r.Arn, account: r.Account }))),
    assume: () => outcome(async () => {
      const sts = new STSClient({});
      const { Credentials } = await sts.send(new AssumeRoleCommand({
        RoleArn: process.env.TENANT_ROLE_ARN,
        RoleSessionName: 'tenant-' + q.tenant,
        Tags: [{ Key: 'tenantId', Value: q.tenant }],
      }));
      const scoped = new DynamoDBClient({ credentials: {
        accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretAccessKey, sessionToken: Credentials.SessionToken,
      } });
      const who = await new STSClient({ credentials: scoped.config.credentials }).send(new GetCallerIdentityCommand({}));
      await get(scoped, pk);
      return { arn: who.Arn };
    }),
  };
  return { statusCode: 200, body: JSON.stringify(await actions[q.action]()) };
};
`;

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'IamApp');
  const table = new dynamodb.Table(stack, 'Items', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const queue = new sqs.Queue(stack, 'Jobs', { enforceSSL: true });
  const bucket = new s3.Bucket(stack, 'Files', { enforceSSL: true });
  const api = new apigw.RestApi(stack, 'Api');
  const fn = (name: string) => {
    const created = new lambda.Function(stack, name, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(CODE),
      functionName: name,
      environment: { TABLE: table.tableName, QUEUE_URL: queue.queueUrl, BUCKET: bucket.bucketName },
    });
    api.root.addResource(name).addMethod('GET', new apigw.LambdaIntegration(created));
    return created;
  };

  // The most common first-deploy failure: a function that reads a table it was never granted.
  const ungranted = fn('ungranted');
  // An event-source mapping made without the grants SqsEventSource adds: Lambda would refuse to create it.
  new lambda.EventSourceMapping(stack, 'UngrantedMapping', {
    target: ungranted,
    eventSourceArn: new sqs.Queue(stack, 'Orphan').queueArn,
  });
  table.grantReadData(fn('granted'));

  // A role policy scoping the function to one tenant's partition keys.
  const scoped = fn('scoped');
  scoped.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TENANT#t1*'] } },
    }),
  );

  // Tenant-scoped credentials: AssumeRole with a session tag, the role allowing only that tenant's keys.
  const vending = fn('vending');
  const tenantRole = new iam.Role(stack, 'TenantRole', {
    assumedBy: new iam.ArnPrincipal(vending.role?.roleArn ?? '').withSessionTags(),
  });
  tenantRole.addToPolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem'],
      resources: [table.tableArn],
      conditions: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
        'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['TENANT#${aws:PrincipalTag/tenantId}'] },
      },
    }),
  );
  vending.addEnvironment('TENANT_ROLE_ARN', tenantRole.roleArn);
  // A function whose role may not assume the tenant role (the trust policy names only the vending one).
  const stranger = fn('stranger');
  stranger.addEnvironment('TENANT_ROLE_ARN', tenantRole.roleArn);

  // SQS: a grant by the queue's resource policy alone (no identity-based one).
  const sender = fn('sender');
  queue.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ArnPrincipal(sender.role?.roleArn ?? '')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
    }),
  );

  // An AWS managed policy the local cloud does not know the statements of: it grants nothing, said at start.
  fn('managed').role?.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3ReadOnlyAccess'));

  // S3: a grant on one prefix (identity-based), and a bucket policy granting another function writes to `shared/`.
  const filer = fn('filer');
  bucket.grantReadWrite(filer, 'tenant-a/*');
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ArnPrincipal(sender.role?.roleArn ?? '')],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('shared/*')],
    }),
  );

  // A function API Gateway has no permission to invoke: the permissions LambdaIntegration adds (children of the
  // method) are removed.
  fn('unpermitted');
  const method = api.root.getResource('unpermitted')?.node.findChild('GET');
  for (const child of method?.node.children ?? []) {
    if (child instanceof lambda.CfnPermission) method?.node.tryRemoveChild(child.node.id);
  }
  new CfnOutput(stack, 'TableArn', { value: table.tableArn });
  app.synth();
}

const lines: string[] = [];
const started = (name: string, options: Partial<LocalCloudOptions> = {}) =>
  startCloudOnApp(name, synth, { log: { write: (text: string) => lines.push(text) > 0 }, ...options });

const call = async (served: CloudOnApp, path: string) => {
  const response = await fetch(`${served.cloud.restApis[0]?.url}/${path}`);
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: response.status, body: { text } };
  }
};

describe('IAM enforced by the local cloud (--iam enforce, the default)', () => {
  let served: CloudOnApp;
  let account: string;
  beforeAll(async () => {
    served = await started('local-iam-enforce');
    account = served.cloud.model.accountId;
  }, 120_000);
  afterAll(async () => served?.close());

  it('refuses a DynamoDB call the function was never granted, as DynamoDB does', async () => {
    const { body } = await call(served, 'ungranted?action=get');
    const tableArn = served.cloud.model.outputs?.IamApp?.TableArn;

    expect(body).toMatchObject({ ok: false, name: 'AccessDeniedException', status: 400 });
    expect(body.message).toBe(
      `User: arn:aws:sts::${account}:assumed-role/${roleNameOf(served, 'ungranted')}/ungranted is not authorized to perform: dynamodb:GetItem on resource: ${tableArn} because no identity-based policy allows the dynamodb:GetItem action`,
    );
  });

  it('allows the same call once the function is granted (table.grantReadData), and still refuses what the grant lacks', async () => {
    expect((await call(served, 'granted?action=get')).body).toEqual({ ok: true });
    expect((await call(served, 'granted?action=put')).body).toMatchObject({
      ok: false,
      name: 'AccessDeniedException',
      message: expect.stringContaining('dynamodb:PutItem'),
    });
  });

  it('evaluates a dynamodb:LeadingKeys condition on the partition key the request names', async () => {
    expect((await call(served, 'scoped?action=get&pk=TENANT%23t1')).body).toEqual({ ok: true });
    expect((await call(served, 'scoped?action=get&pk=TENANT%23t2')).body).toMatchObject({
      ok: false,
      name: 'AccessDeniedException',
    });
  });

  it('gives each function credentials of its own role, which STS GetCallerIdentity names', async () => {
    const { body } = await call(served, 'granted?action=whoami');

    expect(body).toEqual({
      ok: true,
      arn: `arn:aws:sts::${account}:assumed-role/${roleNameOf(served, 'granted')}/granted`,
      account,
    });
  });

  it('AssumeRole with a session tag returns credentials that reach only the tagged tenant’s partition', async () => {
    const own = await call(served, 'vending?action=assume&tenant=t1&pk=TENANT%23t1');
    expect(own.body).toEqual({
      ok: true,
      arn: `arn:aws:sts::${account}:assumed-role/${roleNameOf(served, 'TenantRole')}/tenant-t1`,
    });
    // The handler built another tenant's key: IAM refuses it, not the code.
    const other = await call(served, 'vending?action=assume&tenant=t1&pk=TENANT%23t2');
    expect(other.body).toMatchObject({ ok: false, name: 'AccessDeniedException' });
    expect(other.body.message).toContain(
      `assumed-role/${roleNameOf(served, 'TenantRole')}/tenant-t1 is not authorized`,
    );
  });

  it("refuses AssumeRole to a principal the role's trust policy does not name", async () => {
    const { body } = await call(served, 'stranger?action=assume&tenant=t1');

    expect(body).toMatchObject({ ok: false, name: 'AccessDenied', status: 403 });
    expect(body.message).toMatch(
      /assumed-role\/.+\/stranger is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::/,
    );
  });

  it("allows an SQS call a queue policy grants the function's role, and refuses one no policy grants", async () => {
    expect((await call(served, 'sender?action=send')).body).toEqual({ ok: true });
    const refused = await call(served, 'ungranted?action=send');
    expect(refused.body).toMatchObject({ ok: false, name: 'AccessDenied', status: 403 });
    expect(refused.body.message).toContain(
      'is not authorized to perform: sqs:sendmessage on resource: arn:aws:sqs:',
    );
  });

  it("evaluates S3 calls: a prefix grant, a bucket policy grant, and S3's AccessDenied otherwise", async () => {
    expect((await call(served, 'filer?action=s3put&key=tenant-a/x.txt')).body).toEqual({ ok: true });
    expect((await call(served, 'filer?action=s3get&key=tenant-a/x.txt')).body).toEqual({ ok: true });
    const outside = await call(served, 'filer?action=s3put&key=tenant-b/x.txt');
    expect(outside.body).toMatchObject({ ok: false, name: 'AccessDenied', status: 403 });
    expect(outside.body.message).toMatch(
      /is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::[^"]+\/tenant-b\/x\.txt" because no identity-based policy allows the s3:PutObject action/,
    );
    expect((await call(served, 'sender?action=s3put&key=shared/y.txt')).body).toEqual({ ok: true });
    expect((await call(served, 'sender?action=s3put&key=private/y.txt')).body).toMatchObject({
      ok: false,
      name: 'AccessDenied',
    });
  });

  it('answers 500 for a function API Gateway has no permission to invoke, logging why, without running it', async () => {
    const before = lines.length;
    const { status, body } = await call(served, 'unpermitted?action=whoami');

    expect(status).toBe(500);
    expect(body).toEqual({ message: 'Internal server error' });
    expect(lines.slice(before).join('')).toMatch(
      /Execution failed due to configuration error: Invalid permissions on Lambda function: User: apigateway\.amazonaws\.com is not authorized to perform: lambda:InvokeFunction/,
    );
  });

  it("says at start which event-source mapping's function role lacks what Lambda checks to create it", () => {
    expect(served.cloud.notices).toContainEqual(
      expect.stringMatching(
        /^event source IamApp\/UngrantedMapping\w*: the function's role is not allowed sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes on arn:aws:sqs:[^ ]+: AWS would refuse to create this mapping/,
      ),
    );
    expect(served.cloud.notices.filter((notice) => notice.startsWith('event source'))).toHaveLength(1);
  });

  it('names at start an AWS managed policy it does not know, which grants nothing locally', () => {
    expect(served.cloud.notices).toContainEqual(
      expect.stringMatching(
        /^managed policy arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess \(attached to IamApp\/managedServiceRole\w*\) is not known locally: it grants nothing here/,
      ),
    );
  });

  it('serves STS at the endpoint functions get, and lists IAM as served rather than not emulated', () => {
    expect(served.cloud.functionEnv.AWS_ENDPOINT_URL_STS).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const types = served.cloud.notEmulated.map((entry) => entry.type);
    expect(types).not.toContain('AWS::IAM::Role');
    expect(types).not.toContain('AWS::IAM::Policy');
    expect(types).not.toContain('AWS::Lambda::Permission');
    expect(types).not.toContain('AWS::SQS::QueuePolicy');
    expect(types).not.toContain('AWS::S3::BucketPolicy');
  });
});

describe('--iam warn', () => {
  let served: CloudOnApp;
  beforeAll(async () => {
    served = await started('local-iam-warn', { iam: 'warn' });
  }, 120_000);
  afterAll(async () => served?.close());

  it('lets through what AWS would refuse and logs it', async () => {
    const before = lines.length;
    expect((await call(served, 'ungranted?action=get')).body).toEqual({ ok: true });
    expect(lines.slice(before).join('')).toMatch(
      /\[iam\] AWS would refuse \(--iam warn lets it through\): User: .*\/ungranted is not authorized to perform: dynamodb:GetItem/,
    );
    expect((await call(served, 'unpermitted?action=whoami')).status).toBe(200);
  });

  it('lists the policy types as evaluated but not enforced', () => {
    expect(served.cloud.notEmulated).toContainEqual(
      expect.objectContaining({ type: 'AWS::IAM::Role', reason: expect.stringContaining('--iam warn') }),
    );
  });
});

/** The local name of the role a function runs with (or of a role by logical id prefix). */
function roleNameOf(served: CloudOnApp, name: string): string {
  const { resources } = served.cloud.model;
  const fn = resources.find((r) => r.type === 'AWS::Lambda::Function' && r.physicalId === name);
  const roleArn = fn ? String(fn.properties.Role) : undefined;
  const role = resources.find(
    (r) =>
      r.type === 'AWS::IAM::Role' && (roleArn ? r.attributes.Arn === roleArn : r.logicalId.startsWith(name)),
  );
  return role?.physicalId ?? '';
}
