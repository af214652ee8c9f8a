import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { ConflictError } from '../../shared/errors';
import { tracer } from '../../shared/tracer';

const ADMIN_GROUP = 'admin';

export function adminEmailTaken(email: string): ConflictError {
  return new ConflictError(`user '${email}' already belongs to another tenant`);
}

/** The tenants' admin users in one user pool. The client's endpoint comes from the SDK's own resolution. */
export function createIdentityProvider(
  userPoolId: string,
  cognito: CognitoIdentityProviderClient = tracer.captureAWSv3Client(new CognitoIdentityProviderClient({})),
) {
  /** The tenant an admin email already belongs to, or undefined when no user has it. */
  async function adminEmailOwner(email: string): Promise<string | undefined> {
    try {
      const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }));
      return user.UserAttributes?.find((a) => a.Name === 'custom:tenantId')?.Value ?? '';
    } catch (error) {
      if (error instanceof UserNotFoundException) return undefined;
      throw error;
    }
  }

  /**
   * Makes sure the tenant's admin user exists in the user pool with the immutable tenant and role attributes,
   * and is in the admin group. Cognito emails the invitation with a temporary password on creation.
   * A user that already exists is accepted only if it belongs to this tenant (a retry), never another's.
   *
   * @returns the username the admin signs in with and the user's `sub` (its id in the tenant's directory)
   */
  async function ensureTenantAdmin(
    tenantId: string,
    email: string,
  ): Promise<{ readonly username: string; readonly userId: string }> {
    const username = email;
    let userId: string | undefined;
    try {
      const created = await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: username,
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'custom:tenantId', Value: tenantId },
            { Name: 'custom:role', Value: 'admin' },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
      userId = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
    } catch (error) {
      if (!(error instanceof UsernameExistsException)) throw error;
      // Only a race with another onboarding gets here: onboardTenant checks the email before claiming a name.
      if ((await adminEmailOwner(email)) !== tenantId) throw adminEmailTaken(email);
    }
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: ADMIN_GROUP }),
    );
    if (userId === undefined) {
      const user = await cognito.send(
        new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }),
      );
      userId = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
    }
    if (userId === undefined) throw new Error(`Cognito gave admin ${email} no sub`);
    return { username, userId };
  }

  return { adminEmailOwner, ensureTenantAdmin };
}

/** The admin users of tenants, bound to a user pool. */
export type IdentityProvider = ReturnType<typeof createIdentityProvider>;
