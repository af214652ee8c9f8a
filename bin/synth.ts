import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

/**
 * Runs `cdk synth` into `outdir` with the project's CLI, offline (no version check, no telemetry). With
 * `quiet`, esbuild's progress is kept only to explain a failure.
 */
export function synthesize(outdir: string, options: { quiet?: boolean } = {}): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let output = '';
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--output', outdir], {
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
        ? resolvePromise()
        : reject(new Error(`cdk synth exited with ${code}${output ? `:\n${output}` : ''}`)),
    );
  });
}
