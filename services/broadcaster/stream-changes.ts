import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import * as z from 'zod';
import { ENTITY_ATTRIBUTE, ENTITY_TYPES } from '../../shared/keys/entity-type';
import { TABLE } from '../../shared/table';
import { describeIssues } from '../../shared/validation';

/** The message a connection receives for every change of its tenant's orders and jobs. */
export interface ChangeMessage {
  readonly type: 'order' | 'job';
  readonly id: string;
  readonly status: string;
  readonly version: number;
  /** ISO time of the change, as its writer recorded it (`updatedAt`). */
  readonly at: string;
}

/** One stream record as the broadcaster sees it. */
export type StreamChange =
  | {
      readonly kind: 'change';
      readonly sequenceNumber: string;
      readonly tenantId: string;
      readonly message: ChangeMessage;
    }
  /** Not a change worth a message: a removal, another entity, or a write that left status and version alone. */
  | { readonly kind: 'skip'; readonly sequenceNumber: string }
  /** An order or job item that does not decode: corrupt data, which retrying would not repair. */
  | { readonly kind: 'corrupt'; readonly sequenceNumber: string; readonly reason: string };

const TENANT_KEY = /^TENANT#(t[0-9a-z]{16})#/;

/** The attributes each broadcast entity must carry (names as stored); everything else is ignored. */
const entities = {
  [ENTITY_TYPES.order]: z.object({
    orderId: z.string().min(1),
    status: z.string().min(1),
    version: z.number().int(),
    updatedAt: z.string().min(1),
  }),
  [ENTITY_TYPES.job]: z.object({
    jobId: z.string().min(1),
    status: z.string().min(1),
    version: z.number().int(),
    updatedAt: z.string().min(1),
  }),
} as const;

/** The string and number attributes of a stream image, as plain values (the only types messages use). */
function plain(image: Record<string, AttributeValue> | undefined): Record<string, string | number> {
  const values: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(image ?? {})) {
    if (value.S !== undefined) values[name] = value.S;
    else if (value.N !== undefined) values[name] = Number(value.N);
  }
  return values;
}

/** Reads one stream record: the tenant comes from the item's own partition key, never from an attribute. */
export function streamChange(record: DynamoDBRecord): StreamChange {
  const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
  const skip = { kind: 'skip', sequenceNumber } as const;
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return skip;
  const image = plain(record.dynamodb?.NewImage);
  const type = image[ENTITY_ATTRIBUTE];
  if (type !== ENTITY_TYPES.order && type !== ENTITY_TYPES.job) return skip;
  const tenantId = TENANT_KEY.exec(String(record.dynamodb?.Keys?.[TABLE.partitionKey]?.S ?? ''))?.[1];
  const parsed = entities[type].safeParse(image);
  if (tenantId === undefined || !parsed.success) {
    const reason =
      tenantId === undefined ? 'partition key names no tenant' : describeIssues(parsed.error?.issues ?? []);
    return { kind: 'corrupt', sequenceNumber, reason: `${type} item: ${reason}` };
  }
  const old = plain(record.dynamodb?.OldImage);
  if (old.status === parsed.data.status && old.version === parsed.data.version) return skip;
  const id = 'orderId' in parsed.data ? parsed.data.orderId : parsed.data.jobId;
  return {
    kind: 'change',
    sequenceNumber,
    tenantId,
    message: {
      type,
      id,
      status: parsed.data.status,
      version: parsed.data.version,
      at: parsed.data.updatedAt,
    },
  };
}
