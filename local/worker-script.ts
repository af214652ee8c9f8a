import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The file a worker thread runs: `<name>.mjs` where the package was built (an installed package, where Node
 * refuses to strip types under node_modules), else the `.mts` source, which Node runs with type stripping.
 */
export function workerScript(dir: string, name: string): string {
  const built = join(dir, `${name}.mjs`);
  return existsSync(built) ? built : join(dir, `${name}.mts`);
}
