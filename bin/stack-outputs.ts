import { readFile } from 'node:fs/promises';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { APP_PASCAL_NAME } from '../shared/app-name';
import { type LocalSession, readLocalSession } from './local-session';

/**
 * What a client needs to sign in and call the APIs, read from the stacks' outputs (the same keys deployed and
 * local: infra/stateful-stack.ts and infra/stateless-stack.ts declare them).
 */
export interface ClientConfig {
  readonly region: string;
  readonly userPoolId: string;
  readonly spaClientId: string;
  /** The issuer; locally it is the identity server, whose origin is also the Cognito API endpoint. */
  readonly userPoolProviderUrl: string;
  readonly cognitoDomainUrl?: string;
  readonly restApiUrl?: string;
  readonly publicApiUrl?: string;
  readonly webSocketUrl?: string;
}

/** Stack name → output key → value, as `cdk deploy --outputs-file` and the local cloud's outputs write it. */
export type StackOutputs = Record<string, Record<string, string>>;

/** The stacks of a stage: `SaasOrders-<stage>-Stateful` and `-Stateless` (bin/app.ts names them). */
export function stageStackNames(stage: string): string[] {
  return [`${APP_PASCAL_NAME}-${stage}-Stateful`, `${APP_PASCAL_NAME}-${stage}-Stateless`];
}

/** Where a command reads the stack outputs: its `--outputs`, `--stage` and `--region` options. */
export interface OutputsSource {
  /** A file `cdk deploy --outputs-file` (or the local cloud) wrote. */
  readonly outputs?: string | undefined;
  /** A deployed stage, read with DescribeStacks. */
  readonly stage?: string | undefined;
  readonly region?: string | undefined;
}

/**
 * The stack outputs a command works on: the `--outputs` file, else the `--stage`'s deployed stacks, else the running
 * local cloud's (from `session` when the command already read it).
 */
export async function stackOutputsFrom(source: OutputsSource, session?: LocalSession): Promise<StackOutputs> {
  if (source.outputs) return readOutputsFile(source.outputs);
  if (source.stage) return describeStageOutputs(source.stage, source.region);
  const local = session ?? (await readLocalSession());
  if (!local.outputs) throw new Error('the local session has no outputs: restart `npm start`');
  return local.outputs;
}

/** Reads an outputs file written by `cdk deploy --outputs-file <file>` (or the local cloud). */
export async function readOutputsFile(path: string): Promise<StackOutputs> {
  return JSON.parse(await readFile(path, 'utf8')) as StackOutputs;
}

/** Reads a deployed stage's outputs with CloudFormation DescribeStacks (the operator's AWS credentials). */
export async function describeStageOutputs(stage: string, region?: string): Promise<StackOutputs> {
  const cloudFormation = new CloudFormationClient(region === undefined ? {} : { region });
  try {
    const outputs: StackOutputs = {};
    for (const stackName of stageStackNames(stage)) {
      const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
      outputs[stackName] = Object.fromEntries(
        (Stacks?.[0]?.Outputs ?? []).flatMap((output) =>
          output.OutputKey && output.OutputValue ? [[output.OutputKey, output.OutputValue]] : [],
        ),
      );
    }
    return outputs;
  } finally {
    cloudFormation.destroy();
  }
}

/**
 * The client configuration from every stack's outputs (the stateful stack's identity keys, the stateless one's
 * URLs); fails naming the missing key when the outputs are not this app's.
 */
export function clientConfig(outputs: StackOutputs): ClientConfig {
  const merged: Record<string, string> = Object.assign({}, ...Object.values(outputs));
  const required = (key: string) => {
    const value = merged[key];
    if (value === undefined) {
      throw new Error(
        `the stack outputs have no ${key}: are they this app's (stacks ${Object.keys(outputs).join(', ')})?`,
      );
    }
    return value;
  };
  return {
    region: required('Region'),
    userPoolId: required('UserPoolId'),
    spaClientId: required('SpaClientId'),
    userPoolProviderUrl: required('UserPoolProviderUrl'),
    ...(merged.CognitoDomainUrl ? { cognitoDomainUrl: merged.CognitoDomainUrl } : {}),
    ...(merged.RestApiUrl ? { restApiUrl: merged.RestApiUrl } : {}),
    ...(merged.PublicApiUrl ? { publicApiUrl: merged.PublicApiUrl } : {}),
    ...(merged.WebSocketUrl ? { webSocketUrl: merged.WebSocketUrl } : {}),
  };
}

/**
 * The Cognito Identity Provider endpoint for a pool: AWS's regional one for a deployed pool; for the local cloud
 * (an issuer that is not `cognito-idp.<region>.amazonaws.com`) the issuer's origin, where the identity server
 * also answers the API.
 */
export function cognitoEndpoint(config: ClientConfig): string | undefined {
  const issuer = new URL(config.userPoolProviderUrl);
  return issuer.hostname.endsWith('.amazonaws.com') ? undefined : issuer.origin;
}
