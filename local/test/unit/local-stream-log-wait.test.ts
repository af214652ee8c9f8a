import { StreamLog } from '../../dynamodb-streams/stream-log';

const ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/1';

describe('waiting for stream records', () => {
  it('hands Node no negative delay when the deadline has already passed (Node warns, then waits 1 ms)', async () => {
    const timers = jest.spyOn(global, 'setTimeout');
    try {
      const log = new StreamLog(ARN, 'KEYS_ONLY', 'us-east-1');
      await log.waitForRecords(-30, new AbortController().signal);
      expect(timers.mock.calls.map(([, ms]) => ms)).toEqual([0]);
    } finally {
      timers.mockRestore();
    }
  });

  it('resolves as soon as a record is appended', async () => {
    const log = new StreamLog(
      'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/1',
      'KEYS_ONLY',
      'us-east-1',
    );
    const waited = log.waitForRecords(60_000, new AbortController().signal);
    log.append('INSERT', { PK: { S: 'a' } }, undefined, { PK: { S: 'a' } });
    await expect(waited).resolves.toBeUndefined();
  });
});
