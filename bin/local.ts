#!/usr/bin/env node
/**
 * `npm start`: the local cloud's command line (cdk-local-cloud, in local/) over this app — it synthesizes the app
 * and serves that template — plus what only this product knows: two demo tenants seeded through the API, the
 * session file `npm run token` reads, two example requests that fetch their own token, and the web console
 * (console/, served on http://localhost:5173). Every option of `cdk-local-cloud` works here (`npm start -- --help`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type CliHooks,
  exitOnCliFailure,
  LOCAL_CREDENTIALS,
  type LocalCloud,
  runLocalCloudCli,
} from 'cdk-local-cloud';
import { buildConsole } from '../console/build';
import { DEMO_PASSWORD, LOCAL_CONSOLE_PORT, localConsoleConfig, setDemoPasswords } from './console-local';
import { type ConsoleServer, startConsoleServer } from './console-server';
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

/** The cloud the console's config and token route follow (the watcher restarts the cloud in place). */
let current: LocalCloud | undefined;
let consoleServer: ConsoleServer | undefined;

/** Builds and serves the console once; after a restart it serves the new cloud's outputs. */
async function serveConsole(cloud: LocalCloud): Promise<string> {
  current = cloud;
  if (consoleServer === undefined) {
    const { outDir } = buildConsole();
    consoleServer = await startConsoleServer({
      dir: outDir,
      port: LOCAL_CONSOLE_PORT,
      config: () => localConsoleConfig(current ?? cloud),
      identityUrl: () => (current ?? cloud).identity.endpoint,
    }).catch((error: Error) => {
      throw new Error(
        `the console could not listen on port ${LOCAL_CONSOLE_PORT} (${error.message}): the stack's CORS and callback URLs allow http://localhost:${LOCAL_CONSOLE_PORT}, so free that port`,
      );
    });
  }
  return consoleServer.url;
}

const hooks: CliHooks = {
  async onReady(cloud, run) {
    // `--cdk-out` serves any app: only this one's template is sure to have the pool and APIs the demo needs.
    if (run.fromCloudAssembly) return [];
    const session = demoSession(cloud);
    await publishSession(cloud, session);
    const consoleLine = await serveConsole(cloud).then(
      (url) => `Console: ${url}  (storefront: ${url}/store/<slug>)`,
      (error: Error) => `Console not served: ${error.message}`,
    );
    // Operators sign the /tenants calls in the page with the local cloud's credentials (not secret: local only).
    const operatorLine = consoleServer
      ? `  operators: ${consoleServer.url}/operator, access key ID ${LOCAL_CREDENTIALS.accessKeyId}, secret ${LOCAL_CREDENTIALS.secretAccessKey}`
      : '';
    if (!run.seed) return ['', consoleLine, operatorLine];
    process.stdout.write('› seeding demo tenants through the API…\n');
    const seeded = await seedLocalCloud(cloud, session);
    await setDemoPasswords(cloud);
    const [first] = seeded;
    const tenants = DEMO_TENANTS.map((tenant) => tenant.slug).join(', ');
    return [
      '',
      consoleLine,
      `  sign in as admin@acme.example.com or member@acme.example.com, password ${DEMO_PASSWORD}`,
      operatorLine,
      ...(first ? [`  ${consoleServer?.url ?? ''}/store/${first.slug}`] : []),
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

// The local cloud has no CloudFront: the console is served here, so the gateway responses name this origin (a
// `-c consoleOrigin=…` given on the command line comes later and wins).
runLocalCloudCli(
  ['-c', `consoleOrigin=http://localhost:${LOCAL_CONSOLE_PORT}`, ...process.argv.slice(2)],
  hooks,
).catch(exitOnCliFailure);
