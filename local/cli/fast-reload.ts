import { execFile } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type BundleRecord, loadBundleRecords } from './bundle-records';

/** What a fast reload did. */
export interface FastReloadOutcome {
  /** The functions now serving a rebuilt bundle. */
  readonly functions: readonly string[];
  /** How many recorded bundles had the changed files among their inputs (rebuilt, changed or not). */
  readonly rebuilt: number;
  readonly ms: number;
}

/** Rebuilds recorded bundles on a change, without a synth (see bundle-recorder.cjs). */
export interface FastReloader {
  /**
   * Rebuilds, in parallel, every recorded bundle that has one of `files` (relative to the app's directory) among
   * its inputs, into a new directory, and has the functions whose bundle bytes changed served from it. Resolves
   * undefined when no recorded bundle reads any of the files (or a rebuild failed: the full synth reports it).
   */
  run(files: readonly string[]): Promise<FastReloadOutcome | undefined>;
  /**
   * After a full synth was served: reads the new synth's records and removes the rebuilt directories no function
   * serves from any more.
   */
  reset(): void;
}

/** What the reloader needs of the cloud: `ComposedServices.refreshCode`. */
export interface CodeRefresher {
  refreshCode(moves: ReadonlyMap<string, string>): Promise<string[]>;
}

const real = (path: string): string => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((done, fail) =>
    execFile(command, [...args], { cwd, env }, (error, _stdout, stderr) =>
      error ? fail(new Error(`${error.message}\n${stderr}`)) : done(),
    ),
  );
}

const sameBytes = (a: string, b: string): boolean =>
  existsSync(a) && existsSync(b) && readFileSync(a).equals(readFileSync(b));

/**
 * The fast path of `--watch` for the cloud assembly in `cdkOut`: a NodejsFunction's bundle is rebuilt with the
 * esbuild command the last synth ran for it, not by re-synthesizing the app. The cloud assembly's asset
 * directories are never written (CDK names them by their content and reuses them); each rebuild goes to
 * `cdk.out/.cdk-local-fast/asset.<hash>.<n>`, a copy of the served directory with the new bundle.
 */
export function fastReloader(appDir: string, cdkOut: string, cloud: () => CodeRefresher): FastReloader {
  const fastRoot = join(cdkOut, '.cdk-local-fast');
  // Left by an earlier run: nothing serves from them now.
  rmSync(fastRoot, { recursive: true, force: true });
  let records: BundleRecord[] | undefined;
  /** Asset directory → the directory its functions are served from now, when a rebuild replaced it. */
  const served = new Map<string, string>();
  let count = 0;

  const rebuild = async (record: BundleRecord): Promise<{ from: string; to: string } | undefined> => {
    const from = served.get(record.assetDir) ?? record.assetDir;
    const to = join(fastRoot, `${basename(record.assetDir)}.${++count}`);
    rmSync(to, { recursive: true, force: true });
    // A copy of what is served: files a bundle step other than esbuild put there (node_modules) stay.
    cpSync(from, to, { recursive: true });
    const args = record.args.map((arg) => arg.split(record.outdir).join(to));
    const metafile = `${to}.meta.json`;
    if (!args.some((arg) => arg.startsWith('--metafile='))) args.push(`--metafile=${metafile}`);
    const [command, ...runnerArgs] = record.esbuild ? [record.esbuild] : record.runner;
    if (command === undefined) throw new Error('a bundle record without a command');
    await run(command, [...runnerArgs, ...args], record.cwd, { ...process.env, ...record.env });
    // The inputs now (an import added or removed), for the next change.
    const used = args.find((arg) => arg.startsWith('--metafile='))?.slice('--metafile='.length) ?? metafile;
    try {
      const meta = JSON.parse(readFileSync(resolve(record.cwd, used), 'utf8')) as { inputs?: object };
      Object.assign(record, {
        inputs: Object.keys(meta.inputs ?? {}).map((input) => resolve(record.cwd, input)),
      });
    } catch {
      // The previous inputs stay.
    }
    rmSync(metafile, { force: true });
    if (sameBytes(join(from, record.outfile), join(to, record.outfile))) {
      rmSync(to, { recursive: true, force: true });
      return undefined;
    }
    served.set(record.assetDir, to);
    return { from, to };
  };

  return {
    async run(files) {
      const began = performance.now();
      records ??= loadBundleRecords(cdkOut).map((record) => ({ ...record }));
      const changed = new Set(files.map((file) => real(resolve(appDir, file))));
      const affected = records.filter((record) => record.inputs.some((input) => changed.has(real(input))));
      if (affected.length === 0) return undefined;
      let moved: Array<{ from: string; to: string } | undefined>;
      try {
        moved = await Promise.all(affected.map(rebuild));
      } catch {
        return undefined;
      }
      const moves = new Map(moved.flatMap((move) => (move ? [[move.from, move.to] as const] : [])));
      const functions = moves.size > 0 ? await cloud().refreshCode(moves) : [];
      return { functions, rebuilt: affected.length, ms: performance.now() - began };
    },
    reset() {
      records = loadBundleRecords(cdkOut).map((record) => ({ ...record }));
      // A function the synth moved to a new asset directory no longer serves from its rebuilt one. One whose asset
      // directory stayed (a custom `assetHash`) was not reloaded by the synth: it keeps serving the rebuilt bundle.
      const assets = new Set(records.map((record) => record.assetDir));
      for (const assetDir of served.keys()) if (!assets.has(assetDir)) served.delete(assetDir);
      const keep = new Set([...served.values()].map((dir) => basename(dir)));
      if (existsSync(fastRoot))
        for (const name of readdirSync(fastRoot))
          if (!keep.has(name)) rmSync(join(fastRoot, name), { recursive: true, force: true });
    },
  };
}
