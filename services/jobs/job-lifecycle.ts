import { type Job, UNFINISHED_JOB_STATUSES } from '../../shared/codecs/job-codec';

/**
 * How long a job may take from creation to completion before it is reported `failed: timed out`. It must
 * outlast every delivery the queue makes (maxReceiveCount × visibility timeout, checked at synth by
 * infra/jobs.ts), so only a job nobody can finish any more times out.
 */
export const JOB_DEADLINE_SECONDS = 60 * 60;

/** What clients see of a job. */
export interface JobView {
  readonly jobId: string;
  readonly type: Job['type'];
  readonly status: Job['status'];
  readonly progress: Job['progress'];
  readonly result?: Record<string, unknown>;
  readonly error?: NonNullable<Job['error']>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The reason a job past its deadline shows. */
export const TIMED_OUT = { code: 'TimedOut', message: 'timed out' } as const;

/** Whether `job` is unfinished and past its deadline at `now` (ms). */
export function isOverdue(job: Job, now: number): boolean {
  return UNFINISHED_JOB_STATUSES.includes(job.status) && Date.parse(job.deadline) <= now;
}

/**
 * The client's view of a stored job at `now` (ms). An unfinished job past its deadline is reported failed even
 * before a worker writes it so (a worker that died on the last delivery never will), so no job stays `running`.
 */
export function jobView(job: Job, now: number): JobView {
  const base = {
    jobId: job.jobId,
    type: job.type,
    progress: job.progress,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
  if (isOverdue(job, now)) return { ...base, status: 'failed', error: TIMED_OUT };
  return {
    ...base,
    status: job.status,
    ...(job.result !== undefined ? { result: job.result } : {}),
    ...(job.error !== undefined ? { error: job.error } : {}),
  };
}
