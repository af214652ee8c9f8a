import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalCloud, startLocalCloud } from 'cdk-local-cloud';
import { type DemoSession, demoSession, type SeededTenant, seedLocalCloud } from '../bin/demo-seed';
import { synthesize } from '../bin/synth';

/** What a benchmark measures against: the app freshly synthesized, served with throttling off, and seeded. */
export interface BenchCloud {
  /** The cloud assembly the cloud serves (bundles included). */
  readonly cdkOut: string;
  readonly cloud: LocalCloud;
  readonly session: DemoSession;
  readonly seeded: readonly SeededTenant[];
}

/**
 * Runs one benchmark as a script: synthesizes the app into a temporary folder, serves it on free ports with
 * throttling off (so the pipeline is measured, not the configured limits) and its logs silenced, seeds the demo
 * tenants, runs `body`, then closes the cloud and removes the folder. A failure prints its stack and exits 1.
 */
export function runBench(
  name: string,
  body: (bench: BenchCloud) => Promise<void>,
  options: {
    readonly afterSynth?: (cdkOut: string) => void;
    /** Sees the cloud's log output (functions' REPORT lines included), which is otherwise silenced. */
    readonly log?: (text: string) => void;
  } = {},
): void {
  const main = async () => {
    const cdkOut = await mkdtemp(join(tmpdir(), `saas-orders-bench-${name}-`));
    try {
      process.stdout.write('synthesizing…\n');
      await synthesize(cdkOut, { quiet: true });
      options.afterSynth?.(cdkOut);
      const log = options.log;
      const cloud = await startLocalCloud({
        cdkOut,
        port: 0,
        throttling: false,
        log: {
          write: (text: string) => {
            log?.(text);
            return true;
          },
        },
      });
      try {
        const session = demoSession(cloud);
        const seeded = await seedLocalCloud(cloud, session);
        await body({ cdkOut, cloud, session, seeded });
      } finally {
        await cloud.close();
      }
    } finally {
      await rm(cdkOut, { recursive: true, force: true });
    }
  };
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
