import type { Readable } from 'node:stream';
import * as z from 'zod';
import type { ImportCheckpoint, Job, LineError } from '../../shared/codecs/job-codec';
import { ValidationError } from '../../shared/errors';
import { secretId } from '../../shared/ids';
import type { UploadFormat } from '../../shared/tenant-files';
import { describeIssues } from '../../shared/validation';
import { MAX_UPLOAD_ORDERS } from '../jobs/job-schemas';
import { createOrderSchema } from '../orders/order-schemas';
import type { Order, OrdersRepository } from '../orders/orders-repository';
import { type CatalogPrice, priceOrder } from '../orders/pricing';
import { importedOrderId } from './orders-import';
import { NotThisFormatError, type UploadLine, uploadLines } from './upload-lines';

/** Lines read before their orders are written and the checkpoint moves (one progress update per batch). */
export const UPLOAD_BATCH_LINES = 250;
/** Conditional puts in flight at once. */
export const UPLOAD_WRITE_CONCURRENCY = 50;
/** Line errors kept on the job (all are counted). */
export const MAX_KEPT_LINE_ERRORS = 100;
/** BatchGetItem reads at most 100 keys. */
const CATALOG_BATCH = 100;
const MAX_REASON_LENGTH = 300;

/**
 * One line of an upload: an order as `POST /orders` takes it, and optionally the tenant it is meant for, which must
 * be the job's (the tenant always comes from the job, never from the file; a line naming another is refused).
 */
const uploadLineSchema = createOrderSchema.extend({ tenantId: z.string().max(64).optional() });

/** What an upload's import comes to in one delivery. */
export type UploadImportOutcome =
  | { readonly kind: 'finished'; readonly checkpoint: ImportCheckpoint }
  | { readonly kind: 'paused'; readonly checkpoint: ImportCheckpoint }
  | { readonly kind: 'rejected'; readonly reason: string };

export interface UploadImportContext {
  readonly tenantId: string;
  readonly job: Job;
  readonly format: UploadFormat;
  /** The upload's bytes, streamed from the start (lines up to the checkpoint are read and skipped). */
  readonly body: Readable;
  readonly orders: OrdersRepository;
  /** Where a previous delivery stopped; absent on the first. */
  readonly checkpoint?: ImportCheckpoint;
  /** The delivery this is (0 for the upload's own notification); written into every checkpoint. */
  readonly segment: number;
  /**
   * Whether to stop after the current batch, given how long that batch took (the next may take as long): the
   * invocation must end, and send its follow-up, well before its timeout.
   */
  readonly shouldPause: (lastBatchMs: number) => boolean;
  /** Called after each written batch: the checkpoint to keep, and the bytes read so far. */
  readonly onBatch: (checkpoint: ImportCheckpoint) => Promise<void>;
}

