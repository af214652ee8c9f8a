/**
 * What the console reads from `/config.json`: every URL and id it calls, taken from the stacks' outputs and nothing
 * else (deployed: written next to the site at deploy; local: the local cloud's resolved outputs).
 */
export interface ConsoleConfig {
  readonly region: string;
  /** The tenant REST API's stage URL, no trailing slash. */
  readonly apiUrl: string;
  /** The public HTTP API (storefront, tracking), no trailing slash. */
  readonly publicApiUrl: string;
  /** The live-updates WebSocket API (`?token=<ID token>`). */
  readonly webSocketUrl: string;
  readonly userPoolId: string;
  /** The public SPA client (authorization code + PKCE). */
  readonly clientId: string;
  /** The Cognito domain: `/oauth2/authorize` and `/logout` are navigated to there. */
  readonly cognitoDomainUrl: string;
  /**
   * Where the code is exchanged: `<cognitoDomainUrl>/oauth2/token` when deployed. A path is resolved against the
   * console's own origin (the local console server forwards it: see bin/console-server.ts).
   */
  readonly tokenUrl: string;
  /**
   * Where an operator finds the AWS credentials the operator page signs with. Deployed: absent (the page says
   * `aws configure export-credentials`); local: the local cloud's own credentials.
   */
  readonly operatorSignInHint?: string;
}

/** The stack outputs the console needs, by output key (infra/stateful-stack.ts, infra/stateless-stack.ts). */
export const CONSOLE_OUTPUT_KEYS = {
  region: 'Region',
  apiUrl: 'RestApiUrl',
  publicApiUrl: 'PublicApiUrl',
  webSocketUrl: 'WebSocketUrl',
  userPoolId: 'UserPoolId',
  clientId: 'SpaClientId',
  cognitoDomainUrl: 'CognitoDomainUrl',
} as const satisfies Record<Exclude<keyof ConsoleConfig, 'tokenUrl' | 'operatorSignInHint'>, string>;

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * The console's config from the stacks' outputs (`{stack: {key: value}}`, as `cdk deploy --outputs-file` and the
 * local cloud write them). Throws naming every missing output.
 */
export function consoleConfigFromOutputs(
  outputs: Readonly<Record<string, Readonly<Record<string, string>>>>,
  overrides: Partial<Pick<ConsoleConfig, 'tokenUrl' | 'operatorSignInHint'>> = {},
): ConsoleConfig {
  const flat: Record<string, string> = Object.assign({}, ...Object.values(outputs));
  const missing = Object.values(CONSOLE_OUTPUT_KEYS).filter((key) => !flat[key]);
  if (missing.length > 0) throw new Error(`the stack outputs lack ${missing.join(', ')}: deploy both stacks`);
  const value = (key: keyof typeof CONSOLE_OUTPUT_KEYS) =>
    withoutTrailingSlash(flat[CONSOLE_OUTPUT_KEYS[key]] ?? '');
  const cognitoDomainUrl = value('cognitoDomainUrl');
  return {
    region: value('region'),
    apiUrl: value('apiUrl'),
    publicApiUrl: value('publicApiUrl'),
    webSocketUrl: value('webSocketUrl'),
    userPoolId: value('userPoolId'),
    clientId: value('clientId'),
    cognitoDomainUrl,
    tokenUrl: overrides.tokenUrl ?? `${cognitoDomainUrl}/oauth2/token`,
    ...(overrides.operatorSignInHint === undefined
      ? {}
      : { operatorSignInHint: overrides.operatorSignInHint }),
  };
}
