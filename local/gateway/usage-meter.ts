import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QuotaSettings, ThrottleSettings } from '../api-keys/api-key-store';

/** A token bucket: `burstLimit` tokens, refilled at `rateLimit` per second; it starts full. */
class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.updatedAt = now;
  }

  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.rate);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

function periodStart(period: QuotaSettings['period'], now: number): number {
  const d = new Date(now);
  if (period === 'DAY') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'MONTH') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  // Weeks start on Monday (UTC).
  const day = (d.getUTCDay() + 6) % 7;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day);
}

/**
 * Throttling buckets, quota counters and daily usage records, keyed by whoever calls (a stage method, or a
 * usage plan + key + method). `now` is injectable so tests can move time without waiting.
 */
/**
 * A quota counter for one quota period. `adjustment` is what UpdateUsage's `replace /remaining` added to the
 * period's recorded requests from `day` on, so GetUsage's remaining agrees with the counter the gateway enforces.
 */
interface QuotaEntry {
  windowStart: number;
  used: number;
  adjustment?: { readonly day: string; readonly offset: number };
}

export class UsageMeter {
  private readonly buckets = new Map<string, { bucket: TokenBucket; signature: string }>();
  private readonly quotas = new Map<string, QuotaEntry>();
  /** Requests counted per client (`plan/key`) and UTC day (`YYYY-MM-DD`): the usage records GetUsage reads. */
  private readonly days = new Map<string, Map<string, number>>();

  /** Where quota counters are kept (`--persist`); undefined: in memory. */
  private file: string | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Keeps quota counters in `<dir>/quotas.json`, starting from what it holds, so a restart does not hand every
   * key a fresh quota. Each counted request is written before it is let through (write then rename). Token
   * buckets are not kept: they refill within seconds anyway.
   */
  persistQuotasIn(dir: string): void {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'quotas.json');
    if (!existsSync(this.file)) return;
    const persisted = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, QuotaEntry>;
    for (const [id, entry] of Object.entries(persisted)) this.quotas.set(id, entry);
    const usageFile = join(dir, 'usage.json');
    if (!existsSync(usageFile)) return;
    const days = JSON.parse(readFileSync(usageFile, 'utf8')) as Record<string, Record<string, number>>;
    for (const [id, counts] of Object.entries(days)) this.days.set(id, new Map(Object.entries(counts)));
  }

  private saveQuotas(): void {
    if (this.file === undefined) return;
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, JSON.stringify(Object.fromEntries(this.quotas)));
    renameSync(temporary, this.file);
    const usageFile = join(this.file, '..', 'usage.json');
    const days = Object.fromEntries([...this.days].map(([id, counts]) => [id, Object.fromEntries(counts)]));
    writeFileSync(`${usageFile}.tmp`, JSON.stringify(days));
    renameSync(`${usageFile}.tmp`, usageFile);
  }

  private record(id: string): void {
    const day = new Date(this.now()).toISOString().slice(0, 10);
    const counts = this.days.get(id) ?? new Map<string, number>();
    counts.set(day, (counts.get(day) ?? 0) + 1);
    this.days.set(id, counts);
  }

  /**
   * GetUsage's daily log for the client `id` from `startDate` to `endDate` (UTC days, `YYYY-MM-DD`, both
   * included): per day `[used, remaining]`, the remaining quota being what was left of the day's quota period
   * at the end of that day (0 when the plan has no quota, as API Gateway reports it).
   */
  usage(
    id: string,
    quota: QuotaSettings | undefined,
    startDate: string,
    endDate: string,
  ): [number, number][] {
    const counts = this.days.get(id) ?? new Map<string, number>();
    const log: [number, number][] = [];
    const end = Date.parse(`${endDate}T00:00:00Z`);
    for (let day = Date.parse(`${startDate}T00:00:00Z`); day <= end; day += 86_400_000) {
      const used = counts.get(new Date(day).toISOString().slice(0, 10)) ?? 0;
      if (quota === undefined) {
        log.push([used, 0]);
        continue;
      }
      const start = periodStart(quota.period, day);
      let usedInPeriod = this.recordedInPeriod(counts, start, day);
      const entry = this.quotas.get(id);
      const adjustment = entry?.windowStart === start ? entry.adjustment : undefined;
      if (adjustment && new Date(day).toISOString().slice(0, 10) >= adjustment.day) {
        usedInPeriod += adjustment.offset;
      }
      log.push([used, Math.max(0, quota.limit - usedInPeriod)]);
    }
    return log;
  }

  private recordedInPeriod(counts: ReadonlyMap<string, number>, start: number, day: number): number {
    let used = 0;
    for (let d = start; d <= day; d += 86_400_000)
      used += counts.get(new Date(d).toISOString().slice(0, 10)) ?? 0;
    return used;
  }

  /**
   * UpdateUsage's `replace /remaining`: the quota `id` has `remaining` requests left in the current period (more
   * than the limit grants an extension). The gateway enforces it at once and GetUsage reports it from today on;
   * the requests already recorded are not rewritten (their daily counts stay what they were). The next period
   * starts from the plan's limit again. An adjustment of an earlier period is not kept once a new one starts.
   */
  setRemaining(id: string, quota: QuotaSettings, remaining: number): void {
    const now = this.now();
    const windowStart = periodStart(quota.period, now);
    const today = new Date(now).toISOString().slice(0, 10);
    const todayStart = Date.parse(`${today}T00:00:00Z`);
    const recorded = this.recordedInPeriod(this.days.get(id) ?? new Map(), windowStart, todayStart);
    const used = quota.limit - remaining;
    this.quotas.set(id, { windowStart, used, adjustment: { day: today, offset: used - recorded } });
    this.saveQuotas();
  }

  /** Takes one token from the bucket `id`; false means throttled. No limits means no throttling. */
  take(id: string, settings: ThrottleSettings | undefined): boolean {
    if (!settings || (settings.rateLimit === undefined && settings.burstLimit === undefined)) return true;
    const rate = Math.max(0, settings.rateLimit ?? settings.burstLimit ?? 0);
    const capacity = Math.max(0, settings.burstLimit ?? Math.ceil(rate));
    // A changed limit (e.g. a redeploy) starts a fresh bucket.
    const signature = `${rate}/${capacity}`;
    let entry = this.buckets.get(id);
    if (!entry || entry.signature !== signature) {
      entry = { bucket: new TokenBucket(rate, capacity, this.now()), signature };
      this.buckets.set(id, entry);
    }
    return entry.bucket.take(this.now());
  }

  /** Counts one request against the quota `id`; false means the quota for this period is used up. */
  consume(id: string, quota: QuotaSettings | undefined): boolean {
    if (!quota) {
      this.record(id);
      this.saveQuotas();
      return true;
    }
    const windowStart = periodStart(quota.period, this.now());
    const entry = this.quotas.get(id);
    const current = entry && entry.windowStart === windowStart ? entry : { windowStart, used: 0 };
    this.quotas.set(id, current);
    if (current.used >= quota.limit) return false;
    current.used += 1;
    this.record(id);
    this.saveQuotas();
    return true;
  }
}
