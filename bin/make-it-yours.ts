#!/usr/bin/env node
/**
 * `npm run make-it-yours -- <command>`: the README's "Make it yours" steps, as patches in docs/make-it-yours/ that
 * this applies to the repository in order, so what the README shows is what `test/infra/make-it-yours.test.ts`
 * runs on a copy (a patch that no longer applies fails that test, naming the step).
 *
 *   list            the steps, in order
 *   apply [N...]    applies steps N... (every step by default, in order) with `git apply`, each checked first
 *   check           after step 1: lists every file still mentioning the removed capability (exit 1 if any)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const STEPS_DIR = join(ROOT, 'docs', 'make-it-yours');

/** One step: its patch, a title from its file name (`1-remove-audit-api.patch` → `remove audit api`). */
export interface Step {
  readonly number: number;
  readonly title: string;
  readonly patch: string;
}

/** The steps in docs/make-it-yours/, ordered by their number. */
export function steps(dir = STEPS_DIR): Step[] {
  return readdirSync(dir)
    .map((file) => /^(\d+)-(.+)\.patch$/.exec(file))
    .filter((match) => match !== null)
    .map(([file, number, name]) => ({
      number: Number(number),
      title: String(name).replace(/-/g, ' '),
      patch: join(dir, String(file)),
    }))
    .sort((a, b) => a.number - b.number);
}

/**
 * A patch split in two: the files it deletes, and the rest. A deletion is done by path, whatever the file holds
 * now (a patch would refuse a file changed since the step was written); the rest is applied by `git apply`.
 */
function splitDeletions(patch: string): { readonly deleted: string[]; readonly rest: string } {
  const deleted: string[] = [];
  const kept = patch.split(/^(?=diff --git )/m).filter((section) => {
    const path = /^diff --git a\/(\S+) b\//.exec(section)?.[1];
    if (path === undefined || !/^deleted file mode /m.test(section)) return true;
    deleted.push(path);
    return false;
  });
  return { deleted, rest: kept.join('') };
}

/**
 * Applies the steps numbered `numbers` (every step by default), in order, in `root`. `git apply` works in a
 * directory that is not a repository too (a copy, an unpacked archive). Each step is checked before anything is
 * changed, so a step that no longer fits leaves the files as they were and says which step. Hunks need only one
 * line of context to match (`-C1`) and may have moved, so a change elsewhere in a file does not break a step.
 */
export function applySteps(root: string, numbers?: readonly number[], dir = STEPS_DIR): Step[] {
  const applied: Step[] = [];
  const chosen = steps(dir).filter((s) => numbers === undefined || numbers.includes(s.number));
  const unknown = numbers?.filter((n) => !chosen.some((s) => s.number === n)) ?? [];
  if (unknown.length > 0) throw new Error(`no step ${unknown.join(', ')} in ${relative(ROOT, dir)}`);
  for (const step of chosen) {
    const { deleted, rest } = splitDeletions(readFileSync(step.patch, 'utf8'));
    const gone = deleted.filter((path) => !existsSync(join(root, path)));
    const apply = (check: boolean) =>
      execFileSync('git', ['apply', '-C1', '--recount', ...(check ? ['--check'] : []), '-'], {
        cwd: root,
        input: rest,
        stdio: 'pipe',
      });
    try {
      if (gone.length > 0) throw new Error(`already missing: ${gone.join(', ')}`);
      apply(true);
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
      throw new Error(`step ${step.number} (${step.title}) does not apply:\n${stderr}`);
    }
    for (const path of deleted) {
      rmSync(join(root, path));
      // As `git apply` does: a folder the deletions emptied goes too.
      for (
        let folder = dirname(path);
        folder !== '.' && readdirSync(join(root, folder)).length === 0;
        folder = dirname(folder)
      )
        rmdirSync(join(root, folder));
    }
    apply(false);
    applied.push(step);
  }
  return applied;
}

/**
 * What names the capability step 1 removes — the audit trail's read API (`GET /audit`): its construct, its
 * service folder, its handler and route. The trail itself (`shared/audit.ts`, written by every operator and admin
 * action) stays, so `audit` alone is no leftover. Built from parts so this file is not a match.
 */
export const REMOVED_CAPABILITY = new RegExp(
  [
    ['Audit', 'Api'].join(''),
    ['audit', 'api'].join('-'),
    ['services', 'audit', ''].join('/'),
    ['GET /', 'audit\\b'].join(''),
    ['GET/', 'audit\\b'].join(''),
    ["path: '", "audit'"].join(''),
    ['create', 'AuditHandler'].join(''),
    ['read', 'AuditConfig'].join(''),
  ].join('|'),
);

/** Files that talk about the steps themselves, and the README's section that shows them. */
const ABOUT_THE_STEPS = ['docs/make-it-yours/', 'bin/make-it-yours.ts', 'test/infra/make-it-yours.test.ts'];
const SKIPPED = new Set(['node_modules', '.git', 'cdk.out', '.cdk-local', 'dist', 'coverage']);

/** The README without its "Make it yours" section, which names what step 1 removes. */
function readmeOutsideSteps(text: string): string {
  return text.replace(/^### Make it yours\n[\s\S]*?(?=^##)/m, '');
}

/** Every file under `root` (outside the steps' own files) that still mentions the removed capability. */
export function leftovers(root: string): string[] {
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (SKIPPED.has(entry.name)) continue;
      const path = join(dir, entry.name);
      const name = relative(root, path);
      if (ABOUT_THE_STEPS.some((about) => name === about || name.startsWith(about))) continue;
      if (entry.isDirectory()) {
        visit(path);
        continue;
      }
      const text = readFileSync(path, 'utf8');
      const checked = name === 'README.md' ? readmeOutsideSteps(text) : text;
      if (REMOVED_CAPABILITY.test(checked)) found.push(name);
    }
  };
  visit(root);
  return found.sort();
}

if (require.main === module) {
  const [command, ...numbers] = process.argv.slice(2);
  if (command === 'list') {
    for (const step of steps()) console.log(`${step.number}. ${step.title}  (${relative(ROOT, step.patch)})`);
  } else if (command === 'apply') {
    const chosen = numbers.length === 0 ? undefined : numbers.map(Number);
    for (const step of applySteps(ROOT, chosen)) console.log(`applied step ${step.number}: ${step.title}`);
  } else if (command === 'check') {
    const found = leftovers(ROOT);
    if (found.length > 0) {
      console.error(`still mentioning the removed capability:\n  ${found.join('\n  ')}`);
      process.exit(1);
    }
    console.log('nothing of the removed capability remains');
  } else {
    console.error('usage: npm run make-it-yours -- list | apply [N...] | check');
    process.exit(2);
  }
}
