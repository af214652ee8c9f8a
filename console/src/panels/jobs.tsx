import { useEffect, useState } from 'preact/hooks';
import { Alert } from '../alert';
import type { PanelProps } from '../panel';
import { useAction } from '../use-async';

interface Job {
  readonly jobId: string;
  readonly type: string;
  readonly status: string;
  readonly progress: { done: number; total: number };
  readonly result?: Record<string, unknown>;
  readonly error?: { code: string; message: string };
  readonly createdAt: string;
}

const today = () => new Date().toISOString().slice(0, 10);
const EXAMPLE_IMPORT = JSON.stringify(
  [{ items: [{ sku: 'WIDGET-1', quantity: 1 }], note: 'imported' }],
  null,
  2,
);

/** The tenant's jobs: start a report or an import; their status follows the live socket. */
export function JobsPanel({ api, onLive }: PanelProps) {
  const [jobs, setJobs] = useState<readonly Job[]>([]);
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const [orders, setOrders] = useState(EXAMPLE_IMPORT);
  const { busy, error, run } = useAction();

  const upsert = (job: Job) =>
    setJobs((current) =>
      current.some((j) => j.jobId === job.jobId)
        ? current.map((j) => (j.jobId === job.jobId ? job : j))
        : [job, ...current],
    );

  useEffect(() => {
    void run(async () => setJobs((await api<{ items: Job[] }>('GET', '/jobs?limit=20')).items));
  }, [api, run]);
  useEffect(
    () =>
      onLive((change) => {
        if (change.type === 'job') void api<Job>('GET', `/jobs/${change.id}`).then(upsert);
      }),
    [api, onLive],
  );

  const create = (body: unknown) =>
    run(async () => {
      const created = await api<Job>('POST', '/jobs', body, { 'idempotency-key': crypto.randomUUID() });
      upsert(await api<Job>('GET', `/jobs/${created.jobId}`));
    });

  return (
    <section aria-labelledby="jobs-heading">
      <h2 id="jobs-heading">Jobs</h2>
      <form
        class="row"
        aria-label="Order report"
        onSubmit={(event) => {
          event.preventDefault();
          void create({ type: 'orders.report', from, to });
        }}
      >
        <label>
          From
          <input type="date" value={from} required onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} required onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={busy}>
          Start report
        </button>
      </form>
      <form
        aria-label="Order import"
        onSubmit={(event) => {
          event.preventDefault();
          let parsed: unknown;
          try {
            parsed = JSON.parse(orders);
          } catch {
            void run(() => Promise.reject(new Error('the orders to import are not JSON')));
            return;
          }
          void create({ type: 'orders.import', orders: parsed });
        }}
      >
        <label>
          Orders to import (a JSON array of orders)
          <textarea rows={4} value={orders} onInput={(e) => setOrders(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={busy}>
          Start import
        </button>
      </form>
      <Alert message={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody aria-live="polite">
          {jobs.map((job) => (
            <tr key={job.jobId} data-job-id={job.jobId}>
              <td>{job.jobId}</td>
              <td>{job.type}</td>
              <td class="status">{job.status}</td>
              <td>
                {job.progress.done}/{job.progress.total}
              </td>
              <td>{job.error ? job.error.message : job.result ? JSON.stringify(job.result) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
