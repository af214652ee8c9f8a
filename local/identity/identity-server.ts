import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOn } from '../loopback-server';
import type { LocalCloudModel } from '../model';
import { CognitoError } from './cognito-error';
import { COGNITO_TARGET_PREFIX, createCognitoProtocol } from './cognito-protocol';
import { createManagedLogin, type LoginResponse } from './managed-login';
import { type Grant, OAUTH_GRANTS, tokenEndpoint } from './oauth2-endpoints';
import { type PublicJwk, publicJwk } from './signing-key';
import { type MintedTokens, mintCognitoTokens } from './token-minting';
import {
  type ClientDefinition,
  clientFromProperties,
  type UserPoolDefinition,
  userPoolDefinitions,
} from './user-pool-definitions';
import { type StoredUser, UserPoolStore } from './user-pool-store';

/** A JSON Web Key Set as `/.well-known/jwks.json` serves it. */
export interface JwkSet {
  readonly keys: readonly PublicJwk[];
}

/** What token verifiers (the REST Cognito authorizer, JWT authorizers) need from the local issuer. */
export interface IdentityIssuers {
  /** `http://127.0.0.1:<port>/<userPoolId>`: the `iss` of the pool's tokens. */
  issuerUrl(userPoolId: string): string;
  /** The pool's public keys, or undefined when no such pool is served. */
  jwks(userPoolId: string): JwkSet | undefined;
}

/** Options of `createIdentityServer`. */
export interface IdentityServerOptions {
  /** Port on 127.0.0.1. @default 0 (a free port, known once the promise resolves) */
  readonly port?: number;
  /** Directory for each pool's keys and users (`<userPoolId>.json`). @default in memory only */
  readonly dataDir?: string;
  /** Receives the messages Cognito would e-mail (an invitation's temporary password). @default dropped */
  readonly deliver?: (line: string) => void;
  /**
   * IAM: checks a request before it is served; the error to answer with instead (AccessDeniedException), or
   * undefined. Given the request's headers and URL (who signed it), the operation and its input.
   * @default every request is served
   */
  readonly authorize?: (
    headers: IncomingMessage['headers'],
    url: string,
    operation: string,
    input: Record<string, unknown>,
  ) => CognitoError | undefined;
}

/** The local Cognito-compatible issuer and Identity Provider API. */
export interface LocalIdentity extends IdentityIssuers {
  readonly port: number;
  /** Base URL for `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`. */
  readonly endpoint: string;
  /** Serves every user pool, group and app client of the template (call again after a redeploy). */
  registerModel(model: LocalCloudModel): void;
  /** The store of a served pool (seeding, tests); throws ResourceNotFoundException for an unknown pool. */
  pool(userPoolId: string): UserPoolStore;
  /** Signs a user's ID and access tokens as if they had just signed in through `clientId`. */
  mintTokens(input: { userPoolId: string; clientId: string; username: string }): MintedTokens;
  close(): Promise<void>;
}

/** The issuer URL of a pool served on `port`, computable before the server starts (for `ProviderURL`). */
export function issuerUrlFor(port: number, userPoolId: string): string {
  return `http://127.0.0.1:${port}/${userPoolId}`;
}

/** `ProviderName` of a pool served on `port` (the issuer without its scheme, as AWS gives it). */
export function providerNameFor(port: number, userPoolId: string): string {
  return issuerUrlFor(port, userPoolId).replace(/^https?:\/\//, '');
}

const MAX_BODY_BYTES = 1024 * 1024;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new CognitoError('InvalidParameterException', 'Request too large', 413);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Browsers call Cognito from other origins: an SPA signs in through the JSON API (`InitiateAuth`, …) and exchanges its
 * code at the domain's `/oauth2/token`. Cognito answers both cross-origin (any origin, no credentials), so a
 * request with an `Origin` gets `Access-Control-Allow-Origin: *`, and a preflight is answered here with what it asks
 * for. Resolves true when the request was a preflight, answered.
 */
function answeredCrossOrigin(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.headers.origin === undefined) return false;
  response.setHeader('access-control-allow-origin', '*');
  response.setHeader(
    'access-control-expose-headers',
    'x-amzn-requestid, x-amzn-errortype, x-amzn-errormessage',
  );
  const preflight =
    request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
  if (!preflight) return false;
  response.writeHead(204, {
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers':
      request.headers['access-control-request-headers'] ??
      'content-type, authorization, x-amz-target, x-amz-user-agent',
    'access-control-max-age': '86400',
  });
  response.end();
  return true;
}

function sendJson(
  response: ServerResponse,
  statusCode: number,
  body: unknown,
  contentType = 'application/json',
) {
  response.writeHead(statusCode, { 'content-type': contentType, 'x-amzn-requestid': randomUUID() });
  response.end(JSON.stringify(body));
}

