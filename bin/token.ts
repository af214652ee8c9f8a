#!/usr/bin/env node
/**
 * `npm run token -- --tenant acme --user member`: prints a fresh ID token for a user of the running local cloud
 * (`npm start`). `--tenant` is a demo tenant's slug or name, `--user` is `admin`, `member` or a full username.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_TENANTS, demoUsername } from './demo-seed';

const { values } = parseArgs({
  options: { tenant: { type: 'string' }, user: { type: 'string', default: 'member' } },
});

async function main(): Promise<void> {
  const sessionFile = join(resolve(__dirname, '..'), '.cdk-local', 'session.json');
  const session = JSON.parse(
    await readFile(sessionFile, 'utf8').catch(() => {
      throw new Error('no local cloud session found: start it with `npm start` first');
    }),
  ) as { adminUrl: string; userPoolId: string; clientId: string };
  const user = values.user ?? 'member';
  let username = user;
  if (user === 'admin' || user === 'member') {
    const wanted = (values.tenant ?? '').toLowerCase();
    const tenant = DEMO_TENANTS.find((t) => t.slug === wanted || t.name.toLowerCase() === wanted);
    if (!tenant) {
      throw new Error(
        `--tenant '${values.tenant ?? ''}' is not a demo tenant: use one of ${DEMO_TENANTS.map((t) => t.slug).join(', ')}, or pass --user <username>`,
      );
    }
    username = demoUsername(tenant, user);
  }
  const response = await fetch(`${session.adminUrl}/tokens`, {
    method: 'POST',
    body: JSON.stringify({ userPoolId: session.userPoolId, clientId: session.clientId, username }),
  }).catch(() => {
    throw new Error('the local cloud is not running: start it with `npm start`');
  });
  const body = (await response.json()) as { idToken?: string; message?: string };
  if (!response.ok || !body.idToken)
    throw new Error(`no token for ${username}: ${body.message ?? response.status}`);
  process.stdout.write(`${body.idToken}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
