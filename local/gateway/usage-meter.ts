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
 * Throttling buckets and quota counters, keyed by whoever calls (a stage method, or a usage plan + key +
 * method). `now` is injectable so tests can move time without waiting.
 */
export class UsageMeter {
  private readonly buckets = new Map<string, { bucket: TokenBucket; signature: string }>();
  private readonly quotas = new Map<string, { windowStart: number; used: number }>();

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
    const persisted = JSON.parse(readFileSync(this.file, 'utf8')) as Record<
      string,
      { windowStart: number; used: number }
    >;
    for (const [id, entry] of Object.entries(persisted)) this.quotas.set(id, entry);
  }

  private saveQuotas(): void {
    if (this.file === undefined) return;
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, JSON.stringify(Object.fromEntries(this.quotas)));
    renameSync(temporary, this.file);
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
    if (!quota) return true;
    const windowStart = periodStart(quota.period, this.now());
    const entry = this.quotas.get(id);
    const current = entry && entry.windowStart === windowStart ? entry : { windowStart, used: 0 };
    this.quotas.set(id, current);
    if (current.used >= quota.limit) return false;
    current.used += 1;
    this.saveQuotas();
    return true;
  }
}
