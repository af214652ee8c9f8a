/**
 * Builds the console (console/src, Preact) with esbuild into a folder of static files: `index.html`, `app.js`,
 * `app.css`. Synchronous, so CDK's local bundling (infra/console-site.ts) can call it as well as `npm start` and the
 * browser tests. Run directly (`npm run console:build [dir]`) it prints each file's size, raw and gzipped.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';

const CONSOLE_DIR = __dirname;

/** Where `npm start` and the tests build it (ignored by git, as is all of `.cdk-local`). */
export const DEFAULT_CONSOLE_OUT = resolve(CONSOLE_DIR, '..', '.cdk-local', 'console');

/** The files a build wrote, with their sizes in bytes. */
export interface ConsoleBuild {
  readonly outDir: string;
  readonly files: ReadonlyArray<{
    readonly name: string;
    readonly bytes: number;
    readonly gzipBytes: number;
  }>;
}

/** Builds the console into `outDir` (emptied first), minified. */
export function buildConsole(outDir: string = DEFAULT_CONSOLE_OUT): ConsoleBuild {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  buildSync({
    entryPoints: { app: join(CONSOLE_DIR, 'src', 'main.tsx') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    // The operator page and its SigV4 signer are a chunk of their own: tenant users never download them.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'none',
    logLevel: 'error',
    tsconfig: join(CONSOLE_DIR, 'tsconfig.json'),
  });
  copyFileSync(join(CONSOLE_DIR, 'index.html'), join(outDir, 'index.html'));
  const chunks = (existsSync(join(outDir, 'chunks')) ? readdirSync(join(outDir, 'chunks')) : []).map(
    (name) => `chunks/${name}`,
  );
  const files = ['index.html', 'app.js', 'app.css', ...chunks].map((name) => {
    const content = readFileSync(join(outDir, name));
    return { name, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
  });
  return { outDir, files };
}

if (require.main === module) {
  const build = buildConsole(process.argv[2] === undefined ? undefined : resolve(process.argv[2]));
  for (const { name, bytes, gzipBytes } of build.files)
    process.stdout.write(
      `${name.padEnd(11)} ${String(bytes).padStart(7)} B  gzip ${String(gzipBytes).padStart(6)} B\n`,
    );
  const total = build.files.reduce((sum, file) => sum + file.gzipBytes, 0);
  process.stdout.write(`total gzip ${total} B → ${build.outDir}\n`);
}
