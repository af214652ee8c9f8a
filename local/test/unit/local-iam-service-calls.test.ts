import { cognitoCall } from '../../iam/cognito-calls';
import { dynamoDbCalls, dynamoDbTables } from '../../iam/dynamodb-calls';
import { iamModelOf } from '../../iam/iam-model';
import { s3Calls, s3DeniedMessage } from '../../iam/s3-calls';
import { sqsCall } from '../../iam/sqs-calls';
import type { LocalCloudModel, LocalResource } from '../../model';

const ACCOUNT = '000000000000';
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Orders`;
const resource = (
  partial: Partial<LocalResource> & Pick<LocalResource, 'type' | 'logicalId'>,
): LocalResource => ({
  stackName: 'App',
  physicalId: partial.logicalId,
  properties: {},
  attributes: {},
  ...partial,
});
const model: LocalCloudModel = {
  region: 'us-east-1',
  accountId: ACCOUNT,
  resources: [
    resource({
      type: 'AWS::DynamoDB::Table',
      logicalId: 'Orders',
      attributes: { Arn: TABLE_ARN },
      properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          { IndexName: 'GSI1', KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }] },
        ],
      },
    }),
    resource({
      type: 'AWS::SQS::Queue',
      logicalId: 'Jobs',
      physicalId: `http://127.0.0.1:1/${ACCOUNT}/jobs`,
      attributes: {
        Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`,
        QueueUrl: `http://127.0.0.1:1/${ACCOUNT}/jobs`,
      },
    }),
    resource({
      type: 'AWS::SQS::QueuePolicy',
      logicalId: 'JobsPolicy',
      properties: {
        Queues: [`http://127.0.0.1:1/${ACCOUNT}/jobs`],
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: '*',
            },
          ],
        },
      },
    }),
  ],
};
const tables = dynamoDbTables(model);
const calls = (operation: string, input: Record<string, unknown>) =>
  dynamoDbCalls(operation, input, tables, 'us-east-1', ACCOUNT);

describe('DynamoDB requests as IAM calls', () => {
  it('names the partition key of a single-item request as dynamodb:LeadingKeys, and its attributes', () => {
    expect(
      calls('PutItem', {
        TableName: 'Orders',
        Item: { pk: { S: 'TENANT#t1' }, sk: { S: 'A' }, total: { N: '3' } },
      }),
    ).toEqual([
      {
        action: 'dynamodb:PutItem',
        resource: TABLE_ARN,
        context: { 'dynamodb:LeadingKeys': ['TENANT#t1'], 'dynamodb:Attributes': ['pk', 'sk', 'total'] },
      },
    ]);
  });

  it("reads a Query's partition key from its key condition, on the index's ARN and key for an index query", () => {
    const [onTable] = calls('Query', {
      TableName: 'Orders',
      KeyConditionExpression: '#pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeNames: { '#pk': 'pk' },
      ExpressionAttributeValues: { ':pk': { S: 'TENANT#t1' }, ':prefix': { S: 'ORDER#' } },
    });
    expect(onTable?.context?.['dynamodb:LeadingKeys']).toEqual(['TENANT#t1']);
    const [onIndex] = calls('Query', {
      TableName: 'Orders',
      IndexName: 'GSI1',
      KeyConditionExpression: ':v = gsi1pk',
      ExpressionAttributeValues: { ':v': { S: 'TENANT#t2' } },
    });
    expect(onIndex).toMatchObject({
      resource: `${TABLE_ARN}/index/GSI1`,
      context: { 'dynamodb:LeadingKeys': ['TENANT#t2'] },
    });
  });

  it('gives a Scan no leading keys, and a batch every partition key per table', () => {
    expect(calls('Scan', { TableName: 'Orders' })[0]?.context).toEqual({});
    const [batch] = calls('BatchWriteItem', {
      RequestItems: {
        Orders: [
          { PutRequest: { Item: { pk: { S: 'TENANT#a' } } } },
          { DeleteRequest: { Key: { pk: { S: 'TENANT#b' } } } },
        ],
      },
    });
    expect(batch).toMatchObject({
      action: 'dynamodb:BatchWriteItem',
      context: { 'dynamodb:LeadingKeys': ['TENANT#a', 'TENANT#b'] },
    });
  });

  it('authorizes a transaction item by item, each as the operation it performs', () => {
    const items = calls('TransactWriteItems', {
      TransactItems: [
        { Put: { TableName: 'Orders', Item: { pk: { S: 'TENANT#a' } } } },
        {
          ConditionCheck: {
            TableName: 'Orders',
            Key: { pk: { S: 'TENANT#a' } },
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
      ],
    });
    expect(items.map((item) => item.action)).toEqual(['dynamodb:PutItem', 'dynamodb:ConditionCheckItem']);
  });
});

describe('SQS and Cognito requests as IAM calls', () => {
  const iam = iamModelOf(model);

  it('names the queue by ARN from its URL, batches as their action, with the queue policy', () => {
    const call = sqsCall('SendMessageBatch', { QueueUrl: `http://127.0.0.1:1/${ACCOUNT}/jobs` }, iam);
    expect(call).toMatchObject({
      action: 'sqs:SendMessage',
      resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`,
    });
    expect(call.resourcePolicy?.statements).toHaveLength(1);
  });

  it('evaluates the IAM operations of Cognito on the pool, and not the token-authorized ones', () => {
    expect(cognitoCall('AdminCreateUser', { UserPoolId: 'us-east-1_abc' }, 'us-east-1', ACCOUNT)).toEqual({
      action: 'cognito-idp:AdminCreateUser',
      resource: `arn:aws:cognito-idp:us-east-1:${ACCOUNT}:userpool/us-east-1_abc`,
    });
    expect(cognitoCall('InitiateAuth', { ClientId: 'x' }, 'us-east-1', ACCOUNT)).toBeUndefined();
  });
});

describe('S3 requests as IAM calls (the hook for the local S3 engine)', () => {
  const iam = iamModelOf(model);

  it('lists a bucket as s3:ListBucket with s3:prefix, reads and writes objects on their ARN, a copy reading its source', () => {
    expect(
      s3Calls({ method: 'GET', bucket: 'files', query: { 'list-type': '2', prefix: 'tenant-a/' } }, iam),
    ).toEqual([
      { action: 's3:ListBucket', resource: 'arn:aws:s3:::files', context: { 's3:prefix': 'tenant-a/' } },
    ]);
    expect(
      s3Calls({ method: 'PUT', bucket: 'files', key: 'a/b.txt', query: {}, copySource: '/files/c.txt' }, iam),
    ).toEqual([
      { action: 's3:PutObject', resource: 'arn:aws:s3:::files/a/b.txt' },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::files/c.txt' },
    ]);
    expect(
      s3Calls({ method: 'DELETE', bucket: 'files', key: 'k', query: { uploadId: 'u' } }, iam)[0]?.action,
    ).toBe('s3:AbortMultipartUpload');
  });

  it('words a refusal as S3 does, the resource quoted', () => {
    expect(
      s3DeniedMessage(
        'User: u is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::f/k because x',
      ),
    ).toBe('User: u is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::f/k" because x');
  });
});
