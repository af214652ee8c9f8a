import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cdkCliVersion, watchedFiles, watchPatterns } from './app-inputs';

/** Everything a synth reads besides the app's files, as the command line decided it. */
export interface SynthRequest {
  readonly appDir: string;
  readonly outdir: string;
  /** `--app`, when given. */
  readonly app?: string;
  /** `-c key=value` context. */
  readonly context: Readonly<Record<string, string>>;
  /** The app's CDK CLI (its version is an input: a new CLI may synthesize differently). */
  readonly cli?: string;
  /** The environment the app runs in. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Lock files whose change means other libraries, hence possibly another template. */
const LOCK_FILES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock'];
/** Files the CDK CLI itself reads into the app's context. */
const CONTEXT_FILES = ['cdk.json', 'cdk.context.json'];

/**
 * The hash of what feeds a synth: the app's files (cdk.json `watch.include` minus `watch.exclude`), cdk.json and
 * cdk.context.json, the lock files of the app and of the directories above it (a workspace's lock is at its
 * root), `--app`, `-c`, the CDK CLI's version and the `CDK_*` environment (CDK_DEFAULT_ACCOUNT/REGION reach the
 * app). An app reading other environment variables or files outside its patterns is not covered: `--synth`
 * forces one.
 */
export function synthInputsHash(request: SynthRequest): string {
  const hash = createHash('sha256');
  const add = (label: string, value: string | Buffer) => {
    hash.update(`${label}\0`);
    hash.update(value);
    hash.update('\0');
  };
  const env = request.env ?? process.env;
  add('app', request.app ?? '');
  add('context', JSON.stringify(Object.entries(request.context).sort()));
  add('cli', request.cli ? (cdkCliVersion(request.cli) ?? 'unknown') : 'none');
  add(
    'env',
    JSON.stringify(
      Object.entries(env)
        .filter(([name]) => name.startsWith('CDK_'))
        .sort(),
    ),
  );
  for (const name of CONTEXT_FILES) {
    const file = join(request.appDir, name);
    add(name, existsSync(file) ? readFileSync(file) : '');
  }
  for (let dir = request.appDir; ; dir = dirname(dir)) {
    for (const name of LOCK_FILES) {
      const file = join(dir, name);
      if (existsSync(file)) add(file, readFileSync(file));
    }
    if (dirname(dir) === dir) break;
  }
  for (const file of watchedFiles(request.appDir, watchPatterns(request.appDir, request.outdir)))
    add(file, readFileSync(join(request.appDir, file)));
  return hash.digest('hex');
}

/** Where the hash of the last synth is kept: in the cloud assembly, so deleting cdk.out forgets it. */
function recordFile(outdir: string): string {
  return join(outdir, '.cdk-local-inputs.json');
}

/** The cloud assembly's manifest, hashed: a cdk.out another command rewrote since is not ours to reuse. */
function manifestHash(outdir: string): string | undefined {
  const manifest = join(outdir, 'manifest.json');
  return existsSync(manifest) ? createHash('sha256').update(readFileSync(manifest)).digest('hex') : undefined;
}

/** Why a synth is needed, or undefined when the cloud assembly on disk was made from these very inputs. */
export function synthNeeded(outdir: string, inputs: string): string | undefined {
  const manifest = manifestHash(outdir);
  if (manifest === undefined) return 'no cloud assembly yet';
  let record: { inputs?: string; manifest?: string };
  try {
    record = JSON.parse(readFileSync(recordFile(outdir), 'utf8'));
  } catch {
    return 'no record of what the cloud assembly was made from';
  }
  if (record.manifest !== manifest) return 'the cloud assembly was rewritten by another command';
  if (record.inputs !== inputs) return 'the app changed';
  return undefined;
}

/** Records that the cloud assembly now in `outdir` was made from `inputs`. */
export function recordSynth(outdir: string, inputs: string): void {
  mkdirSync(outdir, { recursive: true });
  writeFileSync(
    recordFile(outdir),
    `${JSON.stringify({ inputs, manifest: manifestHash(outdir) }, null, 2)}\n`,
  );
}
