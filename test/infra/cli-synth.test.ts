import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../../bin/synth';

/**
 * The app as the CLI synthesizes it (`npx cdk synth -c stage=prod -c domainName=example.com -c hostedZoneId=Z…`),
 * offline and without credentials: the policy-validation report (cdk-nag's packs run as validation plugins in
 * bin/app.ts) and the CLI's own warnings must both be empty. Only the stateful stack is selected, so only it is
 * bundled (it has no functions), but the whole app is synthesized and validated.
 */
jest.setTimeout(240_000);

const CASES: ReadonlyArray<[string, Record<string, string>]> = [
  ['the sandbox', {}],
  [
    'prod with a custom domain in a hosted zone',
    {
      stage: 'prod',
      domainName: 'example.com',
      hostedZoneId: 'Z0123456789ABC',
      alarmEmail: 'ops@example.com',
    },
  ],
];

describe.each(CASES)('cdk synth of %s', (_name, context) => {
  const outdir = mkdtempSync(join(tmpdir(), 'cli-synth-'));
  let output = '';
  beforeAll(async () => {
    const stage = context.stage ?? 'sandbox';
    output = await synthesize(outdir, { quiet: true, context, stacks: [`SaasOrders-${stage}-Stateful`] });
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('prints no warning', () => {
    expect(output.split('\n').filter((line) => /warning/i.test(line))).toEqual([]);
  });

  it('writes a validation report with no finding', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ summary?: { status?: string }; violations?: unknown[] }>;
    };
    expect(report.pluginReports.flatMap((plugin) => plugin.violations ?? [])).toEqual([]);
    expect(report.pluginReports.every((plugin) => plugin.summary?.status !== 'failure')).toBe(true);
  });
});
