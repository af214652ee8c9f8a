/**
 * The user administration a tenant-admin API makes, against the local identity serving a small CDK app of our
 * own: invitations with a temporary password (or a suppressed message), disable/enable, group moves, attribute
 * updates, deletion, and ListUsers with a filter and pages — through the real Cognito SDK client.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  InvalidParameterException,
  ListUsersCommand,
  NotAuthorizedException,
  RespondToAuthChallengeCommand,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { App, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { LOCAL_CREDENTIALS } from '../../local-credentials';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

let served: CloudOnApp | undefined;
let idp: CognitoIdentityProviderClient;
let userPoolId: string;
let clientId: string;
const logLines: string[] = [];

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'UserAdminApp', { env: { account: '123456789012', region: 'us-east-1' } });
  const pool = new cognito.UserPool(stack, 'Pool', {
    signInAliases: { email: true },
    customAttributes: { team: new cognito.StringAttribute({ mutable: false }) },
  });
  for (const name of ['lead', 'crew']) {
    new cognito.CfnUserPoolGroup(stack, `${name}Group`, { userPoolId: pool.userPoolId, groupName: name });
  }
  pool.addClient('Client', { authFlows: { userPassword: true } });
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-user-admin', synth, {
    log: { write: (text: string) => logLines.push(String(text)) > 0 },
  });
  const { cloud } = served;
  userPoolId = cloud.model.resources.find((r) => r.type === 'AWS::Cognito::UserPool')?.physicalId ?? '';
  clientId = cloud.model.resources.find((r) => r.type === 'AWS::Cognito::UserPoolClient')?.physicalId ?? '';
  idp = new CognitoIdentityProviderClient({
    region: 'us-east-1',
    endpoint: cloud.identity.endpoint,
    credentials: LOCAL_CREDENTIALS,
  });
}, 60_000);

afterAll(async () => {
  idp?.destroy();
  await served?.close();
});

const invite = (
  email: string,
  extra: Partial<{ MessageAction: 'SUPPRESS'; TemporaryPassword: string }> = {},
) =>
  idp.send(
    new AdminCreateUserCommand({
      UserPoolId: userPoolId,
      Username: email,
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'custom:team', Value: 'blue' },
      ],
      DesiredDeliveryMediums: ['EMAIL'],
      ...extra,
    }),
  );

const passwordSignIn = (email: string, password: string) =>
  idp.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );

describe('local identity: user administration (real Cognito SDK client, CDK app)', () => {
  it('invites a user with a temporary password it logs as the e-mail, and the user answers NEW_PASSWORD_REQUIRED', async () => {
    const created = await invite('invited@example.com');
    expect(created.User?.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
    const line = logLines.find((text) => text.includes('invitation to invited@example.com'));
    const temporary = /temporary password (\S+)/.exec(line ?? '')?.[1];
    expect(temporary).toBeDefined();
    const challenge = await passwordSignIn('invited@example.com', temporary ?? '');
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const answered = await idp.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: 'invited@example.com', NEW_PASSWORD: 'Chosen-Password-7' },
      }),
    );
    expect(answered.AuthenticationResult?.IdToken).toBeDefined();
  });

  it('sends no invitation when MessageAction is SUPPRESS', async () => {
    await invite('quiet@example.com', { MessageAction: 'SUPPRESS', TemporaryPassword: 'Temporary-Pass-1' });
    expect(logLines.some((text) => text.includes('invitation to quiet@example.com'))).toBe(false);
  });

  it('disables a user (no sign-in, AdminGetUser says Enabled false) and enables it again', async () => {
    await invite('toggled@example.com', { MessageAction: 'SUPPRESS', TemporaryPassword: 'Temporary-Pass-1' });
    await idp.send(new AdminDisableUserCommand({ UserPoolId: userPoolId, Username: 'toggled@example.com' }));
    const disabled = await idp.send(
      new AdminGetUserCommand({ UserPoolId: userPoolId, Username: 'toggled@example.com' }),
    );
    expect(disabled.Enabled).toBe(false);
    await expect(passwordSignIn('toggled@example.com', 'Temporary-Pass-1')).rejects.toThrow(
      NotAuthorizedException,
    );
    await idp.send(new AdminEnableUserCommand({ UserPoolId: userPoolId, Username: 'toggled@example.com' }));
    const enabled = await idp.send(
      new AdminGetUserCommand({ UserPoolId: userPoolId, Username: 'toggled@example.com' }),
    );
    expect(enabled.Enabled).toBe(true);
    expect((await passwordSignIn('toggled@example.com', 'Temporary-Pass-1')).ChallengeName).toBe(
      'NEW_PASSWORD_REQUIRED',
    );
  });

  it('moves a user between groups, addressed by sub as by e-mail', async () => {
    const created = await invite('mover@example.com', { MessageAction: 'SUPPRESS' });
    const sub = created.User?.Username ?? '';
    await idp.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: sub, GroupName: 'crew' }),
    );
    await idp.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: userPoolId,
        Username: 'mover@example.com',
        GroupName: 'lead',
      }),
    );
    await idp.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username: sub, GroupName: 'crew' }),
    );
    const groups = await idp.send(
      new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: sub }),
    );
    expect(groups.Groups?.map((group) => group.GroupName)).toEqual(['lead']);
  });

  it('updates a mutable attribute and refuses to change an immutable one', async () => {
    await invite('renamed@example.com', { MessageAction: 'SUPPRESS' });
    await idp.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: userPoolId,
        Username: 'renamed@example.com',
        UserAttributes: [{ Name: 'email', Value: 'renamed2@example.com' }],
      }),
    );
    const user = await idp.send(
      new AdminGetUserCommand({ UserPoolId: userPoolId, Username: 'renamed2@example.com' }),
    );
    expect(user.UserAttributes).toContainEqual({ Name: 'email', Value: 'renamed2@example.com' });
    await expect(
      idp.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: userPoolId,
          Username: 'renamed2@example.com',
          UserAttributes: [{ Name: 'custom:team', Value: 'red' }],
        }),
      ),
    ).rejects.toThrow(InvalidParameterException);
  });

  it('deletes a user: AdminGetUser then answers UserNotFoundException', async () => {
    await invite('deleted@example.com', { MessageAction: 'SUPPRESS' });
    await idp.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: 'deleted@example.com' }));
    await expect(
      idp.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: 'deleted@example.com' })),
    ).rejects.toThrow(UserNotFoundException);
  });

  it('lists users by a standard-attribute filter, in pages, and refuses to filter on a custom attribute', async () => {
    for (const n of [1, 2, 3]) await invite(`paged${n}@example.org`, { MessageAction: 'SUPPRESS' });
    const emails: string[] = [];
    let PaginationToken: string | undefined;
    let pages = 0;
    do {
      const page = await idp.send(
        new ListUsersCommand({
          UserPoolId: userPoolId,
          Filter: 'email ^= "paged"',
          Limit: 2,
          PaginationToken,
        }),
      );
      pages += 1;
      for (const user of page.Users ?? []) {
        emails.push(user.Attributes?.find((a) => a.Name === 'email')?.Value ?? '');
      }
      PaginationToken = page.PaginationToken;
    } while (PaginationToken !== undefined);
    expect(pages).toBe(2);
    expect(emails.sort()).toEqual(['paged1@example.org', 'paged2@example.org', 'paged3@example.org']);
    await expect(
      idp.send(new ListUsersCommand({ UserPoolId: userPoolId, Filter: 'custom:team = "blue"' })),
    ).rejects.toThrow(InvalidParameterException);
    const disabled = await idp.send(
      new ListUsersCommand({ UserPoolId: userPoolId, Filter: 'status = "Disabled"' }),
    );
    expect(disabled.Users?.every((user) => user.Enabled === false)).toBe(true);
  });
});
