import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '../local-cloud';
import { deployOnlyLine } from '../resource-coverage';
import { liveReload, startupSynth } from './live-reload';
import type { SynthRequest } from './synth-cache';
import { findCdkCli, synthesizeApp } from './synthesize-app';

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
  -h, --help       this text`;

const step = (message: string) => process.stdout.write(`› ${message}\n`);

/**
 * The `cdk-local-cloud` command: synthesizes the app in the current directory (or reads `--cdk-out`), serves it,
 * prints its endpoints, and stops on Ctrl-C. Resolves with the running cloud; exits the process on failure.
 */
export async function runLocalCloudCli(argv: readonly string[], hooks: CliHooks = {}): Promise<void> {
  const { values } = parseArgs({
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
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const started = Date.now();
  const appDir = process.cwd();
  const fromCloudAssembly = values['cdk-out'] !== undefined;
  const cdkOut = values['cdk-out'] ? resolve(values['cdk-out']) : join(appDir, 'cdk.out');
  const context = Object.fromEntries(
    (values.context ?? []).map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`-c ${pair}: context must be key=value`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
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
    ? (label: string, ms: number) => process.stdout.write(`  ${label}: ${(ms / 1000).toFixed(2)} s\n`)
    : undefined;
  const servedInputs = fromCloudAssembly
    ? undefined
    : await startupSynth(synthRequest, synth, values.synth, step);
  step('starting the local cloud from the template…');
  const options: LocalCloudOptions = {
    cdkOut,
    port: Number(values.port),
    ...(values.persist ? { persistDir: resolve(values.persist) } : {}),
    ...(timing ? { timing } : {}),
  };
  let cloud = await startLocalCloud(options);
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
      process.stdout.write(
        `    ${type} (${logicalIds.length}): ${reason ?? 'no local service emulates it'}\n`,
      );
  }
  const extra = (await hooks.onReady?.(cloud, run)) ?? [];

  process.stdout.write(`\nready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  for (const { kind, name, url, api } of cloud.endpoints)
    process.stdout.write(`  ${kind}${api ? ` ${name}` : ''}: ${url}\n`);
  for (const line of extra) process.stdout.write(`${line}\n`);
  process.stdout.write('\nCtrl-C stops everything.\n');

  const watcher =
    values.watch && !fromCloudAssembly
      ? liveReload({
          request: synthRequest,
          ...(servedInputs ? { servedInputs } : {}),
          synth,
          cloud: () => cloud,
          restart: async () => {
            await cloud.close();
            cloud = await startLocalCloud(options);
            await hooks.onReady?.(cloud, run);
          },
          step,
          fail: (text) => process.stderr.write(`${text}\n`),
        })
      : undefined;

  const stop = async () => {
    step('stopping…');
    watcher?.close();
    await cloud.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
