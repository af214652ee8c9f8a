import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
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

/** Every watched file of the app, sorted, relative to its directory. */
export function watchedFiles(appDir: string, patterns: WatchPatterns): string[] {
  const found: string[] = [];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(appDir, path).split(sep).join('/');
      if (entry.isDirectory()) {
        // Pruned early: walking node_modules or cdk.out would cost more than the synth it saves.
        if (
          !patterns.exclude.some((pattern) => matchesGlob(rel, pattern) || matchesGlob(`${rel}/x`, pattern))
        )
          visit(path);
      } else if (entry.isFile() && isWatched(rel, patterns)) found.push(rel);
    }
  };
  visit(appDir);
  return found.sort();
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
