import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../shared/dynamo';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { TEST_ENV } from '../support/test-env';

let engine: DynamoEngine;
beforeAll(async () => {
  engine = await startDynamo();
});
afterAll(() => engine.stop());

describe('the embedded DynamoDB engine', () => {
  it('creates the tables with the keys and GSI the stateful stack defines', async () => {
    const { Table } = await engine.client.send(new DescribeTableCommand({ TableName: TEST_ENV.TABLE_NAME }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(['GSI1']);
  });

  it('serves the shared document client through AWS_ENDPOINT_URL_DYNAMODB', async () => {
    await documentClient.send(
      new PutCommand({
        TableName: TEST_ENV.TABLE_NAME,
        Item: { PK: 'p', SK: 's', GSI1PK: 'g', GSI1SK: '1' },
      }),
    );
    const { Items } = await documentClient.send(
      new QueryCommand({
        TableName: TEST_ENV.TABLE_NAME,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :g',
        ExpressionAttributeValues: { ':g': 'g' },
      }),
    );
    expect(Items).toEqual([{ PK: 'p', SK: 's', GSI1PK: 'g', GSI1SK: '1' }]);
  });
});
