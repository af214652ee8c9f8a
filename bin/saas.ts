#!/usr/bin/env node
/**
 * `npm run saas -- <command> [--stage <stage>]`: the operator's and a user's command line, the same code for the
 * local cloud (`--stage local`, the default: the outputs `npm start` published) and a deployed stage (its stacks'
 * outputs read with CloudFormation DescribeStacks and your AWS credentials). `--outputs <file>` reads the outputs
 * `cdk deploy --outputs-file` wrote instead. `npm run saas -- help` lists the commands.
 */
import { clientCreate } from './saas/client-create';
import type { SaasCommand } from './saas/command';
import { onboard } from './saas/onboard';
import { seed } from './saas/seed';
import { signIn } from './saas/sign-in';
import { token } from './saas/token';
import { usage, usersDelete, usersInvite, usersList, usersUpdate } from './saas/users';
import { whoami } from './saas/whoami';

/** The commands by name (`client create`, `users invite` are two words, as `aws cognito-idp` has them). */
const COMMANDS: Readonly<Record<string, SaasCommand>> = {
  onboard,
  'sign-in': signIn,
  token,
  whoami,
  seed,
  'client create': clientCreate,
  'users invite': usersInvite,
  'users list': usersList,
  'users update': usersUpdate,
  'users delete': usersDelete,
  usage,
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    'usage: npm run saas -- <command> [options]   (--stage local|<deployed stage>, default local)',
    '',
    ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    '',
    ...Object.values(COMMANDS).map((command) => `  npm run saas -- ${command.usage}`),
    '',
    'Passwords are never arguments: SAAS_PASSWORD / SAAS_NEW_PASSWORD, or a prompt.',
    '',
  ].join('\n');
}

/** Runs the command `argv` names with the rest of its arguments. */
export async function runSaas(argv: readonly string[]): Promise<void> {
  const [first, second, ...rest] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    process.stdout.write(help());
    return;
  }
  const twoWords = second === undefined ? undefined : COMMANDS[`${first} ${second}`];
  if (twoWords) return twoWords.run(rest);
  const command = COMMANDS[first];
  if (!command) throw new Error(`unknown command '${argv.join(' ')}'\n\n${help()}`);
  return command.run(second === undefined ? rest : [second, ...rest]);
}

/** Prints a failure's message (not a stack: these are operators' errors) and exits 1. */
export function exitOnSaasFailure(error: unknown): never {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

if (require.main === module) runSaas(process.argv.slice(2)).catch(exitOnSaasFailure);
