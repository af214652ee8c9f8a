import type { Job } from '../../shared/codecs/job-codec';
import { ValidationError } from '../../shared/errors';
import { deterministicSortableId, secretId } from '../../shared/ids';
import { describeIssues } from '../../shared/validation';
import type { ImportChunk } from '../jobs/import-chunks';
import { createOrderSchema } from '../orders/order-schemas';
import type { Order, OrdersRepository } from '../orders/orders-repository';
import { type CatalogPrice, priceOrder } from '../orders/pricing';

/** Orders written at once (concurrent conditional puts) before progress is recorded. */
export const IMPORT_WRITE_BATCH = 25;
/** BatchGetItem reads at most 100 keys. */
const CATALOG_BATCH = 100;
/** Reasons longer than this are cut, so a thousand of them still fit the job item. */
const MAX_REASON_LENGTH = 300;

/** One import order that was not written, by its index in the request. */
export interface InvalidOrder {
  readonly index: number;
  readonly reason: string;
}

/** What an import did. `created + alreadyImported + invalid.length` is the number of orders submitted. */
export interface ImportResult {
  readonly created: number;
  /** Orders a previous delivery of the same job had written (a redelivery never writes them twice). */
  readonly alreadyImported: number;
  readonly invalid: InvalidOrder[];
  [key: string]: unknown;
}

export interface ImportContext {
  readonly tenantId: string;
  readonly job: Job;
  readonly chunks: readonly ImportChunk[];
  readonly orders: OrdersRepository;
  /** Called after each written batch with the number of orders dealt with so far. */
  readonly onProgress: (done: number) => Promise<void>;
}

/**
 * The id of the `index`-th order of a job: its time is the job's creation and its random part a hash of job and
 * index, so every delivery of the job names the same orders and the conditional put refuses the second write.
 */
export function importedOrderId(job: Pick<Job, 'jobId' | 'createdAt'>, index: number): string {
  return deterministicSortableId(Date.parse(job.createdAt), `${job.jobId}#${index}`);
}

function cut(reason: string): string {
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…` : reason;
}

/**
 * Validates and prices each order exactly as `POST /orders` does (same schema, same catalog lookup, same
 * pricing), reports the invalid ones by index and writes the others in batches with conditional puts. Safe to
 * run again after a crash or alongside another worker: each order is written at most once.
 */
export async function importOrders(context: ImportContext): Promise<ImportResult> {
  const { tenantId, job } = context;
  const invalid: InvalidOrder[] = [];
  const valid: Array<{ index: number; order: ReturnType<typeof createOrderSchema.parse> }> = [];
  for (const chunk of context.chunks) {
    chunk.orders.forEach((raw, i) => {
      const index = chunk.offset + i;
      const parsed = createOrderSchema.safeParse(raw);
      if (parsed.success) valid.push({ index, order: parsed.data });
      else invalid.push({ index, reason: cut(describeIssues(parsed.error.issues)) });
    });
  }

  const skus = [...new Set(valid.flatMap(({ order }) => order.items.map((item) => item.sku)))];
  const catalog = new Map<string, CatalogPrice>();
  for (let i = 0; i < skus.length; i += CATALOG_BATCH) {
    const prices = await context.orders.getCatalogPrices(tenantId, skus.slice(i, i + CATALOG_BATCH));
    for (const [sku, price] of prices) catalog.set(sku, price);
  }

  const toWrite: Order[] = [];
  for (const { index, order } of valid) {
    try {
      const priced = priceOrder(order.items, catalog);
      toWrite.push({
        orderId: importedOrderId(job, index),
        status: 'pending',
        items: priced.items,
        currency: priced.currency,
        total: priced.total,
        ...(order.note !== undefined ? { note: order.note } : {}),
        version: 1,
        trackingId: secretId(),
        createdAt: job.createdAt,
        updatedAt: job.createdAt,
        createdBy: job.createdBy,
      });
    } catch (error) {
      // Only the caller's mistakes are reported; anything else (a corrupt catalog item) fails the job's attempt.
      if (!(error instanceof ValidationError)) throw error;
      invalid.push({ index, reason: cut(error.message) });
    }
  }
  invalid.sort((a, b) => a.index - b.index);

  let created = 0;
  let alreadyImported = 0;
  for (let i = 0; i < toWrite.length; i += IMPORT_WRITE_BATCH) {
    const outcomes = await Promise.allSettled(
      toWrite.slice(i, i + IMPORT_WRITE_BATCH).map((order) => context.orders.putNewOrder(tenantId, order)),
    );
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') throw outcome.reason;
      if (outcome.value === 'created') created += 1;
      else alreadyImported += 1;
    }
    await context.onProgress(invalid.length + created + alreadyImported);
  }
  return { created, alreadyImported, invalid };
}
