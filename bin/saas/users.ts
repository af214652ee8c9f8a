import { parseArgs } from 'node:util';
import type { SaasCommand } from './command';
import { callRestApi } from './rest-call';
import { resolveTarget, TARGET_OPTIONS } from './target';

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** The one positional argument a command takes (a user id), refused when missing or doubled. */
function userIdOf(positionals: readonly string[], usage: string): string {
  const [userId, ...extra] = positionals;
  if (userId === undefined || extra.length > 0) throw new Error(`usage: npm run saas -- ${usage}`);
  return userId;
}

/**
 * `users invite --email <e-mail> [--role member|admin]`: as the signed-in tenant admin, invites a user to the
 * admin's tenant (POST /users). Cognito e-mails the temporary password (locally: the local cloud's log prints it);
 * the user's first `sign-in` answers NEW_PASSWORD_REQUIRED.
 */
export const usersInvite: SaasCommand = {
  usage: 'users invite --email <e-mail> [--role member|admin] [--stage <stage>]',
  summary: "invite a user to the signed-in admin's tenant (a temporary password by e-mail)",
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: { ...TARGET_OPTIONS, email: { type: 'string' }, role: { type: 'string', default: 'member' } },
    });
    if (!values.email) throw new Error('--email <e-mail> is required');
    const target = await resolveTarget(values);
    print(await callRestApi(target, 'POST', 'users', { email: values.email, role: values.role }));
  },
};

/** `users list`: the signed-in admin's tenant's users (GET /users, every page). */
export const usersList: SaasCommand = {
  usage: 'users list [--stage <stage>]',
  summary: "the signed-in admin's tenant's users",
  async run(args) {
    const { values } = parseArgs({ args: [...args], options: TARGET_OPTIONS });
    const target = await resolveTarget(values);
    const users: unknown[] = [];
    let nextToken: string | undefined;
    do {
      const query = nextToken === undefined ? '' : `?nextToken=${encodeURIComponent(nextToken)}`;
      const page = await callRestApi(target, 'GET', `users${query}`);
      users.push(...((page?.items as unknown[] | undefined) ?? []));
      nextToken = typeof page?.nextToken === 'string' ? page.nextToken : undefined;
    } while (nextToken !== undefined);
    print(users);
  },
};

/** `users update <userId> [--role member|admin] [--enable|--disable]` (PATCH /users/{userId}). */
export const usersUpdate: SaasCommand = {
  usage: 'users update <userId> [--role member|admin] [--enable | --disable] [--stage <stage>]',
  summary: "change a user's role, or disable/enable it (its tokens are refused at once)",
  async run(args) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        ...TARGET_OPTIONS,
        role: { type: 'string' },
        enable: { type: 'boolean' },
        disable: { type: 'boolean' },
      },
    });
    const userId = userIdOf(positionals, usersUpdate.usage);
    if (values.enable && values.disable) throw new Error('--enable and --disable exclude each other');
    const enabled = values.enable ? true : values.disable ? false : undefined;
    const target = await resolveTarget(values);
    print(
      await callRestApi(target, 'PATCH', `users/${encodeURIComponent(userId)}`, {
        ...(values.role === undefined ? {} : { role: values.role }),
        ...(enabled === undefined ? {} : { enabled }),
      }),
    );
  },
};

/** `users delete <userId>` (DELETE /users/{userId}). */
export const usersDelete: SaasCommand = {
  usage: 'users delete <userId> [--stage <stage>]',
  summary: "delete a user of the signed-in admin's tenant",
  async run(args) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: TARGET_OPTIONS,
    });
    const userId = userIdOf(positionals, usersDelete.usage);
    await callRestApi(await resolveTarget(values), 'DELETE', `users/${encodeURIComponent(userId)}`);
    process.stdout.write(`deleted ${userId}\n`);
  },
};

/** `usage`: the signed-in user's tenant's plan limits and quota use this period (GET /usage). */
export const usage: SaasCommand = {
  usage: 'usage [--stage <stage>]',
  summary: "the tenant's plan limits and what it has used and has left this period",
  async run(args) {
    const { values } = parseArgs({ args: [...args], options: TARGET_OPTIONS });
    print(await callRestApi(await resolveTarget(values), 'GET', 'usage'));
  },
};
