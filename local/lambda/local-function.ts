import type { LocalResource } from '../model';

/** Where a function's code lives: an unpacked asset directory, or CloudFormation inline `ZipFile` source. */
export type LocalFunctionCode = { readonly directory: string } | { readonly zipFile: string };

/** Everything the local Lambda runtime needs to run one `AWS::Lambda::Function`. */
export interface LocalFunction {
  /** The function's name (the resource's physical id). */
  readonly functionName: string;
  /** Unqualified function ARN (`Fn::GetAtt [fn, Arn]`). */
  readonly arn: string;
  /** Handler setting, `file.export` or `dir/file.export`. */
  readonly handler: string;
  readonly code: LocalFunctionCode;
  /** e.g. `nodejs24.x`. */
  readonly runtime: string;
  /** Megabytes. @default 128 */
  readonly memorySize: number;
  /** Seconds. @default 3 */
  readonly timeout: number;
  /** `Environment.Variables`, with intrinsics already resolved. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * The qualifiers a caller may name (`…:function:NAME:<qualifier>`): each alias and published version of the
   * template, mapped to the version it runs (an alias's version, or the version itself). Every version runs the
   * function's one code: the local cloud deploys a template once, so there are no older versions to keep, and an
   * alias's routing config (weights between versions) has nothing to split between.
   * @default any qualifier is accepted, as `$LATEST` (a runtime built without a template)
   */
  readonly qualifiers?: Readonly<Record<string, string>>;
}

/** The resource cannot run in the local runtime (not Node.js, a container image, no code); callers may skip it. */
export class UnsupportedFunctionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedFunctionError';
  }
}

const DEFAULT_MEMORY_MB = 128;
const DEFAULT_TIMEOUT_SECONDS = 3;

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function positiveNumber(value: unknown, fallback: number, what: string, logicalId: string): number {
  if (value === undefined) return fallback;
  const parsed = typeof value === 'string' ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0) {
    throw new UnsupportedFunctionError(
      `function ${logicalId} has ${what} ${String(value)}; expected a positive number`,
    );
  }
  return parsed;
}

/**
 * Builds a {@link LocalFunction} from a resolved `AWS::Lambda::Function` resource.
 * @param assetDir absolute path of the unpacked code asset (from the cdk.out asset manifest); not needed
 *   when the code is inline (`Code.ZipFile`).
 * @throws UnsupportedFunctionError for non-Node.js runtimes, container images, or code that cannot be found.
 */
export function localFunctionFromResource(resource: LocalResource, assetDir?: string): LocalFunction {
  const { logicalId, properties } = resource;
  if (resource.type !== 'AWS::Lambda::Function') {
    throw new UnsupportedFunctionError(
      `resource ${logicalId} is a ${resource.type}, not an AWS::Lambda::Function`,
    );
  }
  if (properties.PackageType === 'Image') {
    throw new UnsupportedFunctionError(
      `function ${logicalId} is a container image; only Node.js zip functions run locally`,
    );
  }
  const runtime = properties.Runtime;
  if (typeof runtime !== 'string' || !runtime.startsWith('nodejs')) {
    throw new UnsupportedFunctionError(
      `function ${logicalId} has runtime ${String(runtime)}; only nodejs* runtimes run locally`,
    );
  }
  const handler = properties.Handler;
  if (typeof handler !== 'string' || handler === '') {
    throw new UnsupportedFunctionError(`function ${logicalId} has no Handler`);
  }
  const arn = resource.attributes.Arn;
  if (arn === undefined) throw new UnsupportedFunctionError(`function ${logicalId} has no Arn attribute`);

  const zipFile = record(properties.Code).ZipFile;
  let code: LocalFunctionCode;
  if (typeof zipFile === 'string') code = { zipFile };
  else if (assetDir !== undefined) code = { directory: assetDir };
  else
    throw new UnsupportedFunctionError(
      `function ${logicalId} has no inline code and no asset directory was given`,
    );

  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(record(record(properties.Environment).Variables))) {
    environment[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return {
    functionName: resource.physicalId,
    arn,
    handler,
    code,
    runtime,
    memorySize: positiveNumber(properties.MemorySize, DEFAULT_MEMORY_MB, 'MemorySize', logicalId),
    timeout: positiveNumber(properties.Timeout, DEFAULT_TIMEOUT_SECONDS, 'Timeout', logicalId),
    environment,
  };
}
