import { UsageMeter } from '../../gateway/usage-meter';

describe('usage meter', () => {
  it('lets a burst through, throttles, then refills at the rate limit', () => {
    let now = Date.UTC(2026, 0, 1);
    const meter = new UsageMeter(() => now);
    const limits = { rateLimit: 2, burstLimit: 2 };
    expect([meter.take('k', limits), meter.take('k', limits), meter.take('k', limits)]).toEqual([
      true,
      true,
      false,
    ]);
    now += 500;
    expect(meter.take('k', limits)).toBe(true);
    expect(meter.take('k', limits)).toBe(false);
  });

  it('keeps separate buckets per caller and never throttles without limits', () => {
    const meter = new UsageMeter(() => 0);
    const limits = { rateLimit: 1, burstLimit: 1 };
    expect(meter.take('a', limits)).toBe(true);
    expect(meter.take('b', limits)).toBe(true);
    expect(meter.take('a', undefined)).toBe(true);
  });

  it('counts a quota per period and starts again in the next period', () => {
    let now = Date.UTC(2026, 0, 1, 23, 0);
    const meter = new UsageMeter(() => now);
    const quota = { limit: 1, period: 'DAY' as const, offset: 0 };
    expect(meter.consume('k', quota)).toBe(true);
    expect(meter.consume('k', quota)).toBe(false);
    now = Date.UTC(2026, 0, 2, 0, 1);
    expect(meter.consume('k', quota)).toBe(true);
  });

  it("sets a quota's remaining for the current period only (UpdateUsage): enforced, reported from that day, reset next period", () => {
    let now = Date.UTC(2026, 0, 10, 12, 0);
    const meter = new UsageMeter(() => now);
    const quota = { limit: 10, period: 'MONTH' as const, offset: 0 };
    for (let i = 0; i < 3; i += 1) meter.consume('k', quota);
    now = Date.UTC(2026, 0, 11, 12, 0);
    meter.setRemaining('k', quota, 4);
    expect(meter.usage('k', quota, '2026-01-10', '2026-01-11')).toEqual([
      [3, 7],
      [0, 4],
    ]);
    for (let i = 0; i < 4; i += 1) expect(meter.consume('k', quota)).toBe(true);
    expect(meter.consume('k', quota)).toBe(false);
    expect(meter.usage('k', quota, '2026-01-11', '2026-01-11')).toEqual([[4, 0]]);
    now = Date.UTC(2026, 1, 1, 0, 1);
    expect(meter.consume('k', quota)).toBe(true);
    expect(meter.usage('k', quota, '2026-02-01', '2026-02-01')).toEqual([[1, 9]]);
  });
});
