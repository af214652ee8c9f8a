import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { currentName, rename } from '../../bin/rename';
import { copyRepository, jestInCopy, runInCopy, synthesizeCopy } from '../support/repository-copy';

/*
 * `npm run rename -- <name>` makes the starter another product: run on a copy of this repository, nothing of the old
 * name remains, the app synthesizes under the new name, and tests pass in the copy.
 */

/** The old name in any case, with a hyphen, an underscore or nothing between its words (built so this file is not a match). */
const OLD_NAME = new RegExp(['saas', 'orders'].join('[-_]?'), 'i');

let copy: string;

function* filesOf(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'cdk.out') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesOf(path);
    else yield path;
  }
}

beforeAll(async () => {
  copy = copyRepository('rename-');
  await runInCopy(copy, 'bin/rename.ts', ['acme-shop']);
}, 120_000);

afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('npm run rename', () => {
  it('leaves nothing of the old name in any file, in any of its forms', () => {
    const mentions = [...filesOf(copy)].filter((file) => OLD_NAME.test(readFileSync(file, 'utf8')));
    expect(mentions).toEqual([]);
    expect(currentName(copy)).toBe('acme-shop');
    expect(JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')).name).toBe('acme-shop');
  });

  it('synthesizes the renamed app: its stacks and resource names carry the new name', async () => {
    const cdkOut = await synthesizeCopy(copy);
    const stateless = readFileSync(join(cdkOut, 'AcmeShop-sandbox-Stateless.template.json'), 'utf8');
    expect(readdirSync(cdkOut)).toEqual(expect.arrayContaining(['AcmeShop-sandbox-Stateful.template.json']));
    expect(stateless).toContain('"acme-shop-sandbox"');
    expect(stateless).not.toMatch(OLD_NAME);
  }, 300_000);

  it('passes the unit tests in the renamed copy', async () => {
    expect(await jestInCopy(copy, ['--selectProjects', 'unit', '--ci'])).toMatch(
      /Tests: +\d+ passed, \d+ total/,
    );
  }, 300_000);

  it('refuses a name a resource cannot carry, saying what a name is', () => {
    expect(() => rename('Acme Shop', copy)).toThrow(
      "'Acme Shop' is not a name every resource can carry: use lowercase words joined by hyphens",
    );
    expect(() => rename('acme-shop', copy)).toThrow('the app is already named acme-shop');
  });
});
