#!/usr/bin/env node
/**
 * `npm run demo [-- --stage <stage>] [--pace <ms>]`: the product's story, step by step, against the running local
 * cloud (one is started for the demo when none answers, and stopped after it) or a deployed stage (`--stage`, its
 * stacks' outputs and your AWS credentials). Exits 0 when every step behaved as the product promises, 1 otherwise.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { APP_NAME } from '../shared/app-name';
import { Narrator, StepFailed } from './demo/narrator';
import { type ServedRequest, STORY_STEPS, tellStory } from './demo/story';
import { resolveTarget, TARGET_OPTIONS } from './saas/target';

const ROOT = resolve(__dirname, '..');
/** `npm start`'s admin listener: its --port (3000) + 99. */
const DEFAULT_ADMIN_URL = 'http://127.0.0.1:3099';
const START_LIMIT_MS = 180_000;

async function healthy(adminUrl: string): Promise<boolean> {
  const response = await fetch(`${adminUrl}/_local/health`).catch(() => undefined);
  return response?.status === 200;
}

/** Starts `npm start` (no watching, no demo seed: the story brings its own tenants) and waits until it is ready. */
async function startLocalCloud(adminUrl: string): Promise<ChildProcess> {
  mkdirSync(join(ROOT, '.cdk-local'), { recursive: true });
  const logFile = join(ROOT, '.cdk-local', 'demo-cloud.log');
  const log = createWriteStream(logFile);
  process.stdout.write(`no local cloud answers at ${adminUrl}: starting one (its log: ${logFile})…\n`);
  const child = spawn(
    join(ROOT, 'node_modules', '.bin', 'tsx'),
    [join(ROOT, 'bin', 'local.ts'), '--no-watch', '--no-seed'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  const deadline = Date.now() + START_LIMIT_MS;
  while (!(await healthy(adminUrl))) {
    const code = await Promise.race([exited, new Promise((wait) => setTimeout(wait, 500, 'waiting'))]);
    if (code !== 'waiting')
      throw new Error(`the local cloud exited with ${String(code)} before it was ready: see ${logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGINT');
      throw new Error(`the local cloud was not ready within ${START_LIMIT_MS / 1000} s: see ${logFile}`);
    }
  }
  return child;
}

/** The local cloud's latest request records, from its admin listener. */
async function recentRequests(adminUrl: string): Promise<readonly ServedRequest[]> {
  const response = await fetch(`${adminUrl}/_local/requests?limit=50`).catch(() => undefined);
  if (response === undefined || !response.ok) {
    throw new StepFailed(`the local cloud's request records are not at ${adminUrl}/_local/requests`);
  }
  return ((await response.json()) as { requests: ServedRequest[] }).requests;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGINT');
  await exited;
}

/** Runs the demo with `argv`; resolves with the exit code. */
export async function runDemo(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...TARGET_OPTIONS,
      pace: { type: 'string', default: '800' },
      'admin-url': { type: 'string', default: DEFAULT_ADMIN_URL },
    },
  });
  const pace = Number(values.pace);
  if (!Number.isInteger(pace) || pace < 0)
    throw new Error(`--pace must be a number of milliseconds, not '${values.pace}'`);
  const local = values.stage === 'local' && values.outputs === undefined;
  const adminUrl = values['admin-url'];
  const started = local && !(await healthy(adminUrl)) ? await startLocalCloud(adminUrl) : undefined;
  try {
    const target = await resolveTarget(values);
    process.stdout.write(`${APP_NAME}, the story — stage ${target.stage}\n`);
    await tellStory({
      target,
      narrator: new Narrator(STORY_STEPS, pace),
      credentials: target.credentials ?? (await defaultProvider()()),
      ...(target.credentials === undefined ? {} : { recentRequests: () => recentRequests(adminUrl) }),
    });
    process.stdout.write('\nevery step behaved as promised\n');
    return 0;
  } catch (error) {
    if (!(error instanceof StepFailed))
      process.stdout.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
    process.stdout.write('\nthe demo stopped at a step that misbehaved\n');
    return 1;
  } finally {
    if (started) await stop(started);
  }
}

if (require.main === module) {
  runDemo(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
