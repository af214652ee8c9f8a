import {
  AdminConfirmSignUpCommand,
  CodeMismatchException,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  NotAuthorizedException,
  SignUpCommand,
  UserNotConfirmedException,
} from '@aws-sdk/client-cognito-identity-provider';
import { createIdentityServer, type LocalIdentity } from '../../identity/identity-server';
import { resourcesIn } from '../support/model-resource';

const OPEN_POOL = 'eu-west-1_OpenPool01';
const CLOSED_POOL = 'eu-west-1_ClosedPool1';
const OPEN_CLIENT = 'openclient0000000000000001';
const CLOSED_CLIENT = 'closedclient00000000000001';
const PASSWORD = 'Signed-Up-Pass-1';

const resource = resourcesIn('SelfService');

let identity: LocalIdentity;
let cognito: CognitoIdentityProviderClient;
const delivered: string[] = [];

/** The last code the log shows for `email` (what the user would read in the e-mail). */
const lastCode = (email: string) =>
  /: (\d{6})$/.exec([...delivered].reverse().find((line) => line.includes(`for ${email} `)) ?? '')?.[1] ?? '';

beforeAll(async () => {
  identity = await createIdentityServer({ deliver: (line) => delivered.push(line) });
  // Two pools as a CDK example writes them: `selfSignUpEnabled: true` and the default (admins create users).
  identity.registerModel({
    region: 'eu-west-1',
    accountId: '111122223333',
    resources: [
      resource('Open', 'AWS::Cognito::UserPool', OPEN_POOL, {
        UsernameAttributes: ['email'],
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      }),
      resource('OpenClient', 'AWS::Cognito::UserPoolClient', OPEN_CLIENT, {
        UserPoolId: OPEN_POOL,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
      resource('Closed', 'AWS::Cognito::UserPool', CLOSED_POOL, {
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      }),
      resource('ClosedClient', 'AWS::Cognito::UserPoolClient', CLOSED_CLIENT, { UserPoolId: CLOSED_POOL }),
    ],
  });
  cognito = new CognitoIdentityProviderClient({ region: 'eu-west-1', endpoint: identity.endpoint });
});

afterAll(async () => {
  cognito.destroy();
  await identity.close();
});

const signIn = (email: string, password: string) =>
  cognito.send(
    new InitiateAuthCommand({
      ClientId: OPEN_CLIENT,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );

describe('self-service sign-up and password recovery, as the pool allows them', () => {
  it('signs a user up, refuses sign-in until confirmed, and confirms with the code the log shows', async () => {
    const signedUp = await cognito.send(
      new SignUpCommand({ ClientId: OPEN_CLIENT, Username: 'self@example.com', Password: PASSWORD }),
    );
    expect(signedUp).toMatchObject({
      UserConfirmed: false,
      CodeDeliveryDetails: {
        Destination: 's***@example.com',
        DeliveryMedium: 'EMAIL',
        AttributeName: 'email',
      },
    });
    await expect(signIn('self@example.com', PASSWORD)).rejects.toThrow(UserNotConfirmedException);
    await expect(
      cognito.send(
        new ConfirmSignUpCommand({
          ClientId: OPEN_CLIENT,
          Username: 'self@example.com',
          ConfirmationCode: '000000x',
        }),
      ),
    ).rejects.toThrow(CodeMismatchException);
    await cognito.send(
      new ConfirmSignUpCommand({
        ClientId: OPEN_CLIENT,
        Username: 'self@example.com',
        ConfirmationCode: lastCode('self@example.com'),
      }),
    );
    const tokens = await signIn('self@example.com', PASSWORD);
    expect(tokens.AuthenticationResult?.IdToken).toEqual(expect.any(String));
  });

  it('confirms a signed-up user as admin (AdminConfirmSignUp)', async () => {
    await cognito.send(
      new SignUpCommand({ ClientId: OPEN_CLIENT, Username: 'byadmin@example.com', Password: PASSWORD }),
    );
    await cognito.send(
      new AdminConfirmSignUpCommand({ UserPoolId: OPEN_POOL, Username: 'byadmin@example.com' }),
    );
    expect((await signIn('byadmin@example.com', PASSWORD)).AuthenticationResult).toBeDefined();
  });

  it('resets a forgotten password with the code the log shows', async () => {
    await cognito.send(new ForgotPasswordCommand({ ClientId: OPEN_CLIENT, Username: 'self@example.com' }));
    await cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: OPEN_CLIENT,
        Username: 'self@example.com',
        ConfirmationCode: lastCode('self@example.com'),
        Password: 'Recovered-Pass-2',
      }),
    );
    await expect(signIn('self@example.com', PASSWORD)).rejects.toThrow(NotAuthorizedException);
    expect((await signIn('self@example.com', 'Recovered-Pass-2')).AuthenticationResult).toBeDefined();
  });

  it('refuses SignUp on a pool where only admins create users', async () => {
    await expect(
      cognito.send(new SignUpCommand({ ClientId: CLOSED_CLIENT, Username: 'someone', Password: PASSWORD })),
    ).rejects.toThrow('SignUp is not permitted for this user pool');
  });
});
