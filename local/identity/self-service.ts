import { randomInt } from 'node:crypto';
import { CognitoError, invalidParameter } from './cognito-error';
import { requiredString } from './cognito-request';
import type { ClientDefinition } from './user-pool-definitions';
import type { AttributeType, StoredUser, UserPoolStore } from './user-pool-store';

type Body = Record<string, unknown>;

/** What the self-service calls need from the identity server. */
export interface SelfServiceBackend {
  pool(userPoolId: string): UserPoolStore;
  client(clientId: string): ClientDefinition;
  /** Where the codes Cognito would e-mail go locally: the log. */
  deliver?(line: string): void;
}

function attributes(value: unknown): AttributeType[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry) => {
    const item = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    return { Name: String(item.Name ?? ''), Value: typeof item.Value === 'string' ? item.Value : undefined };
  });
}

/** How Cognito shows where a code went: the first character and the domain (`a***@example.com`). */
function masked(destination: string): string {
  const at = destination.indexOf('@');
  return at > 0 ? `${destination[0]}***${destination.slice(at)}` : `+*******${destination.slice(-4)}`;
}

const CODE_LIFETIME_MS = 24 * 60 * 60 * 1000;

/**
 * The self-service and recovery calls, as the pool's settings allow them: SignUp (refused when only admins may
 * create users), ConfirmSignUp, AdminConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword.
 * The codes Cognito would e-mail are written to the log instead.
 */
export function selfServiceOperations(backend: SelfServiceBackend): Record<string, (body: Body) => unknown> {
  // `<poolId>/<sub>/<purpose>` → the code and when it stops working.
  const codes = new Map<string, { code: string; expiresAt: number }>();

  const send = (pool: UserPoolStore, user: StoredUser, purpose: 'signup' | 'reset') => {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    codes.set(`${pool.definition.userPoolId}/${user.sub}/${purpose}`, {
      code,
      expiresAt: Date.now() + CODE_LIFETIME_MS,
    });
    const to = user.attributes.email ?? user.attributes.phone_number ?? user.username;
    backend.deliver?.(
      `${purpose === 'signup' ? 'verification' : 'password reset'} code for ${to} (user ${user.username}): ${code}`,
    );
    return {
      Destination: masked(to),
      DeliveryMedium: user.attributes.email === undefined ? 'SMS' : 'EMAIL',
      AttributeName: user.attributes.email === undefined ? 'phone_number' : 'email',
    };
  };

  const checkCode = (pool: UserPoolStore, user: StoredUser, purpose: 'signup' | 'reset', given: string) => {
    const key = `${pool.definition.userPoolId}/${user.sub}/${purpose}`;
    const expected = codes.get(key);
    if (expected === undefined || expected.expiresAt < Date.now()) {
      throw new CognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
    }
    if (expected.code !== given) {
      throw new CognitoError(
        'CodeMismatchException',
        'Invalid verification code provided, please try again.',
      );
    }
    codes.delete(key);
  };

  const poolOfClient = (body: Body) => {
    const client = backend.client(requiredString(body, 'ClientId'));
    return backend.pool(client.userPoolId);
  };

  return {
    SignUp: (body) => {
      const pool = poolOfClient(body);
      if (pool.definition.adminCreateUserOnly) {
        throw new CognitoError('NotAuthorizedException', 'SignUp is not permitted for this user pool');
      }
      const user = pool.createUser({
        username: requiredString(body, 'Username'),
        attributes: attributes(body.UserAttributes),
        temporaryPassword: requiredString(body, 'Password'),
        selfSignUp: true,
      });
      return { UserConfirmed: false, UserSub: user.sub, CodeDeliveryDetails: send(pool, user, 'signup') };
    },
    ConfirmSignUp: (body) => {
      const pool = poolOfClient(body);
      const user = pool.requireUser(requiredString(body, 'Username'));
      checkCode(pool, user, 'signup', requiredString(body, 'ConfirmationCode'));
      pool.confirm(user.username);
      return {};
    },
    AdminConfirmSignUp: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      const user = pool.requireUser(requiredString(body, 'Username'));
      if (user.status !== 'UNCONFIRMED') {
        throw new CognitoError(
          'NotAuthorizedException',
          `User cannot be confirmed. Current status is ${user.status}`,
        );
      }
      pool.confirm(user.username);
      return {};
    },
    ResendConfirmationCode: (body) => {
      const pool = poolOfClient(body);
      const user = pool.requireUser(requiredString(body, 'Username'));
      if (user.status !== 'UNCONFIRMED') throw invalidParameter('User is already confirmed.');
      return { CodeDeliveryDetails: send(pool, user, 'signup') };
    },
    ForgotPassword: (body) => {
      const pool = poolOfClient(body);
      const user = pool.requireUser(requiredString(body, 'Username'));
      return { CodeDeliveryDetails: send(pool, user, 'reset') };
    },
    ConfirmForgotPassword: (body) => {
      const pool = poolOfClient(body);
      const user = pool.requireUser(requiredString(body, 'Username'));
      checkCode(pool, user, 'reset', requiredString(body, 'ConfirmationCode'));
      pool.setPassword(user.username, requiredString(body, 'Password'), true);
      return {};
    },
  };
}
