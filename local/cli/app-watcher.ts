import { type FSWatcher, watch } from 'node:fs';
import { join } from 'node:path';
import { isWatched, type WatchPatterns, watchRoots } from './app-inputs';

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
