import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('runtime configuration', () => {
  it('is read from process.env only in shared/config.ts', () => {
    const readers = ['services', 'shared']
      .flatMap((folder) => sourceFiles(join(ROOT, folder)))
      .filter((file) => readFileSync(file, 'utf8').includes(['process', 'env'].join('.')))
      .map((file) => relative(ROOT, file));
    expect(readers).toEqual([join('shared', 'config.ts')]);
  });
});
