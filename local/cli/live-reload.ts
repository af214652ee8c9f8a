import type { LocalCloud } from '../local-cloud';
import { watchPatterns } from './app-inputs';
import { type AppWatcher, watchApp } from './app-watcher';
import { fastReloader } from './fast-reload';
import { recordSynth, type SynthRequest, synthInputsHash, synthNeeded } from './synth-cache';

/** What the start-up synth did. */
export interface SynthOutcome {
  /** False when the cloud assembly on disk was made from the same inputs. */
  readonly synthesized: boolean;
  /** Why it synthesized (`the app changed`), or why not. */
  readonly reason: string;
  readonly ms: number;
  /** The hash of the inputs the served assembly was made from (taken before the synth). */
  readonly inputs: string;
}

/**
 * Synthesizes the app unless the cloud assembly on disk was made from the same inputs (see synth-cache.ts);
 * `force` synthesizes anyway. The inputs are hashed before the synth, so a file saved during it makes the next
 * start synthesize again rather than trust a stale assembly.
 */
async function synthIfChanged(
  request: SynthRequest,
  synth: () => Promise<unknown>,
  force = false,
): Promise<SynthOutcome> {
  const began = performance.now();
  const inputs = synthInputsHash(request);
  const needed = force ? 'asked for (--synth)' : synthNeeded(request.outdir, inputs);
  if (needed === undefined)
    return { synthesized: false, reason: 'nothing it reads changed since the last synth', ms: 0, inputs };
  await synth();
  recordSynth(request.outdir, inputs);
  return { synthesized: true, reason: needed, ms: performance.now() - began, inputs };
}

/**
 * The command line's synth at start: skipped when nothing changed, with one line saying which it was. Resolves
 * with the hash of the inputs the assembly was made from, for `liveReload`.
 */
export async function startupSynth(
  request: SynthRequest,
  synth: () => Promise<unknown>,
  force: boolean,
  step: (line: string) => void,
): Promise<string> {
  const outcome = await synthIfChanged(
    request,
    () => {
      step('synthesizing the CDK app…');
      return synth();
    },
    force,
  );
  step(
    outcome.synthesized
      ? `synthesized in ${(outcome.ms / 1000).toFixed(1)} s (${outcome.reason})`
      : `synth skipped: ${outcome.reason} (--synth forces one)`,
  );
  return outcome.inputs;
}

/** esbuild's report of a bundle that built (CDK prints one per function): noise around the error that matters. */
const BUNDLE_REPORT = [/^Bundling asset .*\.\.\.$/, /^\.\.\.\S+\s+[\d.]+\s*[kmg]?b$/i, /^⚡ Done in \d+ms$/];

