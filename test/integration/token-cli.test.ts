import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { createIdentityServer, type LocalIdentity } from 'cdk-local-cloud/testing';
import { decodeJwt } from 'jose';
import { clientConfig, cognitoEndpoint } from '../../bin/stack-outputs';

const POOL_ID = 'eu-west-1_TokenCli01';
const CLIENT_ID = 'tokencliclient00000000001';
const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

let identity: LocalIdentity;
let work: string;
let outputsFile: string;

beforeAll(async () => {
  identity = await createIdentityServer();
  identity.registerModel({
    region: 'eu-west-1',
    accountId: '111122223333',
    resources: [
      {
        stackName: 'SaasOrders-sandbox-Stateful',
        logicalId: 'UserPool',
        type: 'AWS::Cognito::UserPool',
        physicalId: POOL_ID,
        properties: { UsernameAttributes: ['email'] },
        attributes: {},
      },
      {
        stackName: 'SaasOrders-sandbox-Stateful',
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
  work = mkdtempSync(join(tmpdir(), 'token-cli-'));
  outputsFile = join(work, 'outputs.json');
  // What `cdk deploy --outputs-file` writes, with the local cloud's values (its issuer is the identity server).
  writeFileSync(
    outputsFile,
    JSON.stringify({
      'SaasOrders-sandbox-Stateful': {
        Region: 'eu-west-1',
        UserPoolId: POOL_ID,
        SpaClientId: CLIENT_ID,
        UserPoolProviderUrl: identity.issuerUrl(POOL_ID),
      },
      'SaasOrders-sandbox-Stateless': { Region: 'eu-west-1', RestApiUrl: 'http://127.0.0.1:1/sandbox/' },
    }),
  );
  const cognito = new CognitoIdentityProviderClient({ region: 'eu-west-1', endpoint: identity.endpoint });
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: POOL_ID,
      Username: 'admin@acme.test',
      TemporaryPassword: 'Temporary-Pass-1',
      MessageAction: 'SUPPRESS',
    }),
  );
  cognito.destroy();
});

afterAll(async () => {
  await identity.close();
  rmSync(work, { recursive: true, force: true });
});

/** `npm run token -- …` as a person runs it, the passwords from the environment (never arguments). */
function token(args: string[], env: Record<string, string>) {
  return run(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'bin', 'token.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, SAAS_STATE_DIR: join(work, 'state'), ...env },
  });
}

describe('npm run token against stack outputs (a deployed stage or the local cloud: the same keys)', () => {
  it("reads the client configuration from the outputs; the Cognito endpoint is AWS's unless the issuer is local", () => {
    const local = clientConfig({
      S: {
        Region: 'eu-west-1',
        UserPoolId: POOL_ID,
        SpaClientId: CLIENT_ID,
        UserPoolProviderUrl: identity.issuerUrl(POOL_ID),
      },
    });
    expect(cognitoEndpoint(local)).toBe(identity.endpoint);
    const deployed = {
      ...local,
      userPoolProviderUrl: `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}`,
    };
    expect(cognitoEndpoint(deployed)).toBeUndefined();
    expect(() => clientConfig({ S: { Region: 'eu-west-1' } })).toThrow(
      'the stack outputs have no UserPoolId',
    );
  });

  it('signs a freshly onboarded admin in by SRP, answering NEW_PASSWORD_REQUIRED, and prints the ID token', async () => {
    const { stdout } = await token(['--username', 'admin@acme.test', '--outputs', outputsFile], {
      SAAS_PASSWORD: 'Temporary-Pass-1',
      SAAS_NEW_PASSWORD: 'Chosen-Password-42',
    });
    const claims = decodeJwt(stdout.trim());
    expect(claims).toMatchObject({ token_use: 'id', aud: CLIENT_ID, email: 'admin@acme.test' });

    const again = await token(
      ['--username', 'admin@acme.test', '--outputs', outputsFile, '--token', 'access'],
      {
        SAAS_PASSWORD: 'Chosen-Password-42',
      },
    );
    expect(decodeJwt(again.stdout.trim())).toMatchObject({ token_use: 'access', client_id: CLIENT_ID });
  });

  it("fails with Cognito's message for a wrong password, and asks for the password in the environment without a terminal", async () => {
    await expect(
      token(['--username', 'admin@acme.test', '--outputs', outputsFile], {
        SAAS_PASSWORD: 'Wrong-Password-1',
      }),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('Incorrect username or password.') });
    await expect(
      token(['--username', 'admin@acme.test', '--outputs', outputsFile], { SAAS_PASSWORD: '' }),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('set SAAS_PASSWORD') });
  });
});
