import { synthesize } from '../../bin/synth';
import { buildOncePerRun } from './run-cache';

/**
 * The context the e2e and reliability suites synthesize the product with: the app as `npm start` serves it, except
 * that a failed job's retries wait at most 1 s, so a poison job reaches its dead-letter queue in 4 s rather than
 * waiting out 1 + 2 + 4 + 8 s in real time (the doubling itself is unit-tested). The console's origin is the local
 * console's, as `npm start` sets it (bin/local.ts).
 */
export const TEST_STACK_CONTEXT: Readonly<Record<string, string>> = {
  jobRetryMaxDelaySeconds: '1',
  consoleOrigin: 'http://localhost:5173',
};

/**
 * The product's cloud assembly as `cdk synth -c …` writes it (every function bundled), synthesized once per jest run
 * for each distinct `context` and shared by every suite, in every worker, that asks for it. Each suite starts its
 * own local cloud on it; the local cloud only reads a cloud assembly, so suites may serve it at the same time.
 */
export function productAssembly(
  context: Readonly<Record<string, string>> = TEST_STACK_CONTEXT,
): Promise<string> {
  const variant = Object.entries(context)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => encodeURIComponent(`${key}=${value}`));
  return buildOncePerRun(['cdk.out', ...variant].join('.'), async (directory) => {
    await synthesize(directory, { quiet: true, context });
  });
}
