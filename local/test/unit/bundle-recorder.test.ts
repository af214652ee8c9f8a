import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/*
 * The recorder preloaded into the local cloud's `cdk synth` (bundle-recorder.cjs) sees aws-cdk-lib spawn
 * `npx --no-install esbuild --bundle …` for each NodejsFunction. It runs the esbuild binary that runner would find
 * instead, so a synth does not start one Node.js process per function, and records the build as before.
 */

const RECORDER = resolve(__dirname, '../../cli/bundle-recorder.cjs');
const REPO_ESBUILD = resolve(__dirname, '../../../node_modules/.bin/esbuild');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bundle-recorder-'));
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(REPO_ESBUILD, join(dir, 'node_modules', '.bin', 'esbuild'));
  writeFileSync(
    join(dir, 'entry.ts'),
    'export const handler = async () => ({ statusCode: 200, body: "hi" });\n',
  );
  // An `npx` that only leaves a mark: if the recorder went through the runner, the bundle would not exist.
  mkdirSync(join(dir, 'bin'));
  writeFileSync(
    join(dir, 'bin', 'npx'),
    `#!/bin/sh\ntouch ${JSON.stringify(join(dir, 'npx-ran'))}\nexit 1\n`,
  );
  chmodSync(join(dir, 'bin', 'npx'), 0o755);
  mkdirSync(join(dir, 'log'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What aws-cdk-lib does for one NodejsFunction, in a Node.js process with the recorder preloaded. */
function bundleAsCdkDoes(): ReturnType<typeof spawnSync> {
  const script = `
    const { spawnSync } = require('node:child_process');
    const result = spawnSync('npx', ['--no-install', 'esbuild', '--bundle', 'entry.ts', '--platform=node',
      '--outfile=${join(dir, 'out', 'index.js')}'], { cwd: ${JSON.stringify(dir)}, stdio: 'inherit' });
    process.exit(result.status ?? 1);`;
  return spawnSync(process.execPath, ['--require', RECORDER, '-e', script], {
    env: {
      ...process.env,
      PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
      CDK_LOCAL_CLOUD_BUNDLE_LOG: join(dir, 'log'),
    },
    encoding: 'utf8',
  });
}

describe('bundle recorder', () => {
  it('builds a NodejsFunction bundle with the esbuild binary the runner would find, without starting the runner', () => {
    const result = bundleAsCdkDoes();

    expect(result.status).toBe(0);
    expect(readFileSync(join(dir, 'out', 'index.js'), 'utf8')).toContain('statusCode: 200');
    expect(existsSync(join(dir, 'npx-ran'))).toBe(false);
  });

  it('still records the build (its runner, the esbuild it ran and its inputs) for the watcher to replay', () => {
    bundleAsCdkDoes();

    const [record] = readFileSync(join(dir, 'log', 'bundles.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(record.runner).toEqual(['npx', '--no-install', 'esbuild']);
    expect(record.esbuild).toBe(join(dir, 'node_modules', '.bin', 'esbuild'));
    expect(record.inputs).toEqual([join(dir, 'entry.ts')]);
  });

  it('goes through the runner when no esbuild binary is installed where the runner would look', () => {
    rmSync(join(dir, 'node_modules'), { recursive: true });

    const result = bundleAsCdkDoes();

    expect(existsSync(join(dir, 'npx-ran'))).toBe(true);
    expect(result.status).not.toBe(0);
  });
});
