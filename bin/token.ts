#!/usr/bin/env node
/**
 * `npm run token`: kept for muscle memory, a thin alias of `npm run saas -- token` (see bin/saas.ts).
 *
 * - `npm run token -- --tenant acme --user member`: a demo user's ID token from the running local cloud.
 * - `npm run token -- --username admin@acme.test [--stage sandbox | --outputs cdk-outputs.json]`: signs in by SRP
 *   (`saas sign-in`, which also stores the tokens) and prints the `--token id|access|refresh|all`.
 */
import { parseArgs } from 'node:util';
import { exitOnSaasFailure } from './saas';
import { pickToken, signInAndStore } from './saas/sign-in';
import { token } from './saas/token';

async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: false,
    options: { username: { type: 'string' }, token: { type: 'string' }, user: { type: 'string' } },
  });
  if (typeof values.username !== 'string') {
    // The old default: a local demo user (member unless --user says otherwise).
    return token.run(values.user === undefined ? [...args, '--user', 'member'] : args);
  }
  const { values: target } = parseArgs({
    args,
    options: {
      username: { type: 'string' },
      stage: { type: 'string' },
      region: { type: 'string' },
      outputs: { type: 'string' },
      token: { type: 'string', default: 'id' },
    },
  });
  const tokens = await signInAndStore({ ...target, username: values.username });
  process.stdout.write(`${pickToken(tokens, target.token)}\n`);
}

main(process.argv.slice(2)).catch(exitOnSaasFailure);
