/**
 * The console on the local cloud, for `npm start` and the browser tests: its config from the cloud's resolved stack
 * outputs, demo passwords so a person can sign in through managed login, and the console server.
 */
import {
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { LOCAL_CREDENTIALS, type LocalCloud } from 'cdk-local-cloud';
import { type ConsoleConfig, consoleConfigFromOutputs } from '../console/console-config';
import { DEMO_TENANTS, demoUsername } from './demo-seed';

/**
 * The password `npm start` gives every demo user, printed in its banner. Local only: the seeded users live in the
 * local cloud's in-memory (or `--persist`) pool, never in a deployed one.
 */
export const DEMO_PASSWORD = 'Local-demo-pass-1';

/** The console's origin for `npm start`: the sandbox stage's CORS and callback URLs allow it (infra/config.ts). */
export const LOCAL_CONSOLE_PORT = 5173;

/**
 * What an operator signs in with locally: the local cloud's own credentials (what `npm start -- --print-env` exports
 * as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), which its IAM authorizes for everything. Not secret: they work
 * nowhere else.
 */
export const LOCAL_OPERATOR_HINT = `Local cloud: access key ID ${LOCAL_CREDENTIALS.accessKeyId}, secret access key ${LOCAL_CREDENTIALS.secretAccessKey}, no session token (npm start prints them).`;

/** The console's config on the local cloud: its stack outputs, the code exchanged through the console server. */
export function localConsoleConfig(cloud: Pick<LocalCloud, 'model'>): ConsoleConfig {
  return consoleConfigFromOutputs(cloud.model.outputs ?? {}, {
    tokenUrl: '/oauth2/token',
    operatorSignInHint: LOCAL_OPERATOR_HINT,
  });
}

/** Sets {@link DEMO_PASSWORD} as the permanent password of each demo tenant's admin and member. */
export async function setDemoPasswords(cloud: LocalCloud): Promise<void> {
  const { userPoolId } = localConsoleConfig(cloud);
  const cognito = new CognitoIdentityProviderClient({
    region: cloud.model.region,
    endpoint: cloud.identity.endpoint,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    for (const tenant of DEMO_TENANTS) {
      for (const user of ['admin', 'member'] as const) {
        await cognito.send(
          new AdminSetUserPasswordCommand({
            UserPoolId: userPoolId,
            Username: demoUsername(tenant, user),
            Password: DEMO_PASSWORD,
            Permanent: true,
          }),
        );
      }
    }
  } finally {
    cognito.destroy();
  }
}
