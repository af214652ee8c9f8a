import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  createLambdaRuntime,
  type InvocationReport,
  LambdaFunctionError,
  type LambdaRuntime,
  type LambdaRuntimeOptions,
  type LocalFunction,
} from '../../lambda';
import { LambdaInvocationError } from '../../model';

const ARN_PREFIX = 'arn:aws:lambda:eu-west-1:123456789012:function:';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Handler sources, by path relative to the code directory. */
const SOURCES: Record<string, string> = {
  'env/index.js': `
    exports.handler = async (event) => {
      if (event.set) process.env.SET_BY_HANDLER = event.set;
      return {
        color: process.env.COLOR,
        setByHandler: process.env.SET_BY_HANDLER ?? null,
        parentOnly: process.env.PARENT_ONLY ?? null,
        region: process.env.AWS_REGION,
        name: process.env.AWS_LAMBDA_FUNCTION_NAME,
        memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
        version: process.env.AWS_LAMBDA_FUNCTION_VERSION,
        executionEnv: process.env.AWS_EXECUTION_ENV,
        taskRoot: process.env.LAMBDA_TASK_ROOT,
        handler: process.env._HANDLER,
        tz: process.env.TZ,
        traceHeader: process.env._X_AMZN_TRACE_ID,
      };
    };`,
  'context/index.js': `
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    exports.handler = async (event, context) => {
      const first = context.getRemainingTimeInMillis();
      await sleep(30);
      const second = context.getRemainingTimeInMillis();
      const { getRemainingTimeInMillis, done, succeed, fail, ...fields } = context;
      return { fields, first, second };
    };`,
  'slow/index.js': `
    let invocations = 0;
    exports.handler = async (event) => {
      invocations += 1;
      if (event.hang) await new Promise(() => {});
      return { invocations };
    };`,
  'errors/index.js': `
    class OrderRejected extends Error { constructor(m) { super(m); this.name = 'OrderRejected'; } }
    let invocations = 0;
    exports.handler = async (event) => {
      invocations += 1;
      if (event.kind === 'throw') throw new TypeError('bad input');
      if (event.kind === 'reject') return Promise.reject(new OrderRejected('no stock'));
      if (event.kind === 'string') throw 'plain string';
      if (event.kind === 'bigint') return { big: 10n };
      return { invocations };
    };`,
  'crash/index.js': `
    let invocations = 0;
    exports.handler = async (event) => {
      invocations += 1;
      if (event.kind === 'exit') process.exit(3);
      if (event.kind === 'uncaught') {
        setTimeout(() => { throw new RangeError('late failure'); }, 1);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      return { invocations };
    };`,
  'oom/index.js': `
    const kept = [];
    exports.handler = async () => { for (;;) kept.push(new Array(1e6).fill(Math.random())); };`,
  'counter/index.js': `
    let count = 0;
    exports.handler = async () => ({ count: ++count });`,
  'pool/index.js': `
    const environmentId = Math.random().toString(36).slice(2);
    exports.handler = async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { environmentId };
    };`,
  'esm/app.mjs': `
    const loadedAt = 'esm';
    export const handler = async (event) => ({ format: loadedAt, echo: event });`,
  'cjs/lib/entry.cjs': `
    module.exports.api = { main: async (event) => ({ format: 'cjs', echo: event }) };`,
  'esm-package/package.json': '{"type":"module"}',
  'esm-package/index.js': `
    export async function handler() { return { format: 'esm-in-js' }; }`,
  'callback/index.js': `
    exports.handler = (event, context, callback) => {
      if (event.kind === 'error') return setTimeout(() => callback(new Error('callback failure')), 1);
      if (event.kind === 'succeed') return context.succeed({ via: 'succeed' });
      setTimeout(() => callback(null, { via: 'callback', waits: context.callbackWaitsForEmptyEventLoop }), 1);
    };`,
  'logs/index.js': `
    console.log('loading module');
    exports.handler = async (event, context) => {
      console.log('hello', { tenant: 't-1' });
      console.error('something odd');
      process.stdout.write('partial line without newline');
      return 'ok';
    };`,
  'json/index.js': `
    exports.handler = async (event) => {
      if (event.kind === 'nothing') return undefined;
      return { when: new Date(Date.UTC(2026, 0, 2)), skip: () => 1, missing: undefined, list: [1, undefined] };
    };`,
  'bundle-v1/index.js': `exports.handler = async () => 'bundle v1';`,
  'bundle-v2/index.js': `exports.handler = async () => 'bundle v2';`,
  'broken/index.js': `exports.notTheHandler = async () => 'x';`,
  'syntax/index.js': `exports.handler = async () => {`,
  'init-throws/index.js': `throw new Error('cannot connect at init');`,
};