function cut(reason: string): string {
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…` : reason;
}

/** Counts of an import, moved along batch by batch. */
class Tally {
  created: number;
  alreadyImported: number;
  invalidCount: number;
  readonly invalid: LineError[];
  line: number;

  constructor(from: ImportCheckpoint | undefined) {
    this.created = from?.created ?? 0;
    this.alreadyImported = from?.alreadyImported ?? 0;
    this.invalidCount = from?.invalidCount ?? 0;
    this.invalid = [...(from?.invalid ?? [])];
    this.line = from?.line ?? 0;
  }

  refuse(line: number, reason: string): void {
    this.invalidCount += 1;
    if (this.invalid.length < MAX_KEPT_LINE_ERRORS) this.invalid.push({ line, reason: cut(reason) });
  }

  checkpoint(segment: number): ImportCheckpoint {
    return {
      segment,
      line: this.line,
      created: this.created,
      alreadyImported: this.alreadyImported,
      invalidCount: this.invalidCount,
      invalid: [...this.invalid],
    };
  }
}

/**
 * Imports an uploaded file line by line, as it streams: each line is validated and priced exactly as
 * `POST /orders` does, written with a conditional put under an id derived from the job and the line number (so
 * a re-delivered file, or a batch re-run after a crash, writes nothing twice), and every bad line is counted
 * with its number and reason. After each batch the checkpoint is handed to `onBatch`; when `shouldPause` says
 * so, the import stops there and a follow-up delivery continues from the checkpoint.
 */
export async function importUpload(context: UploadImportContext): Promise<UploadImportOutcome> {
  const { tenantId, job } = context;
  const tally = new Tally(context.checkpoint);
  const resumeAfter = tally.line;
  const catalog = new Map<string, CatalogPrice>();
  let dataLines = 0;
  let batch: UploadLine[] = [];

  const writeBatch = async (): Promise<void> => {
    // A batch's errors are kept in line order, whichever step found them, so "the first 100" are the first lines.
    const refused: LineError[] = [];
    const valid: Array<{ line: number; order: z.infer<typeof uploadLineSchema> }> = [];
    for (const record of batch) {
      if ('error' in record) {
        refused.push({ line: record.line, reason: record.error });
        continue;
      }
      const parsed = uploadLineSchema.safeParse(record.value);
      if (!parsed.success) refused.push({ line: record.line, reason: describeIssues(parsed.error.issues) });
      else if (parsed.data.tenantId !== undefined && parsed.data.tenantId !== tenantId) {
        refused.push({
          line: record.line,
          reason: 'tenantId names another tenant: a file imports into its own tenant only',
        });
      } else valid.push({ line: record.line, order: parsed.data });
    }
    const missing = [...new Set(valid.flatMap(({ order }) => order.items.map((item) => item.sku)))].filter(
      (sku) => !catalog.has(sku),
    );
    for (let i = 0; i < missing.length; i += CATALOG_BATCH) {
      const prices = await context.orders.getCatalogPrices(tenantId, missing.slice(i, i + CATALOG_BATCH));
      for (const [sku, price] of prices) catalog.set(sku, price);
    }
    const toWrite: Order[] = [];
    for (const { line, order } of valid) {
      try {
        const priced = priceOrder(order.items, catalog);
        toWrite.push({
          orderId: importedOrderId(job, line),
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
        if (!(error instanceof ValidationError)) throw error;
        refused.push({ line, reason: error.message });
      }
    }
    for (const { line, reason } of refused.sort((a, b) => a.line - b.line)) tally.refuse(line, reason);
    for (const outcome of await context.orders.putNewOrders(tenantId, toWrite, UPLOAD_WRITE_CONCURRENCY)) {
      if (outcome === 'created') tally.created += 1;
      else tally.alreadyImported += 1;
    }
    batch = [];
  };

  const flush = async (): Promise<number> => {
    const started = Date.now();
    await writeBatch();
    await context.onBatch(tally.checkpoint(context.segment));
    return Date.now() - started;
  };

  try {
    for await (const record of uploadLines(context.format, context.body)) {
      dataLines += 1;
      if (record.line <= resumeAfter) continue;
      if (dataLines > MAX_UPLOAD_ORDERS) {
        tally.refuse(
          record.line,
          `the file has more than ${MAX_UPLOAD_ORDERS} orders: this line and the ones after it were not imported; send them in another file`,
        );
        tally.line = record.line;
        break;
      }
      batch.push(record);
      tally.line = record.line;
      if (batch.length >= UPLOAD_BATCH_LINES) {
        const batchMs = await flush();
        if (context.shouldPause(batchMs)) {
          context.body.destroy();
          return { kind: 'paused', checkpoint: tally.checkpoint(context.segment) };
        }
      }
    }
  } catch (error) {
    if (error instanceof NotThisFormatError) return { kind: 'rejected', reason: error.message };
    throw error;
  } finally {
    context.body.destroy();
  }
  await flush();
  return { kind: 'finished', checkpoint: tally.checkpoint(context.segment) };
}
