/** The local Lambda runtime: run any CDK app's Node.js functions in worker threads, as Lambda would. */
export { LambdaFunctionError } from './lambda-function-error';
export {
  createLambdaRuntime,
  type InvocationReport,
  type LambdaRuntime,
  type LambdaRuntimeOptions,
} from './lambda-runtime';
export {
  type LocalFunction,
  type LocalFunctionCode,
  localFunctionFromResource,
  UnsupportedFunctionError,
} from './local-function';
export type { LambdaErrorPayload } from './worker-protocol';