let root: string;
const runtimes: LambdaRuntime[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'local-lambda-test-'));
  for (const [path, source] of Object.entries(SOURCES)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, source);
  }
});

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function fn(name: string, dir: string, overrides: Partial<LocalFunction> = {}): LocalFunction {
  return {
    functionName: name,
    arn: ARN_PREFIX + name,
    handler: 'index.handler',
    code: { directory: join(root, dir) },
    runtime: 'nodejs24.x',
    memorySize: 128,
    timeout: 3,
    environment: {},
    ...overrides,
  };
}

interface Harness {
  readonly runtime: LambdaRuntime;
  readonly reports: InvocationReport[];
  readonly lines: string[];
}

function start(functions: LocalFunction[], options: LambdaRuntimeOptions = {}): Harness {
  const reports: InvocationReport[] = [];
  const lines: string[] = [];
  const runtime = createLambdaRuntime(functions, {
    log: { write: (text: string) => lines.push(...text.split('\n').filter((line) => line !== '')) },
    onInvoke: (report) => reports.push(report),
    ...options,
  });
  runtimes.push(runtime);
  return { runtime, reports, lines };
}

async function invocationError(promise: Promise<unknown>): Promise<LambdaFunctionError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof LambdaFunctionError))
    throw new Error(`expected a LambdaFunctionError, got ${String(error)}`);
  return error;
}

