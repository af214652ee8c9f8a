import {
  authorizerInvocation,
  noteAuthorizerCacheHit,
  noteInvocation,
  noteRouteKey,
  noteStageCache,
  noteStatus,
  openTraceCount,
  type RequestRecord,
  traceRequest,
} from '../../request-records';

const start = { kind: 'REST API', api: 'Api', method: 'GET', path: '/prod/x' } as const;

describe('request records', () => {
  it('closes the trace of a request that fails outright, as of one that answers', async () => {
    const before = openTraceCount();
    await traceRequest(
      () => undefined,
      start,
      async () => 200,
    );
    await expect(
      traceRequest(
        () => undefined,
        start,
        async () => {
          throw new Error('gateway bug');
        },
      ),
    ).rejects.toThrow('gateway bug');
    expect(openTraceCount()).toBe(before);
  });

  it('attributes the functions a request runs, its authorizer apart, and the cache outcomes', async () => {
    const records: RequestRecord[] = [];
    await traceRequest(
      (record) => records.push(record),
      start,
      async () => {
        await authorizerInvocation(async () => noteInvocation('AuthFn'));
        noteStageCache('miss');
        await Promise.resolve();
        noteInvocation('HandlerFn');
        return 200;
      },
    );
    expect(records).toEqual([
      expect.objectContaining({
        ...start,
        status: 200,
        functions: ['HandlerFn'],
        authorizer: { cache: 'miss', functionName: 'AuthFn' },
        stageCache: 'miss',
      }),
    ]);
  });

  it('records a cached authorizer result as a hit, and a noted status and route key over the defaults', async () => {
    const records: RequestRecord[] = [];
    await traceRequest(
      (record) => records.push(record),
      { ...start, method: 'MESSAGE' },
      async () => {
        noteAuthorizerCacheHit();
        noteRouteKey('sendMessage');
        noteStatus(403);
        return 200;
      },
    );
    expect(records[0]).toMatchObject({ method: 'sendMessage', status: 403, authorizer: { cache: 'hit' } });
    expect(records[0]?.stageCache).toBeUndefined();
  });

  it('keeps concurrent requests apart, and ignores notes made outside any request', async () => {
    const records: RequestRecord[] = [];
    const run = (path: string, fn: string) =>
      traceRequest(
        (record) => records.push(record),
        { ...start, path },
        async () => {
          await new Promise((done) => setImmediate(done));
          noteInvocation(fn);
          return 200;
        },
      );
    noteInvocation('Outside');
    await Promise.all([run('/a', 'A'), run('/b', 'B')]);
    expect(Object.fromEntries(records.map((record) => [record.path, record.functions]))).toEqual({
      '/a': ['A'],
      '/b': ['B'],
    });
  });
});
