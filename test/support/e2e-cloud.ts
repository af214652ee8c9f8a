import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DEMO_TENANTS,
  type DemoTenant,
  demoUsername,
  seedDemo,
  sigV4Headers as signRequest,
} from '../../bin/demo-seed';
import { LOCAL_CREDENTIALS, type LocalCloud, startLocalCloud } from '../../local/local-cloud';

const ROOT = resolve(__dirname, '..', '..');

/** A running local cloud serving the synthesized app, seeded with the demo tenants, plus helpers to call it. */
export interface E2eCloud {
  readonly cloud: LocalCloud;
  /** `http://127.0.0.1:<port>/<stage>` of the app's REST API. */
  readonly apiUrl: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** Function names (as the runtime logs them) of every `START RequestId` line seen so far, in order. */
  readonly invocations: readonly string[];
  /** Every event the gateway handed a function, newest last. */
  readonly events: ReadonlyArray<{ readonly functionArn: string; readonly event: unknown }>;
  /** A fresh ID token for a demo user. */
  idToken(tenant: DemoTenant, user: 'admin' | 'member'): string;
  /** Stops the cloud and removes the cloud assembly. */
  close(): Promise<void>;
}

/** Synthesizes the CDK app into `outdir` with the project's own CDK CLI (esbuild bundles every function). */
function synth(outdir: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let output = '';
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--output', outdir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
    });
    // Kept only to explain a failure; esbuild's progress output is noise otherwise.
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`cdk synth exited with ${code}:\n${output}`)),
    );
  });
}

/** A port nothing listens on right now: the OS picks it for a throwaway listener on port 0. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolvePromise());
  });
  const address = server.address();
  await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
  if (address === null || typeof address === 'string') throw new Error('no port from the OS');
  return address.port;
}

/**
 * Synthesizes the app, starts the whole local cloud on 127.0.0.1 (REST API on a free port) and seeds the demo
 * tenants through the product's own API, exactly as `npm start` does. Call once per suite.
 */
export async function startE2eCloud(): Promise<E2eCloud> {
  const cdkOut = mkdtempSync(join(tmpdir(), 'saas-orders-e2e-'));
  const invocations: string[] = [];
  const events: Array<{ functionArn: string; event: unknown }> = [];
  // The runtime logs `[<function>] START RequestId: …` per invocation: counting those tells which functions ran.
  const log = {
    write(text: string) {
      for (const match of text.matchAll(/^\[([^\]]+)\] START RequestId:/gm)) {
        if (match[1] !== undefined) invocations.push(match[1]);
      }
      return true;
    },
  };
  let cloud: LocalCloud | undefined;
  try {
    await synth(cdkOut);
    cloud = await startLocalCloud({
      cdkOut,
      port: await freePort(),
      log,
      onEvent: (functionArn, event) => events.push({ functionArn, event }),
    });
    const started = cloud;
    const pool = started.model.resources.find((r) => r.type === 'AWS::Cognito::UserPool');
    const client = started.model.resources.find((r) => r.type === 'AWS::Cognito::UserPoolClient');
    const api = started.restApis[0];
    if (!pool || !client || !api) throw new Error('the template has no user pool, client or REST API');
    const userPoolId = pool.physicalId;
    const clientId = client.physicalId;
    const mint = (username: string) =>
      started.identity.mintTokens({ userPoolId, clientId, username }).idToken;

    await seedDemo({
      apiUrl: api.url,
      region: started.model.region,
      credentials: LOCAL_CREDENTIALS,
      cognitoEndpoint: started.identity.endpoint,
      userPoolId,
      idToken: (username) => Promise.resolve(mint(username)),
    });

    return {
      cloud: started,
      apiUrl: api.url,
      userPoolId,
      clientId,
      invocations,
      events,
      idToken: (tenant, user) => mint(demoUsername(tenant, user)),
      close: async () => {
        await started.close();
        rmSync(cdkOut, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await cloud?.close();
    rmSync(cdkOut, { recursive: true, force: true });
    throw error;
  }
}

/** The two seeded tenants, by slug. */
export const [ACME, GLOBEX] = DEMO_TENANTS as readonly [DemoTenant, DemoTenant];

/** Headers of a SigV4 (execute-api) signature over a POST of exactly `payload` to `url`, with the local credentials. */
export function sigV4Headers(url: string, payload: string, region: string): Promise<Record<string, string>> {
  return signRequest(url, payload, region, LOCAL_CREDENTIALS);
}
