import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { streamChange } from '../../services/broadcaster/stream-changes';
import { type Job, jobCodec } from '../../shared/codecs/job-codec';

/**
 * The broadcaster's stream filter selects items by their stored entity name, and its decoder needs a status and
 * a version: the items the jobs API and worker write must carry both, or job changes never reach a socket.
 */
const TENANT = 'tabcdefghjkmnpqrs';
const job: Job = {
  jobId: '01JC8Z4Q7ZJ6W9W1Q2Y3X4V5T6',
  type: 'orders.report',
  status: 'queued',
  progress: { done: 0, total: 1 },
  parameters: { from: '2026-01-01', to: '2026-01-31' },
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
  deadline: '2026-12-01T10:15:00.000Z',
  createdBy: 'user-1',
  attempts: 0,
};

function insertOf(item: Record<string, unknown>): DynamoDBRecord {
  const image = marshall(item, { removeUndefinedValues: true }) as NonNullable<
    NonNullable<DynamoDBRecord['dynamodb']>['NewImage']
  >;
  return {
    eventName: 'INSERT',
    dynamodb: {
      Keys: { PK: image.PK ?? { S: '' }, SK: image.SK ?? { S: '' } },
      NewImage: image,
      SequenceNumber: '1',
    },
  };
}

describe('job items as the broadcaster reads them from the stream', () => {
  it('name their entity "job" and start at version 1', () => {
    const item = jobCodec.toItem(TENANT, job);
    expect(item.entity).toBe('job');
    expect(item.version).toBe(1);
  });

  it('become a job change message for the tenant of their own partition key', () => {
    expect(streamChange(insertOf(jobCodec.toItem(TENANT, job)))).toEqual({
      kind: 'change',
      sequenceNumber: '1',
      tenantId: TENANT,
      message: { type: 'job', id: job.jobId, status: 'queued', version: 1, at: job.updatedAt },
    });
  });
});
