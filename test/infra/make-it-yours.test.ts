import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { leftovers, steps } from '../../bin/make-it-yours';
import { copyRepository, jestInCopy, runInCopy, synthesizeCopy } from '../support/repository-copy';

/*
 * The README's "Make it yours" steps, performed on a copy of this repository exactly as the README tells a reader
 * to (`npm run make-it-yours -- apply 1`, `check`, `apply 2`, all from docs/make-it-yours/): the removed capability
 * leaves nothing behind, the app still synthesizes with every cdk-nag check passing, and the added route's own
 * tests (its handler, its infra assertions, the authorizer's route list) pass in the copy.
 */

/** The parts of a synthesized template this test reads. */
interface Template {
  readonly Resources: Record<
    string,
    {
      readonly Type: string;
      readonly Properties?: {
        readonly PathPart?: string;
        readonly Environment?: { readonly Variables?: Record<string, string> };
      };
    }
  >;
}

let copy: string;
const makeItYours = (...args: string[]) => runInCopy(copy, 'bin/make-it-yours.ts', args);

beforeAll(() => {
  copy = copyRepository('make-it-yours-');
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('make it yours', () => {
  it('has its steps in order: remove a capability, then add a route', () => {
    expect(steps().map((step) => step.title)).toEqual(['remove audit api', 'add order notes']);
  });

  it('step 1 removes the audit trail’s read API, leaving nothing of it (the README section aside)', async () => {
    expect(leftovers(copy).length).toBeGreaterThan(0);
    await makeItYours('apply', '1');
    expect(leftovers(copy)).toEqual([]);
    expect((await makeItYours('check')).stdout).toMatch(/nothing of the removed capability remains/);
    expect(readdirSync(join(copy, 'services'))).not.toContain('audit');
  }, 60_000);

  it('step 2 adds POST /orders/{orderId}/notes with its model, the tenant authorizer and its tests', async () => {
    await makeItYours('apply', '2');
    expect(readdirSync(join(copy, 'services', 'order-notes')).sort()).toEqual(
      ['config.ts', 'environment.ts', 'handler.ts', 'order-note-schemas.ts'].sort(),
    );
  }, 60_000);

  it('synthesizes the changed app with every cdk-nag check passing (synth fails on a finding)', async () => {
    const cdkOut = await synthesizeCopy(copy);
    const stateless = readdirSync(cdkOut).find((file) => /-sandbox-Stateless\.template\.json$/.test(file));
    const resources = Object.values(
      (JSON.parse(readFileSync(join(cdkOut, String(stateless)), 'utf8')) as Template).Resources,
    );
    const pathParts = resources
      .filter((resource) => resource.Type === 'AWS::ApiGateway::Resource')
      .map((resource) => resource.Properties?.PathPart);
    expect(pathParts).toContain('notes');
    expect(pathParts).not.toContain('audit');
    const services = resources
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map((resource) => resource.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME);
    expect(services).toContain('order-notes');
    expect(services).not.toContain('audit');
  }, 300_000);

  it('passes the new route’s own tests and those of the authorizer’s route list in the copy', async () => {
    const output = await jestInCopy(copy, [
      '--ci',
      '--verbose',
      // One suite at a time: the copy's run shares the machine with this one.
      '--runInBand',
      'test/integration/order-notes-handler.test.ts',
      'test/infra/order-notes-api.test.ts',
      'test/unit/authorizer-policy.test.ts',
      'test/integration/audit.test.ts',
    ]);
    expect(output).toMatch(/Test Suites: 4 passed, 4 total/);
    expect(output).toMatch(/POST \/orders\/\{orderId\}\/notes/);
  }, 300_000);
});
