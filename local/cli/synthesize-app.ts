import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUNDLE_LOG_VARIABLE, newBundleLog, saveBundleRecords } from './bundle-records';

/** The recorder preloaded into the synth (see bundle-recorder.cjs): next to this file, from source and from dist/. */
const BUNDLE_RECORDER = join(__dirname, 'bundle-recorder.cjs');

/** How to synthesize a CDK app into a cloud assembly. */
export interface SynthesizeOptions {
  /** The app's directory (where its cdk.json is). */
  readonly appDir: string;
  /** The cloud assembly directory to write. */
  readonly outdir: string;
  /** The command that runs the app (`--app`). @default the `app` of the app's cdk.json */
  readonly app?: string;
  /** `-c key=value` context. */
  readonly context?: Readonly<Record<string, string>>;
  /** Only these stacks are bundled (the CLI bundles the stacks it selects). @default all */
  readonly stacks?: readonly string[];
  /** Keep the CLI's output instead of printing it; it is resolved, or explains a failure. @default true */
  readonly quiet?: boolean;
  /**
   * Record how each NodejsFunction bundle is built (bundle-recorder.cjs), for `--watch` to rebuild one bundle
   * without a synth (fast-reload.ts). @default true
   */
  readonly recordBundles?: boolean;
}

/** The app's own CDK CLI: the first `node_modules/.bin/cdk` at or above its directory. */
export function findCdkCli(appDir: string): string | undefined {
  for (let dir = appDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '.bin', 'cdk');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Runs `cdk synth` with the app's own CLI, offline (no version check, notices or telemetry), and resolves with
 * what it printed. A failure rejects with the CLI's output, so the caller can print it once.
 */
export function synthesizeApp(options: SynthesizeOptions): Promise<string> {
  const cli = findCdkCli(options.appDir);
  if (cli === undefined) {
    return Promise.reject(
      new Error(
        `no CDK CLI found in ${options.appDir} or above it: install it in the app (npm i -D aws-cdk), or pass --cdk-out DIR`,
      ),
    );
  }
  const context = Object.entries(options.context ?? {}).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  const args = [
    'synth',
    '--quiet',
    '--no-notices',
    '--no-version-reporting',
    '--output',
    options.outdir,
    ...(options.app ? ['--app', options.app] : []),
    ...context,
    ...(options.stacks ?? []),
  ];
  const quiet = options.quiet ?? true;
  const record = (options.recordBundles ?? true) && existsSync(BUNDLE_RECORDER);
  const bundleLog = record ? newBundleLog() : undefined;
  const recorderEnv: NodeJS.ProcessEnv = bundleLog
    ? {
        [BUNDLE_LOG_VARIABLE]: bundleLog,
        // Quoted: the package may be installed under a path with spaces.
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(BUNDLE_RECORDER)}`.trim(),
      }
    : {};
  return new Promise((resolvePromise, reject) => {
    let output = '';
    const child = spawn(cli, args, {
      cwd: options.appDir,
      stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
      env: {
        ...process.env,
        CDK_DISABLE_VERSION_CHECK: '1',
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        ...recorderEnv,
      },
    });
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) {
        if (bundleLog) rmSync(bundleLog, { recursive: true, force: true });
        reject(new Error(`cdk synth exited with ${code}${output ? `:\n${output}` : ''}`));
        return;
      }
      if (bundleLog) saveBundleRecords(bundleLog, options.outdir);
      resolvePromise(output);
    });
  });
}
