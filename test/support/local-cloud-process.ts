/**
 * The local cloud as its own process, for crash tests: serves `--cdk-out` on `--port` with `--persist`, seeds
 * the demo tenants through the API (as `npm start` does, on every start), then prints one line
 * `READY {"apiUrl", "tokens": {"<slug>": "<member ID token>"}, "endpoints": [...]}` and runs until killed.
 */
import { parseArgs } from 'node:util';
import { startLocalCloud } from 'cdk-local-cloud';
import { DEMO_TENANTS, demoSession, demoUsername, seedLocalCloud } from '../../bin/demo-seed';

const { values } = parseArgs({
  options: { 'cdk-out': { type: 'string' }, port: { type: 'string' }, persist: { type: 'string' } },
});

async function main(): Promise<void> {
  const cloud = await startLocalCloud({
    cdkOut: String(values['cdk-out']),
    port: Number(values.port),
    persistDir: String(values.persist),
    log: { write: () => true },
  });
  const session = demoSession(cloud);
  await seedLocalCloud(cloud, session);
  const tokens = Object.fromEntries(
    DEMO_TENANTS.map((tenant) => [tenant.slug, session.idToken(demoUsername(tenant, 'member'))]),
  );
  const endpoints = cloud.endpoints.map(({ kind, url }) => ({ kind, url }));
  process.stdout.write(`READY ${JSON.stringify({ apiUrl: session.apiUrl, tokens, endpoints })}\n`);
  const stop = async () => {
    await cloud.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
