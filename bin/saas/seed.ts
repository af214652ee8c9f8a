import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { signInWithSrp } from '../cognito-sign-in';
import { seedDemo } from '../demo-seed';
import { fetchIdToken } from '../local-session';
import { cognitoEndpoint } from '../stack-outputs';
import type { SaasCommand } from './command';
import { resolveTarget, TARGET_OPTIONS, type Target } from './target';

/**
 * `seed [--stage <stage>]`: the demo tenants (Acme, Globex: admin, member, catalog, orders) through the API, as
 * `npm start` seeds the local cloud — onboarding signed with SigV4, then the users' own calls. Locally the users'
 * tokens come from the local cloud's token endpoint; on a deployed stage each demo user is given a fresh random
 * password (AdminSetUserPassword, an operator's call) and signs in by SRP like any client, so re-running the seed
 * resets the demo users' passwords. Idempotent otherwise.
 */
export const seed: SaasCommand = {
  usage: 'seed [--stage <stage>]',
  summary: 'the demo tenants (Acme, Globex) with users, catalog and orders, through the API',
  async run(args) {
    const { values } = parseArgs({ args: [...args], options: TARGET_OPTIONS });
    const target = await resolveTarget(values);
    const credentials = target.credentials ?? (await defaultProvider()());
    const seeded = await seedDemo({
      apiUrl: target.output('RestApiUrl').replace(/\/$/, ''),
      region: target.config.region,
      credentials,
      cognitoEndpoint: cognitoEndpoint(target.config),
      userPoolId: target.config.userPoolId,
      idToken: idTokens(target, credentials),
    });
    for (const { tenant, tenantId, slug, trackingId } of seeded) {
      process.stdout.write(`${tenant.name}: tenant ${tenantId}, slug ${slug}, newest order ${trackingId}\n`);
    }
  },
};

/** How the seed gets its users' ID tokens on the target (see {@link seed}). */
function idTokens(
  target: Target,
  credentials: { accessKeyId: string; secretAccessKey: string },
): (username: string) => Promise<string> {
  const { session } = target;
  if (session) return (username) => fetchIdToken(session, username);
  return async (username) => {
    const endpoint = cognitoEndpoint(target.config);
    const idp = new CognitoIdentityProviderClient({
      region: target.config.region,
      credentials,
      ...(endpoint === undefined ? {} : { endpoint }),
    });
    // Upper, lower, digit and symbol whatever the random bytes are, so any password policy CDK allows accepts it.
    const password = `Aa1!${randomBytes(18).toString('base64url')}`;
    try {
      await idp.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: target.config.userPoolId,
          Username: username,
          Password: password,
          Permanent: true,
        }),
      );
    } finally {
      idp.destroy();
    }
    const tokens = await signInWithSrp(target.config, {
      username,
      password,
      newPassword: () => Promise.reject(new Error(`${username} was asked for a new password`)),
    });
    return tokens.idToken;
  };
}
