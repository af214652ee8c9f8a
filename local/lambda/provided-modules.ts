import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The package scopes Lambda's Node.js runtimes (nodejs18.x and later) put on NODE_PATH: the AWS SDK for
 * JavaScript v3 and the Smithy packages it is built on. NodejsFunction leaves `@aws-sdk/*` out of bundles by
 * default (and `@smithy/*` under `sdkV3ExcludeSmithyPackages`), so most CDK apps' functions need them.
 */
const PROVIDED_SCOPES = ['@aws-sdk', '@smithy'];

/** The first `node_modules/<scope>` above `from`: where this local cloud's own SDK is installed. */
function installedScope(scope: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', scope);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Creates `<root>/node_modules` holding links to the local cloud's installed `@aws-sdk` and `@smithy` scopes,
 * and returns it for NODE_PATH. Linking only those scopes (rather than putting the whole node_modules on
 * NODE_PATH) keeps a function that forgot to bundle another dependency failing locally as it would in AWS,
 * whatever folder its cdk.out is in. Node resolves the links to their real paths, so the SDK's own
 * dependencies resolve from where they are installed. Only the clients this project installs are there;
 * Lambda provides every client.
 */
export function linkProvidedModules(root: string, from: string = __dirname): string {
  const modules = join(root, 'node_modules');
  mkdirSync(modules, { recursive: true });
  for (const scope of PROVIDED_SCOPES) {
    const installed = installedScope(scope, from);
    if (installed !== undefined) symlinkSync(installed, join(modules, scope), 'dir');
  }
  return modules;
}
