import { randomBytes } from 'node:crypto';
import { CognitoError, invalidParameter, notAuthorized } from './cognito-error';
import type { MintedTokens } from './token-minting';
import type { ClientDefinition } from './user-pool-definitions';
import type { AttributeType, StoredUser, UserPoolStore } from './user-pool-store';

/** What the protocol needs from the identity server: pools, clients and token minting. */
export interface CognitoBackend {
  pool(userPoolId: string): UserPoolStore;
  client(clientId: string): ClientDefinition;
  mintFor(pool: UserPoolStore, client: ClientDefinition, user: StoredUser): MintedTokens;
}

type Body = Record<string, unknown>;
type Operation = (body: Body) => unknown;

/** The `X-Amz-Target` prefix of the Cognito Identity Provider JSON protocol. */
export const COGNITO_TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

function requiredString(body: Body, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') {
    throw invalidParameter(
      `1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

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

/**
 * The subset of the Cognito Identity Provider API the local cloud serves: the admin calls an
 * onboarding flow makes, ListUsers, and USER_PASSWORD_AUTH / REFRESH_TOKEN_AUTH sign-in (with the
 * NEW_PASSWORD_REQUIRED challenge) so clients can log in for real.
 */
export function createCognitoProtocol(backend: CognitoBackend) {
  // Sign-in state lives in memory only: a restart signs everyone out, as a key rotation would.
  const refreshTokens = new Map<string, { userPoolId: string; clientId: string; sub: string }>();
  const sessions = new Map<string, { userPoolId: string; sub: string }>();

  const signIn = (pool: UserPoolStore, client: ClientDefinition, user: StoredUser) => {
    const refreshToken = randomBytes(48).toString('base64url');
    refreshTokens.set(refreshToken, {
      userPoolId: pool.definition.userPoolId,
      clientId: client.clientId,
      sub: user.sub,
    });
    return authenticationResult(backend.mintFor(pool, client, user), refreshToken);
  };

  const requireFlow = (client: ClientDefinition, flow: string) => {
    if (!client.explicitAuthFlows.has(`ALLOW_${flow}`)) {
      throw invalidParameter(`${flow} flow not enabled for this client`);
    }
  };

  const operations: Record<string, Operation> = {
    AdminCreateUser: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      const username = requiredString(body, 'Username');
      if (body.MessageAction === 'RESEND') return { User: userType(pool.requireUser(username)) };
      const user = pool.createUser({
        username,
        attributes: attributeList(body.UserAttributes),
        temporaryPassword: typeof body.TemporaryPassword === 'string' ? body.TemporaryPassword : undefined,
      });
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
    ListUsers: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      const filter = typeof body.Filter === 'string' ? body.Filter : undefined;
      const limit = typeof body.Limit === 'number' ? body.Limit : 60;
      return { Users: pool.listUsers(filter).slice(0, limit).map(userType) };
    },
    InitiateAuth: (body) => {
      const client = backend.client(requiredString(body, 'ClientId'));
      const pool = backend.pool(client.userPoolId);
      const flow = requiredString(body, 'AuthFlow');
      const parameters = (
        typeof body.AuthParameters === 'object' && body.AuthParameters !== null ? body.AuthParameters : {}
      ) as Record<string, unknown>;
      if (flow === 'USER_PASSWORD_AUTH') {
        requireFlow(client, flow);
        const username = requiredString(parameters, 'USERNAME');
        const user = pool.authenticate(username, requiredString(parameters, 'PASSWORD'));
        if (user.status === 'FORCE_CHANGE_PASSWORD') {
          const session = randomBytes(48).toString('base64url');
          sessions.set(session, { userPoolId: pool.definition.userPoolId, sub: user.sub });
          return {
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: session,
            ChallengeParameters: {
              USER_ID_FOR_SRP: user.username,
              requiredAttributes: '[]',
              userAttributes: JSON.stringify(user.attributes),
            },
          };
        }
        return signIn(pool, client, user);
      }
      if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') {
        requireFlow(client, 'REFRESH_TOKEN_AUTH');
        const grant = refreshTokens.get(requiredString(parameters, 'REFRESH_TOKEN'));
        const user = grant === undefined ? undefined : pool.findBySub(grant.sub);
        if (
          grant === undefined ||
          grant.clientId !== client.clientId ||
          user === undefined ||
          !user.enabled
        ) {
          throw notAuthorized('Invalid Refresh Token');
        }
        return authenticationResult(backend.mintFor(pool, client, user));
      }
      throw invalidParameter(`${flow} flow is not supported by the local identity provider`);
    },
    RespondToAuthChallenge: (body) => {
      const client = backend.client(requiredString(body, 'ClientId'));
      if (body.ChallengeName !== 'NEW_PASSWORD_REQUIRED') {
        throw invalidParameter('Only NEW_PASSWORD_REQUIRED is supported by the local identity provider');
      }
      const session = sessions.get(requiredString(body, 'Session'));
      if (session === undefined) throw notAuthorized('Invalid session for the user.');
      const responses = (
        typeof body.ChallengeResponses === 'object' && body.ChallengeResponses !== null
          ? body.ChallengeResponses
          : {}
      ) as Record<string, unknown>;
      const pool = backend.pool(session.userPoolId);
      const user = pool.findBySub(session.sub);
      if (user === undefined) throw notAuthorized('Invalid session for the user.');
      pool.setPassword(user.username, requiredString(responses, 'NEW_PASSWORD'), true);
      sessions.delete(requiredString(body, 'Session'));
      return signIn(pool, client, user);
    },
  };

  return {
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
