import { parseArgs } from 'node:util';
import { type SignedIn, signInWithSrp } from '../cognito-sign-in';
import type { SaasCommand } from './command';
import { secret } from './prompt';
import { resolveTarget, TARGET_OPTIONS } from './target';
import { storeTokens } from './token-store';

/** The token `--token id|access|refresh|all` names, as printed. */
export function pickToken(tokens: SignedIn, wanted: string | undefined): string {
  switch (wanted ?? 'id') {
    case 'all':
      return JSON.stringify(tokens, null, 2);
    case 'access':
      return tokens.accessToken;
    case 'refresh':
      return tokens.refreshToken;
    case 'id':
      return tokens.idToken;
    default:
      throw new Error(`--token '${wanted}' is not one of id, access, refresh, all`);
  }
}

/**
 * `sign-in --username <email> [--stage <stage>]`: signs in by SRP (the SPA's flow), answering NEW_PASSWORD_REQUIRED on
 * an admin's first sign-in, and stores the tokens for the stage. The passwords come from `SAAS_PASSWORD` and
 * `SAAS_NEW_PASSWORD` or a prompt, never from the command line (it would stay in the shell's history).
 */
export const signIn: SaasCommand = {
  usage: 'sign-in --username <email> [--stage <stage>] [--print id|access|refresh|all]',
  summary: 'sign in by SRP (answers the first sign-in new-password challenge) and store the tokens',
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: { ...TARGET_OPTIONS, username: { type: 'string' }, print: { type: 'string' } },
    });
    if (!values.username) throw new Error('--username <email> is required');
    const tokens = await signInAndStore({ ...values, username: values.username });
    if (values.print) process.stdout.write(`${pickToken(tokens, values.print)}\n`);
    else process.stderr.write(`signed in as ${values.username} (stage ${values.stage})\n`);
  },
};

/** Signs `username` in on the target and stores the tokens; shared with `npm run token -- --username`. */
export async function signInAndStore(options: {
  readonly username: string;
  readonly stage?: string | undefined;
  readonly region?: string | undefined;
  readonly outputs?: string | undefined;
}): Promise<SignedIn> {
  const target = await resolveTarget(options);
  const tokens = await signInWithSrp(target.config, {
    username: options.username,
    password: await secret('SAAS_PASSWORD', `password for ${options.username}: `),
    newPassword: () => secret('SAAS_NEW_PASSWORD', 'a new password is required (first sign-in): '),
  });
  await storeTokens(target.stage, {
    ...tokens,
    username: options.username,
    clientId: target.config.spaClientId,
  });
  return tokens;
}
