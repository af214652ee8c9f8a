import { LOCAL_CREDENTIALS } from 'cdk-local-cloud';
import { APP_PASCAL_NAME } from '../../shared/app-name';
import { type LocalSession, readLocalSession } from '../local-session';
import {
  type ClientConfig,
  clientConfig,
  cognitoEndpoint,
  type StackOutputs,
  stackOutputsFrom,
} from '../stack-outputs';

/** The options every `npm run saas` command shares: which stage, and where its outputs come from. */
export const TARGET_OPTIONS = {
  stage: { type: 'string', default: 'local' },
  region: { type: 'string' },
  outputs: { type: 'string' },
} as const;

/** What a command works on: a deployed stage or the running local cloud, read from its stack outputs. */
export interface Target {
  /** `local`, or the deployed stage's name (it names the token file too). */
  readonly stage: string;
  readonly outputs: StackOutputs;
  readonly config: ClientConfig;
  /** The local cloud's session, when the target is the local cloud started by `npm start`. */
  readonly session?: LocalSession;
  /**
   * Credentials for the operator's signed calls: the local cloud's fake ones when the pool is local, else none
   * (the SDK's default provider chain: environment, profile, SSO, instance role).
   */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Every stack's outputs in one record (the keys do not clash across the two stacks). */
  output(key: string): string;
}

/** `sandbox` from `SaasOrders-sandbox-Stateful` (bin/app.ts names the stacks), so an outputs file's tokens are kept under its stage. */
function stageOfStacks(outputs: StackOutputs): string | undefined {
  for (const stackName of Object.keys(outputs)) {
    const stage = new RegExp(`^${APP_PASCAL_NAME}-([\\w-]+)-State(?:ful|less)$`).exec(stackName)?.[1];
    if (stage) return stage;
  }
  return undefined;
}

/**
 * The target of `--stage` (`local` by default: the running local cloud's outputs; otherwise DescribeStacks of that
 * stage) or of `--outputs <file>` (what `cdk deploy --outputs-file` or the local cloud's `--outputs-file` wrote).
 */
export async function resolveTarget(options: {
  readonly stage?: string | undefined;
  readonly region?: string | undefined;
  readonly outputs?: string | undefined;
}): Promise<Target> {
  const stage = options.stage ?? 'local';
  const isLocalStage = stage === 'local' && !options.outputs;
  const session = isLocalStage ? await readLocalSession() : undefined;
  const outputs = await stackOutputsFrom(
    {
      outputs: options.outputs,
      stage: stage === 'local' ? undefined : stage,
      region: options.region,
    },
    session,
  );
  const config = clientConfig(outputs);
  const merged: Record<string, string> = Object.assign({}, ...Object.values(outputs));
  const local = cognitoEndpoint(config) !== undefined;
  return {
    stage: stage === 'local' && options.outputs ? (stageOfStacks(outputs) ?? stage) : stage,
    outputs,
    config,
    ...(session === undefined ? {} : { session }),
    ...(local ? { credentials: LOCAL_CREDENTIALS } : {}),
    output(key) {
      const value = merged[key];
      if (value === undefined) throw new Error(`the stack outputs of stage '${stage}' have no ${key}`);
      return value;
    },
  };
}
