/**
 * The seam every emulated AWS service of the local cloud implements (DynamoDB, identity, the API Gateway
 * control plane, Lambda, REST APIs, and next SQS, HTTP and WebSocket APIs, DynamoDB streams). The composer
 * (local-cloud.ts) only lists services; compose-services.ts runs their lifecycle.
 *
 * Two phases, because the dependencies run both ways:
 * 1. `bind` — before the template is loaded. A service opens its listeners (or reserves its ports) and says
 *    where it can be reached: the URL forms the template resolves to (a Cognito issuer, an SQS endpoint) and
 *    the environment every function gets (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SQS`, …). Every
 *    service binds before any starts, so the Lambda runtime sees the whole environment.
 * 2. `start` — with the resolved template and the function invoker. API servers and event-source pollers
 *    need the invoker; the Lambda service needs every binding's environment. Services bind, then start,
 *    concurrently; the service that runs functions hands out the invoker when it starts and until then
 *    invocations wait, so a poller may start before it. Everything closes in reverse order of binding.
 * 3. `reload` (optional) — a re-synthesized template whose resources of the service changed, served in place.
 *
 * A lazily provided invoker alone would not do: the Lambda runtime must know the other services' endpoints
 * before it exists, and those are only known once they have bound — hence the two phases.
 */
import type { FunctionLogs } from './lambda/function-log-filter';
import type { LogSink } from './log-sink';
import type { LambdaInvoker, LocalCloudModel, LocalResource } from './model';
import type { RequestRecorder } from './request-records';
import type { NotEmulatedResources } from './resource-coverage';
import type { LoadedCloudAssembly } from './template/cloud-assembly';
import type { LocalEndpoints } from './template/physical-ids';

/** The resource types one service answers for: every type in a template is in one service's list or reported. */
export interface ResourceTypeSupport {
  /** Types the service emulates. */
  readonly emulated: readonly string[];
  /** Types it accepts without emulating them, each with the reason printed at start (e.g. IAM: not enforced). */
  readonly notEmulated?: Readonly<Record<string, string>>;
  /**
   * Types that only matter in a real AWS account (alarms, DNS, deployment orchestration, …): nothing local
   * would behave differently with them, so the start banner groups them by category, apart from the
   * not-emulated list, which is kept for what an app could notice missing.
   */
  readonly deployOnly?: Readonly<Record<string, DeployOnlyType>>;
}

/** What a group of deploy-only types is for, and why it has no local counterpart. */
export interface DeployOnlyCategory {
  /** Short, lowercase: `monitoring`, `custom domains`. */
  readonly name: string;
  /** Printed after the group: why none of it matters locally. */
  readonly reason: string;
}

/** One deploy-only resource type. */
export interface DeployOnlyType {
  readonly category: DeployOnlyCategory;
  /** What one resource is called at start, singular: `CloudWatch alarm`, `dashboard`. */
  readonly label: string;
  /**
   * For a type that is deploy-only in some uses only (a topic alarms notify vs. one a function publishes to):
   * `applies` picks the resources that are, given every resource of the app; the others are reported as not
   * emulated with `otherwise` as the reason. Without it, every resource of the type is deploy-only.
   */
  readonly only?: {
    readonly applies: (resource: LocalResource, resources: readonly LocalResource[]) => boolean;
    readonly otherwise: string;
  };
}

/** Something a client can reach, as printed at start and returned by `startLocalCloud`. */
export interface ServiceEndpoint {
  /** What answers there: `REST API`, `HTTP API`, `WebSocket API`, `DynamoDB`, `Cognito`, `token admin`, … */
  readonly kind: string;
  /** `<stack>/<logicalId>` for an API; the service name otherwise. */
  readonly name: string;
  readonly url: string;
  /** For an API Gateway API: the resource it serves and the stage the URL includes. */
  readonly api?: {
    readonly stackName: string;
    readonly logicalId: string;
    readonly apiId: string;
    readonly stage: string;
  };
}