/**
 * Starts the local identity server on 127.0.0.1: per pool `<issuer>/.well-known/jwks.json` and
 * `/.well-known/openid-configuration`, and the Cognito Identity Provider JSON protocol on `/`.
 * Pools come from the template through `registerModel`; each gets its own RSA key.
 */
export async function createIdentityServer(options: IdentityServerOptions = {}): Promise<LocalIdentity> {
  const pools = new Map<string, UserPoolStore>();
  const clients = new Map<string, ClientDefinition>();
  let port = options.port ?? 0;

  const pool = (userPoolId: string): UserPoolStore => {
    const store = pools.get(userPoolId);
    if (store === undefined) {
      throw new CognitoError('ResourceNotFoundException', `User pool ${userPoolId} does not exist.`);
    }
    return store;
  };
  const client = (clientId: string): ClientDefinition => {
    const definition = clients.get(clientId);
    if (definition === undefined) {
      throw new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
    }
    return definition;
  };
  const mintFor = (store: UserPoolStore, app: ClientDefinition, user: StoredUser, scope?: string) =>
    mintCognitoTokens({
      ...(scope === undefined ? {} : { scope }),
      issuer: issuerUrlFor(port, store.definition.userPoolId),
      clientId: app.clientId,
      user,
      signingKey: store.signingKey,
      idTokenValiditySeconds: app.idTokenValiditySeconds,
      accessTokenValiditySeconds: app.accessTokenValiditySeconds,
    });
  const clientsOf = (userPoolId: string) =>
    [...clients.values()].filter((definition) => definition.userPoolId === userPoolId);
  const registerStoredClients = (store: UserPoolStore) => {
    for (const stored of store.storedClients()) {
      clients.set(
        stored.clientId,
        clientFromProperties(
          stored.clientId,
          { ...stored.properties, UserPoolId: store.definition.userPoolId },
          stored.clientSecret,
        ),
      );
    }
  };
  const protocol = createCognitoProtocol({
    pool,
    pools: () => [...pools.values()],
    client,
    clientsOf,
    createClient: (store, properties, secret) => {
      const clientId = randomBytes(20).toString('base64url').replace(/[-_]/g, 'a').slice(0, 26).toLowerCase();
      store.addClient({
        clientId,
        ...(secret === undefined ? {} : { clientSecret: secret }),
        properties,
        createdAt: Math.floor(Date.now() / 1000),
      });
      registerStoredClients(store);
      return client(clientId);
    },
    deleteClient: (store, clientId) => {
      if (!store.deleteClient(clientId)) return false;
      clients.delete(clientId);
      return true;
    },
    mintFor,
    deliver: (line) => options.deliver?.(line),
  });
  const oauthBackend = { client, pool, issuerUrl: (userPoolId: string) => issuerUrlFor(port, userPoolId) };
  const managedLogin = createManagedLogin({
    ...oauthBackend,
    mintFor,
    issueRefreshToken: (store, app, user) => protocol.issueRefreshToken(store, app, user),
  });
  const grants: Record<string, Grant> = {
    ...OAUTH_GRANTS,
    authorization_code: (form, caller) => managedLogin.grant(form, caller),
    // A browser signed in by managed login renews its tokens here; Cognito answers no new refresh token.
    refresh_token: (form, caller) => {
      let app: ClientDefinition;
      try {
        app = client(caller.clientId);
      } catch (error) {
        if (error instanceof CognitoError) return { status: 400, body: { error: 'invalid_client' } };
        throw error;
      }
      if (app.clientSecret !== undefined && app.clientSecret !== caller.clientSecret) {
        return { status: 400, body: { error: 'invalid_client' } };
      }
      const redeemed = protocol.redeemRefreshToken(form.get('refresh_token') ?? '', app);
      if (redeemed === undefined) return { status: 400, body: { error: 'invalid_grant' } };
      const tokens = mintFor(redeemed.pool, app, redeemed.user);
      return {
        status: 200,
        body: {
          id_token: tokens.idToken,
          access_token: tokens.accessToken,
          expires_in: tokens.expiresIn,
          token_type: 'Bearer',
        },
      };
    },
  };
  const sendPage = (response: ServerResponse, answer: LoginResponse) => {
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  };

  /** `/oauth2/token` at the root: local Cognito domains all point here; the client id names the pool. */
  const serveOAuth = async (path: string, request: IncomingMessage, response: ServerResponse) => {
    if (path === '/oauth2/userInfo' && request.method === 'GET') {
      const answer = await managedLogin.userInfo(request.headers.authorization);
      response.writeHead(answer.status, {
        'content-type': 'application/json;charset=UTF-8',
        ...(answer.status === 401 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {}),
      });
      response.end(JSON.stringify(answer.body));
      return true;
    }
    if (path === '/oauth2/authorize' && request.method === 'GET') {
      sendPage(response, managedLogin.authorize(new URL(request.url ?? '/', 'http://local').searchParams));
      return true;
    }
    if (path !== '/oauth2/token' || request.method !== 'POST') return false;
    const form = new URLSearchParams(await readBody(request));
    const answer = tokenEndpoint(form, request.headers.authorization, oauthBackend, grants);
    response.writeHead(answer.status, {
      'content-type': 'application/json;charset=UTF-8',
      'cache-control': 'no-store',
    });
    response.end(JSON.stringify(answer.body));
    return true;
  };

  const serveWellKnown = (path: string, response: ServerResponse): boolean => {
    const match = /^\/([^/]+)\/\.well-known\/(jwks\.json|openid-configuration)$/.exec(path);
    const store = match?.[1] === undefined ? undefined : pools.get(match[1]);
    if (match === null || store === undefined) return false;
    const issuer = issuerUrlFor(port, store.definition.userPoolId);
    if (match[2] === 'jwks.json') {
      sendJson(response, 200, { keys: [publicJwk(store.signingKey)] });
      return true;
    }
    sendJson(response, 200, {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      // A Cognito domain serves these; every local domain is the identity server's root.
      authorization_endpoint: `http://127.0.0.1:${port}/oauth2/authorize`,
      token_endpoint: `http://127.0.0.1:${port}/oauth2/token`,
      userinfo_endpoint: `http://127.0.0.1:${port}/oauth2/userInfo`,
      response_types_supported: ['code', 'token'],
      scopes_supported: ['openid', 'email', 'phone', 'profile'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
    return true;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (request.method === 'GET' && serveWellKnown(path, response)) return;
    if (path === '/logout' && request.method === 'GET') {
      sendPage(response, managedLogin.logout(new URL(request.url ?? '/', 'http://local').searchParams));
      return;
    }
    if (path === '/login' && request.method === 'POST') {
      sendPage(response, managedLogin.login(new URLSearchParams(await readBody(request))));
      return;
    }
    if (path.startsWith('/oauth2/')) {
      try {
        if (await serveOAuth(path, request, response)) return;
      } catch {
        sendJson(response, 400, { error: 'invalid_request' });
        return;
      }
    }
    const target = request.headers['x-amz-target'];
    if (
      request.method !== 'POST' ||
      typeof target !== 'string' ||
      !target.startsWith(COGNITO_TARGET_PREFIX)
    ) {
      sendJson(response, 404, { message: 'Not Found' });
      return;
    }
    const contentType = 'application/x-amz-json-1.1';
    try {
      const text = await readBody(request);
      const body: unknown = text === '' ? {} : JSON.parse(text);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new CognitoError('SerializationException', 'Request body must be a JSON object');
      }
      const operation = target.slice(COGNITO_TARGET_PREFIX.length);
      const refusal = options.authorize?.(
        request.headers,
        request.url ?? '/',
        operation,
        body as Record<string, unknown>,
      );
      if (refusal) throw refusal;
      const result = protocol.handle(operation, body as Record<string, unknown>);
      sendJson(response, 200, result, contentType);
    } catch (error) {
      if (error instanceof CognitoError) {
        sendJson(response, error.statusCode, { __type: error.type, message: error.message }, contentType);
      } else if (error instanceof SyntaxError) {
        sendJson(
          response,
          400,
          { __type: 'SerializationException', message: 'Malformed JSON body' },
          contentType,
        );
      } else {
        sendJson(response, 500, { __type: 'InternalErrorException', message: 'Internal error' }, contentType);
      }
    }
  };

  const server: Server = createServer((request, response) => {
    if (answeredCrossOrigin(request, response)) return;
    void handle(request, response);
  });
  port = await listenOn(server, port);

  const registerPool = (definition: UserPoolDefinition) => {
    const existing = pools.get(definition.userPoolId);
    if (existing === undefined) {
      const store = new UserPoolStore(definition, options.dataDir);
      pools.set(definition.userPoolId, store);
      registerStoredClients(store);
    } else existing.definition = definition;
  };

  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    issuerUrl: (userPoolId) => issuerUrlFor(port, userPoolId),
    jwks: (userPoolId) => {
      const store = pools.get(userPoolId);
      return store === undefined ? undefined : { keys: [publicJwk(store.signingKey)] };
    },
    registerModel: (model) => {
      const definitions = userPoolDefinitions(model);
      for (const definition of definitions.pools) registerPool(definition);
      for (const definition of definitions.clients) clients.set(definition.clientId, definition);
    },
    pool,
    mintTokens: ({ userPoolId, clientId, username }) => {
      const store = pool(userPoolId);
      const app = client(clientId);
      if (app.userPoolId !== userPoolId) {
        throw new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
      }
      return mintFor(store, app, store.requireUser(username));
    },
    close: () => closeServer(server),
  };
}
