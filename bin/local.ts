#!/usr/bin/env node
/**
 * `npm start`: the local cloud's command line (cdk-local-cloud, in local/) over this app — it synthesizes the app
 * and serves that template — plus what only this product knows: two demo tenants seeded through the API, the
 * session file `npm run token` reads, and ready-to-paste requests. Every option of `cdk-local-cloud` works here
 * (`npm start -- --help`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type CliHooks, type LocalCloud, runLocalCloudCli } from 'cdk-local-cloud';
import { DEMO_TENANTS, type DemoSession, demoSession, demoUsername, seedLocalCloud } from './demo-seed';

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

const hooks: CliHooks = {
  async onReady(cloud, run) {
    // `--cdk-out` serves any app: only this one's template is sure to have the pool and APIs the demo needs.
    if (run.fromCloudAssembly) return [];
    const session = demoSession(cloud);
    await publishSession(cloud, session);
    if (!run.seed) return [];
    process.stdout.write('› seeding demo tenants through the API…\n');
    const seeded = await seedLocalCloud(cloud, session);
    const lines = [
      '',
      'Try (tokens are valid for 1 hour; `npm run token -- --tenant acme --user member` makes more):',
    ];
    for (const tenant of DEMO_TENANTS) {
      for (const user of ['admin', 'member'] as const) {
        const token = session.idToken(demoUsername(tenant, user));
        lines.push('', `  # ${tenant.name} (${tenant.tier}) ${user}`);
        lines.push(`  curl -s -H 'Authorization: Bearer ${token}' ${session.apiUrl}/orders`);
        if (user === 'member')
          lines.push(`  curl -s -H 'Authorization: Bearer ${token}' ${session.publicApiUrl}/me`);
      }
    }
    lines.push('', `Public HTTP API (no token): ${session.publicApiUrl}`);
    for (const { tenant, slug, trackingId } of seeded) {
      lines.push(`  # ${tenant.name}: storefront, and the tracking link of its newest order`);
      lines.push(`  curl -s ${session.publicApiUrl}/public/${slug}/catalog`);
      lines.push(`  curl -s ${session.publicApiUrl}/public/track/${trackingId}`);
    }
    const webSocketUrl = cloud.endpoints.find((endpoint) => endpoint.kind === 'WebSocket API')?.url;
    if (webSocketUrl) {
      lines.push(
        '',
        `Live updates (WebSocket ${webSocketUrl}?token=<ID token>): watch Acme's orders change as you PATCH them:`,
      );
      lines.push('  npm run watch -- --tenant acme');
    }
    return lines;
  },
};

runLocalCloudCli(process.argv.slice(2), hooks).catch((error: unknown) => {
  process.stderr.write(`\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
