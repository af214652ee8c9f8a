/** One `npm run saas` command: what `--help` says of it and what it does with its own arguments. */
export interface SaasCommand {
  readonly usage: string;
  readonly summary: string;
  run(args: readonly string[]): Promise<void>;
}
