import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  InvalidParameterException,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createIdentityServer, type LocalIdentity } from '../../identity/identity-server';
import type { LocalCloudModel } from '../../model';
import { resourcesIn } from '../support/model-resource';

const POOL_ID = 'eu-west-1_SrpPool01';
const SPA_CLIENT_ID = 'srpclient00000000000000001';
const PASSWORD_ONLY_CLIENT_ID = 'srpclient00000000000000002';
const TENANT = 'tnt_0123456789abc';
const TEMPORARY = 'Temporary-Pass-1';
const CHOSEN = 'Chosen-Password-42';

const resource = resourcesIn('SrpTest');

/** A pool as the CDK synthesizes it for an SPA: sign-in by email, an SRP client and an admin-auth client. */
const model: LocalCloudModel = {
  region: 'eu-west-1',
  accountId: '111122223333',
  resources: [
    resource('UserPool', 'AWS::Cognito::UserPool', POOL_ID, {
      UsernameAttributes: ['email'],
      Schema: [
        { Name: 'email', Mutable: true, Required: true },
        { Name: 'tenantId', AttributeDataType: 'String', Mutable: false },
      ],
    }),
    resource('SpaClient', 'AWS::Cognito::UserPoolClient', SPA_CLIENT_ID, {
      UserPoolId: POOL_ID,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
    resource('ServerClient', 'AWS::Cognito::UserPoolClient', PASSWORD_ONLY_CLIENT_ID, {
      UserPoolId: POOL_ID,
      ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  ],
};

let identity: LocalIdentity;
const delivered: string[] = [];
let cognito: CognitoIdentityProviderClient;

beforeAll(async () => {
  identity = await createIdentityServer({ deliver: (line) => delivered.push(line) });
  identity.registerModel(model);
  cognito = new CognitoIdentityProviderClient({
    region: 'eu-west-1',
    endpoint: identity.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  cognito.destroy();
  await identity.close();
});

async function onboard(email: string): Promise<void> {
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: POOL_ID,
      Username: email,
      MessageAction: 'SUPPRESS',
      TemporaryPassword: TEMPORARY,
      UserAttributes: [{ Name: 'custom:tenantId', Value: TENANT }],
    }),
  );
}

/** What the real client reports (test/support/cognito-js-client.cjs). */
interface Outcome {
  readonly kind: 'success' | 'failure' | 'newPasswordRequired';
  readonly challenges: { name: string; attributes: Record<string, string> }[];
  readonly idToken?: string;
  readonly accessToken?: string;
  readonly refreshToken?: string;
  readonly refreshedIdToken?: string;
  readonly error?: { code: string; message: string };
}

const run = promisify(execFile);

/**
 * Signs in through amazon-cognito-identity-js, the client library real users run, pointed at the local endpoint
 * (its `endpoint` option) instead of cognito-idp.<region>: `authenticateUser` (SRP), then the new password when
 * asked and given, then `refreshSession` when asked. It runs in a node process of its own.
 */
async function signIn(input: {
  username: string;
  password: string;
  newPassword?: string;
  refresh?: boolean;
}): Promise<Outcome> {
  const { stdout } = await run(process.execPath, [
    join(__dirname, '..', 'support', 'cognito-js-client.cjs'),
    JSON.stringify({ endpoint: identity.endpoint, userPoolId: POOL_ID, clientId: SPA_CLIENT_ID, ...input }),
  ]);
  return JSON.parse(stdout) as Outcome;
}

async function verifiedClaims(token: string) {
  const jwks = identity.jwks(POOL_ID);
  if (jwks === undefined) throw new Error('no JWKS for the pool');
  const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: [...jwks.keys] }), {
    issuer: identity.issuerUrl(POOL_ID),
  });
  return payload;
}

