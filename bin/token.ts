#!/usr/bin/env node
/**
 * `npm run token -- --tenant acme --user member`: prints a fresh ID token for a user of the running local cloud
 * (`npm start`). `--tenant` is a demo tenant's slug or name, `--user` is `admin`, `member` or a full username.
 */
import { parseArgs } from 'node:util';
import { fetchIdToken, readLocalSession, usernameOf } from './local-session';

const { values } = parseArgs({
  options: { tenant: { type: 'string' }, user: { type: 'string', default: 'member' } },
});

async function main(): Promise<void> {
  const session = await readLocalSession();
  const username = usernameOf(values.tenant, values.user ?? 'member');
  process.stdout.write(`${await fetchIdToken(session, username)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
