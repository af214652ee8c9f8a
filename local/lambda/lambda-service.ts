import type { LocalService } from '../local-service';
import type { LoadedCloudAssembly } from '../template/cloud-assembly';
import { createLambdaRuntime, type LambdaRuntime } from './lambda-runtime';
import { type LocalFunction, localFunctionFromResource, UnsupportedFunctionError } from './local-function';

/** Every Node.js function of the assembly; the others are skipped with a notice. */
function functionsOf(assembly: LoadedCloudAssembly, log: (line: string) => void): LocalFunction[] {
  return assembly.model.resources
    .filter((r) => r.type === 'AWS::Lambda::Function')
    .flatMap((resource) => {
      try {
        return [localFunctionFromResource(resource, assembly.assets(resource))];
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
      emulated: ['AWS::Lambda::Function'],
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
          return { invoker: started, reload: (next) => started.update(functionsOf(next, log)) };
        },
        close: async () => runtime?.close(),
      };
    },
  };
}
