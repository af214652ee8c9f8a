/**
 * `npm run saas` as a person runs it (a child process), against the local identity engine and a small stand-in for
 * the two APIs that checks what API Gateway would: the SigV4 signature of POST /tenants (IAM authorization) and the
 * ID token of GET /me (verified against the pool's JWKS). The outputs come from a file, as `cdk deploy
 * --outputs-file` writes it; the tokens go to a temporary state folder.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_CREDENTIALS } from 'cdk-local-cloud';
import { createIdentityServer, type LocalIdentity } from 'cdk-local-cloud/testing';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';

const REGION = 'eu-west-1';
const POOL_ID = 'eu-west-1_SaasCli01';
const CLIENT_ID = 'saascliclient000000000001';
const TEMPORARY = 'Temporary-Pass-1';
const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

let identity: LocalIdentity;
let api: Server;
let apiUrl: string;
let work: string;
let stateDir: string;
let outputsFile: string;
/** The onboarding requests the stand-in accepted. */
const onboarded: Array<Record<string, unknown>> = [];

/** What API Gateway's IAM authorization checks: the signature, recomputed with the caller's key and date. */
async function signatureValid(
  headers: Record<string, string | string[] | undefined>,
  path: string,
  body: string,
): Promise<boolean> {
  const authorization = String(headers.authorization ?? '');
  const amzDate = String(headers['x-amz-date'] ?? '');
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!date || !authorization.includes(`Credential=${LOCAL_CREDENTIALS.accessKeyId}/`)) return false;
  const [, y, mo, d, h, mi, s] = date;
  const signer = new SignatureV4({
    service: 'execute-api',
    region: REGION,
    credentials: LOCAL_CREDENTIALS,
    sha256: Sha256,
  });
  const expected = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: Number(new URL(apiUrl).port),
      path,
      headers: { host: String(headers.host), 'content-type': String(headers['content-type']) },
      body,
    },
    { signingDate: new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`) },
  );
  return expected.headers.authorization === authorization;
}

beforeAll(async () => {
  identity = await createIdentityServer();
  const stack = 'SaasOrders-clitest-Stateful';
  identity.registerModel({
    region: REGION,
    accountId: '111122223333',
    resources: [
      {
        stackName: stack,
        logicalId: 'UserPool',
        type: 'AWS::Cognito::UserPool',
        physicalId: POOL_ID,
        properties: { UsernameAttributes: ['email'] },
        attributes: {},
      },
      {
        stackName: stack,
        logicalId: 'SpaClient',
        type: 'AWS::Cognito::UserPoolClient',
        physicalId: CLIENT_ID,
        properties: {
          UserPoolId: POOL_ID,
          ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        },
        attributes: {},
      },
    ],
  });
  const cognito = new CognitoIdentityProviderClient({
    region: REGION,
    endpoint: identity.endpoint,
    credentials: LOCAL_CREDENTIALS,
  });
  const jwks = createRemoteJWKSet(new URL(`${identity.issuerUrl(POOL_ID)}/.well-known/jwks.json`));
  api = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', async () => {
      const answer = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      if (request.method === 'POST' && request.url === '/prod/tenants') {
        if (!(await signatureValid(request.headers, '/prod/tenants', body))) {
          return answer(403, { message: 'The request signature we calculated does not match' });
        }
        const input = JSON.parse(body) as { name: string; adminEmail: string };
        onboarded.push(input);
        // As the tenants handler does: the admin is invited with a temporary password.
        await cognito.send(
          new AdminCreateUserCommand({
            UserPoolId: POOL_ID,
            Username: input.adminEmail,
            TemporaryPassword: TEMPORARY,
            MessageAction: 'SUPPRESS',
          }),
        );
        return answer(201, { tenantId: 't-0001', slug: 'cli-co' });
      }
      if (request.method === 'GET' && request.url === '/me') {
        const token = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
        try {
          const { payload } = await jwtVerify(token, jwks, {
            issuer: identity.issuerUrl(POOL_ID),
            audience: CLIENT_ID,
          });
          return answer(200, { username: payload.email, tokenUse: payload.token_use });
        } catch {
          return answer(401, { message: 'Unauthorized' });
        }
      }
      answer(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((listening) => api.listen(0, '127.0.0.1', listening));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  work = mkdtempSync(join(tmpdir(), 'saas-cli-'));
  stateDir = join(work, 'state');
  outputsFile = join(work, 'outputs.json');
  writeFileSync(
    outputsFile,
    JSON.stringify({
      [stack]: {
        Region: REGION,
        UserPoolId: POOL_ID,
        SpaClientId: CLIENT_ID,
        UserPoolProviderUrl: identity.issuerUrl(POOL_ID),
      },
      'SaasOrders-clitest-Stateless': {
        Region: REGION,
        RestApiUrl: `${apiUrl}/prod/`,
        PublicApiUrl: apiUrl,
      },
    }),
  );
});

afterAll(async () => {
  await new Promise((closed) => api.close(closed));
  await identity.close();
  rmSync(work, { recursive: true, force: true });
});

/** `npm run saas -- …`, secrets in the environment (never arguments), tokens kept in the test's own folder. */
function saas(args: string[], env: Record<string, string> = {}) {
  return run(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'bin', 'saas.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, SAAS_STATE_DIR: stateDir, SAAS_PASSWORD: '', SAAS_NEW_PASSWORD: '', ...env },
  });
}

describe('npm run saas against stack outputs (the local cloud or a deployed stage: the same commands)', () => {
  it('onboards a tenant with a SigV4-signed POST /tenants, then its admin signs in by SRP answering the new-password challenge, and whoami shows who the API sees', async () => {
    const created = await saas([
      'onboard',
      '--outputs',
      outputsFile,
      '--name',
      'Cli Co',
      '--admin-email',
      'admin@cli.test',
    ]);
    expect(JSON.parse(created.stdout)).toEqual({ tenantId: 't-0001', slug: 'cli-co' });
    expect(onboarded).toEqual([{ name: 'Cli Co', tier: 'basic', adminEmail: 'admin@cli.test' }]);
    // The stand-in does check: the same body unsigned is refused.
    const unsigned = await fetch(`${apiUrl}/prod/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Cli Co', tier: 'basic', adminEmail: 'other@cli.test' }),
    });
    expect(unsigned.status).toBe(403);

    await saas(['sign-in', '--outputs', outputsFile, '--username', 'admin@cli.test'], {
      SAAS_PASSWORD: TEMPORARY,
      SAAS_NEW_PASSWORD: 'Chosen-Password-42',
    });
    // Kept per stage (named by the outputs' stacks), readable by the owner only.
    const tokenFile = join(stateDir, 'tokens-clitest.json');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(tokenFile, 'utf8')) as Record<string, string>;
    expect(stored).toMatchObject({ username: 'admin@cli.test', clientId: CLIENT_ID });

    const printed = await saas(['token', '--outputs', outputsFile]);
    expect(printed.stdout.trim()).toBe(stored.idToken);
    expect(decodeJwt(printed.stdout.trim())).toMatchObject({ token_use: 'id', email: 'admin@cli.test' });

    const me = await saas(['whoami', '--outputs', outputsFile]);
    expect(JSON.parse(me.stdout)).toEqual({ username: 'admin@cli.test', tokenUse: 'id' });

    // The chosen password now signs in directly (no challenge left).
    const again = await saas(
      ['sign-in', '--outputs', outputsFile, '--username', 'admin@cli.test', '--print', 'access'],
      { SAAS_PASSWORD: 'Chosen-Password-42' },
    );
    expect(decodeJwt(again.stdout.trim())).toMatchObject({ token_use: 'access', client_id: CLIENT_ID });
  });

  it('refreshes an expired stored ID token with the refresh token (REFRESH_TOKEN_AUTH) and stores the new one', async () => {
    const tokenFile = join(stateDir, 'tokens-clitest.json');
    const stored = JSON.parse(readFileSync(tokenFile, 'utf8')) as Record<string, string>;
    // An ID token whose exp has passed (its signature is not checked here: only the refresh token is sent).
    const [header, , signature] = String(stored.idToken).split('.');
    const expiredClaims = Buffer.from(
      JSON.stringify({ ...decodeJwt(String(stored.idToken)), exp: 1 }),
    ).toString('base64url');
    writeFileSync(
      tokenFile,
      JSON.stringify({ ...stored, idToken: `${header}.${expiredClaims}.${signature}` }),
    );

    const printed = (await saas(['token', '--outputs', outputsFile])).stdout.trim();
    expect(decodeJwt(printed).exp).toBeGreaterThan(Date.now() / 1000);
    expect(JSON.parse(readFileSync(tokenFile, 'utf8')).idToken).toBe(printed);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
  });

  it('takes passwords only from a prompt or the environment, and says what is missing or unknown', async () => {
    await expect(
      saas(['sign-in', '--outputs', outputsFile, '--username', 'admin@cli.test']),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('set SAAS_PASSWORD') });
    await expect(
      saas(['sign-in', '--outputs', outputsFile, '--username', 'admin@cli.test', '--password', 'x']),
    ).rejects.toMatchObject({ stderr: expect.stringContaining("Unknown option '--password'") });
    await expect(saas(['whoami', '--stage', 'nosuch-stage', '--outputs', outputsFile])).rejects.toMatchObject(
      {
        stderr: expect.stringContaining("not signed in to stage 'nosuch-stage'"),
      },
    );
    // A local pool read from a file, without the local DynamoDB endpoint: refused, never sent to AWS's endpoint.
    await expect(
      saas(['client', 'create', '--outputs', outputsFile, '--tenant', 't-0001'], {
        AWS_ENDPOINT_URL_DYNAMODB: '',
      }),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('the local DynamoDB endpoint is unknown') });
    await expect(saas(['frobnicate'])).rejects.toMatchObject({
      stderr: expect.stringContaining("unknown command 'frobnicate'"),
    });
  });
});
