import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, matchesGlob, relative, sep } from 'node:path';

/**
 * The app's `cdk.json` `watch` settings, as `cdk watch` reads them: `include` defaults to every file,
 * `exclude` to none; the output directory, `node_modules` and dot-files are always left out.
 */
export interface WatchPatterns {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

/** What `cdk watch` always leaves out, whatever `cdk.json` says (its own defaults). */
const ALWAYS_EXCLUDED = ['**/node_modules/**', 'node_modules/**', '**/.*', '**/.*/**', '.*/**', '.*'];

/** Reads the `watch` block of `<appDir>/cdk.json` (none: every file of the app, as `cdk watch` does). */
export function watchPatterns(appDir: string, outdir: string): WatchPatterns {
  const file = join(appDir, 'cdk.json');
  const config = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const watch = (config.watch ?? {}) as { include?: unknown; exclude?: unknown };
  const list = (value: unknown, fallback: string[]): string[] =>
    Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : fallback;
  const out = relative(appDir, outdir).split(sep).join('/');
  return {
    include: list(watch.include, ['**']),
    exclude: [
      ...list(watch.exclude, []),
      ...ALWAYS_EXCLUDED,
      ...(out && !out.startsWith('..') ? [out, `${out}/**`] : []),
    ],
  };
}

/** Whether a path relative to the app's directory (with `/`) is one of the app's watched inputs. */
export function isWatched(file: string, patterns: WatchPatterns): boolean {
  const path = file.split(sep).join('/');
  // A pattern naming a directory (`bin`) covers what is under it, as in `cdk watch`.
  const matches = (pattern: string) => matchesGlob(path, pattern) || matchesGlob(path, `${pattern}/**`);
  return patterns.include.some(matches) && !patterns.exclude.some(matches);
}

/**
 * Every watched file of the app, sorted, relative to its directory: its top-level files, and what is under the
 * directories the include patterns can reach (see watchRoots), so `node_modules` and unrelated trees are not walked.
 */
export function watchedFiles(appDir: string, patterns: WatchPatterns): string[] {
  const found: string[] = [];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(appDir, path).split(sep).join('/');
      if (entry.isDirectory()) {
        if (
          !patterns.exclude.some((pattern) => matchesGlob(rel, pattern) || matchesGlob(`${rel}/x`, pattern))
        )
          visit(path);
      } else if (entry.isFile() && isWatched(rel, patterns)) found.push(rel);
    }
  };
  for (const entry of readdirSync(appDir, { withFileTypes: true }))
    if (entry.isFile() && isWatched(entry.name, patterns)) found.push(entry.name);
  for (const root of watchRoots(appDir, patterns)) visit(join(appDir, root));
  return found.sort();
}

/**
 * The directories to watch recursively (relative to the app): each include pattern's fixed prefix (`bin` for
 * `bin/**`), or every top-level directory not excluded for a pattern that starts with a wildcard. Watching the
 * app's root recursively would also watch `node_modules`, tens of thousands of directories on Linux.
 */
export function watchRoots(appDir: string, patterns: WatchPatterns): string[] {
  const roots = new Set<string>();
  for (const pattern of patterns.include) {
    const fixed: string[] = [];
    for (const segment of pattern.split('/')) {
      if (/[*?[\]{}!]/.test(segment)) break;
      fixed.push(segment);
    }
    const prefix = fixed.join('/');
    if (prefix === '' || fixed.length === pattern.split('/').length) {
      if (prefix !== '' && !existsSync(join(appDir, prefix))) continue;
      if (prefix !== '' && statSync(join(appDir, prefix)).isDirectory()) {
        roots.add(prefix);
        continue;
      }
      if (prefix !== '') continue; // a file at the top: the root's own watcher sees it
      for (const entry of readdirSync(appDir, { withFileTypes: true })) {
        const excluded = patterns.exclude.some(
          (glob) => matchesGlob(entry.name, glob) || matchesGlob(`${entry.name}/x`, glob),
        );
        if (entry.isDirectory() && !excluded) roots.add(entry.name);
      }
    } else if (existsSync(join(appDir, prefix))) roots.add(prefix);
  }
  return [...roots].sort();
}

/** The version of the app's own CDK CLI (`node_modules/.bin/cdk` → its package), or undefined. */
export function cdkCliVersion(cli: string): string | undefined {
  try {
    for (let dir = dirname(realpathSync(cli)); dirname(dir) !== dir; dir = dirname(dir)) {
      const manifest = join(dir, 'package.json');
      if (existsSync(manifest)) return String(JSON.parse(readFileSync(manifest, 'utf8')).version);
    }
  } catch {
    // No readable CLI: the version is unknown, which the hash records as such.
  }
  return undefined;
}
