import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isWatched, watchPatterns, watchRoots } from '../../cli/app-inputs';
import { recordSynth, type SynthRequest, synthInputsHash, synthNeeded } from '../../cli/synth-cache';

let appDir: string;
let request: SynthRequest;

const write = (path: string, content: string) => {
  mkdirSync(join(appDir, path, '..'), { recursive: true });
  writeFileSync(join(appDir, path), content);
};

/** Pretends a synth just wrote the cloud assembly, and records the inputs it was made from. */
function synthesized(manifest = '{"version":"1"}'): void {
  write('cdk.out/manifest.json', manifest);
  recordSynth(request.outdir, synthInputsHash(request));
}

const decision = (changed: SynthRequest = request) => synthNeeded(request.outdir, synthInputsHash(changed));

beforeEach(() => {
  appDir = mkdtempSync(join(tmpdir(), 'synth-cache-'));
  request = { appDir, outdir: join(appDir, 'cdk.out'), context: { stage: 'dev' }, env: {} };
  write(
    'cdk.json',
    JSON.stringify({
      app: 'node bin/app.js',
      watch: { include: ['bin/**', 'src/**'], exclude: ['**/*.test.ts'] },
    }),
  );
  write('package-lock.json', '{"lockfileVersion":3}');
  write('bin/app.js', 'app');
  write('src/handler.ts', 'v1');
  write('src/handler.test.ts', 'test');
  write('docs/notes.md', 'notes');
  write('node_modules/lib/index.js', 'lib');
});

afterEach(() => rmSync(appDir, { recursive: true, force: true }));

describe('whether npm start must synthesize', () => {
  it('synthesizes when there is no cloud assembly, or no record of what made it', () => {
    expect(decision()).toBe('no cloud assembly yet');
    write('cdk.out/manifest.json', '{}');
    expect(decision()).toBe('no record of what the cloud assembly was made from');
  });

  it('skips the synth when nothing it reads changed', () => {
    synthesized();
    expect(decision()).toBeUndefined();
  });

  it('synthesizes after an edit to a watched file', () => {
    synthesized();
    write('src/handler.ts', 'v2');
    expect(decision()).toBe('the app changed');
  });

  it('synthesizes after a new watched file appears', () => {
    synthesized();
    write('src/other.ts', 'new');
    expect(decision()).toBe('the app changed');
  });

  it('skips it when only excluded or unwatched files changed', () => {
    synthesized();
    write('src/handler.test.ts', 'edited test');
    write('docs/notes.md', 'edited notes');
    write('node_modules/lib/index.js', 'edited lib');
    expect(decision()).toBeUndefined();
  });

  it.each([
    ['cdk.json', () => write('cdk.json', JSON.stringify({ app: 'node bin/app.js', context: { x: 1 } }))],
    ['cdk.context.json', () => write('cdk.context.json', '{"lookup":"value"}')],
    ['the lock file', () => write('package-lock.json', '{"lockfileVersion":3,"packages":{}}')],
  ])('synthesizes after a change to %s', (_name, change) => {
    synthesized();
    change();
    expect(decision()).toBe('the app changed');
  });

  it('synthesizes for other -c context, another --app or other CDK_ variables', () => {
    synthesized();
    expect(decision({ ...request, context: { stage: 'prod' } })).toBe('the app changed');
    expect(decision({ ...request, app: 'node other.js' })).toBe('the app changed');
    expect(decision({ ...request, env: { CDK_DEFAULT_REGION: 'eu-west-1' } })).toBe('the app changed');
    expect(decision({ ...request, env: { UNRELATED: 'x' } })).toBeUndefined();
  });

  it('synthesizes when another command rewrote the cloud assembly since', () => {
    synthesized();
    write('cdk.out/manifest.json', '{"version":"2"}');
    expect(decision()).toBe('the cloud assembly was rewritten by another command');
  });
});

describe("the app's watch patterns", () => {
  it("follows cdk.json's include and exclude, never node_modules, dot-files or the output directory", () => {
    const patterns = watchPatterns(appDir, join(appDir, 'cdk.out'));
    expect(isWatched('src/handler.ts', patterns)).toBe(true);
    expect(isWatched('src/deep/er/file.ts', patterns)).toBe(true);
    expect(isWatched('src/handler.test.ts', patterns)).toBe(false);
    expect(isWatched('docs/notes.md', patterns)).toBe(false);
    expect(isWatched('src/node_modules/x.js', patterns)).toBe(false);
    expect(isWatched('src/.swp', patterns)).toBe(false);
  });

  it('watches every file but the always-excluded ones when cdk.json says nothing', () => {
    write('cdk.json', JSON.stringify({ app: 'node bin/app.js' }));
    const patterns = watchPatterns(appDir, join(appDir, 'cdk.out'));
    expect(isWatched('docs/notes.md', patterns)).toBe(true);
    expect(isWatched('cdk.out/manifest.json', patterns)).toBe(false);
    expect(isWatched('node_modules/lib/index.js', patterns)).toBe(false);
    expect(watchRoots(appDir, patterns)).toEqual(['bin', 'docs', 'src']);
  });

  it('watches only the directories the include patterns name', () => {
    expect(watchRoots(appDir, watchPatterns(appDir, join(appDir, 'cdk.out')))).toEqual(['bin', 'src']);
  });
});
