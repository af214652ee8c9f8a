import { useEffect, useState } from 'preact/hooks';
import { Alert } from '../alert';
import type { PanelProps } from '../panel';
import { useAction } from '../use-async';

/** The pre-signed POST a 202 of an upload import carries: `fields` first, the file last. */
interface UploadForm {
  readonly url: string;
  readonly fields: Record<string, string>;
}

interface Job {
  readonly jobId: string;
  readonly type: string;
  readonly status: string;
  readonly progress: { done: number; total: number };
  readonly result?: Record<string, unknown>;
  readonly error?: { code: string; message: string };
  readonly createdAt: string;
}

type UploadFormat = 'ndjson' | 'csv';
const formatOf = (file: File): UploadFormat => (/\.csv$/i.test(file.name) ? 'csv' : 'ndjson');

/** Posts `file` with the pre-signed form straight to S3 (the bucket's CORS allows the console's origin). */
async function postToS3(upload: UploadForm, file: File): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', file);
  const response = await fetch(upload.url, { method: 'POST', body: form }).catch(() => {
    throw new Error('the upload did not reach the files bucket (offline, or its CORS refuses this origin)');
  });
  if (!response.ok) {
    const text = await response.text();
    throw new Error(
      `the files bucket refused the upload (${response.status}): ${/<Message>([^<]*)/.exec(text)?.[1] ?? text}`,
    );
  }
}

/**
 * Saves a report: the API answers its pre-signed link as JSON (asked with `Accept: application/json`: a page's
 * fetch cannot follow the 303 itself, the redirect would reach S3 with `Origin: null`), the page fetches the CSV
 * from S3 with its own origin, and hands it to the browser as a download.
 */
async function downloadReport(api: PanelProps['api'], jobId: string): Promise<void> {
  const { url } = await api<{ url: string }>('GET', `/jobs/${jobId}/result`, undefined, {
    accept: 'application/json',
  });
  const response = await fetch(url).catch(() => {
    throw new Error('the report could not be fetched from the files bucket (offline, or the link expired)');
  });
  if (!response.ok) throw new Error(`the files bucket refused the report (${response.status})`);
  const name =
    /filename="([^"]+)"/.exec(new URL(url).searchParams.get('response-content-disposition') ?? '')?.[1] ??
    `report-${jobId}.csv`;
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
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
  const [file, setFile] = useState<File | undefined>();
  const { busy, error, run } = useAction();

  const upsert = (job: Job) =>
    setJobs((current) =>
      current.some((j) => j.jobId === job.jobId)
        ? current.map((j) => (j.jobId === job.jobId ? job : j))
        : [job, ...current],
    );

  useEffect(() => {
    void run(async () => {
      const { items } = await api<{ items: Job[] }>('GET', '/jobs?limit=20');
      // A job started while the list was loading stays on top.
      setJobs((current) => [...current.filter((j) => !items.some((i) => i.jobId === j.jobId)), ...items]);
    });
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

  const upload = (chosen: File) =>
    run(async () => {
      const created = await api<Job & { upload: UploadForm }>(
        'POST',
        '/jobs',
        { type: 'orders.import', source: 'upload', format: formatOf(chosen) },
        { 'idempotency-key': crypto.randomUUID() },
      );
      upsert(await api<Job>('GET', `/jobs/${created.jobId}`));
      await postToS3(created.upload, chosen);
      // Its arrival starts the job; the socket reports it, and one read now catches a change made before that.
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
      <form
        class="row"
        aria-label="Import a file"
        onSubmit={(event) => {
          event.preventDefault();
          if (file !== undefined) void upload(file);
        }}
      >
        <label>
          Import file (NDJSON, or CSV ending in .csv)
          <input
            type="file"
            accept=".ndjson,.jsonl,.json,.csv,application/x-ndjson,text/csv"
            required
            onChange={(e) => setFile(e.currentTarget.files?.[0])}
          />
        </label>
        <button type="submit" disabled={busy || file === undefined}>
          Upload and import
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
              <td>
                {job.error ? job.error.message : job.result ? JSON.stringify(job.result) : ''}
                {job.type === 'orders.report' && job.status === 'succeeded' ? (
                  <button
                    type="button"
                    aria-label={`Download report ${job.jobId}`}
                    disabled={busy}
                    onClick={() => void run(() => downloadReport(api, job.jobId))}
                  >
                    Download
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
