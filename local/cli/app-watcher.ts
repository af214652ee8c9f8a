import { existsSync, type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import { join, matchesGlob } from 'node:path';
import { isWatched, type WatchPatterns } from './app-inputs';

/** How to watch an app's sources. */
export interface AppWatcherOptions {
  readonly appDir: string;
  /** cdk.json's `watch` patterns (see `watchPatterns`). */
  readonly patterns: WatchPatterns;
  /** Files besides the patterns whose change matters (cdk.json, the lock file). */
  readonly alsoWatched?: readonly string[];
  /**
   * Called with the files that changed once the burst of saves is over; never twice at once: changes made
   * while it runs are handed to the next call.
   */
  readonly onChange: (files: readonly string[]) => Promise<void>;
  /** Quiet time after the last change before `onChange` runs (an editor saves in several writes). @default 150 */
  readonly settleMs?: number;
}

/** A running watcher. */
export interface AppWatcher {
  close(): void;
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

/**
 * Watches an app's directory as `cdk watch` does (cdk.json `watch.include` minus `watch.exclude`), with one
 * recursive `fs.watch` (inotify on Linux, FSEvents on macOS: no polling), and runs `onChange` serially.
 */
export function watchApp(options: AppWatcherOptions): AppWatcher {
  const extra = new Set(options.alsoWatched ?? []);
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const flush = (): void => {
    if (running || changed.size === 0) return;
    const files = [...changed].sort();
    changed.clear();
    running = options.onChange(files).finally(() => {
      running = undefined;
      flush();
    });
  };
  const seen = (root: string) => (_event: string, file: string | Buffer | null) => {
    if (file === null) return;
    const path = `${root}${file.toString()}`.replace(/\\/g, '/');
    if (!extra.has(path) && !isWatched(path, options.patterns)) return;
    changed.add(path);
    clearTimeout(timer);
    timer = setTimeout(flush, options.settleMs ?? 150);
  };
  const watchers: FSWatcher[] = [
    // The app's own directory, not recursively: cdk.json, the lock file, top-level sources.
    watch(options.appDir, seen('')),
    ...watchRoots(options.appDir, options.patterns).map((root) =>
      watch(join(options.appDir, root), { recursive: true }, seen(`${root}/`)),
    ),
  ];
  return {
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
