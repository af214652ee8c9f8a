/**
 * Settings of emulated resources that only take effect in a real account: the resource is served, but not
 * the way the setting makes AWS serve it. Each is said at start, one line per resource, rather than ignored
 * silently. A new one is a new entry in the table.
 */
import type { LocalResource } from '../model';

interface DeployTimeSetting {
  readonly type: string;
  /** The line to print for the resource, or `undefined` when the setting is not used. */
  notice(resource: LocalResource, resources: readonly LocalResource[]): string | undefined;
}

const nameOf = (resource: LocalResource) => `${resource.stackName}/${resource.logicalId}`;

/** Template booleans arrive as JSON values or, after a Join/Sub, as strings. */
const isTrue = (value: unknown) => value === true || value === 'true';

/** The REST API a stage belongs to, by the `RestApiId` its `Ref` resolved to. */
function restApiOf(stage: LocalResource, resources: readonly LocalResource[]): string {
  const api = resources.find(
    (other) => other.type === 'AWS::ApiGateway::RestApi' && other.physicalId === stage.properties.RestApiId,
  );
  return api ? nameOf(api) : String(stage.properties.RestApiId);
}

const executeApiDisabled = (resource: LocalResource) =>
  isTrue(resource.properties.DisableExecuteApiEndpoint)
    ? `${nameOf(resource)}: its execute-api endpoint is disabled in AWS (clients use its custom domain); served locally at the execute-api URL anyway, as there are no custom domains locally`
    : undefined;

const SETTINGS: readonly DeployTimeSetting[] = [
  {
    type: 'AWS::ApiGateway::Stage',
    notice: (stage, resources) => {
      const canary = stage.properties.CanarySetting as Record<string, unknown> | undefined;
      if (!canary) return undefined;
      const percent = Number(canary.PercentTraffic ?? 0);
      return `${restApiOf(stage, resources)} stage ${String(stage.properties.StageName)}: canary ${percent} % (a second deployment in AWS, with its stage-variable overrides); the local gateway serves the stage's main deployment only`;
    },
  },
  { type: 'AWS::ApiGateway::RestApi', notice: executeApiDisabled },
  { type: 'AWS::ApiGatewayV2::Api', notice: executeApiDisabled },
];

/** One line per resource whose deploy-time settings the local cloud does not apply, in template order. */
export function deployTimeNotices(resources: readonly LocalResource[]): string[] {
  return resources.flatMap((resource) =>
    SETTINGS.filter((setting) => setting.type === resource.type).flatMap(
      (setting) => setting.notice(resource, resources) ?? [],
    ),
  );
}
