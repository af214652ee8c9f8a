import { randomBytes } from 'node:crypto';
import { CognitoError, invalidParameter, notAuthorized } from './cognito-error';
import { clientOfPool, requiredString } from './cognito-request';
import { selfServiceOperations } from './self-service';
import {
  challengeHex,
  parseCognitoTimestamp,
  parseHex,
  type SrpChallenge,
  startSrp,
  verifyPasswordClaim,
} from './srp';
import type { MintedTokens } from './token-minting';
import { type ControlPlaneBackend, controlPlaneOperations } from './user-pool-control';
import type { ClientDefinition } from './user-pool-definitions';
import type { AttributeType, StoredUser, UserPoolStore } from './user-pool-store';

/** What the protocol needs from the identity server: pools, clients and token minting. */
export interface CognitoBackend extends ControlPlaneBackend {
  mintFor(pool: UserPoolStore, client: ClientDefinition, user: StoredUser): MintedTokens;
  /** Where the messages Cognito would send (e-mail, SMS) go locally: a log line each. */
  deliver?(line: string): void;
}

type Body = Record<string, unknown>;
type Operation = (body: Body) => unknown;

/** The `X-Amz-Target` prefix of the Cognito Identity Provider JSON protocol. */
export const COGNITO_TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

function attributeList(value: unknown): AttributeType[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidParameter('UserAttributes must be a list');
  return value.map((entry) => {
    const item = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    if (typeof item.Name !== 'string') throw invalidParameter('Attribute name must not be null');
    return { Name: item.Name, Value: typeof item.Value === 'string' ? item.Value : undefined };
  });
}

function userAttributes(user: StoredUser) {
  return [
    { Name: 'sub', Value: user.sub },
    ...Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
  ];
}

