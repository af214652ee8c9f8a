import { createHash, randomBytes } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { createIdentityServer, type LocalIdentity } from '../../identity/identity-server';
import { resourcesIn } from '../support/model-resource';

const POOL_ID = 'eu-west-1_PkcePool01';
const SPA_CLIENT_ID = 'pkceclient0000000000000001';
const CALLBACK = 'http://localhost:5173/auth/callback';
const PASSWORD = 'Chosen-Password-42';

const resource = resourcesIn('PkceTest');

let identity: LocalIdentity;

beforeAll(async () => {
  identity = await createIdentityServer();
  // The SPA client as CDK synthesizes `oAuth: { flows: { authorizationCodeGrant: true } }`, with a domain.
  identity.registerModel({
    region: 'eu-west-1',
    accountId: '111122223333',
    resources: [
      resource('Pool', 'AWS::Cognito::UserPool', POOL_ID, { UsernameAttributes: ['email'] }),
      resource('Domain', 'AWS::Cognito::UserPoolDomain', 'pkce-example', {
        UserPoolId: POOL_ID,
        Domain: 'pkce-example',
      }),
      resource('Spa', 'AWS::Cognito::UserPoolClient', SPA_CLIENT_ID, {
        UserPoolId: POOL_ID,
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        AllowedOAuthFlows: ['code'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        CallbackURLs: [CALLBACK],
        LogoutURLs: ['http://localhost:5173/'],
        SupportedIdentityProviders: ['COGNITO'],
      }),
    ],
  });
  const cognito = new CognitoIdentityProviderClient({ region: 'eu-west-1', endpoint: identity.endpoint });
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: POOL_ID,
      Username: 'user@acme.test',
      MessageAction: 'SUPPRESS',
    }),
  );
  await cognito.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: POOL_ID,
      Username: 'user@acme.test',
      Password: PASSWORD,
      Permanent: true,
    }),
  );
  cognito.destroy();
});

afterAll(async () => {
  await identity.close();
});

const verifier = randomBytes(32).toString('base64url');
const challenge = createHash('sha256').update(verifier).digest('base64url');
const authorizeParams = {
  response_type: 'code',
  client_id: SPA_CLIENT_ID,
  redirect_uri: CALLBACK,
  state: 'st-123',
  scope: 'openid email',
  code_challenge: challenge,
  code_challenge_method: 'S256',
};

