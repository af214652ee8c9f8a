import { MAX_RETRY_DELAY_SECONDS } from '../../services/job-worker/environment';
import { createReportAccumulator, type ReportedOrder } from '../../services/job-worker/orders-report';
import { retryDelaySeconds } from '../../services/job-worker/retry-backoff';
import { createJobSchema, daysInRange } from '../../services/jobs/job-schemas';
import { sortableId, sortableIdBounds } from '../../shared/ids';

const at = (
  createdAt: string,
  status: ReportedOrder['status'],
  total: number,
  currency = 'EUR',
): ReportedOrder => ({
  orderId: sortableId(Date.parse(createdAt)),
  createdAt,
  status,
  total,
  currency,
});

describe('the orders report', () => {
  it('counts and totals per status and per UTC day, per currency, over pages', () => {
    const report = createReportAccumulator('2026-01-01', '2026-01-31');
    report.add([
      at('2026-01-01T00:00:00.000Z', 'pending', 100),
      at('2026-01-01T23:59:59.999Z', 'shipped', 250),
    ]);
    report.add([
      at('2026-01-02T08:00:00.000Z', 'pending', 50, 'USD'),
      at('2026-01-31T12:00:00.000Z', 'pending', 1),
    ]);

    expect(report.result()).toEqual({
      from: '2026-01-01',
      to: '2026-01-31',
      orderCount: 4,
      totals: { EUR: 351, USD: 50 },
      byStatus: {
        pending: { count: 3, totals: { EUR: 101, USD: 50 } },
        shipped: { count: 1, totals: { EUR: 250 } },
      },
      byDay: [
        { date: '2026-01-01', count: 2, totals: { EUR: 350 } },
        { date: '2026-01-02', count: 1, totals: { USD: 50 } },
        { date: '2026-01-31', count: 1, totals: { EUR: 1 } },
      ],
    });
  });

  it('leaves out orders outside the range, including the instant after its last day', () => {
    const report = createReportAccumulator('2026-01-01', '2026-01-01');
    report.add([at('2025-12-31T23:59:59.999Z', 'pending', 1), at('2026-01-02T00:00:00.000Z', 'pending', 1)]);
    expect(report.result()).toMatchObject({ orderCount: 0, totals: {}, byStatus: {}, byDay: [] });
  });

  it('reports the days already complete as progress, within the range', () => {
    const report = createReportAccumulator('2026-01-01', '2026-01-10');
    expect(report.daysBefore('2026-01-01T05:00:00.000Z')).toBe(0);
    expect(report.daysBefore('2026-01-04T05:00:00.000Z')).toBe(3);
    expect(report.daysBefore('2027-01-01T00:00:00.000Z')).toBe(10);
  });

  it('counts days inclusively, and zero or less for a backwards range', () => {
    expect(daysInRange('2026-01-01', '2026-01-01')).toBe(1);
    expect(daysInRange('2024-01-01', '2024-12-31')).toBe(366);
    expect(daysInRange('2026-01-02', '2026-01-01')).toBe(0);
  });

  it("selects a day's orders by id range: every id of an instant lies within that instant's bounds", () => {
    const now = Date.parse('2026-05-05T05:05:05.005Z');
    const { lowest, highest } = sortableIdBounds(now);
    for (let i = 0; i < 100; i++) {
      const id = sortableId(now);
      expect(id >= lowest && id <= highest).toBe(true);
    }
    expect(sortableId(now + 1) > highest).toBe(true);
    expect(sortableId(now - 1) < lowest).toBe(true);
  });
});

describe('retrying a failed job message', () => {
  it('waits 1, 2, 4, 8 s after deliveries 1-4 and nothing after the last, so it dead-letters at once', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(n, 5))).toEqual([1, 2, 4, 8, 0]);
  });

  it('never waits longer than the cap', () => {
    expect(retryDelaySeconds(30, 100)).toBe(MAX_RETRY_DELAY_SECONDS);
  });

  it('caps every wait at the configured cap, still nothing after the last delivery', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(n, 5, 1))).toEqual([1, 1, 1, 1, 0]);
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(n, 5, 3))).toEqual([1, 2, 3, 3, 0]);
  });
});

describe('the report range in POST /jobs', () => {
  const parse = (from: string, to: string) => createJobSchema.safeParse({ type: 'orders.report', from, to });

  it('takes calendar days', () => {
    expect(parse('2024-02-29', '2024-03-01').success).toBe(true);
  });

  it.each([['2026-02-30'], ['2026-13-01'], ['2026-1-01'], ['yesterday']])('refuses %s', (bad) => {
    expect(parse(bad, '2026-12-31').success).toBe(false);
  });
});
