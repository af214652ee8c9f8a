import { join } from 'node:path';
import { findOutsideReferences, scanRepository } from '../support/outside-references';

const ROOT = join(__dirname, '..', '..');
const FOLDERS = ['bin', 'infra', 'services', 'shared', 'local', 'test', 'bench'];

describe('a clone of the repository with nothing beside it', () => {
  it('has no source file under bin/ infra/ services/ shared/ local/ test/ bench/ that refers outside it', () => {
    expect(scanRepository(ROOT, FOLDERS)).toEqual([]);
  });
});

describe('the outside-reference check', () => {
  const file = join(ROOT, 'test', 'unit', 'example.test.ts');
  const refs = (content: string) => findOutsideReferences(ROOT, file, content).map((r) => r.line);
  // Built from pieces, so this file does not itself hold the references it checks for.
  const up3 = ['..', '..', '..', ''].join('/');
  const q = "'";

  it('flags an import that climbs out of the repository', () => {
    expect(refs(`import x from ${q}${up3}shared/fixtures/aws-events/a.json${q};`)).toEqual([1]);
  });

  it('flags join(__dirname, ...) segments that climb out of the repository', () => {
    const dots = `${q}..${q}`;
    expect(refs(`readFileSync(join(__dirname, ${dots}, ${dots}, ${dots}, ${q}shared${q}))`)).toEqual([1]);
  });

  it('flags absolute paths into a developer machine', () => {
    expect(refs(`const dir = ${q}${['', 'work', 'shared', 'fixtures'].join('/')}${q};`)).toEqual([1]);
  });

  it('accepts references that stay inside the repository', () => {
    expect(
      refs(
        [
          "import { awsEvent } from '../../local/test/support/aws-events';",
          "const p = join(__dirname, '..', 'fixtures', 'aws-events');",
          "import x from '../fixtures/aws-events/a.json';",
        ].join('\n'),
      ),
    ).toEqual([]);
  });
});
