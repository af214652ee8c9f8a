#!/usr/bin/env node
/**
 * `npm run rename -- <new-name>`: makes this starter another product. The name lives in one constant
 * (shared/app-name.ts) from which every stack and resource name derives; this rewrites that constant and every other
 * mention of the current name in every form it takes — kebab-case (`saas-orders`: resource names, package name, docs),
 * PascalCase (`SaasOrders`: stacks, metrics namespace), snake and upper snake case, camelCase — in every text file of
 * the repository (not node_modules, build output or git's own files). Run it on a fresh clone, then `npm install`
 * (the lock file's name changes) and `npm test`.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const APP_NAME_FILE = join(ROOT, 'shared', 'app-name.ts');
/** What is never rewritten: installed packages, build and local-cloud output, git's own files. */
const SKIPPED = new Set(['node_modules', '.git', 'cdk.out', '.cdk-local', 'dist', 'coverage']);
/** A name every resource name can carry: lowercase words joined by hyphens, short enough for the Cognito domain. */
const VALID_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_LENGTH = 20;

/** The forms a name takes in code and docs. */
export interface NameForms {
  readonly kebab: string;
  readonly pascal: string;
  readonly camel: string;
  readonly snake: string;
  readonly upperSnake: string;
}

/** The forms a kebab-case name takes in code and docs. */
export function nameForms(kebab: string): NameForms {
  const words = kebab.split('-');
  const pascal = words.map((word) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`).join('');
  return {
    kebab,
    pascal,
    camel: `${pascal.charAt(0).toLowerCase()}${pascal.slice(1)}`,
    snake: words.join('_'),
    upperSnake: words.join('_').toUpperCase(),
  };
}

/** The current name, from the one constant. */
export function currentName(root = ROOT): string {
  const match = /export const APP_NAME = '([^']+)';/.exec(
    readFileSync(join(root, 'shared', 'app-name.ts'), 'utf8'),
  );
  if (!match?.[1]) throw new Error(`${relative(root, APP_NAME_FILE)} has no APP_NAME constant`);
  return match[1];
}

function* textFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* textFiles(path);
    else if (entry.isFile() && statSync(path).size < 5_000_000) yield path;
  }
}

/** Rewrites every form of the current name to the same form of `next`; resolves with the files changed. */
export function rename(next: string, root = ROOT): string[] {
  if (!VALID_NAME.test(next) || next.length > MAX_LENGTH) {
    throw new Error(
      `'${next}' is not a name every resource can carry: use lowercase words joined by hyphens, at most ${MAX_LENGTH} characters (e.g. acme-shop)`,
    );
  }
  const from = nameForms(currentName(root));
  const to = nameForms(next);
  if (from.kebab === to.kebab) throw new Error(`the app is already named ${next}`);
  const keys: ReadonlyArray<keyof NameForms> = ['kebab', 'pascal', 'camel', 'snake', 'upperSnake'];
  const changed: string[] = [];
  for (const file of textFiles(root)) {
    const bytes = readFileSync(file);
    if (bytes.includes(0)) continue;
    const text = bytes.toString('utf8');
    let renamed = text;
    for (const key of keys) renamed = renamed.split(from[key]).join(to[key]);
    if (renamed !== text) {
      writeFileSync(file, renamed);
      changed.push(relative(root, file));
    }
  }
  return changed;
}

if (require.main === module) {
  const [next] = process.argv.slice(2);
  try {
    if (!next) throw new Error('usage: npm run rename -- <new-name>   (e.g. acme-shop)');
    const from = currentName();
    const changed = rename(next);
    process.stdout.write(
      `renamed ${from} to ${next} in ${changed.length} files; now: npm install (the lock file names the package) and npm test\n`,
    );
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
