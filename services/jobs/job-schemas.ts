import * as z from 'zod';
import { isCalendarDay } from '../../shared/calendar-day';
import { JOB_STATUSES } from '../../shared/codecs/job-codec';
import { storableJson } from '../../shared/storable-json';

/** Limits of the jobs API, shared by the schemas, the service and the tests. */
export const MAX_IMPORT_ORDERS = 1000;
/** Orders one uploaded file may hold: lines past this many are not imported (and say so). */
export const MAX_UPLOAD_ORDERS = 100_000;
/** The largest upload the pre-signed POST accepts: 100 MB (decimal, so 101 MB and 101 MiB are both refused). */
export const MAX_UPLOAD_BYTES = 100 * 1000 * 1000;
/** How long a pre-signed upload form or download link is valid. */
export const UPLOAD_URL_SECONDS = 10 * 60;
export const DOWNLOAD_URL_SECONDS = 5 * 60;
/** One order of an import, as JSON; the largest valid order (50 lines, a 500-character note) is about 5 KB. */
export const MAX_IMPORT_ORDER_BYTES = 16 * 1024;
/**
 * Levels of objects and arrays one import order may nest (a valid order needs 3). Orders are stored as they
 * came, one level down in their chunk's list, so this keeps every chunk far inside DynamoDB's 32.
 */
export const MAX_IMPORT_ORDER_DEPTH = 16;
export const MAX_REPORT_DAYS = 366;
export const DEFAULT_JOB_PAGE_SIZE = 20;
export const MAX_JOB_PAGE_SIZE = 100;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * `orders.import`: the orders as `POST /orders` takes them. Each is validated by the worker, which reports the
 * invalid ones by index, so one bad order does not refuse the other 999; the count is checked by the service
 * (a 413, not a 400, and before anything is written). What the API must refuse here is only what cannot be
 * stored as it came (numbers DynamoDB cannot hold, nesting it refuses): a 400 naming the order and field.
 */
const importJobSchema = z
  .strictObject({
    type: z.literal('orders.import'),
    orders: z.array(storableJson(MAX_IMPORT_ORDER_DEPTH)).min(1).optional(),
    /**
     * `upload`: the orders come as a file the client uploads with the pre-signed POST the 202 carries (up to
     * MAX_UPLOAD_ORDERS), instead of inline.
     */
    source: z.literal('upload').optional(),
    format: z.enum(['ndjson', 'csv']).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.source === 'upload') {
      if (input.orders !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['orders'],
          message: 'an upload import carries no inline orders',
        });
      }
      if (input.format === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['format'],
          message: "is required with source 'upload': ndjson or csv",
        });
      }
    } else {
      if (input.orders === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['orders'],
          message: "is required (or source 'upload' with a format)",
        });
      }
      if (input.format !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['format'], message: "is only for source 'upload'" });
      }
    }
  });

/**
 * A calendar day, `YYYY-MM-DD`. A pattern rather than `z.iso.date()`: JSON Schema draft-04 (API Gateway models) has
 * no `date` format, so the gateway checks the shape and the handler checks that the day exists.
 */
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day as YYYY-MM-DD')
  .refine(isCalendarDay, 'is not a calendar day');

/** `orders.report`: order counts and totals per status and per UTC day, for days `from`..`to` inclusive. */
const reportJobSchema = z.strictObject({
  type: z.literal('orders.report'),
  from: day,
  to: day,
});

/** Body of `POST /jobs`. */
export const createJobSchema = z.discriminatedUnion('type', [importJobSchema, reportJobSchema]);
export type CreateJobInput = z.infer<typeof createJobSchema>;
export type ImportJobInput = z.infer<typeof importJobSchema>;
export type ReportJobInput = z.infer<typeof reportJobSchema>;

/** The number of days `from`..`to` covers (inclusive); zero or less when `to` is before `from`. */
export function daysInRange(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;
}

/** A positive integer written in decimal, as query strings carry it. */
const decimalInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** Query string of `GET /jobs`. */
export const listJobsQuerySchema = z.strictObject({
  status: z.enum(JOB_STATUSES).optional(),
  limit: decimalInt(1, MAX_JOB_PAGE_SIZE).optional(),
  nextToken: z.string().min(1).max(2048).optional(),
});
export type ListJobsQuery = z.infer<typeof listJobsQuerySchema>;
