#!/usr/bin/env node
/**
 * `npm start`: the local cloud's command line (cdk-local-cloud, in local/) over this app — it synthesizes the app
 * and serves that template — plus what only this product knows: two demo tenants seeded through the API, the
 * session file `npm run token` reads, and two example requests that fetch their own token. Every option of
 * `cdk-local-cloud` works here (`npm start -- --help`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type CliHooks, exitOnCliFailure, type LocalCloud, runLocalCloudCli } from 'cdk-local-cloud';
import { DEMO_TENANTS, type DemoSession, demoSession, seedLocalCloud } from './demo-seed';

const ROOT = resolve(__dirname, '..');
const SESSION_FILE = join(ROOT, '.cdk-local', 'session.json');

/** The session file `npm run token` and `npm run watch` read (it names the identity service's token endpoint). */
async function publishSession(cloud: LocalCloud, session: DemoSession): Promise<void> {
  const adminUrl = cloud.endpoints.find((endpoint) => endpoint.kind === 'token admin')?.url;
  const webSocketUrl = cloud.endpoints.find((endpoint) => endpoint.kind === 'WebSocket API')?.url;
  const dynamoDbUrl = cloud.endpoints.find((endpoint) => endpoint.kind === 'DynamoDB')?.url;
  const { apiUrl, publicApiUrl, userPoolId, clientId } = session;
  await mkdir(join(ROOT, '.cdk-local'), { recursive: true });
  await writeFile(
    SESSION_FILE,
    JSON.stringify(
      {
        adminUrl,
        webSocketUrl,
        dynamoDbUrl,
        apiUrl,
        publicApiUrl,
        userPoolId,
        clientId,
        outputs: cloud.model.outputs,
      },
      null,
      2,
    ),
  );
}

/** The token command the banner's examples run, so no token is pasted into the terminal (they expire in 1 h). */
const TOKEN = (tenant: string, user: 'admin' | 'member') =>
  `$(npm run -s token -- --tenant ${tenant} --user ${user})`;

const hooks: CliHooks = {
  async onReady(cloud, run) {
    // `--cdk-out` serves any app: only this one's template is sure to have the pool and APIs the demo needs.
    if (run.fromCloudAssembly) return [];
    const session = demoSession(cloud);
    await publishSession(cloud, session);
    if (!run.seed) return [];
    process.stdout.write('› seeding demo tenants through the API…\n');
    const seeded = await seedLocalCloud(cloud, session);
    const [first] = seeded;
    const tenants = DEMO_TENANTS.map((tenant) => tenant.slug).join(', ');
    return [
      '',
      `Demo tenants ${tenants}, users admin and member. A fresh ID token (1 h):`,
      '  npm run -s token -- --tenant acme --user member',
      'Try:',
      `  curl -s -H "Authorization: Bearer ${TOKEN('acme', 'member')}" ${session.apiUrl}/orders`,
      ...(first ? [`  curl -s ${session.publicApiUrl}/public/${first.slug}/catalog`] : []),
      "Live updates of Acme's orders (WebSocket): npm run watch -- --tenant acme",
    ];
  },
};

runLocalCloudCli(process.argv.slice(2), hooks).catch(exitOnCliFailure);
