import { stringify } from 'csv-stringify/sync';
import type { OrderStatus } from '../orders/order-status';

/** What the report reads of each order. */
export interface ReportedOrder {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly total: number;
  readonly currency: string;
  readonly createdAt: string;
}

/** Counts and totals of a set of orders; totals are per currency (minor units), never summed across them. */
export interface Tally {
  count: number;
  totals: Record<string, number>;
}

/** The result of an `orders.report` job. */
export interface OrdersReport {
  readonly from: string;
  readonly to: string;
  readonly orderCount: number;
  readonly totals: Record<string, number>;
  readonly byStatus: Partial<Record<OrderStatus, Tally>>;
  /** UTC days with at least one order, in order. */
  readonly byDay: Array<{ readonly date: string } & Tally>;
  [key: string]: unknown;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The instants `[start, end)` of the UTC days `from`..`to` inclusive. */
export function reportWindow(from: string, to: string): { readonly start: number; readonly end: number } {
  return { start: Date.parse(from), end: Date.parse(to) + DAY_MS };
}

function add(tally: Tally, order: ReportedOrder): void {
  tally.count += 1;
  tally.totals[order.currency] = (tally.totals[order.currency] ?? 0) + order.total;
}

/** The UTC day of an ISO timestamp. */
function dayOf(timestamp: string): string {
  return new Date(timestamp).toISOString().slice(0, 10);
}

/**
 * Accumulates a report page by page (the orders arrive in creation order, a page at a time), so a tenant's
 * year of orders never has to be held at once. Orders created outside `from`..`to` are ignored.
 */
export function createReportAccumulator(from: string, to: string) {
  const { start, end } = reportWindow(from, to);
  const overall: Tally = { count: 0, totals: {} };
  const byStatus: Partial<Record<OrderStatus, Tally>> = {};
  const byDay = new Map<string, Tally>();
  const rows: ReportedOrder[] = [];
  return {
    add(orders: readonly ReportedOrder[]): void {
      for (const order of orders) {
        const at = Date.parse(order.createdAt);
        if (!(at >= start && at < end)) continue;
        add(overall, order);
        rows.push(order);
        const status = byStatus[order.status] ?? { count: 0, totals: {} };
        byStatus[order.status] = status;
        add(status, order);
        const day = dayOf(order.createdAt);
        const daily = byDay.get(day) ?? { count: 0, totals: {} };
        byDay.set(day, daily);
        add(daily, order);
      }
    },
    /** The orders of the range, oldest first: the report file's rows. */
    rows(): readonly ReportedOrder[] {
      return rows;
    },
    /** Days of the range that are complete, given the last order seen (for progress). */
    daysBefore(timestamp: string): number {
      return Math.max(
        0,
        Math.min(Math.floor((Date.parse(timestamp) - start) / DAY_MS), (end - start) / DAY_MS),
      );
    },
    result(): OrdersReport {
      return {
        from,
        to,
        orderCount: overall.count,
        totals: overall.totals,
        byStatus,
        byDay: [...byDay.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([date, t]) => ({ date, ...t })),
      };
    },
  };
}

/** The columns of a report file, in order. */
export const REPORT_COLUMNS = ['orderId', 'createdAt', 'status', 'currency', 'total'] as const;

/**
 * The report file: one CSV row per order (header first), amounts in minor units. Every cell is an id, a timestamp,
 * a status, a currency code or an integer, so no cell can start a spreadsheet formula; csv-stringify quotes anyway.
 */
export function reportCsv(orders: readonly ReportedOrder[]): string {
  return stringify(
    orders.map((order) => REPORT_COLUMNS.map((column) => order[column])),
    { header: true, columns: [...REPORT_COLUMNS] },
  );
}
