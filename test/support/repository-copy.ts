import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '..', '..');

/**
 * Copies the repository's files as a fresh clone would have them (tracked, and new ones not ignored; files deleted
 * in the checkout left out) into a new temporary directory named `prefix…`, with this checkout's node_modules
 * linked in, for tests that change a whole copy (rename, make it yours). The caller removes it.
 */
export function copyRepository(prefix: string): string {
  const target = mkdtempSync(join(tmpdir(), prefix));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(ROOT, file)));
  for (const file of new Set(files)) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(target, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(target, 'node_modules'));
  return target;
}

const run = promisify(execFile);
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs one of the copy's TypeScript scripts (`bin/…`) with tsx, in the copy. */
export function runInCopy(copy: string, script: string, args: readonly string[] = []) {
  return run(TSX, [join(copy, script), ...args], { cwd: copy });
}

/**
 * Synthesizes the copy's app (`bin/app.ts`, cdk-nag included: a finding fails it) into `<copy>/cdk.out`, without
 * bundling the functions; resolves to that folder.
 */
export async function synthesizeCopy(copy: string): Promise<string> {
  const cdkOut = join(copy, 'cdk.out');
  await run(TSX, [join(copy, 'bin', 'app.ts')], {
    cwd: copy,
    env: {
      ...process.env,
      CDK_OUTDIR: cdkOut,
      CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [] }),
    },
  });
  return cdkOut;
}

/** Runs the copy's own jest with `args`, in the copy; resolves to its output (stdout and stderr). */
export async function jestInCopy(copy: string, args: readonly string[]): Promise<string> {
  const { stdout, stderr } = await run(join(copy, 'node_modules', '.bin', 'jest'), [...args], { cwd: copy });
  return `${stdout}${stderr}`;
}
