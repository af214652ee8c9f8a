import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamLog } from '../../dynamodb-streams/stream-log';
import { StreamPoller } from '../../dynamodb-streams/stream-poller';
import { CheckpointStore } from '../../event-sources/checkpoints';
import type { EventSourceMapping } from '../../event-sources/event-source-mapping';

const ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/1';
const DAY_MS = 24 * 60 * 60 * 1000;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-streams-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const key = (id: string) => ({ PK: { S: id } });
const sequences = (log: StreamLog) => log.read(0n, 100).map((r) => r.dynamodb.SequenceNumber);

describe('a stream log kept in a file', () => {
  it('reads back every record after a restart and numbers new ones after them', () => {
    const file = join(dir, 'stream.jsonl');
    const before = new StreamLog(ARN, 'NEW_IMAGE', 'us-east-1', Date.now, file);
    const first = before.append('INSERT', key('a'), undefined, key('a'));
    before.append('MODIFY', key('a'), key('a'), { ...key('a'), n: { N: '1' } });
    // No close: the process is killed.

    const after = new StreamLog(ARN, 'NEW_IMAGE', 'us-east-1', Date.now, file);
    expect(after.read(0n, 10)[0]).toEqual(first);
    const third = after.append('REMOVE', key('a'), key('a'), undefined);
    expect(sequences(after)).toEqual([
      '000000000000000000001',
      '000000000000000000002',
      third.dynamodb.SequenceNumber,
    ]);
    expect(third.dynamodb.SequenceNumber).toBe('000000000000000000003');
    after.close();
  });

  it('drops a partial last line (a kill in the middle of an append, never acknowledged) and records after it', () => {
    const file = join(dir, 'stream.jsonl');
    const log = new StreamLog(ARN, 'KEYS_ONLY', 'us-east-1', Date.now, file);
    log.append('INSERT', key('a'), undefined, key('a'));
    log.close();
    appendFileSync(file, '{"at":1,"record":{"eventID":"cut');

    const after = new StreamLog(ARN, 'KEYS_ONLY', 'us-east-1', Date.now, file);
    after.append('INSERT', key('b'), undefined, key('b'));
    after.close();
    const reread = new StreamLog(ARN, 'KEYS_ONLY', 'us-east-1', Date.now, file);
    expect(sequences(reread)).toEqual(['000000000000000000001', '000000000000000000002']);
    reread.close();
  });

  it('keeps no record older than the 24 hours DynamoDB Streams keep, in memory or in the file', () => {
    const file = join(dir, 'stream.jsonl');
    let now = Date.parse('2026-01-01T00:00:00Z');
    const log = new StreamLog(ARN, 'KEYS_ONLY', 'us-east-1', () => now, file);
    log.append('INSERT', key('old'), undefined, key('old'));
    now += DAY_MS / 2;
    log.append('INSERT', key('new'), undefined, key('new'));
    log.close();

    now += DAY_MS * 0.75;
    const after = new StreamLog(ARN, 'KEYS_ONLY', 'us-east-1', () => now, file);
    expect(sequences(after)).toEqual(['000000000000000000002']);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
    after.close();
  });
});

describe('event-source mapping checkpoints', () => {
  it('survive a new store on the same directory, and are replaced whole', () => {
    const store = new CheckpointStore(dir);
    store.save('Stack/Mapping', ARN, 41n);
    store.save('Stack/Mapping', ARN, 42n);

    expect(new CheckpointStore(dir).load('Stack/Mapping', ARN)).toBe(42n);
    expect(JSON.parse(readFileSync(join(dir, 'checkpoints.json'), 'utf8'))).toEqual({
      'Stack/Mapping': { eventSourceArn: ARN, position: '42' },
    });
  });

  it('are not applied to a mapping that now reads another stream', () => {
    new CheckpointStore(dir).save('Stack/Mapping', ARN, 7n);
    expect(new CheckpointStore(dir).load('Stack/Mapping', `${ARN}-other`)).toBeUndefined();
  });

  it('live in memory only without a directory', () => {
    const store = new CheckpointStore();
    store.save('Stack/Mapping', ARN, 3n);
    expect(store.load('Stack/Mapping', ARN)).toBe(3n);
  });
});

describe('a stream poller restarted on a persisted log and checkpoint', () => {
  const mapping = {
    stackName: 'Stack',
    logicalId: 'Mapping',
    uuid: 'u',
    functionName: 'fn',
    eventSourceArn: ARN,
    enabled: true,
    batchSize: 2,
    batchingWindowSeconds: 0,
    reportsBatchItemFailures: false,
    filter: { matches: () => true },
    startingPosition: 'TRIM_HORIZON',
    bisectOnError: false,
    maximumRetryAttempts: -1,
    maximumRecordAgeSeconds: -1,
    parallelizationFactor: 1,
  } as unknown as EventSourceMapping;

  /** Runs a poller until it has delivered `count` records (or stops when `stopAfter` batches are done). */
  async function consume(file: string, count: number): Promise<string[]> {
    const log = new StreamLog(ARN, 'KEYS_ONLY', 'us-east-1', Date.now, file);
    const delivered: string[] = [];
    let enough: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      enough = resolve;
    });
    const poller = new StreamPoller({
      mapping,
      log,
      checkpoints: new CheckpointStore(dir),
      invoker: {
        invoke: async (_fn, event) => {
          delivered.push(
            ...(event as { Records: Array<{ dynamodb: { Keys: { PK: { S: string } } } }> }).Records.map(
              (r) => r.dynamodb.Keys.PK.S,
            ),
          );
          if (delivered.length >= count) enough();
          return {};
        },
      },
    });
    poller.start();
    await done;
    await poller.stop();
    log.close();
    return delivered;
  }

  it('delivers what it had not reached, and nothing it had finished, after a restart', async () => {
    const file = join(dir, 'stream.jsonl');
    const writer = new StreamLog(ARN, 'KEYS_ONLY', 'us-east-1', Date.now, file);
    for (const id of ['a', 'b', 'c', 'd']) writer.append('INSERT', key(id), undefined, key(id));
    writer.close();

    expect(await consume(file, 2)).toEqual(['a', 'b']);
    const more = new StreamLog(ARN, 'KEYS_ONLY', 'us-east-1', Date.now, file);
    more.append('INSERT', key('e'), undefined, key('e'));
    more.close();
    expect(await consume(file, 3)).toEqual(['c', 'd', 'e']);
  });

  it('starts at the starting position when its checkpoint is past the end of the log (the log was removed)', async () => {
    new CheckpointStore(dir).save('Stack/Mapping', ARN, 99n);
    const file = join(dir, 'stream.jsonl');
    writeFileSync(file, '');
    const writer = new StreamLog(ARN, 'KEYS_ONLY', 'us-east-1', Date.now, file);
    writer.append('INSERT', key('a'), undefined, key('a'));
    writer.close();
    expect(await consume(file, 1)).toEqual(['a']);
  });
});
