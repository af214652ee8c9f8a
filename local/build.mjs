// Builds the installable package into dist/: the library and CLI as CommonJS, the worker scripts as ES modules.
// Dependencies stay external (they are the package's own dependencies). Run by `npm pack` (prepack).
import { chmodSync, copyFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  packages: 'external',
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: {
    index: join(here, 'index.ts'),
    testing: join(here, 'testing.ts'),
    cli: join(here, 'cli.ts'),
  },
  outdir: dist,
  format: 'cjs',
});
await build({
  ...common,
  entryPoints: {
    'worker-bootstrap': join(here, 'lambda', 'worker-bootstrap.mts'),
    'sqs-engine-worker': join(here, 'sqs', 'sqs-engine-worker.mts'),
    's3-engine-worker': join(here, 's3', 's3-engine-worker.mts'),
    'dynamodb-engine-worker': join(here, 'dynamodb', 'dynamodb-engine-worker.mts'),
  },
  outdir: dist,
  outExtension: { '.js': '.mjs' },
  format: 'esm',
});
// Preloaded into the synth by path (see cli/bundle-recorder.cjs): plain JavaScript, copied as it is.
copyFileSync(join(here, 'cli', 'bundle-recorder.cjs'), join(dist, 'bundle-recorder.cjs'));
chmodSync(join(dist, 'cli.js'), 0o755);
