import { parseArgs } from 'node:util';
import { fetchIdToken, readLocalSession, usernameOf } from '../local-session';
import type { SaasCommand } from './command';
import { pickToken } from './sign-in';
import { resolveTarget, TARGET_OPTIONS } from './target';
import { freshTokens } from './token-store';

/**
 * `token [--stage <stage>] [--token id|access|refresh|all]`: prints the stored token of the stage, refreshed when it
 * is about to expire. `--tenant acme [--user admin|member]` instead mints a demo user's ID token from the running
 * local cloud (no password: the demo users of `npm start`).
 */
export const token: SaasCommand = {
  usage:
    'token [--stage <stage>] [--token id|access|refresh|all] | token --tenant <demo> [--user admin|member]',
  summary: "print the signed-in user's token (refreshed when needed), or a local demo user's",
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        ...TARGET_OPTIONS,
        token: { type: 'string', default: 'id' },
        tenant: { type: 'string' },
        user: { type: 'string' },
      },
    });
    if (values.tenant !== undefined || values.user !== undefined) {
      if (values.stage !== 'local' || values.outputs) {
        throw new Error('--tenant/--user mint demo tokens of the local cloud only: use sign-in for a stage');
      }
      const session = await readLocalSession();
      const username = usernameOf(values.tenant, values.user ?? 'member');
      process.stdout.write(`${await fetchIdToken(session, username)}\n`);
      return;
    }
    const tokens = await freshTokens(await resolveTarget(values));
    process.stdout.write(`${pickToken(tokens, values.token)}\n`);
  },
};
