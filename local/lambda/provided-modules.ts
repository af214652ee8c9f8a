import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { LocalFunction } from './local-function';

/**
 * The package scopes Lambda's Node.js runtimes (nodejs18.x and later) put on NODE_PATH: the AWS SDK for
 * JavaScript v3 and the Smithy packages it is built on. NodejsFunction leaves `@aws-sdk/*` out of bundles by
 * default (and `@smithy/*` under `sdkV3ExcludeSmithyPackages`), so most CDK apps' functions need them.
 */
const PROVIDED_SCOPES = ['@aws-sdk', '@smithy'] as const;

/** Where the runtime's provided SDK comes from, in the order a function's `require` looks. */
export interface ProvidedModuleSources {
  /**
   * The CDK app's directory: its `node_modules` (at or above it) come first, so the clients the app installed to
   * write its handlers are the ones its functions get. @default none
   */
  readonly appDir?: string;
  /** Where the local cloud itself is installed: its own SDK comes next. @default this file's directory */
  readonly packageDir?: string;
}

/** The first `node_modules/<scope>` at or above `from`, by its real path. */
function installedScope(scope: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', scope);
    if (existsSync(candidate)) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Creates one `node_modules` folder under `root` per source (the app's, then the local cloud's), each holding
 * links to that source's installed `@aws-sdk` and `@smithy` scopes, and returns them in order for NODE_PATH.
 * Linking only those scopes (rather than putting a whole node_modules on NODE_PATH) keeps a function that forgot
 * to bundle another dependency failing locally as it would in AWS, whatever folder its cdk.out is in. Node
 * resolves the links to their real paths, so each client's own dependencies resolve from where it is installed.
 * Lambda provides every client; locally only those the app or the local cloud installed are there (see
 * {@link unprovidedSdkModules}).
 */
export function linkProvidedModules(root: string, sources: ProvidedModuleSources = {}): string[] {
  const origins = [
    ...(sources.appDir === undefined ? [] : [['app', sources.appDir] as const]),
    ['package', sources.packageDir ?? __dirname] as const,
  ];
  const linked = new Set<string>();
  const dirs: string[] = [];
  for (const [name, from] of origins) {
    const modules = join(root, name, 'node_modules');
    let any = false;
    for (const scope of PROVIDED_SCOPES) {
      const installed = installedScope(scope, from);
      // The app inside this repository, or an app that installed the local cloud, shares one SDK: link it once.
      if (installed === undefined || linked.has(installed)) continue;
      linked.add(installed);
      mkdirSync(modules, { recursive: true });
      symlinkSync(installed, join(modules, scope), 'dir');
      any = true;
    }
    if (any) dirs.push(modules);
  }
  return dirs;
}

/** `require("@aws-sdk/x")`, `import("@aws-sdk/x/sub")`, `from '@aws-sdk/x'`, `import '@aws-sdk/x'` → `@aws-sdk/x`. */
const SDK_SPECIFIER =
  /(?:\brequire\s*\(\s*|\bimport\s*\(\s*|\bfrom\s*|\bimport\s+)(["'`])(@aws-sdk\/[a-z0-9][a-z0-9._-]*)(?:\/[^"'`]*)?\1/g;
/** Past this a file is not a bundle to scan (a data file, a binary). */
const MAX_SCANNED_BYTES = 32 * 1024 * 1024;

/** A code asset with more scripts than this is a folder of sources, not a bundle: the rest goes unscanned. */
const MAX_SCANNED_FILES = 500;

function sourceFiles(directory: string, files: string[] = []): string[] {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (files.length >= MAX_SCANNED_FILES) break;
    const path = join(directory, entry.name);
    // What a bundle ships in its own node_modules is resolved from there, not from the runtime.
    if (entry.isDirectory() && entry.name !== 'node_modules') sourceFiles(path, files);
    else if (entry.isFile() && /\.(c|m)?js$/.test(entry.name) && statSync(path).size <= MAX_SCANNED_BYTES)
      files.push(path);
  }
  return files;
}

/**
 * Packages the SDK itself loads only when a request needs them, inside a try/catch that explains what to install
 * (SigV4a signing for multi-region endpoints): Lambda's runtime does not provide them either, so a bundle that
 * mentions them is not missing anything.
 */
const OPTIONAL_SDK_MODULES = new Set(['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4a']);

/** The `@aws-sdk/*` packages a function's code requires or imports without bundling them. */
export function requiredSdkModules(fn: LocalFunction): Set<string> {
  const sources =
    'zipFile' in fn.code
      ? [fn.code.zipFile]
      : sourceFiles(fn.code.directory).map((file) => readFileSync(file, 'utf8'));
  const modules = new Set<string>();
  for (const source of sources) {
    if (!source.includes('@aws-sdk/')) continue;
    for (const match of source.matchAll(SDK_SPECIFIER)) {
      if (match[2] !== undefined && !OPTIONAL_SDK_MODULES.has(match[2])) modules.add(match[2]);
    }
  }
  return modules;
}

/**
 * The `@aws-sdk/*` packages some function needs from the runtime that none of `providedDirs` (from
 * {@link linkProvidedModules}) nor the function's own `node_modules` has, each with the functions that need it:
 * in AWS the runtime provides every client; locally such a function would fail with `Cannot find module`.
 */
export function unprovidedSdkModules(
  functions: readonly LocalFunction[],
  providedDirs: readonly string[],
): Map<string, string[]> {
  const missing = new Map<string, string[]>();
  for (const fn of functions) {
    const own = 'directory' in fn.code ? [join(fn.code.directory, 'node_modules'), fn.code.directory] : [];
    for (const name of requiredSdkModules(fn)) {
      if ([...own, ...providedDirs].some((dir) => existsSync(join(dir, name)))) continue;
      missing.set(name, [...(missing.get(name) ?? []), fn.functionName]);
    }
  }
  return missing;
}
