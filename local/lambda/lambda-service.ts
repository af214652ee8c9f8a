import type { LocalService } from '../local-service';
import type { LocalResource } from '../model';
import type { LoadedCloudAssembly } from '../template/cloud-assembly';
import { createLambdaRuntime, type LambdaRuntime } from './lambda-runtime';
import { type LocalFunction, localFunctionFromResource, UnsupportedFunctionError } from './local-function';

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

/** Every Node.js function of the assembly, with its aliases and versions; the others are skipped with a notice. */
function functionsOf(assembly: LoadedCloudAssembly, log: (line: string) => void): LocalFunction[] {
  const qualifiers = qualifiersOf(assembly.model.resources);
  return assembly.model.resources
    .filter((r) => r.type === 'AWS::Lambda::Function')
    .flatMap((resource) => {
      try {
        const fn = localFunctionFromResource(resource, assembly.assets(resource));
        return [{ ...fn, qualifiers: qualifiers.get(fn.arn) ?? {} }];
      } catch (error) {
        if (!(error instanceof UnsupportedFunctionError)) throw error;
        log(`skipping function ${resource.stackName}/${resource.logicalId}: ${error.message}`);
        return [];
      }
    });
}

/**
 * Lambda: every Node.js function of the template in worker threads, with its own environment plus the
 * region, the local credentials and every other service's `functionEnv`. It provides the invoker the other
 * services get, and swaps changed bundles in place on reload.
 */
export function lambdaService(): LocalService {
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
        async start({ assembly, region, credentials, functionEnv, sink, log }) {
          const started = createLambdaRuntime(functionsOf(assembly, log), {
            log: sink,
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
            reload: async (next) => ({ changed: await started.update(functionsOf(next, log)) }),
          };
        },
        close: async () => runtime?.close(),
      };
    },
  };
}
