import type { LocalCloud } from '../local-cloud';
import type { ConsoleOutput } from './console-output';

/** What the banner says besides the cloud's own endpoints. */
export interface BannerFacts {
  readonly seconds: number;
  /** The admin listener (`/_local/health`, `/_local/env`). */
  readonly adminUrl: string;
  readonly outputsFile?: string;
  readonly verbose: boolean;
  /** Lines of the app's own start script (tokens, example commands). */
  readonly extra: readonly string[];
}

/** A logical id as a person wrote it: without CDK's 8-hex-digit hash. */
const constructId = (logicalId: string) => logicalId.replace(/(?<=.)[0-9A-F]{8}$/, '');

/** `http://127.0.0.1:3100` → `3100`: the services all live on 127.0.0.1, the port is what differs. */
const portOf = (url: string) => new URL(url.replace(/^wss?:/, 'http:')).port;

/** `dynamodb :3100,3101 · identity :3110,3111 · sqs :3140`: each service once, with its listeners' ports. */
function servicePorts(endpoints: LocalCloud['endpoints']): string {
  const ports = new Map<string, string[]>();
  for (const { name, url } of endpoints) ports.set(name, [...(ports.get(name) ?? []), portOf(url)]);
  return [...ports].map(([name, list]) => `${name} :${list.join(',')}`).join(' · ');
}

/** How many stack outputs the banner shows before it points to the outputs file for the rest. */
const BANNER_OUTPUT_LINES = 16;

/**
 * `CliApp.TableName = app-table`: the stacks' `Outputs` resolved to local values, one line each, as a README that
 * says "take the pool id from the stack outputs" expects to find them; capped so the banner still fits one screen.
 */
export function stackOutputLines(
  outputs: Readonly<Record<string, Readonly<Record<string, string>>>>,
  limit = BANNER_OUTPUT_LINES,
): string[] {
  // CDK's own cross-stack exports (`ExportsOutput…`) are plumbing, not what a client reads: the file keeps them.
  const all = Object.entries(outputs).flatMap(([stack, values]) =>
    Object.entries(values)
      .filter(([key]) => !key.startsWith('ExportsOutput'))
      .map(([key, value]) => `${stack}.${key} = ${value}`),
  );
  if (all.length <= limit) return all;
  return [...all.slice(0, limit), `… ${all.length - limit} more in --outputs-file`];
}

/**
 * How to read the app's secrets and parameters from a shell, once the SDK env is evaluated (the AWS CLI honours
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER` and `AWS_ENDPOINT_URL_SSM`): one example line per kind the app has.
 */
export function secretReadLines(cloud: Pick<LocalCloud, 'model'>): string[] {
  const first = (type: string) => cloud.model.resources.find((resource) => resource.type === type);
  const secret = first('AWS::SecretsManager::Secret');
  const parameter = first('AWS::SSM::Parameter');
  const name = (arn: string) => /:secret:(.+)-[A-Za-z0-9]{6}$/.exec(arn)?.[1] ?? arn;
  return [
    ...(secret ? [`aws secretsmanager get-secret-value --secret-id '${name(secret.physicalId)}'`] : []),
    ...(parameter ? [`aws ssm get-parameter --name '${parameter.physicalId}'`] : []),
  ];
}

/**
 * The ready banner, meant to fit one screen: one line per API (kind, construct id, URL), the other services on one
 * line, where the environment for SDK clients and the health route are, the stacks' outputs (capped), then the
 * app's own lines.
 */
export function readyBanner(cloud: LocalCloud, facts: BannerFacts, output: ConsoleOutput): string[] {
  const apis = cloud.endpoints.filter(
    (endpoint) => endpoint.api !== undefined && endpoint.kind !== '@connections',
  );
  const services = cloud.endpoints.filter((endpoint) => endpoint.api === undefined);
  const kindWidth = Math.max(0, ...apis.map((endpoint) => endpoint.kind.length));
  const nameWidth = Math.max(0, ...apis.map((endpoint) => constructId(endpoint.api?.logicalId ?? '').length));
  const lines = [
    '',
    `${output.style(['bold', 'green'], 'ready')} in ${facts.seconds.toFixed(1)} s`,
    ...apis.map(
      ({ kind, url, api }) =>
        `  ${kind.padEnd(kindWidth)}  ${constructId(api?.logicalId ?? '').padEnd(nameWidth)}  ${output.style('cyan', url)}`,
    ),
    `  ${output.style('dim', 'services')}  ${servicePorts(services)}`,
    `  ${output.style('dim', 'SDK env')}   eval "$(curl -s ${facts.adminUrl}/_local/env)"   ${output.style('dim', `health: ${facts.adminUrl}/_local/health`)}`,
    ...secretReadLines(cloud).map((line) => `  ${output.style('dim', 'secrets')}   ${line}`),
    ...stackOutputLines(cloud.model.outputs ?? {}).map((line) => `  ${line}`),
    ...(facts.outputsFile ? [`  ${output.style('dim', 'outputs')}   ${facts.outputsFile}`] : []),
    ...facts.extra,
    '',
    output.style(
      'dim',
      `Ctrl-C stops everything.${facts.verbose ? '' : ' Function logs: warnings and failures only (--verbose for all).'}`,
    ),
  ];
  return lines;
}
