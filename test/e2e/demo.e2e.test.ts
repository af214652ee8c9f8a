/**
 * End to end, `npm run demo` on the local cloud: the story (onboard, SRP sign-in, the catalog twice — the second a
 * stage-cache hit —, a live order, an import job, a carrier event changing the status live, the tracking page,
 * another tenant seeing nothing) told through the same public APIs a deployed stage serves, every step checked.
 * The demo runs as a person runs it, a process of its own (amazon-cognito-identity-js's big-number arithmetic is
 * some fifty times slower inside jest's module sandbox), reading the cloud's request records from an admin listener
 * as it reads `npm start`'s.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startAdminServer } from 'cdk-local-cloud';
import { STORY_STEPS } from '../../bin/demo/story';
import { type E2eCloud, startE2eCloud } from '../support/e2e-cloud';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

let e2e: E2eCloud;
let admin: { readonly url: string; close(): Promise<void> };
let work: string;
let outputsFile: string;

beforeAll(async () => {
  e2e = await startE2eCloud();
  admin = await startAdminServer(0, {
    phase: () => 'ready',
    cloud: () => e2e.cloud,
    recentRequests: () => e2e.requests,
  });
  work = mkdtempSync(join(tmpdir(), 'demo-'));
  outputsFile = join(work, 'outputs.json');
  // What `cdk deploy --outputs-file` writes, here with the local cloud's values: the same keys.
  writeFileSync(outputsFile, JSON.stringify(e2e.cloud.model.outputs));
}, 600_000);

afterAll(async () => {
  await admin?.close();
  await e2e?.close();
  rmSync(work, { recursive: true, force: true });
});

/** `npm run demo -- …`, resolving with its exit code and what it printed. */
async function demo(outputs: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'bin', 'demo.ts'), '--outputs', outputs, '--pace', '0', '--admin-url', admin.url],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } },
    );
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '' };
  }
}

describe('npm run demo', () => {
  it('tells the whole story with every step behaving, the second catalog read a stage-cache hit', async () => {
    const { code, stdout } = await demo(outputsFile);

    expect({ code, ticks: stdout.match(/✓/g)?.length, stdout }).toMatchObject({
      code: 0,
      ticks: STORY_STEPS,
    });
    expect(stdout).not.toContain('✗');
    expect(stdout).toContain('stage cache: first read miss, second read hit');
    expect(stdout).toMatch(/live: \{"id":"[^"]+","status":"shipped"/);
    expect(stdout).toContain("the other tenant's socket heard 0 messages");
    expect(stdout).toContain('every step behaved as promised');
  }, 300_000);

  it('exits 1 naming the step that misbehaved when the API does not answer as promised', async () => {
    const broken = join(work, 'broken-outputs.json');
    // The stacks' outputs as they are, but the REST API's URL points at a stage that does not exist.
    const mangled = Object.fromEntries(
      Object.entries(e2e.cloud.model.outputs ?? {}).map(([stack, values]) => [
        stack,
        Object.fromEntries(
          Object.entries(values).map(([key, value]) => [
            key,
            key === 'RestApiUrl' ? `${value}no-such-stage/` : value,
          ]),
        ),
      ]),
    );
    writeFileSync(broken, JSON.stringify(mangled));

    const { code, stdout } = await demo(broken);

    expect(code).toBe(1);
    expect(stdout).toContain('1/7  An operator onboards a tenant');
    expect(stdout).toMatch(/✗ onboarding Story Co \w+: 40\d/);
    expect(stdout).toContain('the demo stopped at a step that misbehaved');
  }, 120_000);
});
