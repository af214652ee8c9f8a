import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The package's own directory (local/). */
const PACKAGE_DIR = resolve(__dirname, '..', '..');

/** The first `node_modules/<name>` at or above `from`: where this repository installed a package. */
export function installedPackageDir(name: string, from: string = PACKAGE_DIR): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} is not installed at or above ${from}`);
  }
}

/** Runs `npm pack` on the package (its `prepack` builds dist/) and resolves with the tarball's path. */
export function packPackage(destination: string): string {
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: PACKAGE_DIR,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [packed] = JSON.parse(output) as Array<{ filename: string }>;
  if (packed === undefined) throw new Error(`npm pack printed no tarball: ${output}`);
  return join(destination, packed.filename);
}

function link(target: string, at: string): void {
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(target, at, 'dir');
}

function linkBins(appDir: string, packageDir: string): void {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    name: string;
    bin?: string | Record<string, string>;
  };
  const bins = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
  for (const [name, file] of Object.entries(bins)) {
    mkdirSync(join(appDir, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(join(packageDir, file), join(appDir, 'node_modules', '.bin', name));
  }
}

/**
 * Installs a packed tarball into `appDir/node_modules` as npm lays out a tarball install, offline: the tarball
 * is extracted to `node_modules/<name>`, and each of its declared `dependencies` (nothing else) is linked from
 * this repository's installation, as are `appPackages` (the app's own: aws-cdk-lib, constructs, aws-cdk). A
 * module the package uses without declaring it is therefore missing, as it would be after `npm install`.
 * Bins are linked into `node_modules/.bin` from each package's `bin`.
 */
export function installTarball(appDir: string, tarball: string, appPackages: readonly string[]): string {
  const staging = join(appDir, 'node_modules', '.staging');
  mkdirSync(staging, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', staging]);
  const extracted = join(staging, 'package');
  const manifest = JSON.parse(readFileSync(join(extracted, 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
  };
  const installed = join(appDir, 'node_modules', manifest.name);
  renameSync(extracted, installed);
  for (const dependency of Object.keys(manifest.dependencies ?? {}))
    link(installedPackageDir(dependency), join(appDir, 'node_modules', dependency));
  for (const name of appPackages) {
    const at = join(appDir, 'node_modules', name);
    if (!existsSync(at)) link(installedPackageDir(name), at);
    linkBins(appDir, at);
  }
  linkBins(appDir, installed);
  return installed;
}

/** A running `cdk-local-cloud` command. */
export interface RunningCli {
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends SIGINT (Ctrl-C) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the app's installed `cdk-local-cloud` bin with `args`, in `cwd` (the app's directory by default). */
export function startInstalledCli(appDir: string, args: readonly string[], cwd = appDir): RunningCli {
  const child: ChildProcess = spawn(join(appDir, 'node_modules', '.bin', 'cdk-local-cloud'), [...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let output = '';
  let exitCode: number | null | undefined;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    notify();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolvePromise) =>
    child.once('exit', (code) => {
      exitCode = code;
      notify();
      resolvePromise(code);
    }),
  );
  return {
    output: () => output,
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise((resolvePromise, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} in ${timeoutMs} ms; the command printed:\n${output}`));
        }, timeoutMs);
        function check(): void {
          const match = pattern.exec(output);
          if (match === null && exitCode === undefined) return;
          clearTimeout(timer);
          listeners.delete(check);
          if (match !== null) resolvePromise(match);
          else reject(new Error(`exited with ${exitCode} before printing ${pattern}:\n${output}`));
        }
        listeners.add(check);
        check();
      });
    },
    async stop() {
      if (exitCode === undefined) child.kill('SIGINT');
      return exited;
    },
  };
}

/** Writes `files` (path relative to `dir` → content) into `dir`. */
export function writeFiles(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}
