import { rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { IAM_MODES, type IamMode } from '../iam/call-authority';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '../local-cloud';
import type { RequestRecord } from '../request-records';
import { deployOnlyLine } from '../resource-coverage';
import { type CliPhase, RecentRequests, startAdminServer } from './admin-server';
import { cloudOutputs } from './cloud-outputs';
import { ConsoleOutput, FunctionNames } from './console-output';
import { CliExit, EXIT } from './exit-codes';
import { liveReload, startupSynth } from './live-reload';
import { readyBanner } from './ready-banner';
import { strictViolations } from './strict-check';
import type { SynthRequest } from './synth-cache';
import { findCdkCli, synthesizeApp } from './synthesize-app';

export { CliExit, EXIT } from './exit-codes';

/** What an app's own start script adds around the command line: data to seed, lines to print. */
export interface CliHooks {
  /** Runs once the cloud serves (and again after a restart); resolves with lines for the ready banner. */
  readonly onReady?: (cloud: LocalCloud, run: CliRun) => Promise<readonly string[] | undefined>;
}

/** What the command line decided, for the hooks. */
export interface CliRun {
  /** The app's directory. */
  readonly appDir: string;
  /** The cloud assembly being served. */
  readonly cdkOut: string;
  /** `--cdk-out` was given: the app's source is not known. */
  readonly fromCloudAssembly: boolean;
  /** `--no-seed`: the hooks should not add data. */
  readonly seed: boolean;
}

const USAGE = `cdk-local-cloud [options]
  --app CMD        the command that runs the CDK app (default: "app" in ./cdk.json)
  --cdk-out DIR    serve an existing cloud assembly instead of synthesizing
  -c key=value     CDK context for the synth (repeatable)
  --port N         first API port, one per API in template order (default 3000)
  --persist DIR    keep data, users, keys and quotas across restarts (default: in memory)
  --no-watch       do not re-synthesize on source changes (default: watch cdk.json's watch.include, reload
                   what changed in place, keeping data, users, keys and connections)
  --synth          synthesize even when nothing the app reads changed since the last synth
  --timings        print how long each step of the start took
  --no-seed        tell the app's start script not to add demo data
  -v, --verbose    every line functions write (START/END/REPORT, INFO, metrics); else warnings and failures
  --outputs-file F write the cloud's URLs, ids, table names, queue URLs and stack outputs to F (JSON) when ready
  --admin-port N   the health and env routes (/_local/health, /_local/env) (default: --port + 99)
  --print-env      print the AWS_ENDPOINT_URL_*, credentials and region of the cloud running on --port, and exit:
                     eval "$(cdk-local-cloud --print-env)"
  --iam MODE       enforce (default): refuse every call the app's IAM policies, function permissions and queue
                     policies do not allow, as AWS would; warn: log what AWS would refuse and let it through; off
  --strict         exit 4 if the app declares a resource no local service emulates (IAM and resource
                     policies excepted: they only make the local cloud more permissive)
  -h, --help       this text

Exit codes: 0 stopped (Ctrl-C), 1 unexpected error, 2 usage error, 3 synth failed, 4 --strict: not emulated,
5 the cloud could not start (or --print-env found none running).`;

/** `--port` + 99: next to the APIs' ports, below the services' (`--port` + 100 and up). */
const ADMIN_PORT_OFFSET = 99;

function parseCli(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowNegative: true,
      options: {
        app: { type: 'string' },
        'cdk-out': { type: 'string' },
        context: { type: 'string', short: 'c', multiple: true },
        port: { type: 'string', default: '3000' },
        persist: { type: 'string' },
        watch: { type: 'boolean', default: true },
        synth: { type: 'boolean', default: false },
        timings: { type: 'boolean', default: false },
        // With allowNegative, `--no-seed` sets `seed` to false (and `--no-watch` `watch`).
        seed: { type: 'boolean', default: true },
        verbose: { type: 'boolean', short: 'v', default: false },
        'outputs-file': { type: 'string' },
        'admin-port': { type: 'string' },
        'print-env': { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
        iam: { type: 'string', default: 'enforce' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    throw new CliExit(EXIT.usage, `${(error as Error).message}\n\n${USAGE}`);
  }
}

function portOption(name: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliExit(EXIT.usage, `--${name} ${value}: a port is an integer from 0 to 65535`);
  }
  return port;
}

function iamOption(value: string): IamMode {
  const mode = IAM_MODES.find((m) => m === value);
  if (mode === undefined)
    throw new CliExit(EXIT.usage, `--iam ${value}: expected one of ${IAM_MODES.join(', ')}`);
  return mode;
}

/** `--print-env`: asks the cloud already running on the admin port for its environment. */
async function printEnv(adminPort: number): Promise<void> {
  const url = `http://127.0.0.1:${adminPort}/_local/env`;
  const response = await fetch(url).catch(() => undefined);
  if (response?.ok !== true) {
    throw new CliExit(
      EXIT.startFailed,
      `no local cloud answers at ${url}${response ? ` (${response.status})` : ''}: start one first (with the same --port or --admin-port)`,
    );
  }
  process.stdout.write(await response.text());
}

/** Writes the file whole or not at all, so a script waiting for it never reads half of it. */
async function writeOutputsFile(file: string, cloud: LocalCloud): Promise<void> {
  await writeFile(`${file}.tmp`, `${JSON.stringify(cloudOutputs(cloud), null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/**
 * The `cdk-local-cloud` command: synthesizes the app in the current directory (or reads `--cdk-out`), serves it,
 * prints its endpoints, and stops on Ctrl-C. Resolves with the running cloud; exits the process on failure.
 */
export async function runLocalCloudCli(argv: readonly string[], hooks: CliHooks = {}): Promise<void> {
  const values = parseCli(argv);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = portOption('port', values.port);
  const iam = iamOption(values.iam);
  const adminPort =
    values['admin-port'] !== undefined
      ? portOption('admin-port', values['admin-port'])
      : port === 0
        ? 0
        : port + ADMIN_PORT_OFFSET;
  if (values['print-env']) {
    await printEnv(adminPort);
    return;
  }
  const context = Object.fromEntries(
    (values.context ?? []).map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new CliExit(EXIT.usage, `-c ${pair}: context must be key=value`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  const output = new ConsoleOutput(process.stdout);
  const step = (message: string) => output.step(message);
  const started = Date.now();
  let phase: CliPhase = 'synthesizing';
  let serving: LocalCloud | undefined;
  const recent = new RecentRequests();
  const admin = await startAdminServer(adminPort, {
    phase: () => phase,
    cloud: () => serving,
    recentRequests: () => recent.list(),
  }).catch((error: Error) => {
    throw new CliExit(
      EXIT.startFailed,
      `the admin listener could not start on port ${adminPort}: ${error.message}`,
    );
  });
  const appDir = process.cwd();
  const fromCloudAssembly = values['cdk-out'] !== undefined;
  const cdkOut = values['cdk-out'] ? resolve(values['cdk-out']) : join(appDir, 'cdk.out');
  const synth = () =>
    synthesizeApp({ appDir, outdir: cdkOut, context, ...(values.app ? { app: values.app } : {}) });
  const synthRequest: SynthRequest = {
    appDir,
    outdir: cdkOut,
    context,
    cli: findCdkCli(appDir),
    ...(values.app ? { app: values.app } : {}),
  };
  const timing = values.timings
    ? (label: string, ms: number) => output.line(`  ${label}: ${(ms / 1000).toFixed(2)} s`)
    : undefined;
  const servedInputs = fromCloudAssembly
    ? undefined
    : await startupSynth(synthRequest, synth, values.synth, step).catch(async (error: Error) => {
        await admin.close();
        // The CDK CLI's output is in the message: printed once, here.
        throw new CliExit(EXIT.synthFailed, error.message);
      });
  step('starting the local cloud from the template…');
  phase = 'starting';
  let names = new FunctionNames();
  let ready = false;
  const onRequest = (record: RequestRecord) => {
    recent.add(record);
    // The app's own start script (seeding) calls the APIs before the banner: only failures are worth a line then.
    if (ready || record.status >= 500) output.request(record, names);
  };
  const options: LocalCloudOptions = {
    cdkOut,
    port,
    log: { write: (text: string) => output.sink(names).write(text) },
    functionLogs: values.verbose ? 'all' : 'warnings',
    onRequest,
    ...(values.persist ? { persistDir: resolve(values.persist) } : {}),
    ...(timing ? { timing } : {}),
    iam,
  };
  const start = async (): Promise<LocalCloud> => {
    const next = await startLocalCloud(options);
    names = new FunctionNames(next.model);
    serving = next;
    return next;
  };
  let cloud = await start().catch(async (error: Error) => {
    await admin.close();
    throw new CliExit(EXIT.startFailed, `the local cloud could not start: ${error.message}`);
  });
  const run: CliRun = { appDir, cdkOut, fromCloudAssembly, seed: values.seed };

  if (cloud.deployOnly.length > 0) {
    step('only in a real AWS account:');
    for (const group of cloud.deployOnly) process.stdout.write(`    ${deployOnlyLine(group)}\n`);
  }
  if (cloud.notices.length > 0) {
    step('served differently from AWS:');
    for (const notice of cloud.notices) process.stdout.write(`    ${notice}\n`);
  }
  if (cloud.notEmulated.length > 0) {
    step('not emulated locally:');
    for (const { type, logicalIds, reason } of cloud.notEmulated)
      output.line(
        `    ${type} (${logicalIds.length}): ${reason ?? output.style('yellow', 'no local service emulates it')}`,
      );
  }
  const unknown = strictViolations(cloud.notEmulated);
  if (values.strict && unknown.length > 0) {
    await cloud.close();
    await admin.close();
    throw new CliExit(
      EXIT.notEmulated,
      `--strict: no local service emulates ${unknown.map(({ type, logicalIds }) => `${type} (${logicalIds.join(', ')})`).join('; ')}`,
    );
  }
  const extra = (await hooks.onReady?.(cloud, run)) ?? [];
  if (values['outputs-file']) await writeOutputsFile(resolve(values['outputs-file']), cloud);

  const banner = readyBanner(
    cloud,
    {
      seconds: (Date.now() - started) / 1000,
      adminUrl: admin.url,
      ...(values['outputs-file'] ? { outputsFile: values['outputs-file'] } : {}),
      verbose: values.verbose,
      extra,
    },
    output,
  );
  for (const line of banner) output.line(line);
  phase = 'ready';
  ready = true;

  const watcher =
    values.watch && !fromCloudAssembly
      ? liveReload({
          request: synthRequest,
          ...(servedInputs ? { servedInputs } : {}),
          synth,
          cloud: () => cloud,
          restart: async () => {
            phase = 'reloading';
            await cloud.close();
            cloud = await start();
            await hooks.onReady?.(cloud, run);
            if (values['outputs-file']) await writeOutputsFile(resolve(values['outputs-file']), cloud);
            phase = 'ready';
          },
          step,
          fail: (text) => output.error(text),
        })
      : undefined;

  const stop = async () => {
    phase = 'stopping';
    step('stopping…');
    watcher?.close();
    await cloud.close();
    await admin.close();
    process.exit(EXIT.ok);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * Ends the process after `runLocalCloudCli` failed: an expected failure ({@link CliExit}) prints its message alone and
 * exits with its code; anything else prints its stack and exits 1.
 */
export function exitOnCliFailure(error: unknown): never {
  if (error instanceof CliExit) {
    process.stderr.write(`${error.message}\n`);
    process.exit(error.code);
  }
  process.stderr.write(`\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(EXIT.unexpected);
}
