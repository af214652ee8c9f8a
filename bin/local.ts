#!/usr/bin/env node
/**
 * `npm start`: synthesizes the CDK app, serves that template on this machine (no AWS account, no Docker),
 * seeds two demo tenants and prints ready-to-paste requests.
 *   --port N        first REST API port (default 3000)
 *   --persist DIR   keep DynamoDB data and users across restarts (default: in memory)
 *   --watch         re-synthesize on source changes and restart from the new template
 *   --cdk-out DIR   serve an existing cloud assembly instead of synthesizing (any CDK app)
 *   --no-seed       skip the demo data
 */
import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LOCAL_CREDENTIALS, type LocalCloud, startAdminServer, startLocalCloud } from '../local/local-cloud';
import { DEMO_TENANTS, demoUsername, seedDemo } from './demo-seed';

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

function synth(outdir: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--output', outdir], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`cdk synth exited with ${code}`)),
    );
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const cdkOut = values['cdk-out'] ? resolve(values['cdk-out']) : join(ROOT, 'cdk.out');
  if (!values['cdk-out']) {
    step('synthesizing the CDK app (esbuild bundles every function)…');
    await synth(cdkOut);
  }
  step('starting the local cloud from the template…');
  const options = {
    cdkOut,
    port: Number(values.port),
    ...(values.persist ? { persistDir: resolve(values.persist) } : {}),
  };
  let cloud: LocalCloud = await startLocalCloud(options);
  const admin = await startAdminServer(cloud.identity);

  if (cloud.unsupported.length > 0) {
    step('not emulated locally (deploy-only):');
    for (const { type, logicalIds } of cloud.unsupported)
      process.stdout.write(`    ${type} (${logicalIds.length})\n`);
  }

  const pool = cloud.model.resources.find((r) => r.type === 'AWS::Cognito::UserPool');
  const client = cloud.model.resources.find((r) => r.type === 'AWS::Cognito::UserPoolClient');
  const api = cloud.restApis[0];
  const idToken = (username: string) => {
    if (!pool || !client) throw new Error('the template has no user pool and client to mint tokens for');
    return Promise.resolve(
      cloud.identity.mintTokens({ userPoolId: pool.physicalId, clientId: client.physicalId, username })
        .idToken,
    );
  };

  await mkdir(join(ROOT, '.cdk-local'), { recursive: true });
  await writeFile(
    SESSION_FILE,
    JSON.stringify(
      { adminUrl: admin.url, userPoolId: pool?.physicalId, clientId: client?.physicalId, apiUrl: api?.url },
      null,
      2,
    ),
  );

  if (api && pool && !values['no-seed'] && !values['cdk-out']) {
    step('seeding demo tenants through the API…');
    await seedDemo({
      apiUrl: api.url,
      region: cloud.model.region,
      credentials: LOCAL_CREDENTIALS,
      cognitoEndpoint: cloud.identity.endpoint,
      userPoolId: pool.physicalId,
      idToken,
    });
  }

  process.stdout.write(`\n\x1b[32mready in ${((Date.now() - started) / 1000).toFixed(1)} s\x1b[0m\n`);
  for (const rest of cloud.restApis) process.stdout.write(`  REST API ${rest.logicalId}: ${rest.url}\n`);
  process.stdout.write(`  DynamoDB: ${cloud.dynamoEndpoint}   Cognito: ${cloud.identity.endpoint}\n`);
  if (api && pool && !values['no-seed'] && !values['cdk-out']) {
    process.stdout.write(
      '\nTry (tokens are valid for 1 hour; `npm run token -- --tenant acme --user member` makes more):\n',
    );
    for (const tenant of DEMO_TENANTS) {
      for (const user of ['admin', 'member'] as const) {
        const token = await idToken(demoUsername(tenant, user));
        process.stdout.write(`\n  # ${tenant.name} (${tenant.tier}) ${user}\n`);
        process.stdout.write(`  curl -s -H 'Authorization: Bearer ${token}' ${api.url}/orders\n`);
      }
    }
  }
  process.stdout.write('\nCtrl-C stops everything.\n');

  if (values.watch && !values['cdk-out']) {
    let timer: NodeJS.Timeout | undefined;
    for (const dir of ['services', 'shared']) {
      watch(join(ROOT, dir), { recursive: true }, () => {
        clearTimeout(timer);
        timer = setTimeout(async () => {
          try {
            step('change detected: re-synthesizing…');
            await synth(cdkOut);
            // New code means new asset directories: restart the cloud from the new template on the same ports
            // (data survives only with --persist).
            await cloud.close();
            cloud = await startLocalCloud(options);
            step('restarted with the new template');
          } catch (error) {
            process.stderr.write(`re-synth failed: ${(error as Error).message}\n`);
          }
        }, 300);
      });
    }
  }

  const stop = async () => {
    step('stopping…');
    await admin.close();
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