/** What a browser does: opens /oauth2/authorize, submits the login form, follows nothing (the SPA gets the code). */
async function signInInBrowser(password: string, params: Record<string, string> = authorizeParams) {
  const page = await fetch(`${identity.endpoint}/oauth2/authorize?${new URLSearchParams(params)}`);
  const html = await page.text();
  const hidden = Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
  );
  const submitted = await fetch(`${identity.endpoint}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...hidden, username: 'user@acme.test', password }),
  });
  return { page, html, submitted };
}

async function exchange(code: string, codeVerifier: string) {
  const response = await fetch(`${identity.endpoint}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: SPA_CLIENT_ID,
      code,
      redirect_uri: CALLBACK,
      code_verifier: codeVerifier,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe('managed login: authorization code with PKCE on the local Cognito domain', () => {
  it('answers a browser on another origin: the token endpoint preflight, then the exchange with CORS headers', async () => {
    const preflight = await fetch(`${identity.endpoint}/oauth2/token`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');

    const refused = await fetch(`${identity.endpoint}/oauth2/token`, {
      method: 'POST',
      headers: { origin: 'http://localhost:5173', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: SPA_CLIENT_ID, code: 'nope' }),
    });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('shows a login page, redirects to the callback with a code and the state, and exchanges the code for tokens', async () => {
    const { page, html, submitted } = await signInInBrowser(PASSWORD);
    expect(page.status).toBe(200);
    expect(html).toContain('<form method="post" action="/login">');
    expect(submitted.status).toBe(302);
    const location = new URL(submitted.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('state')).toBe('st-123');

    const tokens = await exchange(location.searchParams.get('code') ?? '', verifier);
    expect(tokens.status).toBe(200);
    expect(decodeJwt(tokens.body.id_token ?? '')).toMatchObject({
      aud: SPA_CLIENT_ID,
      email: 'user@acme.test',
    });
    expect(decodeJwt(tokens.body.access_token ?? '')).toMatchObject({
      scope: 'openid email',
      client_id: SPA_CLIENT_ID,
    });

    // The refresh token works with REFRESH_TOKEN_AUTH, as a Cognito one does.
    const cognito = new CognitoIdentityProviderClient({ region: 'eu-west-1', endpoint: identity.endpoint });
    const refreshed = await cognito.send(
      new InitiateAuthCommand({
        ClientId: SPA_CLIENT_ID,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: tokens.body.refresh_token ?? '' },
      }),
    );
    cognito.destroy();
    expect(refreshed.AuthenticationResult?.IdToken).toEqual(expect.any(String));

    // And with the refresh_token grant of the token endpoint, as a browser signed in by managed login renews.
    const renew = (refreshToken: string, clientId = SPA_CLIENT_ID) =>
      fetch(`${identity.endpoint}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: clientId,
          refresh_token: refreshToken,
        }),
      });
    const renewed = await renew(tokens.body.refresh_token ?? '');
    expect(renewed.status).toBe(200);
    const renewedBody = (await renewed.json()) as Record<string, unknown>;
    expect(renewedBody).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number) });
    expect(renewedBody).not.toHaveProperty('refresh_token');
    expect(decodeJwt(String(renewedBody.id_token))).toMatchObject({
      aud: SPA_CLIENT_ID,
      email: 'user@acme.test',
      sub: decodeJwt(tokens.body.id_token ?? '').sub,
    });
    const forgedRenewal = await renew('not-a-refresh-token');
    expect(forgedRenewal.status).toBe(400);
    expect(await forgedRenewal.json()).toEqual({ error: 'invalid_grant' });
    expect((await renew(tokens.body.refresh_token ?? '', 'no-such-client')).status).toBe(400);

    // userInfo answers the user's attributes for the access token, and refuses anything else.
    const info = await fetch(`${identity.endpoint}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${tokens.body.access_token}` },
    });
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({
      email: 'user@acme.test',
      sub: decodeJwt(tokens.body.id_token ?? '').sub,
    });
    const forged = await fetch(`${identity.endpoint}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${tokens.body.id_token}x` },
    });
    expect(forged.status).toBe(401);
  });

  it('logs out to a registered sign-out URL only', async () => {
    const out = await fetch(
      `${identity.endpoint}/logout?${new URLSearchParams({ client_id: SPA_CLIENT_ID, logout_uri: 'http://localhost:5173/' })}`,
      { redirect: 'manual' },
    );
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe('http://localhost:5173/');
    const elsewhere = await fetch(
      `${identity.endpoint}/logout?${new URLSearchParams({ client_id: SPA_CLIENT_ID, logout_uri: 'https://evil.example/' })}`,
      { redirect: 'manual' },
    );
    expect(elsewhere.status).toBe(400);
  });

  it('refuses a wrong code_verifier and a code used twice (invalid_grant)', async () => {
    const first = await signInInBrowser(PASSWORD);
    const code = new URL(first.submitted.headers.get('location') ?? '').searchParams.get('code') ?? '';
    expect(await exchange(code, 'not-the-verifier')).toEqual({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    const second = await signInInBrowser(PASSWORD);
    const other = new URL(second.submitted.headers.get('location') ?? '').searchParams.get('code') ?? '';
    expect((await exchange(other, verifier)).status).toBe(200);
    expect(await exchange(other, verifier)).toEqual({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('shows the login form again for a wrong password, with no code', async () => {
    const { submitted } = await signInInBrowser('Wrong-Password-1');
    expect(submitted.status).toBe(400);
    expect(await submitted.text()).toContain('Incorrect username or password.');
  });

  it('refuses a redirect_uri that is not a callback URL of the client, before any login', async () => {
    const page = await fetch(
      `${identity.endpoint}/oauth2/authorize?${new URLSearchParams({ ...authorizeParams, redirect_uri: 'https://evil.example/cb' })}`,
    );
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('redirect_mismatch');
  });
});
