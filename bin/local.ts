#!/usr/bin/env node
/**
 * `npm start`: synthesizes the CDK app, serves that template on this machine (no AWS account, no Docker),
 * seeds two demo tenants and prints ready-to-paste requests.
 *   --port N        first API port, one per API in template order (default 3000)
 *   --persist DIR   keep data, users, keys, API keys and quotas across restarts, on ports derived from --port (default: in memory)
 *   --watch         re-synthesize on source changes and reload the changed functions (restart if the template changed)
 *   --cdk-out DIR   serve an existing cloud assembly instead of synthesizing (any CDK app)
 *   --no-seed       skip the demo data
 */
import { watch } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type LocalCloud, startLocalCloud } from '../local/local-cloud';
import { deployOnlyLine } from '../local/resource-coverage';
import { DEMO_TENANTS, demoSession, demoUsername, type SeededTenant, seedLocalCloud } from './demo-seed';
import { synthesize } from './synth';

const ROOT = resolve(__dirname, '..');
const SESSION_FILE = join(ROOT, '.cdk-local', 'session.json');

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    persist: { type: 'string' },
    watch: { type: 'boolean', default: false },
    'cdk-out': { type: 'string' },
    'no-seed': { type: 'boolean', default: false },
  },
});

const step = (message: string) => process.stdout.write(`\x1b[36m›\x1b[0m ${message}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  const cdkOut = values['cdk-out'] ? resolve(values['cdk-out']) : join(ROOT, 'cdk.out');
  if (!values['cdk-out']) {
    step('synthesizing the CDK app (esbuild bundles every function)…');
    await synthesize(cdkOut);
  }
  step('starting the local cloud from the template…');
  const options = {
    cdkOut,
    port: Number(values.port),
    ...(values.persist ? { persistDir: resolve(values.persist) } : {}),
  };
  let cloud: LocalCloud = await startLocalCloud(options);
  // The session file `npm run token` reads (it names the identity service's token endpoint); redone on restart.
  const publishSession = async () => {
    const adminUrl = cloud.endpoints.find((endpoint) => endpoint.kind === 'token admin')?.url;
    const webSocketUrl = cloud.endpoints.find((endpoint) => endpoint.kind === 'WebSocket API')?.url;
    await mkdir(join(ROOT, '.cdk-local'), { recursive: true });
    await writeFile(SESSION_FILE, JSON.stringify({ adminUrl, webSocketUrl, ...demoSession(cloud) }, null, 2));
  };

  // What only matters in a real account, one line per category; then what is served differently from AWS;
  // then what an app could miss locally, type by type.
  if (cloud.deployOnly.length > 0) {
    step('only in a real AWS account:');
    for (const group of cloud.deployOnly) process.stdout.write(`    ${deployOnlyLine(group)}\n`);
  }
  if (cloud.notices.length > 0) {
    step('served differently from AWS:');
    for (const notice of cloud.notices) process.stdout.write(`    ${notice}\n`);
  }
  if (cloud.notEmulated.length > 0) {
    step('not emulated locally:');
    for (const { type, logicalIds, reason } of cloud.notEmulated)
      process.stdout.write(
        `    ${type} (${logicalIds.length}): ${reason ?? 'no local service emulates it'}\n`,
      );
  }

  // `--cdk-out` serves any app: only this one's template is sure to have the pool and API the demo needs.
  const seed = !values['no-seed'] && !values['cdk-out'];
  const session = values['cdk-out'] ? undefined : demoSession(cloud);
  if (session) await publishSession();
  let seeded: SeededTenant[] = [];
  if (session && seed) {
    step('seeding demo tenants through the API…');
    seeded = await seedLocalCloud(cloud, session);
  }

  process.stdout.write(`\n\x1b[32mready in ${((Date.now() - started) / 1000).toFixed(1)} s\x1b[0m\n`);
  // Every service's endpoints: each API with its kind (REST/HTTP/WebSocket API) and name, then the others.
  for (const { kind, name, url, api } of cloud.endpoints)
    process.stdout.write(`  ${kind}${api ? ` ${name}` : ''}: ${url}\n`);
  if (session && seed) {
    process.stdout.write(
      '\nTry (tokens are valid for 1 hour; `npm run token -- --tenant acme --user member` makes more):\n',
    );
    for (const tenant of DEMO_TENANTS) {
      for (const user of ['admin', 'member'] as const) {
        const token = session.idToken(demoUsername(tenant, user));
        process.stdout.write(`\n  # ${tenant.name} (${tenant.tier}) ${user}\n`);
        process.stdout.write(`  curl -s -H 'Authorization: Bearer ${token}' ${session.apiUrl}/orders\n`);
        if (user === 'member') {
          process.stdout.write(`  curl -s -H 'Authorization: Bearer ${token}' ${session.publicApiUrl}/me\n`);
        }
      }
    }
    process.stdout.write(`\nPublic HTTP API (no token): ${session.publicApiUrl}\n`);
    for (const { tenant, slug, trackingId } of seeded) {
      process.stdout.write(`  # ${tenant.name}: storefront, and the tracking link of its newest order\n`);
      process.stdout.write(`  curl -s ${session.publicApiUrl}/public/${slug}/catalog\n`);
      process.stdout.write(`  curl -s ${session.publicApiUrl}/public/track/${trackingId}\n`);
    }
    const webSocketUrl = cloud.endpoints.find((endpoint) => endpoint.kind === 'WebSocket API')?.url;
    if (webSocketUrl) {
      process.stdout.write(
        `\nLive updates (WebSocket ${webSocketUrl}?token=<ID token>): watch Acme's orders change as you PATCH them:\n`,
      );
      process.stdout.write('  npm run watch -- --tenant acme\n');
    }
  }
  process.stdout.write('\nCtrl-C stops everything.\n');

  if (values.watch && !values['cdk-out']) {
    let timer: NodeJS.Timeout | undefined;
    for (const dir of ['services', 'shared', 'infra']) {
      watch(join(ROOT, dir), { recursive: true }, () => {
        clearTimeout(timer);
        timer = setTimeout(async () => {
          try {
            step('change detected: re-synthesizing…');
            await synthesize(cdkOut);
            const { templateChanged, changedFunctions } = await cloud.reload();
            if (!templateChanged) {
              step(
                `reloaded ${changedFunctions.length ? changedFunctions.join(', ') : 'nothing (no function changed)'}`,
              );
              return;
            }
            // Routes, tables or settings changed: restart from the new template on the same ports
            // (in-memory data survives only with --persist).
            await cloud.close();
            cloud = await startLocalCloud(options);
            if (session) await publishSession();
            step('the template changed: restarted from it');
          } catch (error) {
            process.stderr.write(`re-synth failed: ${(error as Error).message}\n`);
          }
        }, 300);
      });
    }
  }

  const stop = async () => {
    step('stopping…');
    await cloud.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