/** A failed synth's output without the reports of the bundles that built, and without runs of blank lines. */
export function synthFailureText(output: string): string {
  return output
    .split('\n')
    .filter((line) => !BUNDLE_REPORT.some((pattern) => pattern.test(line.trim())))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** What makes two failures "the same": their text without numbers, hashes and temporary paths. */
function failureKey(text: string): string {
  return text.replace(/[0-9a-f]{8,}/gi, '#').replace(/\d+/g, '#');
}

/** What `liveReload` needs from the command line. */
export interface LiveReloadOptions {
  readonly request: SynthRequest;
  /**
   * The hash of what the served assembly was made from (`SynthOutcome.inputs`): a file saved between that synth
   * and the watcher's start is then seen as a change. @default the inputs now
   */
  readonly servedInputs?: string;
  /** Re-synthesizes into `request.outdir`; rejects with the CLI's output on failure. */
  readonly synth: () => Promise<unknown>;
  /** The cloud serving now (it may be replaced by `restart`). */
  readonly cloud: () => LocalCloud;
  /** Restarts the whole cloud: only for a change some service cannot reload in place. */
  readonly restart: () => Promise<void>;
  /** Prints one line of progress. */
  readonly step: (line: string) => void;
  /** Prints a failure (the synth's output). */
  readonly fail: (text: string) => void;
}

/**
 * `--watch`: on every settled change to the app's inputs, first rebuilds the bundles of the NodejsFunctions that
 * read a changed file, with the esbuild command the last synth ran for them (fast-reload.ts), and serves them
 * (`fast reload: a.ts → FnA (0.6 s); full synth following`); then re-synthesizes in the background and reloads
 * only what changed (see `ComposedServices.reload`), printing one line. A function that was fast-reloaded is
 * reloaded once more by that synth (its asset directory changes, not its bytes). A synth whose result is stale
 * before it is served (another change came meanwhile) is not served: the next one is. A failing synth leaves
 * the last good version serving and is printed once, not again until it fails differently or succeeds.
 */
export function liveReload(options: LiveReloadOptions): AppWatcher {
  const { request } = options;
  let served = options.servedInputs ?? synthInputsHash(request);
  let lastFailure: string | undefined;
  const fast = fastReloader(request.appDir, request.outdir, () => options.cloud());
  /** Changed files the next served synth covers. */
  const pending = new Set<string>();
  let synthesizing: Promise<void> | undefined;
  let again = false;

  const synthOnce = async (): Promise<void> => {
    const began = performance.now();
    const inputs = synthInputsHash(request);
    const files = [...pending];
    const what = files.length === 1 ? files[0] : `${files.length} files`;
    if (inputs === served) {
      pending.clear();
      return; // saved without a change, or changed back
    }
    try {
      await options.synth();
      // A change came during the synth: serving this assembly would undo its fast reload; the next synth serves.
      if (again) return;
      recordSynth(request.outdir, inputs);
      const synthesized = performance.now();
      const result = await options.cloud().reload();
      fast.reset();
      const took = `synth ${((synthesized - began) / 1000).toFixed(1)} s, reload ${((performance.now() - synthesized) / 1000).toFixed(1)} s`;
      served = inputs;
      lastFailure = undefined;
      for (const file of files) pending.delete(file);
      if (result.templateChanged) {
        await options.restart();
        options.step(`${what} changed: restarted the cloud (a service cannot reload in place; ${took})`);
        return;
      }
      const parts = [
        ...(result.changedFunctions.length > 0 ? [`functions ${result.changedFunctions.join(', ')}`] : []),
        ...result.reloaded,
      ];
      options.step(
        `${what} changed: ${parts.length > 0 ? `reloaded ${parts.join('; ')}` : 'nothing served changed'} (${took})`,
      );
    } catch (error) {
      if (again) return;
      for (const file of files) pending.delete(file);
      const message = synthFailureText(error instanceof Error ? error.message : String(error));
      if (failureKey(message) !== lastFailure) {
        options.fail(
          `${what} changed, but the app did not synthesize; still serving the last version:\n${message}`,
        );
      } else options.step(`${what} changed: still failing the same way; still serving the last version`);
      lastFailure = failureKey(message);
    }
  };

  /** Runs synths one after another until one started after the last change. */
  const synthInBackground = (): void => {
    if (synthesizing) {
      again = true;
      return;
    }
    synthesizing = (async () => {
      do {
        again = false;
        await synthOnce();
      } while (again);
    })().finally(() => {
      synthesizing = undefined;
    });
  };

  return watchApp({
    appDir: request.appDir,
    patterns: watchPatterns(request.appDir, request.outdir),
    alsoWatched: ['cdk.json', 'cdk.context.json', 'package-lock.json'],
    onChange: async (files) => {
      for (const file of files) pending.add(file);
      const outcome = await fast.run(files).catch(() => undefined);
      if (outcome !== undefined) {
        const what = files.length === 1 ? files[0] : `${files.length} files`;
        const functions =
          outcome.functions.length > 0
            ? outcome.functions.join(', ')
            : `no bundle changed (${outcome.rebuilt} rebuilt)`;
        options.step(
          `fast reload: ${what} → ${functions} (${(outcome.ms / 1000).toFixed(1)} s); full synth following`,
        );
      }
      synthInBackground();
    },
  });
}
