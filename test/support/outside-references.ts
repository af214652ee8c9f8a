import { readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** One place in a source file that points outside the repository. */
export interface OutsideReference {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly resolved: string;
}

const SOURCE = /\.(c|m)?(t|j)sx?$/;
// '../x' or './x' string literals (imports, requires, readFileSync arguments, …).
const RELATIVE_LITERAL = /(['"`])(\.{1,2}\/[^'"`\s]*)\1/g;
// join(__dirname, '..', 'x') / resolve(__dirname, '../x') with literal segments.
const DIRNAME_CALL = /\b(?:join|resolve)\(\s*__dirname((?:\s*,\s*(['"])[^'"]*\2)+)/g;
// Absolute paths into a developer's machine.
const MACHINE_PATH = /(['"`])(\/(?:work|home|Users|tmp)\/[^'"`\s]*)\1/g;

function outside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

/** Every reference in `content` (a file at `file` inside `root`) that resolves outside `root`. */
export function findOutsideReferences(root: string, file: string, content: string): OutsideReference[] {
  const found: OutsideReference[] = [];
  const here = dirname(file);
  const lines = content.split('\n');
  lines.forEach((text, index) => {
    const report = (resolved: string) =>
      found.push({ file: relative(root, file), line: index + 1, text: text.trim(), resolved });
    for (const match of text.matchAll(RELATIVE_LITERAL)) {
      const target = resolve(here, match[2] ?? '');
      if (outside(root, target)) report(target);
    }
    for (const match of text.matchAll(DIRNAME_CALL)) {
      const segments = [...(match[1] ?? '').matchAll(/(['"])([^'"]*)\1/g)].map((m) => m[2] ?? '');
      const target = resolve(here, ...segments);
      if (outside(root, target)) report(target);
    }
    for (const match of text.matchAll(MACHINE_PATH)) report(match[2] ?? '');
  });
  return found;
}

/** Source files under the given top-level folders of `root`, skipping dependencies and build output. */
export function sourceFiles(root: string, folders: readonly string[]): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      if (entry.name === 'node_modules' || entry.name === 'cdk.out' || entry.name.startsWith('.')) return [];
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return SOURCE.test(entry.name) ? [path] : [];
    });
  return folders.flatMap((folder) => walk(join(root, folder)));
}

/** All outside references in the repository's source folders. */
export function scanRepository(root: string, folders: readonly string[]): OutsideReference[] {
  return sourceFiles(root, folders).flatMap((file) =>
    findOutsideReferences(root, file, readFileSync(file, 'utf8')),
  );
}
