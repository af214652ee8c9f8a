import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as cognitoSdk from '@aws-sdk/client-cognito-identity-provider';
import {
  checkPublicCatalog,
  checkTenantCatalog,
  parseCredentials,
  signIn,
  totp,
} from '../../canaries/api-health/checks';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A real HTTP server on the loopback interface answering with `respond`, recording what it was sent. */
async function serve(respond: (request: Seen, response: ServerResponse) => void) {
  const seen: Seen[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body };
      seen.push(entry);
      respond(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { url: `http://127.0.0.1:${port}`, seen };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function json(response: ServerResponse, status: number, body: unknown, type = 'application/json') {
  response.writeHead(status, { 'content-type': type });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

describe('totp', () => {
  // RFC 6238 appendix B, SHA-1, 8 digits; the seed is the ASCII "12345678901234567890".
  const seed = Buffer.from('12345678901234567890');
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
  ])('gives the RFC 6238 code at %i s', (seconds, code) => {
    expect(totp(seed, seconds * 1000, 8)).toBe(code);
  });

  it('reads a base32 seed as Cognito hands it out, to 6 digits by default', () => {
    expect(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59_000)).toBe('287082');
    expect(() => totp('not base32!', 0)).toThrow(/not base32/);
  });
});

describe('checkPublicCatalog', () => {
  it('passes on a page of items, reading the slug it was given', async () => {
    const api = await serve((_request, response) => json(response, 200, { items: [] }));
    await expect(checkPublicCatalog(`${api.url}/`, 'canary')).resolves.toBe('catalog');
    expect(api.seen[0]?.url).toBe('/public/canary/catalog');
  });

  it("passes on the product's own 404 for a slug no tenant holds", async () => {
    const api = await serve((_request, response) =>
      json(response, 404, { code: 'NotFound', message: 'no public catalog at this address', requestId: 'r' }),
    );
    await expect(checkPublicCatalog(api.url, 'canary')).resolves.toBe('no such tenant');
  });

  it.each([
    [404, { message: 'Not Found' }, /404 .*expected 200 with items or 404 NotFound/],
    [500, { code: 'InternalError' }, /500 \(InternalError\)/],
    [503, '<html>Service Unavailable</html>', /503 \(<html>/],
    [200, { unexpected: true }, /200/],
  ])('fails on %i %j', async (status, body, message) => {
    const api = await serve((_request, response) =>
      json(response, status, body, typeof body === 'string' ? 'text/html' : 'application/json'),
    );
    await expect(checkPublicCatalog(api.url, 'canary')).rejects.toThrow(message);
  });
});

describe('checkTenantCatalog', () => {
  it('sends the ID token as the Authorization header the Cognito authorizer reads, and counts the page', async () => {
    const api = await serve((_request, response) => json(response, 200, { items: [{ sku: 'A' }] }));
    await expect(checkTenantCatalog(`${api.url}/prod/`, 'id-token')).resolves.toBe(1);
    expect(api.seen[0]?.url).toBe('/prod/catalog?limit=1');
    expect(api.seen[0]?.headers.authorization).toBe('id-token');
  });

  it('fails on a rejected token, without echoing it', async () => {
    const api = await serve((_request, response) => json(response, 401, { message: 'Unauthorized' }));
    const failure = checkTenantCatalog(api.url, 'secret-token');
    await expect(failure).rejects.toThrow(/GET \/catalog answered 401/);
    await expect(failure).rejects.not.toThrow(/secret-token/);
  });
});

describe('signIn', () => {
  const NOW = 1_700_000_000_000;
  const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

  /** A real Cognito SDK client talking to a local server that speaks the service's JSON protocol. */
  async function cognito(reply: (target: string, input: Record<string, unknown>) => [number, unknown]) {
    const server = await serve((request, response) => {
      const target = String(request.headers['x-amz-target']).split('.')[1] ?? '';
      const [status, body] = reply(target, JSON.parse(request.body) as Record<string, unknown>);
      json(response, status, body, 'application/x-amz-json-1.1');
    });
    const client = new cognitoSdk.CognitoIdentityProviderClient({
      region: 'eu-west-1',
      endpoint: server.url,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 1,
    });
    return { client, seen: server.seen };
  }
  const options = (credentials: { username: string; password: string; totpSeed?: string }) => ({
    userPoolId: 'eu-west-1_pool',
    clientId: 'canary-client',
    credentials,
    now: () => NOW,
  });

  it('answers the TOTP challenge with the current code and returns the ID token', async () => {
    const { client, seen } = await cognito((target, input) => {
      if (target === 'AdminInitiateAuth')
        return [200, { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's1' }];
      const responses = input.ChallengeResponses as Record<string, string>;
      return responses.SOFTWARE_TOKEN_MFA_CODE === totp(SEED, NOW) && input.Session === 's1'
        ? [200, { AuthenticationResult: { IdToken: 'id-token' } }]
        : [400, { __type: 'CodeMismatchException', message: 'Invalid code' }];
    });
    await expect(
      signIn(client, cognitoSdk, options({ username: 'u@x.invalid', password: 'pw', totpSeed: SEED })),
    ).resolves.toBe('id-token');
    const first = JSON.parse(seen[0]?.body ?? '{}') as Record<string, unknown>;
    expect(first).toMatchObject({
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      UserPoolId: 'eu-west-1_pool',
      ClientId: 'canary-client',
      AuthParameters: { USERNAME: 'u@x.invalid', PASSWORD: 'pw' },
    });
  });

  it('returns the ID token straight away where the pool asks for no second factor', async () => {
    const { client, seen } = await cognito(() => [200, { AuthenticationResult: { IdToken: 'plain' } }]);
    await expect(signIn(client, cognitoSdk, options({ username: 'u', password: 'pw' }))).resolves.toBe(
      'plain',
    );
    expect(seen).toHaveLength(1);
  });

  it('says the canary user is not set up when Cognito does not know it', async () => {
    const { client } = await cognito(() => [
      400,
      { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' },
    ]);
    await expect(signIn(client, cognitoSdk, options({ username: 'u', password: 'pw' }))).rejects.toThrow(
      /cannot sign in \(NotAuthorizedException\): it is not set up yet.*README/,
    );
  });

  it('names the challenge an unfinished user stops at', async () => {
    const { client } = await cognito(() => [200, { ChallengeName: 'MFA_SETUP', Session: 's' }]);
    await expect(signIn(client, cognitoSdk, options({ username: 'u', password: 'pw' }))).rejects.toThrow(
      /MFA_SETUP challenge/,
    );
  });

  it('asks for the seed when the pool wants a TOTP code and the secret has none', async () => {
    const { client } = await cognito(() => [200, { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's' }]);
    await expect(signIn(client, cognitoSdk, options({ username: 'u', password: 'pw' }))).rejects.toThrow(
      /no totpSeed/,
    );
  });
});

describe('parseCredentials', () => {
  it('reads the generated secret, and the seed once an operator added it', () => {
    expect(parseCredentials('{"username":"u","password":"p"}')).toEqual({ username: 'u', password: 'p' });
    expect(parseCredentials('{"username":"u","password":"p","totpSeed":"ABC"}')).toEqual({
      username: 'u',
      password: 'p',
      totpSeed: 'ABC',
    });
  });

  it('rejects a secret that is not the canary credentials', () => {
    expect(() => parseCredentials('nope')).toThrow(/not JSON/);
    expect(() => parseCredentials('{"username":"u"}')).toThrow(/lacks a username or a password/);
  });
});
