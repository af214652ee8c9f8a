import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The variable that turns the recorder on inside the synth's processes (see bundle-recorder.cjs). */
export const BUNDLE_LOG_VARIABLE = 'CDK_LOCAL_CLOUD_BUNDLE_LOG';

/** How one NodejsFunction bundle was built during the last synth, and into which asset directory it went. */
export interface BundleRecord {
  /** Where esbuild ran (the function's project root). */
  readonly cwd: string;
  /** What ran esbuild (`npx --no-install esbuild` minus `esbuild`): used when no local esbuild binary was found. */
  readonly runner: readonly string[];
  /** The esbuild binary found from `cwd`, run directly to skip the runner's start-up. */
  readonly esbuild?: string;
  /** esbuild's arguments as the synth gave them; they name `outdir`, the bundling directory of that synth. */
  readonly args: readonly string[];
  /** The directory esbuild wrote to during the synth (CDK's `bundling-temp-…`, renamed to the asset afterwards). */
  readonly outdir: string;
  /** The bundle's file name in it (`index.js`). */
  readonly outfile: string;
  /** The bundling environment (NodejsFunction `bundling.environment`): what differed from the synth's own. */
  readonly env: Readonly<Record<string, string>>;
  /** Absolute paths of every file the bundle was made from (esbuild's metafile). */
  readonly inputs: readonly string[];
  /** The asset directory of the cloud assembly that holds this bundle (absolute). */
  readonly assetDir: string;
}

/** What the recorder wrote, before it is matched to an asset directory. */
type RawRecord = Omit<BundleRecord, 'assetDir'> & { readonly sha256: string };

/** Where the matched records of the cloud assembly in `cdkOut` are kept (deleting cdk.out forgets them). */
function recordsFile(cdkOut: string): string {
  return join(cdkOut, '.cdk-local-bundles.json');
}

/** A fresh directory for the recorder to log into during one synth. */
export function newBundleLog(): string {
  return mkdtempSync(join(tmpdir(), 'cdk-local-bundles-'));
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * After a synth into `cdkOut`: matches each recorded bundle to the asset directory CDK moved it to (by the
 * bundle's bytes: CDK renames `bundling-temp-<source hash>` to `asset.<output hash>`, or drops it when that asset
 * exists already), writes the records into the cloud assembly and removes the log. Bundles that match no asset,
 * and bundles some other command wrote to (a `commandHooks` step), are left out: their functions reload through
 * the full synth.
 */
export function saveBundleRecords(logDir: string, cdkOut: string): readonly BundleRecord[] {
  const logFile = join(logDir, 'bundles.jsonl');
  const raw: Array<RawRecord | { readonly tainted: string }> = existsSync(logFile)
    ? readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as RawRecord | { readonly tainted: string })
    : [];
  rmSync(logDir, { recursive: true, force: true });
  const tainted = new Set(raw.flatMap((line) => ('tainted' in line ? [line.tainted] : [])));
  const built = raw.filter((line): line is RawRecord => !('tainted' in line) && !tainted.has(line.outdir));
  const assets = existsSync(cdkOut)
    ? readdirSync(cdkOut).filter(
        (name) => name.startsWith('asset.') && statSync(join(cdkOut, name)).isDirectory(),
      )
    : [];
  const hashes = new Map<string, string>();
  const records: BundleRecord[] = [];
  for (const { sha256: wanted, ...record } of built) {
    const assetDir = assets
      .map((name) => join(cdkOut, name))
      .find((dir) => {
        const file = join(dir, record.outfile);
        if (!existsSync(file)) return false;
        if (!hashes.has(file)) hashes.set(file, sha256(file));
        return hashes.get(file) === wanted;
      });
    if (assetDir !== undefined) records.push({ ...record, assetDir });
  }
  writeFileSync(recordsFile(cdkOut), `${JSON.stringify(records, null, 2)}\n`);
  return records;
}

/** The bundle records of the cloud assembly in `cdkOut`; none when it was not synthesized by the local cloud. */
export function loadBundleRecords(cdkOut: string): readonly BundleRecord[] {
  try {
    return JSON.parse(readFileSync(recordsFile(cdkOut), 'utf8')) as BundleRecord[];
  } catch {
    return [];
  }
}
