import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  type CognitoIdentityProviderClient,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Role } from '../../shared/role';

/** A user Cognito created (or already had, for a retried invitation), by its `sub`. */
export interface PoolUser {
  readonly userId: string;
  /** The tenant the user's immutable `custom:tenantId` names. */
  readonly tenantId: string;
  /** `FORCE_CHANGE_PASSWORD` until the invited user has signed in and chosen a password. */
  readonly status: string;
}

const attribute = (attributes: ReadonlyArray<{ Name?: string; Value?: string }> | undefined, name: string) =>
  attributes?.find((a) => a.Name === name)?.Value;

/**
 * The tenant users in the one user pool: invitations, group moves (the groups mirror the role for the
 * Cognito-authorized routes), enable/disable and deletion. The client's endpoint comes from the SDK's own
 * resolution (`AWS_ENDPOINT_URL_*`, which the local cloud sets).
 */
export function createUserPool(userPoolId: string, cognito: CognitoIdentityProviderClient) {
  async function get(email: string): Promise<PoolUser | undefined> {
    try {
      const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }));
      return {
        userId: attribute(user.UserAttributes, 'sub') ?? '',
        tenantId: attribute(user.UserAttributes, 'custom:tenantId') ?? '',
        status: user.UserStatus ?? '',
      };
    } catch (error) {
      if (error instanceof UserNotFoundException) return undefined;
      throw error;
    }
  }

  /**
   * Creates the user with the tenant and role as immutable attributes; Cognito e-mails it the invitation with a
   * temporary password, which its first sign-in replaces (NEW_PASSWORD_REQUIRED). An e-mail already in the pool
   * answers the user that has it (the caller decides whether that is a retry or a conflict).
   */
  async function invite(
    tenantId: string,
    email: string,
    role: Role,
  ): Promise<{ readonly user: PoolUser; readonly created: boolean }> {
    try {
      const { User } = await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: email,
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'custom:tenantId', Value: tenantId },
            { Name: 'custom:role', Value: role },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
      const userId = attribute(User?.Attributes, 'sub');
      if (userId === undefined) throw new Error(`Cognito gave ${email} no sub`);
      return {
        user: { userId, tenantId, status: User?.UserStatus ?? 'FORCE_CHANGE_PASSWORD' },
        created: true,
      };
    } catch (error) {
      if (!(error instanceof UsernameExistsException)) throw error;
      const existing = await get(email);
      if (existing === undefined) throw error;
      return { user: existing, created: false };
    }
  }

  /** Puts the user in the group of `role` and out of the other's (both calls are idempotent in Cognito). */
  async function moveToGroup(userId: string, role: Role, from: Role): Promise<void> {
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: userId, GroupName: role }),
    );
    if (from !== role) {
      await cognito.send(
        new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username: userId, GroupName: from }),
      );
    }
  }

  async function setEnabled(userId: string, enabled: boolean): Promise<void> {
    await cognito.send(
      enabled
        ? new AdminEnableUserCommand({ UserPoolId: userPoolId, Username: userId })
        : new AdminDisableUserCommand({ UserPoolId: userPoolId, Username: userId }),
    );
  }

  /** Deletes the user; one already gone (a retried deletion) is no error. */
  async function remove(userId: string): Promise<void> {
    try {
      await cognito.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: userId }));
    } catch (error) {
      if (!(error instanceof UserNotFoundException)) throw error;
    }
  }

  return { invite, moveToGroup, setEnabled, remove };
}

/** The tenant users' side of the user pool. */
export type UserPool = ReturnType<typeof createUserPool>;
