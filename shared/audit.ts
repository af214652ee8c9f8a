import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { decodeItem, encodeAttributes } from './codecs/stored-item';
import { decodeCursor, encodeCursor } from './cursor';
import { documentClient } from './dynamo';
import { sortableId } from './ids';
import { AUDIT_SK_PREFIX, auditKeys } from './keys/audit-keys';
import { TABLE } from './table';

/** Who acted: an operator (an IAM principal on the operator API), a tenant user, or the system itself (a job). */
export const AUDIT_ACTOR_KINDS = ['operator', 'user', 'system'] as const;

/**
 * One recorded action, as stored and as `GET /audit` shows it. No TTL: the trail lives as long as the tenant and
 * goes with it at erasure (the tombstone, kept outside the tenant's keys, records the erasure itself).
 */
export const auditEntrySchema = z.object({
  /** Time-sortable (`ids.sortableId()`), so the newest entry sorts last and a reverse query lists it first. */
  entryId: z.string().min(1),
  actor: z.object({
    kind: z.enum(AUDIT_ACTOR_KINDS),
    /** The IAM principal ARN, the user's `sub`, or the job's name. */
    id: z.string().min(1),
    /** The user's e-mail when known, for reading the trail without a directory look-up. */
    email: z.string().optional(),
  }),
  /** What was done, `<entity>.<verb>` (e.g. `tenant.suspend`, `user.invite`). */
  action: z.string().regex(/^[a-z][a-z-]*\.[a-z][a-z-]*$/),
  /** What it was done to. */
  target: z.object({ type: z.string().min(1), id: z.string().min(1) }),
  /** The API Gateway request id (or the job id) that did it, to join the trail with the access logs. */
  requestId: z.string().min(1),
  at: z.iso.datetime(),
  /** What changed, when the action alone does not say (e.g. `{ from: 'basic', to: 'premium' }`). */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEntry = Readonly<z.infer<typeof auditEntrySchema>>;

/** What a caller records; the id and time are given by {@link auditItem}. */
export type AuditRecord = Omit<AuditEntry, 'entryId' | 'at'>;

/**
 * The table item for one audit entry under the tenant's audit partition, for a writer that wants the entry in
 * the same transaction as the change it records (a `TransactWriteItems` Put).
 */
export function auditItem(
  tenantId: string,
  record: AuditRecord,
  now: Date = new Date(),
): Record<string, unknown> {
  const entry = encodeAttributes('audit entry', auditEntrySchema, {
    ...record,
    entryId: sortableId(now.getTime()),
    at: now.toISOString(),
  });
  return { ...auditKeys.entry(tenantId, entry.entryId), ...entry };
}

/**
 * Records one action in the tenant's audit trail. The item's id is new and the write is conditional on it not
 * existing, so an entry is never overwritten. Returns the stored entry.
 */
export async function recordAudit(
  tableName: string,
  tenantId: string,
  record: AuditRecord,
  options: { readonly client?: DynamoDBDocumentClient; readonly now?: Date } = {},
): Promise<AuditEntry> {
  const item = auditItem(tenantId, record, options.now);
  await (options.client ?? documentClient).send(
    new PutCommand({
      TableName: tableName,
      Item: item,
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
    }),
  );
  return decodeItem('audit entry', auditEntrySchema, item);
}

/** One page of a tenant's audit trail; `nextToken` is present while more may follow. */
export interface AuditPage {
  readonly items: AuditEntry[];
  readonly nextToken?: string;
}

/**
 * One page of the tenant's audit trail, newest first. The token is only accepted for the same tenant's trail
 * (an edited token is a 400 `ValidationError`, never another tenant's read).
 */
export async function listAudit(
  tableName: string,
  tenantId: string,
  options: { readonly limit: number; readonly nextToken?: string; readonly client?: DynamoDBDocumentClient },
): Promise<AuditPage> {
  const partition = auditKeys.partition(tenantId);
  const result = await (options.client ?? documentClient).send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
      ExpressionAttributeValues: { ':pk': partition, ':prefix': AUDIT_SK_PREFIX },
      ScanIndexForward: false,
      Limit: options.limit,
      ExclusiveStartKey: decodeCursor(options.nextToken, { [TABLE.partitionKey]: partition }, [
        TABLE.sortKey,
      ]),
    }),
  );
  const nextToken = encodeCursor(result.LastEvaluatedKey);
  return {
    items: (result.Items ?? []).map((item) => decodeItem('audit entry', auditEntrySchema, item)),
    ...(nextToken ? { nextToken } : {}),
  };
}
