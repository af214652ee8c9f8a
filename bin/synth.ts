import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

export interface SynthOptions {
  /** Keep the CLI's output (esbuild progress, warnings) instead of printing it; it is resolved, or explains a failure. */
  readonly quiet?: boolean;
  /** `-c key=value` context, e.g. `{ stage: 'prod' }`. */
  readonly context?: Readonly<Record<string, string>>;
  /**
   * Only these stacks are bundled (the CLI bundles the stacks it selects); every stack is still synthesized and
   * validated. @default all
   */
  readonly stacks?: readonly string[];
}

/**
 * Runs `cdk synth` into `outdir` with the project's CLI, offline (no version check, no telemetry), and resolves
 * with what the CLI printed when `quiet`.
 */
export function synthesize(outdir: string, options: SynthOptions = {}): Promise<string> {
  const context = Object.entries(options.context ?? {}).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  const stacks = options.stacks ?? ['--all'];
  return new Promise((resolvePromise, reject) => {
    let output = '';
    const args = ['synth', '--quiet', '--output', outdir, ...context, ...stacks];
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'cdk'), args, {
      cwd: ROOT,
      stdio: ['ignore', options.quiet ? 'pipe' : 'inherit', options.quiet ? 'pipe' : 'inherit'],
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
    });
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolvePromise(output)
        : reject(new Error(`cdk synth exited with ${code}${output ? `:\n${output}` : ''}`)),
    );
  });
}
