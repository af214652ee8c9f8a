import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCdkCli, synthesizeApp } from '../../cli/synthesize-app';
import { installedPackageDir, writeFiles } from '../support/installed-app';

jest.setTimeout(120_000);

let work: string;
/** An app with its own CDK CLI, in a folder of a monorepo-like tree: packages/app under a root with node_modules. */
let appDir: string;

beforeAll(() => {
  work = realpathSync(mkdtempSync(join(tmpdir(), 'local-synthesize-app-')));
  appDir = join(work, 'packages', 'app');
  mkdirSync(join(work, 'node_modules', '.bin'), { recursive: true });
  for (const name of ['aws-cdk-lib', 'constructs', 'aws-cdk'])
    symlinkSync(installedPackageDir(name), join(work, 'node_modules', name), 'dir');
  symlinkSync(join(work, 'node_modules', 'aws-cdk', 'bin', 'cdk'), join(work, 'node_modules', '.bin', 'cdk'));
  writeFiles(appDir, {
    'cdk.json': JSON.stringify({ app: 'node app.js', context: { queueName: 'from-cdk-json' } }),
    'app.js': [
      "const { App, Stack } = require('aws-cdk-lib');",
      "const sqs = require('aws-cdk-lib/aws-sqs');",
      'const app = new App();',
      "if (process.argv.includes('fail')) throw new Error('the app itself failed');",
      "const stack = new Stack(app, 'Queues');",
      "new sqs.Queue(stack, 'Queue', { queueName: app.node.tryGetContext('queueName') });",
    ].join('\n'),
  });
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const queueName = (outdir: string): unknown => {
  const template = JSON.parse(readFileSync(join(outdir, 'Queues.template.json'), 'utf8'));
  return Object.values(template.Resources as Record<string, { Properties?: { QueueName?: unknown } }>).find(
    (resource) => resource.Properties?.QueueName !== undefined,
  )?.Properties?.QueueName;
};

describe('synthesizing an app with its own CDK CLI', () => {
  it("finds the app's CDK CLI in the nearest node_modules/.bin at or above the app", () => {
    expect(findCdkCli(appDir)).toBe(join(work, 'node_modules', '.bin', 'cdk'));
  });

  it("runs cdk.json's app by default, with -c context over cdk.json's", async () => {
    const outdir = join(work, 'out-context');

    await synthesizeApp({ appDir, outdir, context: { queueName: 'from-the-command-line' } });

    expect(queueName(outdir)).toBe('from-the-command-line');
  });

  it('runs the --app command instead, and rejects with what the app printed when it fails', async () => {
    const failing = synthesizeApp({ appDir, outdir: join(work, 'out-failing'), app: 'node app.js fail' });

    await expect(failing).rejects.toThrow(/cdk synth exited with [1-9][\s\S]*the app itself failed/);
  });

  it('says how to fix a missing CDK CLI, without running anything', async () => {
    const bare = join(realpathSync(tmpdir()), `no-cdk-here-${process.pid}`);
    mkdirSync(bare, { recursive: true });
    try {
      await expect(synthesizeApp({ appDir: bare, outdir: join(bare, 'cdk.out') })).rejects.toThrow(
        /no CDK CLI found in .*no-cdk-here.*npm i -D aws-cdk.*--cdk-out DIR/,
      );
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
