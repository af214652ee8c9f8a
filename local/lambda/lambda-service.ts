import type { LocalService } from '../local-service';
import { loopbackCertificate } from '../loopback-tls';
import type { LocalResource } from '../model';
import type { NotEmulatedResources } from '../resource-coverage';
import type { LoadedCloudAssembly } from '../template/cloud-assembly';
import { createLambdaRuntime, type LambdaRuntime } from './lambda-runtime';
import { type LocalFunction, localFunctionFromResource, UnsupportedFunctionError } from './local-function';
import { unprovidedSdkModules } from './provided-modules';

/** A version's or alias's ARN (its physical id) split into the function's ARN and the qualifier. */
function qualifiedArn(resource: LocalResource): { readonly functionArn: string; readonly qualifier: string } {
  const colon = resource.physicalId.lastIndexOf(':');
  return {
    functionArn: resource.physicalId.slice(0, colon),
    qualifier: resource.physicalId.slice(colon + 1),
  };
}

/**
 * The aliases and versions of the template, by the ARN of the function they belong to: each qualifier mapped to
 * the version it runs (an alias points at a version; a version is itself).
 */
function qualifiersOf(resources: readonly LocalResource[]): Map<string, Record<string, string>> {
  const byFunction = new Map<string, Record<string, string>>();
  const add = (resource: LocalResource, version: string): void => {
    const { functionArn, qualifier } = qualifiedArn(resource);
    byFunction.set(functionArn, { ...byFunction.get(functionArn), [qualifier]: version });
  };
  for (const resource of resources) {
    if (resource.type === 'AWS::Lambda::Version') add(resource, resource.attributes.Version ?? '1');
    if (resource.type === 'AWS::Lambda::Alias') add(resource, String(resource.properties.FunctionVersion));
  }
  return byFunction;
}

/**
 * Every Node.js function of the assembly, with its aliases and versions; the others are skipped and reported, one
 * group per reason, with the resources no service emulates — except a custom resource's handler (a function some
 * resource names as its `ServiceToken`, such as CDK's Python `BucketNotificationsHandler`): CloudFormation alone
 * invokes it, while deploying, so nothing local would call it; its custom resource is reported by its own type.
 */
function functionsOf(assembly: LoadedCloudAssembly): {
  readonly functions: LocalFunction[];
  readonly skipped: NotEmulatedResources[];
} {
  const qualifiers = qualifiersOf(assembly.model.resources);
  const serviceTokens = new Set(assembly.model.resources.map((r) => r.properties.ServiceToken));
  const skipped = new Map<string, string[]>();
  const functions = assembly.model.resources
    .filter((r) => r.type === 'AWS::Lambda::Function')
    .flatMap((resource) => {
      try {
        const fn = localFunctionFromResource(resource, assembly.assets(resource));
        return [{ ...fn, qualifiers: qualifiers.get(fn.arn) ?? {} }];
      } catch (error) {
        if (!(error instanceof UnsupportedFunctionError)) throw error;
        if (serviceTokens.has(resource.attributes.Arn)) return [];
        // The message names the function; the group's reason is what is wrong with it.
        const reason = `not run locally: ${error.message.replace(/^function \S+ /, '')}`;
        skipped.set(reason, [...(skipped.get(reason) ?? []), `${resource.stackName}/${resource.logicalId}`]);
        return [];
      }
    });
  return {
    functions,
    skipped: [...skipped].map(([reason, logicalIds]) => ({
      type: 'AWS::Lambda::Function',
      logicalIds,
      reason,
    })),
  };
}

/** Options of {@link lambdaService}. */
export interface LambdaServiceOptions {
  /** The CDK app's directory: its `node_modules` provide the AWS SDK before the local cloud's. @default none */
  readonly appDir?: string;
}

/** One start-up warning per SDK package some function needs and nothing local provides. */
function unprovidedSdkNotices(
  functions: readonly LocalFunction[],
  providedDirs: readonly string[],
): string[] {
  return [...unprovidedSdkModules(functions, providedDirs)].map(
    ([name, functionNames]) =>
      `${name} (required by ${functionNames.sort().join(', ')}) is provided by Lambda but installed neither in the app nor in cdk-local-cloud: \`npm install -D ${name}\` in the app, or those functions fail with "Cannot find module"`,
  );
}

/**
 * Lambda: every Node.js function of the template in worker threads, with its own environment plus the
 * region, the local credentials and every other service's `functionEnv`. It provides the invoker the other
 * services get, and swaps changed bundles in place on reload. The AWS SDK the runtime provides comes from the
 * app's `node_modules`, then the local cloud's; a package some function needs that neither has is a notice.
 */
export function lambdaService(options: LambdaServiceOptions = {}): LocalService {
  return {
    name: 'lambda',
    resourceTypes: {
      // Invoking an alias or a version ARN runs the function it points to (see LocalFunction.qualifiers).
      emulated: ['AWS::Lambda::Function', 'AWS::Lambda::Alias', 'AWS::Lambda::Version'],
      notEmulated: {
        'AWS::Lambda::Permission': 'resource policies are not enforced: any local caller may invoke',
        'AWS::IAM::Role': 'accepted, not enforced: a function may do locally what its role forbids in AWS',
        'AWS::IAM::Policy': 'accepted, not enforced: a function may do locally what its role forbids in AWS',
        'AWS::Logs::LogGroup': 'function output goes to the console',
      },
    },
    async bind() {
      let runtime: LambdaRuntime | undefined;
      return {
        async start({ assembly, region, credentials, functionEnv, sink, functionLogs }) {
          const { functions, skipped } = functionsOf(assembly);
          const started = createLambdaRuntime(functions, {
            log: sink,
            functionLogs,
            // Functions reach local https:// endpoints (the WebSocket APIs' @connections) as they reach AWS's.
            trustedCertificates: [(await loopbackCertificate()).cert],
            ...(options.appDir === undefined ? {} : { appDir: options.appDir }),
            extraEnv: {
              AWS_REGION: region,
              AWS_DEFAULT_REGION: region,
              AWS_ACCESS_KEY_ID: credentials.accessKeyId,
              AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
              AWS_EC2_METADATA_DISABLED: 'true',
              ...functionEnv,
            },
          });
          runtime = started;
          return {
            invoker: started,
            notices: unprovidedSdkNotices(functions, started.providedModuleDirs),
            notServed: skipped,
            reload: async (next) => ({ changed: await started.update(functionsOf(next).functions) }),
            refreshCode: (moves) => started.refreshCode(moves),
          };
        },
        close: async () => runtime?.close(),
      };
    },
  };
}