describe('the local Lambda runtime', () => {
  it("gives each function its own environment variables plus the runtime's, isolated from the parent and each other", async () => {
    const { runtime } = start(
      [
        fn('red', 'env', { environment: { COLOR: 'red' }, memorySize: 256 }),
        fn('blue', 'env', { environment: { COLOR: 'blue' } }),
      ],
      { extraEnv: { AWS_REGION: 'eu-west-1' } },
    );

    process.env.PARENT_ONLY = 'parent';
    const red = await runtime.invoke(`${ARN_PREFIX}red`, { set: 'from-red' }).finally(() => {
      delete process.env.PARENT_ONLY;
    });
    const blue = await runtime.invoke(`${ARN_PREFIX}blue`, {});

    expect(red).toEqual({
      color: 'red',
      setByHandler: 'from-red',
      parentOnly: null,
      region: 'eu-west-1',
      name: 'red',
      memory: '256',
      version: '$LATEST',
      executionEnv: 'AWS_Lambda_nodejs24.x',
      taskRoot: join(root, 'env'),
      handler: 'index.handler',
      tz: 'UTC',
      // As Lambda's runtime does before each invocation; not sampled, as nothing collects traces locally.
      traceHeader: expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/),
    });
    expect(blue).toMatchObject({ color: 'blue', setByHandler: null, name: 'blue', memory: '128' });
    const again = (await runtime.invoke(`${ARN_PREFIX}red`, {})) as { traceHeader: string };
    expect(again.traceHeader).not.toBe((red as { traceHeader: string }).traceHeader);
    expect(process.env.SET_BY_HANDLER).toBeUndefined();
  });

  it("passes a context like Lambda's, with a remaining time that counts down from the timeout", async () => {
    const { runtime } = start([fn('ctx', 'context', { memorySize: 512, timeout: 5 })]);

    const result = (await runtime.invoke(`${ARN_PREFIX}ctx:live`, {})) as {
      fields: Record<string, unknown>;
      first: number;
      second: number;
    };

    expect(result.fields).toEqual({
      awsRequestId: expect.stringMatching(UUID),
      functionName: 'ctx',
      functionVersion: '$LATEST',
      invokedFunctionArn: `${ARN_PREFIX}ctx:live`,
      memoryLimitInMB: '512',
      logGroupName: '/aws/lambda/ctx',
      logStreamName: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/),
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(result.first).toBeLessThanOrEqual(5000);
    expect(result.first).toBeGreaterThan(0);
    expect(result.second).toBeLessThan(result.first);
  });

  it('fails a run past the timeout as TimedOut and starts a fresh environment for the next invocation', async () => {
    const { runtime, reports, lines } = start([fn('slow', 'slow', { timeout: 1 })]);
    await runtime.invoke(`${ARN_PREFIX}slow`, {});

    const error = await invocationError(runtime.invoke(`${ARN_PREFIX}slow`, { hang: true }));
    const after = await runtime.invoke(`${ARN_PREFIX}slow`, {});

    expect(error).toBeInstanceOf(LambdaInvocationError);
    expect(error.errorType).toBe('TimedOut');
    expect(error.message).toBe('Task timed out after 1.00 seconds');
    expect(error.payload.errorType).toBe('Sandbox.Timedout');
    expect(after).toEqual({ invocations: 1 });
    expect(reports.map((report) => [report.coldStart, report.outcome])).toEqual([
      [true, 'success'],
      [false, 'TimedOut'],
      [true, 'success'],
    ]);
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^\\[slow\\] \\S+ ${error.requestId} Task timed out after 1.00 seconds$`),
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`REPORT RequestId: ${error.requestId}\\t.*\\tStatus: timeout$`)),
    );
  });

  it("reports a thrown error or rejected promise as Unhandled with Lambda's error document, keeping the environment warm", async () => {
    const { runtime, reports } = start([fn('errors', 'errors')]);
    const arn = `${ARN_PREFIX}errors`;

    const thrown = await invocationError(runtime.invoke(arn, { kind: 'throw' }));
    const rejected = await invocationError(runtime.invoke(arn, { kind: 'reject' }));
    const stringThrown = await invocationError(runtime.invoke(arn, { kind: 'string' }));
    const next = await runtime.invoke(arn, {});

    expect(thrown.errorType).toBe('Unhandled');
    expect(thrown.message).toBe('bad input');
    expect(thrown.payload).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input' });
    expect(thrown.payload.trace?.[0]).toBe('TypeError: bad input');
    expect(rejected.payload).toMatchObject({ errorType: 'OrderRejected', errorMessage: 'no stock' });
    expect(stringThrown.payload).toEqual({ errorType: 'string', errorMessage: 'plain string' });
    expect(next).toEqual({ invocations: 4 });
    expect(reports.map((report) => report.coldStart)).toEqual([true, false, false, false]);
  });

  it('reports process.exit inside the handler as Crashed and replaces the environment', async () => {
    const { runtime, reports } = start([fn('exits', 'crash')]);
    const arn = `${ARN_PREFIX}exits`;
    await runtime.invoke(arn, {});

    const error = await invocationError(runtime.invoke(arn, { kind: 'exit' }));
    const after = await runtime.invoke(arn, {});

    expect(error.errorType).toBe('Crashed');
    expect(error.message).toBe('Runtime exited with error: exit status 3');
    expect(after).toEqual({ invocations: 1 });
    expect(reports.map((report) => [report.coldStart, report.outcome])).toEqual([
      [true, 'success'],
      [false, 'Crashed'],
      [true, 'success'],
    ]);
  });

  it('reports an uncaught exception thrown outside the handler as Crashed', async () => {
    const { runtime } = start([fn('uncaught', 'crash')]);

    const error = await invocationError(runtime.invoke(`${ARN_PREFIX}uncaught`, { kind: 'uncaught' }));

    expect(error.errorType).toBe('Crashed');
    expect(error.message).toBe('Runtime exited with error: RangeError: late failure');
    expect(error.payload.errorType).toBe('RangeError');
  });

  it('kills an environment that outgrows its memory setting and reports it as Crashed', async () => {
    const { runtime, lines } = start([fn('hungry', 'oom', { timeout: 30 })]);

    const error = await invocationError(runtime.invoke(`${ARN_PREFIX}hungry`, {}));

    expect(error.errorType).toBe('Crashed');
    expect(error.payload).toEqual({
      errorType: 'Runtime.OutOfMemory',
      errorMessage: 'Runtime exited with error: signal: killed',
    });
    expect(lines.at(-1)).toMatch(/\tStatus: error\tError Type: Runtime\.OutOfMemory$/);
  });

  it('reuses a warm environment, so module state persists between invocations', async () => {
    const { runtime, reports } = start([fn('counter', 'counter')]);
    const arn = `${ARN_PREFIX}counter`;

    const results = [
      await runtime.invoke(arn, {}),
      await runtime.invoke(arn, {}),
      await runtime.invoke(arn, {}),
    ];

    expect(results).toEqual([{ count: 1 }, { count: 2 }, { count: 3 }]);
    expect(reports.map((report) => report.coldStart)).toEqual([true, false, false]);
    expect(reports[0]?.initDurationMs).toBeGreaterThan(0);
    expect(reports[1]?.initDurationMs).toBeUndefined();
  });

  it('runs concurrent invocations in separate environments up to the cap and queues the rest', async () => {
    const { runtime, reports } = start([fn('pool', 'pool')], { maxConcurrencyPerFunction: 2 });

    const results = (await Promise.all(
      Array.from({ length: 5 }, () => runtime.invoke(`${ARN_PREFIX}pool`, {})),
    )) as { environmentId: string }[];

    expect(new Set(results.map((result) => result.environmentId)).size).toBe(2);
    expect(reports.filter((report) => report.coldStart)).toHaveLength(2);
    expect(reports.filter((report) => report.outcome === 'success')).toHaveLength(5);
  });

  it('loads ESM (.mjs) and CommonJS (.cjs) handlers, nested handler paths and ESM .js in a module package', async () => {
    const { runtime } = start([
      fn('esm', 'esm', { handler: 'app.handler' }),
      fn('cjs', 'cjs', { handler: 'lib/entry.api.main' }),
      fn('esm-js', 'esm-package'),
    ]);

    expect(await runtime.invoke(`${ARN_PREFIX}esm`, { n: 1 })).toEqual({ format: 'esm', echo: { n: 1 } });
    expect(await runtime.invoke(`${ARN_PREFIX}cjs`, { n: 2 })).toEqual({ format: 'cjs', echo: { n: 2 } });
    expect(await runtime.invoke(`${ARN_PREFIX}esm-js`, {})).toEqual({ format: 'esm-in-js' });
  });

  it('supports callback-style handlers, including context.succeed and callback errors', async () => {
    const { runtime } = start([fn('callback', 'callback')]);
    const arn = `${ARN_PREFIX}callback`;

    expect(await runtime.invoke(arn, {})).toEqual({ via: 'callback', waits: true });
    expect(await runtime.invoke(arn, { kind: 'succeed' })).toEqual({ via: 'succeed' });
    const error = await invocationError(runtime.invoke(arn, { kind: 'error' }));
    expect(error.errorType).toBe('Unhandled');
    expect(error.message).toBe('callback failure');
  });

  it("prints the function's output prefixed with its name, between START and END/REPORT lines", async () => {
    const { runtime, lines, reports } = start([fn('logger', 'logs')]);

    await runtime.invoke(`${ARN_PREFIX}logger`, {});
    const requestId = reports[0]?.requestId ?? 'missing';

    expect(lines).toEqual([
      '[logger] INIT_START Runtime Version: nodejs24.x',
      expect.stringMatching(/^\[logger\] \d{4}-\d\d-\d\dT[\d:.]+Z\tundefined\tINFO\tloading module$/),
      `[logger] START RequestId: ${requestId} Version: $LATEST`,
      expect.stringMatching(
        new RegExp(`^\\[logger\\] \\S+Z\\t${requestId}\\tINFO\\thello { tenant: 't-1' }$`),
      ),
      expect.stringMatching(new RegExp(`^\\[logger\\] \\S+Z\\t${requestId}\\tERROR\\tsomething odd$`)),
      '[logger] partial line without newline',
      `[logger] END RequestId: ${requestId}`,
      expect.stringMatching(
        new RegExp(
          `^\\[logger\\] REPORT RequestId: ${requestId}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\t` +
            'Memory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms$',
        ),
      ),
    ]);
  });

  it("with functionLogs 'warnings', prints a successful invocation's ERROR entry and holds back the rest", async () => {
    const { runtime, lines } = start([fn('logger', 'logs')], { functionLogs: 'warnings' });

    await runtime.invoke(`${ARN_PREFIX}logger`, {});

    expect(lines).toContainEqual(expect.stringMatching(/^\[logger\] \S+Z\t\S+\tERROR\tsomething odd$/));
    expect(lines.join('\n')).not.toMatch(
      /INIT_START|START RequestId|END RequestId|REPORT RequestId|INFO\thello/,
    );
  });

  it("with functionLogs 'warnings', prints everything a failed invocation wrote, START to REPORT", async () => {
    const { runtime, lines } = start([fn('failing', 'errors')], { functionLogs: 'warnings' });

    const error = await invocationError(runtime.invoke(`${ARN_PREFIX}failing`, { kind: 'throw' }));

    expect(lines).toContain(`[failing] START RequestId: ${error.requestId} Version: $LATEST`);
    expect(lines).toContainEqual(expect.stringMatching(/^\[failing\] .*Invoke Error/));
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^\\[failing\\] REPORT RequestId: ${error.requestId}\t`)),
    );
  });

  it('returns the result JSON-round-tripped and null when the handler returns nothing', async () => {
    const { runtime } = start([fn('json', 'json'), fn('bigint', 'errors')]);

    expect(await runtime.invoke(`${ARN_PREFIX}json`, {})).toEqual({
      when: '2026-01-02T00:00:00.000Z',
      list: [1, null],
    });
    expect(await runtime.invoke(`${ARN_PREFIX}json`, { kind: 'nothing' })).toBeNull();
    const error = await invocationError(runtime.invoke(`${ARN_PREFIX}bigint`, { kind: 'bigint' }));
    expect(error.payload.errorType).toBe('TypeError');
  });

  it('serves a function from a rebuilt bundle directory on refreshCode, restarting only the functions served from the old one', async () => {
    const { runtime, reports } = start([fn('rebuilt', 'bundle-v1'), fn('kept', 'counter')]);
    expect(await runtime.invoke(`${ARN_PREFIX}rebuilt`, {})).toBe('bundle v1');
    expect(await runtime.invoke(`${ARN_PREFIX}kept`, {})).toEqual({ count: 1 });

    const changed = await runtime.refreshCode(new Map([[join(root, 'bundle-v1'), join(root, 'bundle-v2')]]));

    expect(changed).toEqual(['rebuilt']);
    expect(await runtime.invoke(`${ARN_PREFIX}rebuilt`, {})).toBe('bundle v2');
    expect(await runtime.invoke(`${ARN_PREFIX}kept`, {})).toEqual({ count: 2 });
    expect(reports.map((r) => [r.functionName, r.coldStart])).toEqual([
      ['rebuilt', true],
      ['kept', true],
      ['rebuilt', true],
      ['kept', false],
    ]);
  });

  it('swaps in a new bundle directory on update and keeps unchanged functions warm', async () => {
    const { runtime, reports } = start([fn('swapped', 'bundle-v1'), fn('kept', 'counter')]);
    expect(await runtime.invoke(`${ARN_PREFIX}swapped`, {})).toBe('bundle v1');
    expect(await runtime.invoke(`${ARN_PREFIX}kept`, {})).toEqual({ count: 1 });

    const changed = await runtime.update([fn('swapped', 'bundle-v2'), fn('kept', 'counter')]);

    expect(changed).toEqual(['swapped']);
    expect(await runtime.invoke(`${ARN_PREFIX}swapped`, {})).toBe('bundle v2');
    // Same module instance: its state survived the update.
    expect(await runtime.invoke(`${ARN_PREFIX}kept`, {})).toEqual({ count: 2 });
    expect(reports.map((r) => [r.functionName, r.coldStart])).toEqual([
      ['swapped', true],
      ['kept', true],
      ['swapped', true],
      ['kept', false],
    ]);
  });

  it('fails INIT problems as Unhandled with the Runtime error types Lambda uses', async () => {
    const { runtime } = start([
      fn('missing', 'does-not-exist'),
      fn('not-exported', 'broken'),
      fn('syntax', 'syntax'),
      fn('init-throws', 'init-throws'),
      fn('malformed', 'counter', { handler: 'index' }),
    ]);

    const errors = await Promise.all(
      ['missing', 'not-exported', 'syntax', 'init-throws', 'malformed'].map((name) =>
        invocationError(runtime.invoke(`${ARN_PREFIX}${name}`, {})),
      ),
    );

    expect(errors.map((error) => [error.errorType, error.payload.errorType])).toEqual([
      ['Unhandled', 'Runtime.ImportModuleError'],
      ['Unhandled', 'Runtime.HandlerNotFound'],
      ['Unhandled', 'Runtime.UserCodeSyntaxError'],
      ['Unhandled', 'Error'],
      ['Unhandled', 'Runtime.MalformedHandlerName'],
    ]);
    expect(errors[0]?.message).toBe("Error: Cannot find module 'index'");
    expect(errors[1]?.message).toBe('index.handler is undefined or not exported');
    expect(errors[3]?.message).toBe('cannot connect at init');
  });

  it('finds a function by qualified ARN, name or API Gateway integration URI, and rejects unknown ones', async () => {
    const { runtime } = start([fn('counter', 'counter')]);
    const uri = `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${ARN_PREFIX}counter/invocations`;

    expect(await runtime.invoke('counter', {})).toEqual({ count: 1 });
    expect(await runtime.invoke(`${ARN_PREFIX}counter:$LATEST`, {})).toEqual({ count: 2 });
    expect(await runtime.invoke(uri, {})).toEqual({ count: 3 });
    await expect(runtime.invoke(`${ARN_PREFIX}nope`, {})).rejects.toThrow(/no local Lambda function matches/);
  });

  it('runs the aliases and versions a function has, by ARN or qualified name, and refuses a qualifier it lacks', async () => {
    const { runtime, lines } = start([fn('counter', 'counter', { qualifiers: { live: '1', '1': '1' } })]);

    expect(await runtime.invoke(`${ARN_PREFIX}counter:live`, {})).toEqual({ count: 1 });
    expect(await runtime.invoke('counter:1', {})).toEqual({ count: 2 });
    expect(lines.filter((line) => line.startsWith('[counter] START'))).toEqual([
      expect.stringMatching(/Version: 1$/),
      expect.stringMatching(/Version: 1$/),
    ]);
    await expect(runtime.invoke(`${ARN_PREFIX}counter:staging`, {})).rejects.toThrow(
      "no local Lambda function matches arn:aws:lambda:eu-west-1:123456789012:function:counter:staging: counter has no alias or version 'staging' (it has $LATEST, 1, live)",
    );
  });

  it('runs inline ZipFile code', async () => {
    const { runtime } = start([
      fn('inline', 'unused', { code: { zipFile: 'exports.handler = async (e) => ({ inline: e.x });' } }),
    ]);

    expect(await runtime.invoke(`${ARN_PREFIX}inline`, { x: 7 })).toEqual({ inline: 7 });
  });

  it('rejects queued and later invocations once closed', async () => {
    const { runtime } = start([fn('pool', 'pool')], { maxConcurrencyPerFunction: 1 });
    const running = runtime.invoke(`${ARN_PREFIX}pool`, {}).catch((error: unknown) => error);
    const queued = runtime.invoke(`${ARN_PREFIX}pool`, {}).catch((error: unknown) => error);

    await runtime.close();

    expect(await running).toBeInstanceOf(LambdaInvocationError);
    expect(await queued).toEqual(new Error('the local Lambda runtime is closed'));
    await expect(runtime.invoke(`${ARN_PREFIX}pool`, {})).rejects.toThrow(
      'the local Lambda runtime is closed',
    );
  });
});
