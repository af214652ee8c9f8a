import type { CreateTableCommandInput, GlobalSecondaryIndex } from '@aws-sdk/client-dynamodb';

/** The subset of `AWS::DynamoDB::Table` / `AWS::DynamoDB::GlobalTable` properties a local engine needs. */
export interface CfnTableProperties {
  readonly TableName?: unknown;
  readonly KeySchema: CreateTableCommandInput['KeySchema'];
  readonly AttributeDefinitions: CreateTableCommandInput['AttributeDefinitions'];
  readonly GlobalSecondaryIndexes?: ReadonlyArray<{
    IndexName: string;
    KeySchema: GlobalSecondaryIndex['KeySchema'];
    Projection: GlobalSecondaryIndex['Projection'];
  }>;
  readonly StreamSpecification?: { StreamViewType?: string };
}

/**
 * Turns a table resource from a synthesized template into a CreateTable request for an embedded engine,
 * under the given name (templates usually leave names to CloudFormation). Capacity is irrelevant locally,
 * so everything is on-demand.
 */
export function createTableInput(tableName: string, props: CfnTableProperties): CreateTableCommandInput {
  return {
    TableName: tableName,
    KeySchema: props.KeySchema,
    AttributeDefinitions: props.AttributeDefinitions,
    BillingMode: 'PAY_PER_REQUEST',
    ...(props.GlobalSecondaryIndexes?.length
      ? {
          GlobalSecondaryIndexes: props.GlobalSecondaryIndexes.map((gsi) => ({
            IndexName: gsi.IndexName,
            KeySchema: gsi.KeySchema,
            Projection: gsi.Projection,
          })),
        }
      : {}),
  };
}
