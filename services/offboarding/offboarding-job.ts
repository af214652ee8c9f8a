import {
  AdminDeleteUserCommand,
  type CognitoIdentityProviderClient,
  DeleteUserPoolClientCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  DeleteObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateScan,
} from '@aws-sdk/lib-dynamodb';
import { type TenantOffboarding, tenantOffboardingCodec } from '../../shared/codecs/tenant-offboarding-codec';
import { tenantKeys } from '../../shared/keys/tenant-keys';
import { tenantPrefix } from '../../shared/keys/tenant-prefix';
import { logger } from '../../shared/logger';
import { TABLE } from '../../shared/table';
import { TENANT_FILES } from '../../shared/tenant-files';

/** What the offboarding job talks to. */
export interface OffboardingDependencies {
  readonly tableName: string;
  readonly bucket: string;
  readonly userPoolId: string;
  /** How long the bucket keeps the export (its lifecycle rule), to tell the operator until when it can be fetched. */
  readonly exportKeptDays: number;
  readonly documents: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly idp: CognitoIdentityProviderClient;
  readonly deleteApiKey: (keyId: string) => Promise<void>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** Global items that belong to one tenant and go with it; the slug registry entry stays (slugs are never reused). */
const TENANT_GLOBAL_PREFIXES = ['TRACKING#', 'PARTNERCLIENT#', 'TENANTNAME#'] as const;

const isGone = (error: unknown, name: string) => error instanceof Error && error.name === name;

/**
 * Offboards a tenant whose offboarding record exists (written by `DELETE /tenants/{id}`, which already suspended
 * it): exports every item of the tenant and its users' profiles to NDJSON in the files bucket, then erases every
 * item under its keys, its tracking pointers, partner bindings and name claim, its Cognito users, its partner
 * clients and its API key, and turns the record into the tombstone. Each step is recorded once done and is safe to
 * repeat, so a run killed anywhere and run again completes; the export is written before anything is erased and
 * never rewritten after.
 */
export function createOffboardingJob(deps: OffboardingDependencies) {
  const now = deps.now ?? (() => new Date());
  const { documents, tableName } = deps;

  async function readRecord(tenantId: string): Promise<TenantOffboarding | undefined> {
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: tenantKeys.offboarding(tenantId), ConsistentRead: true }),
    );
    return Item ? tenantOffboardingCodec.fromItem(Item) : undefined;
  }

  async function saveRecord(record: TenantOffboarding): Promise<TenantOffboarding> {
    await documents.send(
      new PutCommand({ TableName: tableName, Item: tenantOffboardingCodec.toItem(record) }),
    );
    return record;
  }

  /**
   * Every item of the tenant in the pooled table: one Scan (paged) for everything under its prefix and the global
   * items naming it. A scan reads the whole table; offboarding is rare, and a scan cannot miss an entity type that
   * a list of partitions would.
   */
  async function tenantItems(tenantId: string): Promise<Record<string, unknown>[]> {
    const values: Record<string, unknown> = { ':prefix': tenantPrefix(tenantId), ':tenantId': tenantId };
    const globals = TENANT_GLOBAL_PREFIXES.map((prefix, i) => {
      values[`:g${i}`] = prefix;
      return `begins_with(#pk, :g${i})`;
    });
    const items: Record<string, unknown>[] = [];
    const pages = paginateScan(
      { client: documents },
      {
        TableName: tableName,
        FilterExpression: `begins_with(#pk, :prefix) OR (#tenantId = :tenantId AND (${globals.join(' OR ')}))`,
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#tenantId': 'tenantId' },
        ExpressionAttributeValues: values,
        ConsistentRead: true,
      },
    );
    for await (const page of pages) items.push(...(page.Items ?? []));
    return items;
  }

  /** The tenant's Cognito users (ListUsers cannot filter on custom attributes, so every page is read). */
  async function tenantUsers(tenantId: string) {
    const users: Array<{ username: string; attributes: Record<string, string> }> = [];
    let token: string | undefined;
    do {
      const page = await deps.idp.send(
        new ListUsersCommand({ UserPoolId: deps.userPoolId, PaginationToken: token, Limit: 60 }),
      );
      for (const user of page.Users ?? []) {
        const attributes = Object.fromEntries(
          (user.Attributes ?? []).map((a) => [a.Name ?? '', a.Value ?? '']),
        );
        if (attributes['custom:tenantId'] === tenantId && user.Username) {
          users.push({ username: user.Username, attributes });
        }
      }
      token = page.PaginationToken;
    } while (token);
    return users;
  }

  async function exportTenant(record: TenantOffboarding): Promise<TenantOffboarding> {
    const { tenantId } = record;
    const items = await tenantItems(tenantId);
    const users = await tenantUsers(tenantId);
    const lines = [
      ...items.map((item) => JSON.stringify({ kind: 'item', item })),
      ...users.map((user) => JSON.stringify({ kind: 'user', user })),
    ];
    const key = TENANT_FILES.offboardingExport(tenantId);
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.bucket,
        Key: key,
        Body: lines.length > 0 ? `${lines.join('\n')}\n` : '',
        ContentType: 'application/x-ndjson',
        ServerSideEncryption: 'AES256',
      }),
    );
    const at = now();
    logger.info('tenant exported', { tenantId, items: items.length, users: users.length });
    return saveRecord({
      ...record,
      steps: [...record.steps, 'exported'],
      export: {
        bucket: deps.bucket,
        key,
        itemCount: items.length + users.length,
        expiresAt: new Date(at.getTime() + deps.exportKeptDays * 86_400_000).toISOString(),
      },
      updatedAt: at.toISOString(),
    });
  }

  async function eraseTenant(record: TenantOffboarding): Promise<TenantOffboarding> {
    const { tenantId } = record;
    const items = await tenantItems(tenantId);
    let partnerClients = 0;
    for (const item of items) {
      if (!String(item[TABLE.partitionKey]).startsWith('PARTNERCLIENT#')) continue;
      try {
        await deps.idp.send(
          new DeleteUserPoolClientCommand({ UserPoolId: deps.userPoolId, ClientId: String(item.clientId) }),
        );
      } catch (error) {
        if (!isGone(error, 'ResourceNotFoundException')) throw error;
      }
      partnerClients += 1;
    }
    const users = await tenantUsers(tenantId);
    for (const user of users) {
      try {
        await deps.idp.send(
          new AdminDeleteUserCommand({ UserPoolId: deps.userPoolId, Username: user.username }),
        );
      } catch (error) {
        if (!isGone(error, 'UserNotFoundException')) throw error;
      }
    }
    if (record.apiKeyId) await deps.deleteApiKey(record.apiKeyId);
    // The tenant's files (uploads, reports), all but the export the tombstone points at.
    let files = 0;
    const exportKey = TENANT_FILES.offboardingExport(tenantId);
    for await (const page of paginateListObjectsV2(
      { client: deps.s3 },
      { Bucket: deps.bucket, Prefix: `${TENANT_FILES.root}${tenantId}/` },
    )) {
      for (const object of page.Contents ?? []) {
        if (!object.Key || object.Key === exportKey) continue;
        await deps.s3.send(new DeleteObjectCommand({ Bucket: deps.bucket, Key: object.Key }));
        files += 1;
      }
    }
    // The profile last: until it goes, the directory still lists the tenant as OFFBOARDING.
    const profilePk = tenantKeys.profile(tenantId).PK;
    const ordered = [
      ...items.filter((item) => item[TABLE.partitionKey] !== profilePk),
      ...items.filter((item) => item[TABLE.partitionKey] === profilePk),
    ];
    for (const item of ordered) {
      await documents.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] },
        }),
      );
    }
    const at = now().toISOString();
    logger.info('tenant erased', { tenantId, items: ordered.length, users: users.length, partnerClients });
    return saveRecord({
      ...record,
      status: 'OFFBOARDED',
      steps: [...record.steps, 'erased'],
      // Counts of this run: a resumed run counts what was left.
      erased: {
        items: ordered.length,
        users: users.length,
        partnerClients,
        files,
        apiKey: record.apiKeyId !== undefined,
      },
      completedAt: at,
      updatedAt: at,
    });
  }

  return {
    /** Runs (or resumes) the tenant's offboarding; returns the tombstone. */
    async run(tenantId: string): Promise<TenantOffboarding> {
      let record = await readRecord(tenantId);
      if (!record) throw new Error(`tenant ${tenantId} has no offboarding record: nothing to offboard`);
      if (record.status === 'OFFBOARDED') return record;
      if (!record.steps.includes('exported')) record = await exportTenant(record);
      return eraseTenant(record);
    },
    tenantItems,
  };
}

/** The offboarding job bound to its adapters. */
export type OffboardingJob = ReturnType<typeof createOffboardingJob>;