function userType(user: StoredUser) {
  return {
    Username: user.username,
    Attributes: userAttributes(user),
    UserCreateDate: user.createdAt,
    UserLastModifiedDate: user.modifiedAt,
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

function authenticationResult(tokens: MintedTokens, refreshToken?: string) {
  return {
    ChallengeParameters: {},
    AuthenticationResult: {
      AccessToken: tokens.accessToken,
      IdToken: tokens.idToken,
      ...(refreshToken === undefined ? {} : { RefreshToken: refreshToken }),
      ExpiresIn: tokens.expiresIn,
      TokenType: 'Bearer',
    },
  };
}

/** Consecutive failures after which Cognito starts locking a user out, and the longest lockout. */
const FAILURES_BEFORE_LOCKOUT = 5;
const MAX_LOCKOUT_SECONDS = 900;
/** How far a PASSWORD_VERIFIER TIMESTAMP may be from the server's clock. */
const MAX_TIMESTAMP_SKEW_MS = 5 * 60 * 1000;

function recordOf(value: unknown): Record<string, unknown> {
  return (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<
    string,
    unknown
  >;
}

/**
 * The subset of the Cognito Identity Provider API the local cloud serves: the admin calls an onboarding flow
 * makes, ListUsers, and sign-in as real clients do it: USER_SRP_AUTH (PASSWORD_VERIFIER), USER_PASSWORD_AUTH,
 * ADMIN_USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH, with the NEW_PASSWORD_REQUIRED challenge.
 */
export function createCognitoProtocol(backend: CognitoBackend) {
  // Sign-in state lives in memory only: a restart signs everyone out, as a key rotation would.
  const refreshTokens = new Map<string, { userPoolId: string; clientId: string; sub: string }>();
  const sessions = new Map<string, { userPoolId: string; clientId: string; sub: string }>();
  // An SRP exchange is keyed by its secret block, which the client sends back with its claim (it is what
  // Cognito's opaque SECRET_BLOCK carries); each is usable once.
  const srpExchanges = new Map<
    string,
    { userPoolId: string; clientId: string; userIdForSrp: string; sub?: string; challenge: SrpChallenge }
  >();
  const failures = new Map<string, { count: number; lockedUntil: number }>();

  const signIn = (pool: UserPoolStore, client: ClientDefinition, user: StoredUser) => {
    const refreshToken = randomBytes(48).toString('base64url');
    refreshTokens.set(refreshToken, {
      userPoolId: pool.definition.userPoolId,
      clientId: client.clientId,
      sub: user.sub,
    });
    return authenticationResult(backend.mintFor(pool, client, user), refreshToken);
  };

  /** After the password is proven: the new-password challenge for a temporary password, else tokens. */
  const challengeOrSignIn = (pool: UserPoolStore, client: ClientDefinition, user: StoredUser) => {
    if (!user.enabled) throw notAuthorized('User is disabled.');
    if (user.status === 'UNCONFIRMED')
      throw new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
    failures.delete(`${pool.definition.userPoolId}/${user.sub}`);
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      const session = randomBytes(48).toString('base64url');
      sessions.set(session, {
        userPoolId: pool.definition.userPoolId,
        clientId: client.clientId,
        sub: user.sub,
      });
      const { email_verified: _verified, ...attributes } = user.attributes;
      return {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: session,
        ChallengeParameters: {
          USER_ID_FOR_SRP: user.username,
          requiredAttributes: '[]',
          userAttributes: JSON.stringify(attributes),
        },
      };
    }
    return signIn(pool, client, user);
  };

  /** Cognito's lockout: after five consecutive failures, refusals for a doubling time, whatever the password. */
  const refuseWhileLocked = (pool: UserPoolStore, user: StoredUser | undefined) => {
    if (user === undefined) return;
    const record = failures.get(`${pool.definition.userPoolId}/${user.sub}`);
    if (record !== undefined && record.lockedUntil > Date.now()) {
      throw notAuthorized('Password attempts exceeded');
    }
  };
  const failed = (pool: UserPoolStore, user: StoredUser | undefined): never => {
    if (user !== undefined) {
      const key = `${pool.definition.userPoolId}/${user.sub}`;
      const count = (failures.get(key)?.count ?? 0) + 1;
      const lockSeconds =
        count < FAILURES_BEFORE_LOCKOUT
          ? 0
          : Math.min(MAX_LOCKOUT_SECONDS, 2 ** (count - FAILURES_BEFORE_LOCKOUT));
      failures.set(key, { count, lockedUntil: Date.now() + lockSeconds * 1000 });
    }
    // One message for an unknown user and a wrong password, so user names cannot be probed.
    throw notAuthorized();
  };

  const passwordSignIn = (pool: UserPoolStore, client: ClientDefinition, parameters: Body) => {
    const user = pool.findUser(requiredString(parameters, 'USERNAME'));
    refuseWhileLocked(pool, user);
    let verified: StoredUser;
    try {
      verified = pool.authenticate(
        requiredString(parameters, 'USERNAME'),
        requiredString(parameters, 'PASSWORD'),
      );
    } catch (error) {
      if (error instanceof CognitoError && error.message === 'User is disabled.') throw error;
      return failed(pool, user);
    }
    return challengeOrSignIn(pool, client, verified);
  };

  const srpStart = (pool: UserPoolStore, client: ClientDefinition, parameters: Body) => {
    const username = requiredString(parameters, 'USERNAME');
    const A = parseHex(requiredString(parameters, 'SRP_A'));
    if (A === undefined) throw invalidParameter('SRP_A must be a hexadecimal number');
    const user = pool.findUser(username);
    refuseWhileLocked(pool, user);
    // An unknown user gets a challenge like any other (from a password nobody knows) and fails at the claim,
    // so the answer to InitiateAuth does not reveal whether the user exists.
    const userIdForSrp = user?.username ?? username;
    const challenge = startSrp({
      A,
      userPoolId: pool.definition.userPoolId,
      userIdForSrp,
      password: user?.password ?? randomBytes(32).toString('base64'),
    });
    if (challenge === undefined) throw invalidParameter('Illegal SRP_A: A mod N cannot be 0');
    const secretBlock = randomBytes(64).toString('base64');
    srpExchanges.set(secretBlock, {
      userPoolId: pool.definition.userPoolId,
      clientId: client.clientId,
      userIdForSrp,
      ...(user === undefined ? {} : { sub: user.sub }),
      challenge,
    });
    return {
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeParameters: {
        ...challengeHex(challenge),
        SECRET_BLOCK: secretBlock,
        USER_ID_FOR_SRP: userIdForSrp,
        USERNAME: userIdForSrp,
      },
    };
  };

  const srpVerify = (client: ClientDefinition, responses: Body) => {
    const secretBlock = requiredString(responses, 'PASSWORD_CLAIM_SECRET_BLOCK');
    const exchange = srpExchanges.get(secretBlock);
    if (exchange === undefined || exchange.clientId !== client.clientId) {
      throw notAuthorized('Invalid session for the user.');
    }
    srpExchanges.delete(secretBlock);
    const pool = backend.pool(exchange.userPoolId);
    const user = exchange.sub === undefined ? undefined : pool.findBySub(exchange.sub);
    const timestamp = requiredString(responses, 'TIMESTAMP');
    const at = parseCognitoTimestamp(timestamp);
    if (at === undefined || Math.abs(at.getTime() - Date.now()) > MAX_TIMESTAMP_SKEW_MS) {
      throw invalidParameter('TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.');
    }
    const proven = verifyPasswordClaim({
      challenge: exchange.challenge,
      userPoolId: exchange.userPoolId,
      userIdForSrp: exchange.userIdForSrp,
      secretBlock: Buffer.from(secretBlock, 'base64'),
      timestamp,
      signature: requiredString(responses, 'PASSWORD_CLAIM_SIGNATURE'),
    });
    if (!proven || user === undefined) return failed(pool, user);
    return challengeOrSignIn(pool, client, user);
  };

  const refresh = (pool: UserPoolStore, client: ClientDefinition, parameters: Body) => {
    requireFlow(client, 'REFRESH_TOKEN_AUTH');
    const grant = refreshTokens.get(requiredString(parameters, 'REFRESH_TOKEN'));
    const user = grant === undefined ? undefined : pool.findBySub(grant.sub);
    if (grant === undefined || grant.clientId !== client.clientId || user === undefined || !user.enabled) {
      throw notAuthorized('Invalid Refresh Token');
    }
    return authenticationResult(backend.mintFor(pool, client, user));
  };

  const requireFlow = (client: ClientDefinition, flow: string) => {
    if (!client.explicitAuthFlows.has(`ALLOW_${flow}`)) {
      throw invalidParameter(`${flow} flow not enabled for this client`);
    }
  };

  /** InitiateAuth's flows, by AuthFlow name. */
  const authFlows: Record<
    string,
    (pool: UserPoolStore, client: ClientDefinition, parameters: Body) => unknown
  > = {
    USER_SRP_AUTH: (pool, client, parameters) => {
      requireFlow(client, 'USER_SRP_AUTH');
      return srpStart(pool, client, parameters);
    },
    USER_PASSWORD_AUTH: (pool, client, parameters) => {
      requireFlow(client, 'USER_PASSWORD_AUTH');
      return passwordSignIn(pool, client, parameters);
    },
    REFRESH_TOKEN_AUTH: refresh,
    REFRESH_TOKEN: refresh,
  };

  const adminPasswordSignIn = (pool: UserPoolStore, client: ClientDefinition, parameters: Body) => {
    requireFlow(client, 'ADMIN_USER_PASSWORD_AUTH');
    return passwordSignIn(pool, client, parameters);
  };

  /** AdminInitiateAuth's flows (the caller holds IAM credentials, so the admin flow is allowed here). */
  const adminAuthFlows: Record<
    string,
    (pool: UserPoolStore, client: ClientDefinition, parameters: Body) => unknown
  > = {
    ADMIN_USER_PASSWORD_AUTH: adminPasswordSignIn,
    // The flow's older name: the same password sign-in, allowed by the same client setting.
    ADMIN_NO_SRP_AUTH: adminPasswordSignIn,
    REFRESH_TOKEN_AUTH: refresh,
    REFRESH_TOKEN: refresh,
  };

  const newPassword = (client: ClientDefinition, body: Body, responses: Body) => {
    const sessionToken = requiredString(body, 'Session');
    const session = sessions.get(sessionToken);
    if (session === undefined || session.clientId !== client.clientId) {
      throw notAuthorized('Invalid session for the user.');
    }
    const pool = backend.pool(session.userPoolId);
    const user = pool.findBySub(session.sub);
    if (user === undefined) throw notAuthorized('Invalid session for the user.');
    pool.setPassword(user.username, requiredString(responses, 'NEW_PASSWORD'), true);
    sessions.delete(sessionToken);
    return signIn(pool, client, user);
  };

  /** RespondToAuthChallenge's challenges, by ChallengeName. */
  const challenges: Record<string, (client: ClientDefinition, body: Body, responses: Body) => unknown> = {
    PASSWORD_VERIFIER: (client, _body, responses) => srpVerify(client, responses),
    NEW_PASSWORD_REQUIRED: newPassword,
  };

  const operations: Record<string, Operation> = {
    ...controlPlaneOperations(backend),
    ...selfServiceOperations(backend),
    AdminCreateUser: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      const username = requiredString(body, 'Username');
      if (body.MessageAction === 'RESEND') return { User: userType(pool.requireUser(username)) };
      const user = pool.createUser({
        username,
        attributes: attributeList(body.UserAttributes),
        temporaryPassword: typeof body.TemporaryPassword === 'string' ? body.TemporaryPassword : undefined,
      });
      // Cognito e-mails the temporary password unless told not to; locally the message goes to the log, so an
      // onboarded admin can sign in (and answer NEW_PASSWORD_REQUIRED) as they would after reading the e-mail.
      const to = user.attributes.email ?? user.attributes.phone_number;
      if (body.MessageAction !== 'SUPPRESS' && to !== undefined) {
        backend.deliver?.(`invitation to ${to} (user ${user.username}): temporary password ${user.password}`);
      }
      return { User: userType(user) };
    },
    AdminGetUser: (body) => {
      const user = backend
        .pool(requiredString(body, 'UserPoolId'))
        .requireUser(requiredString(body, 'Username'));
      const { Attributes, ...rest } = userType(user);
      return { ...rest, UserAttributes: Attributes };
    },
    AdminAddUserToGroup: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      pool.addToGroup(requiredString(body, 'Username'), requiredString(body, 'GroupName'));
      return {};
    },
    AdminListGroupsForUser: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      const user = pool.requireUser(requiredString(body, 'Username'));
      return {
        Groups: user.groups.map((GroupName) => {
          const group = pool.definition.groups.get(GroupName);
          return {
            GroupName,
            UserPoolId: pool.definition.userPoolId,
            ...(group?.description === undefined ? {} : { Description: group.description }),
            ...(group?.precedence === undefined ? {} : { Precedence: group.precedence }),
          };
        }),
      };
    },
    AdminSetUserPassword: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      pool.setPassword(
        requiredString(body, 'Username'),
        requiredString(body, 'Password'),
        body.Permanent === true,
      );
      return {};
    },
    AdminDeleteUser: (body) => {
      backend.pool(requiredString(body, 'UserPoolId')).deleteUser(requiredString(body, 'Username'));
      return {};
    },
    AdminUpdateUserAttributes: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      pool.updateAttributes(requiredString(body, 'Username'), attributeList(body.UserAttributes));
      return {};
    },
    AdminRemoveUserFromGroup: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      pool.removeFromGroup(requiredString(body, 'Username'), requiredString(body, 'GroupName'));
      return {};
    },
    AdminDisableUser: (body) => {
      backend.pool(requiredString(body, 'UserPoolId')).setEnabled(requiredString(body, 'Username'), false);
      return {};
    },
    AdminEnableUser: (body) => {
      backend.pool(requiredString(body, 'UserPoolId')).setEnabled(requiredString(body, 'Username'), true);
      return {};
    },
    ListUsers: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      const filter = typeof body.Filter === 'string' ? body.Filter : undefined;
      const limit = typeof body.Limit === 'number' ? body.Limit : 60;
      if (limit < 1 || limit > 60) throw invalidParameter('Limit must be between 1 and 60');
      // The pagination token is the offset of the next page, opaque to the caller as Cognito's is.
      const token = typeof body.PaginationToken === 'string' ? body.PaginationToken : undefined;
      const offset = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
      if (!Number.isInteger(offset) || offset < 0) throw invalidParameter('Invalid pagination token');
      const users = pool.listUsers(filter);
      const next = offset + limit < users.length ? offset + limit : undefined;
      return {
        Users: users.slice(offset, offset + limit).map(userType),
        ...(next === undefined ? {} : { PaginationToken: Buffer.from(String(next)).toString('base64url') }),
      };
    },
    InitiateAuth: (body) => {
      const client = backend.client(requiredString(body, 'ClientId'));
      const flow = requiredString(body, 'AuthFlow');
      const run = authFlows[flow];
      if (run === undefined)
        throw invalidParameter(`${flow} flow is not supported by the local identity provider`);
      return run(backend.pool(client.userPoolId), client, recordOf(body.AuthParameters));
    },
    AdminInitiateAuth: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      const client = clientOfPool(pool, backend.client(requiredString(body, 'ClientId')));
      const flow = requiredString(body, 'AuthFlow');
      const run = adminAuthFlows[flow];
      if (run === undefined)
        throw invalidParameter(`${flow} flow is not supported by the local identity provider`);
      return run(pool, client, recordOf(body.AuthParameters));
    },
    RespondToAuthChallenge: (body) => {
      const client = backend.client(requiredString(body, 'ClientId'));
      const name = requiredString(body, 'ChallengeName');
      const answer = challenges[name];
      if (answer === undefined) {
        throw invalidParameter(`${name} is not supported by the local identity provider`);
      }
      return answer(client, body, recordOf(body.ChallengeResponses));
    },
  };

  return {
    /** A refresh token for a user signed in another way (managed login), usable with REFRESH_TOKEN_AUTH. */
    issueRefreshToken(pool: UserPoolStore, client: ClientDefinition, user: StoredUser): string {
      const refreshToken = randomBytes(48).toString('base64url');
      refreshTokens.set(refreshToken, {
        userPoolId: pool.definition.userPoolId,
        clientId: client.clientId,
        sub: user.sub,
      });
      return refreshToken;
    },
    /**
     * The user a refresh token was issued to, for `client` (the `refresh_token` grant of `/oauth2/token`):
     * undefined for an unknown token, another client's, or a user since deleted or disabled.
     */
    redeemRefreshToken(
      refreshToken: string,
      client: ClientDefinition,
    ): { pool: UserPoolStore; user: StoredUser } | undefined {
      const grant = refreshTokens.get(refreshToken);
      if (grant === undefined || grant.clientId !== client.clientId) return undefined;
      const pool = backend.pool(grant.userPoolId);
      const user = pool.findBySub(grant.sub);
      return user?.enabled ? { pool, user } : undefined;
    },
    /** Runs one operation (`AdminCreateUser`, ...) and returns its JSON result; throws CognitoError. */
    handle(operation: string, body: Body): unknown {
      const run = operations[operation];
      if (run === undefined) {
        throw new CognitoError(
          'UnknownOperationException',
          `${operation} is not supported by the local identity provider`,
        );
      }
      return run(body);
    },
  };
}
