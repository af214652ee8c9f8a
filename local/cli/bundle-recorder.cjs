'use strict';
/*
 * Preloaded (NODE_OPTIONS=--require) into every Node.js process of the local cloud's `cdk synth` when
 * CDK_LOCAL_CLOUD_BUNDLE_LOG names a directory. aws-cdk-lib's NodejsFunction bundles locally with
 * `child_process.spawnSync(<runner…> esbuild --bundle <entry> … --outfile=<dir>/index.js)`, the runner being
 * `npx --no-install`, `yarn run`, `pnpm exec` or `bun run` (or none when esbuild is global). This wraps spawnSync
 * to record each such esbuild run — working directory, arguments, the bundling environment — and asks esbuild for
 * a metafile (which does not change the bundle) so the watcher knows each bundle's inputs, and runs the esbuild binary
 * the runner would have found without the runner (the same build, one Node.js start fewer per function). `--watch` re-runs a
 * recorded build when one of its inputs changes instead of synthesizing the whole app (see fast-reload.ts).
 * Plain JavaScript: it runs inside the app's processes, whatever they are (tsx, ts-node, node).
 */
const childProcess = require('node:child_process');
const { createHash } = require('node:crypto');
const { appendFileSync, existsSync, readFileSync } = require('node:fs');
const { basename, dirname, join, resolve } = require('node:path');

const logDir = process.env.CDK_LOCAL_CLOUD_BUNDLE_LOG;
/** Runners aws-cdk-lib puts before `esbuild` (PackageManager.runBinCommand). */
const RUNNERS = new Set(['npx', 'yarn', 'pnpm', 'bun']);

/** Where esbuild's own arguments start in a spawn, or -1 when the spawn is not an esbuild bundle. */
function esbuildArgsStart(command, args) {
  const name = basename(String(command)).replace(/\.(cmd|exe)$/i, '');
  if (name === 'esbuild') return 0;
  if (!RUNNERS.has(name)) return -1;
  const at = args.indexOf('esbuild');
  return at < 0 ? -1 : at + 1;
}

/** The esbuild binary the runner would find from `cwd` (node_modules/.bin upwards), so a re-run skips the runner. */
function localEsbuild(cwd) {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '.bin', 'esbuild');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Another command that names a bundling directory (a `commandHooks` step, `bash -c` bundling of older aws-cdk-lib):
 * that bundle is more than its esbuild run, so it is marked, and its function reloads through the full synth only.
 */
function tainted(command, args) {
  const text = [command, ...(Array.isArray(args) ? args : [])].map(String).join(' ');
  for (const [dir] of text.matchAll(/[^\s"'=:]*bundling-temp-[^\s"'/]+/g))
    appendFileSync(join(logDir, 'bundles.jsonl'), `${JSON.stringify({ tainted: resolve(dir) })}\n`);
}

if (logDir) {
  const original = childProcess.spawnSync;
  let count = 0;
  childProcess.spawnSync = function spawnSync(command, args, options, ...rest) {
    const start = Array.isArray(args) ? esbuildArgsStart(command, args) : -1;
    const esbuildArgs = start < 0 ? [] : args.slice(start).map(String);
    const outfileArg = esbuildArgs.find((arg) => arg.startsWith('--outfile='));
    if (outfileArg === undefined || !esbuildArgs.includes('--bundle')) {
      tainted(command, args);
      return original.call(this, command, args, options, ...rest);
    }
    const cwd = resolve(options?.cwd ?? process.cwd());
    const outfile = resolve(cwd, outfileArg.slice('--outfile='.length));
    // The app's own --metafile (`metafile: true`) is kept; otherwise one of ours, outside the bundle's directory.
    const own = esbuildArgs.find((arg) => arg.startsWith('--metafile='));
    const metafile = own
      ? resolve(cwd, own.slice('--metafile='.length))
      : join(logDir, `${process.pid}-${count++}.meta.json`);
    const withMetafile = own ? esbuildArgs : [...esbuildArgs, `--metafile=${metafile}`];
    // The runner (`npx --no-install esbuild` …) only finds node_modules/.bin/esbuild from `cwd`: running that
    // binary directly builds the same bundle without starting a Node.js process per function (~0.5 s each).
    const direct = start > 0 ? localEsbuild(cwd) : undefined;
    const result = direct
      ? original.call(this, direct, withMetafile, options)
      : original.call(this, command, [...args.slice(0, start), ...withMetafile], options);
    if (result.error || result.status !== 0) return result;
    try {
      const env = {};
      for (const [name, value] of Object.entries(options?.env ?? {}))
        if (process.env[name] !== value && value !== undefined) env[name] = value;
      const meta = JSON.parse(readFileSync(metafile, 'utf8'));
      const record = {
        cwd,
        runner: [String(command), ...args.slice(0, start).map(String)],
        esbuild: localEsbuild(cwd),
        args: esbuildArgs,
        outdir: dirname(outfile),
        outfile: basename(outfile),
        sha256: createHash('sha256').update(readFileSync(outfile)).digest('hex'),
        inputs: Object.keys(meta.inputs ?? {}).map((input) => resolve(cwd, input)),
        env,
      };
      appendFileSync(join(logDir, 'bundles.jsonl'), `${JSON.stringify(record)}\n`);
    } catch {
      // Not recorded: this function's edits take the full synth, as without the recorder.
    }
    return result;
  };
}