describe('USER_SRP_AUTH against amazon-cognito-identity-js, the client library real users run', () => {
  it('an onboarded admin signs in by SRP, answers NEW_PASSWORD_REQUIRED and gets Cognito-shaped tokens', async () => {
    await onboard('admin@acme.test');
    const outcome = await signIn({ username: 'admin@acme.test', password: TEMPORARY, newPassword: CHOSEN });
    expect(outcome.challenges.map((challenge) => challenge.name)).toEqual(['NEW_PASSWORD_REQUIRED']);
    expect(outcome.challenges[0]?.attributes).toMatchObject({
      email: 'admin@acme.test',
      'custom:tenantId': TENANT,
    });
    expect(outcome.kind).toBe('success');
    const id = await verifiedClaims(outcome.idToken ?? '');
    expect(id).toMatchObject({
      token_use: 'id',
      aud: SPA_CLIENT_ID,
      email: 'admin@acme.test',
      'custom:tenantId': TENANT,
    });
    const access = await verifiedClaims(outcome.accessToken ?? '');
    expect(access).toMatchObject({
      token_use: 'access',
      client_id: SPA_CLIENT_ID,
      origin_jti: id.origin_jti,
    });
    expect(outcome.refreshToken).toEqual(expect.any(String));
  });

  it('signs in again with the chosen password without a challenge, and refreshes the session', async () => {
    await onboard('member@acme.test');
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: POOL_ID,
        Username: 'member@acme.test',
        Password: CHOSEN,
        Permanent: true,
      }),
    );
    const outcome = await signIn({ username: 'member@acme.test', password: CHOSEN, refresh: true });
    expect(outcome).toMatchObject({ kind: 'success', challenges: [] });
    const refreshed = await verifiedClaims(outcome.refreshedIdToken ?? '');
    expect(refreshed.email).toBe('member@acme.test');
    expect(refreshed.jti).not.toBe((await verifiedClaims(outcome.idToken ?? '')).jti);
  });

  it('answers a wrong password and an unknown user with the same NotAuthorizedException', async () => {
    await onboard('wrong@acme.test');
    const wrong = await signIn({ username: 'wrong@acme.test', password: 'Not-The-Password-1' });
    const unknown = await signIn({ username: 'nobody@acme.test', password: 'Not-The-Password-1' });
    for (const outcome of [wrong, unknown]) {
      expect(outcome).toMatchObject({
        kind: 'failure',
        error: { code: 'NotAuthorizedException', message: 'Incorrect username or password.' },
      });
    }
  });

  it('locks a user out from the fifth consecutive failure on: its next sign-in is refused before any password', async () => {
    await onboard('locked@acme.test');
    for (let attempt = 0; attempt < 5; attempt++) {
      const outcome = await signIn({ username: 'locked@acme.test', password: `Wrong-Password-${attempt}` });
      expect(outcome.kind).toBe('failure');
    }
    // The lock lasts 1 s after the fifth failure (doubling with each further one): the next InitiateAuth, sent at
    // once from here rather than from a client process that takes longer than that to start on a loaded machine,
    // is refused whatever password would follow.
    const next = cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_SRP_AUTH',
        ClientId: SPA_CLIENT_ID,
        AuthParameters: { USERNAME: 'locked@acme.test', SRP_A: 'abcdef0123456789' },
      }),
    );
    await expect(next).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Password attempts exceeded',
    });
  });

  it('refuses SRP through a client that does not enable it', async () => {
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          ClientId: PASSWORD_ONLY_CLIENT_ID,
          AuthFlow: 'USER_SRP_AUTH',
          AuthParameters: { USERNAME: 'admin@acme.test', SRP_A: 'abc123' },
        }),
      ),
    ).rejects.toThrow(InvalidParameterException);
  });

  it('refuses a claim whose secret block was not issued, with NotAuthorizedException', async () => {
    const outcome = cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: SPA_CLIENT_ID,
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeResponses: {
          USERNAME: 'admin@acme.test',
          PASSWORD_CLAIM_SECRET_BLOCK: Buffer.from('forged').toString('base64'),
          TIMESTAMP: 'Mon Jan 5 07:03:09 UTC 2026',
          PASSWORD_CLAIM_SIGNATURE: 'AAAA',
        },
      }),
    );
    await expect(outcome).rejects.toThrow('Invalid session for the user.');
  });
});

describe('the invitation Cognito would e-mail', () => {
  it('goes to the log with the temporary password, and an admin signs in with it by SRP', async () => {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: POOL_ID,
        Username: 'invited@acme.test',
        UserAttributes: [{ Name: 'custom:tenantId', Value: TENANT }],
      }),
    );
    const line = delivered.find((entry) => entry.startsWith('invitation to invited@acme.test'));
    const temporary = /temporary password (\S+)$/.exec(line ?? '')?.[1];
    expect(temporary).toEqual(expect.any(String));
    const outcome = await signIn({
      username: 'invited@acme.test',
      password: temporary ?? '',
      newPassword: CHOSEN,
    });
    expect(outcome).toMatchObject({ kind: 'success', challenges: [{ name: 'NEW_PASSWORD_REQUIRED' }] });
  });

  it('is not sent when the caller suppresses it', () => {
    expect(delivered.some((entry) => entry.includes('admin@acme.test'))).toBe(false);
  });
});

describe('ADMIN_USER_PASSWORD_AUTH (a server holding IAM credentials signs a user in)', () => {
  it('signs in a confirmed user through a client that enables the admin flow', async () => {
    await onboard('server@acme.test');
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: POOL_ID,
        Username: 'server@acme.test',
        Password: CHOSEN,
        Permanent: true,
      }),
    );
    const result = await cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: POOL_ID,
        ClientId: PASSWORD_ONLY_CLIENT_ID,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'server@acme.test', PASSWORD: CHOSEN },
      }),
    );
    const claims = await verifiedClaims(result.AuthenticationResult?.IdToken ?? '');
    expect(claims).toMatchObject({ aud: PASSWORD_ONLY_CLIENT_ID, email: 'server@acme.test' });
  });

  it('refuses the admin flow through a client that does not enable it', async () => {
    await expect(
      cognito.send(
        new AdminInitiateAuthCommand({
          UserPoolId: POOL_ID,
          ClientId: SPA_CLIENT_ID,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'server@acme.test', PASSWORD: CHOSEN },
        }),
      ),
    ).rejects.toThrow('ADMIN_USER_PASSWORD_AUTH flow not enabled for this client');
  });
});
