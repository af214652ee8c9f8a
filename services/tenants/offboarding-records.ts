import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type TenantOffboarding, tenantOffboardingCodec } from '../../shared/codecs/tenant-offboarding-codec';
import { isConditionFailure } from '../../shared/condition-failure';
import { documentClient } from '../../shared/dynamo';
import { tenantKeys } from '../../shared/keys/tenant-keys';
import { s3Client } from '../../shared/s3';
import { sqsClient } from '../../shared/sqs';
import { TABLE } from '../../shared/table';

/** How long a link to an offboarded tenant's export is valid: fetched fresh with each `GET /tenants/{id}`. */
export const EXPORT_LINK_SECONDS = 60 * 60;

/** The operator API's side of offboarding: the records, the job's queue, and links to the exports. */
export function createOffboardingRecords(
  options: { readonly tableName: string; readonly queueUrl: string; readonly bucket: string },
  clients: {
    readonly documents?: DynamoDBDocumentClient;
    readonly sqs?: SQSClient;
    readonly s3?: S3Client;
  } = {},
) {
  const documents = clients.documents ?? documentClient;
  const sqs = clients.sqs ?? sqsClient;
  const s3 = clients.s3 ?? s3Client;
  async function read(tenantId: string): Promise<TenantOffboarding | undefined> {
    const { Item } = await documents.send(
      new GetCommand({
        TableName: options.tableName,
        Key: tenantKeys.offboarding(tenantId),
        ConsistentRead: true,
      }),
    );
    return Item ? tenantOffboardingCodec.fromItem(Item) : undefined;
  }
  return {
    read,
    async start(record: TenantOffboarding): Promise<TenantOffboarding> {
      try {
        await documents.send(
          new PutCommand({
            TableName: options.tableName,
            Item: tenantOffboardingCodec.toItem(record),
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
          }),
        );
        return record;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        return (await read(record.tenantId)) ?? record;
      }
    },
    async enqueue(tenantId: string): Promise<void> {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: options.queueUrl, MessageBody: JSON.stringify({ tenantId }) }),
      );
    },
    async downloadUrl(key: string): Promise<{ url: string; expiresAt: string }> {
      const url = await getSignedUrl(
        s3,
        new GetObjectCommand({
          Bucket: options.bucket,
          Key: key,
          ResponseContentDisposition: 'attachment; filename="tenant-export.ndjson"',
        }),
        { expiresIn: EXPORT_LINK_SECONDS },
      );
      return { url, expiresAt: new Date(Date.now() + EXPORT_LINK_SECONDS * 1000).toISOString() };
    },
  };
}
