import { useEffect, useState } from 'preact/hooks';
import { Alert } from '../alert';
import type { PanelProps } from '../panel';
import { useAction } from '../use-async';

interface Usage {
  readonly tier: string;
  readonly plan: { readonly name: string };
  readonly throttle: { readonly rateLimit?: number; readonly burstLimit?: number };
  readonly quota?: {
    readonly limit: number;
    readonly period: string;
    readonly periodStart: string;
    readonly asOf: string;
    readonly used: number;
    readonly remaining: number;
  };
}

/** The tenant's plan and how much of its quota this period has used (`GET /usage`). */
export function UsagePanel({ api }: PanelProps) {
  const [usage, setUsage] = useState<Usage | undefined>();
  const { error, run } = useAction();
  useEffect(() => {
    void run(async () => setUsage(await api<Usage>('GET', '/usage')));
  }, [api, run]);
  return (
    <section aria-labelledby="usage-heading">
      <h2 id="usage-heading">Usage</h2>
      <Alert message={error} />
      {usage === undefined ? null : (
        <dl>
          <dt>Tier</dt>
          <dd class="tier">{usage.tier}</dd>
          <dt>Plan</dt>
          <dd>{usage.plan.name}</dd>
          <dt>Throttle</dt>
          <dd>
            {usage.throttle.rateLimit ?? '–'} requests/s, bursts of {usage.throttle.burstLimit ?? '–'}
          </dd>
          {usage.quota === undefined ? null : (
            <>
              <dt>Quota ({usage.quota.period.toLowerCase()})</dt>
              <dd>
                <meter
                  id="quota"
                  min={0}
                  max={usage.quota.limit}
                  value={usage.quota.used}
                  aria-label="Quota used"
                />{' '}
                <span class="quota">
                  {usage.quota.used} of {usage.quota.limit} used since {usage.quota.periodStart} (
                  {usage.quota.remaining} left)
                </span>
              </dd>
            </>
          )}
        </dl>
      )}
    </section>
  );
}
