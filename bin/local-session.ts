import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEMO_TENANTS, demoUsername } from './demo-seed';

/** What `npm start` publishes in .cdk-local/session.json for the small CLIs (`npm run token`, `npm run watch`). */
export interface LocalSession {
  readonly adminUrl: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** `ws://127.0.0.1:<port>/<stage>`, when the app has a WebSocket API. */
  readonly webSocketUrl?: string;
  /** The local DynamoDB endpoint (the operator's CLIs write partner bindings there). */
  readonly dynamoDbUrl?: string;
  /** Every stack's outputs resolved to local values: the same keys `cdk deploy --outputs-file` writes. */
  readonly outputs?: Record<string, Record<string, string>>;
}

/** The session of the running local cloud; fails with what to do when there is none. */
export async function readLocalSession(): Promise<LocalSession> {
  const sessionFile = join(resolve(__dirname, '..'), '.cdk-local', 'session.json');
  return JSON.parse(
    await readFile(sessionFile, 'utf8').catch(() => {
      throw new Error('no local cloud session found: start it with `npm start` first');
    }),
  ) as LocalSession;
}

/** The username of `--user` (`admin`, `member` or a full username) of `--tenant` (a demo tenant's slug or name). */
export function usernameOf(tenant: string | undefined, user: string): string {
  if (user !== 'admin' && user !== 'member') return user;
  const wanted = (tenant ?? '').toLowerCase();
  const found = DEMO_TENANTS.find((t) => t.slug === wanted || t.name.toLowerCase() === wanted);
  if (!found) {
    throw new Error(
      `--tenant '${tenant ?? ''}' is not a demo tenant: use one of ${DEMO_TENANTS.map((t) => t.slug).join(', ')}, or pass --user <username>`,
    );
  }
  return demoUsername(found, user);
}

/** A fresh ID token for `username` from the running local cloud's token endpoint. */
export async function fetchIdToken(session: LocalSession, username: string): Promise<string> {
  const response = await fetch(`${session.adminUrl}/tokens`, {
    method: 'POST',
    body: JSON.stringify({ userPoolId: session.userPoolId, clientId: session.clientId, username }),
  }).catch(() => {
    throw new Error('the local cloud is not running: start it with `npm start`');
  });
  const body = (await response.json()) as { idToken?: string; message?: string };
  if (!response.ok || !body.idToken)
    throw new Error(`no token for ${username}: ${body.message ?? response.status}`);
  return body.idToken;
}
