import { resolve } from 'node:path';
import { synthesizeApp } from 'cdk-local-cloud';

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

/** Runs `cdk synth` of this app into `outdir` with the project's CLI, offline, through the local cloud's synth. */
export function synthesize(outdir: string, options: SynthOptions = {}): Promise<string> {
  return synthesizeApp({ appDir: ROOT, outdir, quiet: options.quiet ?? false, ...options });
}
