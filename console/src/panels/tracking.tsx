import { useEffect, useState } from 'preact/hooks';
import type { ConsoleConfig } from '../../console-config';
import { Alert } from '../alert';
import { jsonApi } from '../api';
import { useAction } from '../use-async';

interface TrackingView {
  readonly status: string;
  readonly timeline: ReadonlyArray<{ type: string; occurredAt: string; carrier?: string }>;
}

/** An order's public tracking page (`GET /public/track/{trackingId}`: its status and carrier events only). */
export function Tracking({
  config,
  trackingId,
}: {
  readonly config: ConsoleConfig;
  readonly trackingId: string;
}) {
  const [view, setView] = useState<TrackingView | undefined>();
  const { error, run } = useAction();
  useEffect(() => {
    void run(async () =>
      setView(
        await jsonApi(config.publicApiUrl)<TrackingView>(
          'GET',
          `/public/track/${encodeURIComponent(trackingId)}`,
        ),
      ),
    );
  }, [config, trackingId, run]);
  return (
    <main>
      <h1>Order tracking</h1>
      <Alert message={error} />
      {view === undefined ? null : (
        <>
          <p>
            Status: <strong class="status">{view.status}</strong>
          </p>
          <ol aria-label="Carrier events">
            {view.timeline.map((entry) => (
              <li key={`${entry.occurredAt}-${entry.type}`}>
                {entry.occurredAt}: {entry.type}
                {entry.carrier ? ` (${entry.carrier})` : ''}
              </li>
            ))}
          </ol>
        </>
      )}
    </main>
  );
}