/** The local cloud's settings, as every service sees them in both phases. */
export interface ServiceContext {
  readonly region: string;
  /** Where the service prints, each line prefixed with `[<service name>] `. */
  readonly log: (line: string) => void;
  /** The raw sink (the Lambda runtime prefixes each function's lines itself). */
  readonly sink: LogSink;
  /** Which of a function's output reaches the sink (see `LambdaRuntimeOptions.functionLogs`). */
  readonly functionLogs: FunctionLogs;
  /** Where a gateway hands one record per request it served (see request-records.ts). */
  readonly onRequest: RequestRecorder;
  /** The service's own directory under `--persist` (`<dir>/<name>`, which it creates); undefined in memory. */
  readonly dataDir: string | undefined;
  /** The credentials functions and SigV4 callers use. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * The port of an API Gateway API by its id: each API listens where its execute-api URL in the template
   * says, so the plan is shared by the REST, HTTP and WebSocket services and the template loader.
   */
  readonly apiPort: (apiId: string) => number;
  /**
   * The port of the service's own listener number `slot` (0, 1, …): `--port` + 100 + 10 × the service's place
   * in the list + `slot`, so every endpoint (DynamoDB, the issuer, the token admin, the control plane, queues)
   * is predictable from `--port` and the issuer URL in tokens is the same after a restart. 0 (a free port)
   * when the cloud was started on port 0.
   */
  readonly servicePort: (slot?: number) => number;
}

/** What the start phase adds: the template and the functions. */
export interface StartContext extends ServiceContext {
  readonly assembly: LoadedCloudAssembly;
  readonly model: LocalCloudModel;
  /** Every binding's `functionEnv`, merged in list order. */
  readonly functionEnv: Readonly<Record<string, string>>;
  /** Invokes a function by ARN; waits until the service that runs functions has started. */
  readonly invoker: LambdaInvoker;
}

/** A service once started. */
export interface StartedService {
  readonly endpoints?: readonly ServiceEndpoint[];
  /**
   * What the service serves differently from AWS in this template, one line each, printed at start (a stage
   * canary the local gateway does not split traffic for, an endpoint AWS would not answer on).
   */
  readonly notices?: readonly string[];
  /**
   * Resources of a type the service emulates that it cannot serve in this template (a function on a runtime other
   * than Node.js), with why: reported with the not-emulated types (and refused by `--strict`).
   */
  readonly notServed?: readonly NotEmulatedResources[];
  /** Set by the service that runs functions (local/lambda): the invoker every other service gets. */
  readonly invoker?: LambdaInvoker;
  /**
   * Takes a re-synthesized assembly in which some of the service's resources changed (are new, gone or
   * different) and serves it in place: same ports, same data, users, keys and open connections. Without it,
   * a change to the service's resources makes the caller restart the whole cloud.
   */
  reload?(assembly: LoadedCloudAssembly): Promise<ServiceReload>;
  /**
   * Set by the service that runs functions: serves the functions whose code is in a directory named by `moves`
   * from the directory it maps to (a bundle rebuilt without a synth); resolves to their names.
   */
  refreshCode?(moves: ReadonlyMap<string, string>): Promise<string[]>;
}

/** What a service's `reload` changed. */
export interface ServiceReload {
  /** One short line per thing re-read (a function's name, `table Orders created`, `API Api: routes`). */
  readonly changed: readonly string[];
  /** The service's endpoints now, when they changed (an API added or removed). */
  readonly endpoints?: readonly ServiceEndpoint[];
  /** The service's notices for the new template, when it recomputed them. */
  readonly notices?: readonly string[];
}

/** A service after `bind`: reachable, not yet serving the template. */
export interface ServiceBinding {
  /** URL forms the template's attributes and URLs resolve to (Cognito issuers, the SQS endpoint). */
  readonly templateEndpoints?: Omit<LocalEndpoints, 'executeApi'>;
  /** Variables every function receives so its SDK clients reach this service (`AWS_ENDPOINT_URL_*`). */
  readonly functionEnv?: Readonly<Record<string, string>>;
  start(context: StartContext): Promise<StartedService>;
  /** Closes whatever bind and start opened; called once, whether or not start ran. */
  close(): Promise<void>;
}

/** One emulated AWS service. */
export interface LocalService {
  /** Short name, e.g. `dynamodb`: the log prefix and the `--persist` subdirectory. */
  readonly name: string;
  readonly resourceTypes: ResourceTypeSupport;
  bind(context: ServiceContext): Promise<ServiceBinding>;
}
