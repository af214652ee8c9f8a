import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FunctionLogs } from './lambda/function-log-filter';
import type { LocalService, ServiceBinding, ServiceContext, ServiceEndpoint } from './local-service';
import type { LogSink } from './log-sink';
import type { LambdaInvoker, LocalCloudModel } from './model';
import type { RequestRecord, RequestRecorder } from './request-records';
import { type DeployOnlyGroup, type NotEmulatedResources, resourceCoverage } from './resource-coverage';
import { loadCloudAssembly } from './template/cloud-assembly';
import { changedResourceTypes } from './template/template-fingerprint';

/** How to run a list of services over one cloud assembly. */
export interface ComposeOptions {
  readonly cdkOut: string;
  readonly region: string;
  /** First API port: APIs take consecutive ports in the order the template loader meets them. */
  readonly basePort: number;
  /** Give every service listener a port derived from `basePort` (see `ServiceContext.servicePort`); else free ports. */
  readonly fixedServicePorts?: boolean;
  readonly persistDir?: string;
  readonly sink: LogSink;
  /** @default 'all' */
  readonly functionLogs?: FunctionLogs;
  /** @default a plain access-log line per request, on the sink */
  readonly onRequest?: RequestRecorder;
  readonly credentials: ServiceContext['credentials'];
  /** Sees every event a function is handed, whoever invokes it. */
  readonly onEvent?: (functionArn: string, event: unknown) => void;
  /** Told how long each phase of the start took (`bind dynamodb`, `start lambda`, …), for `--timings`. */
  readonly timing?: (label: string, ms: number) => void;
}

/** What a reload did, for `--watch` to print. */
export interface ReloadResult {
  /**
   * Something changed that a service cannot take in place (a service without `reload`): the caller restarts
   * the cloud to serve it. False for every built-in service.
   */
  readonly templateChanged: boolean;
  /** Functions now running new code or configuration. */
  readonly changedFunctions: readonly string[];
  /** Everything else re-read in place, one line each, prefixed with the service's name (`rest-api: …`). */
  readonly reloaded: readonly string[];
}

/** Services running over one template. */
export interface ComposedServices {
  /** The template being served (the last one reloaded). */
  readonly model: LocalCloudModel;
  /** Every service's endpoints, in service order. */
  readonly endpoints: readonly ServiceEndpoint[];
  /** What the template holds that no service emulates, with the declaring service's reason. */
  readonly notEmulated: readonly NotEmulatedResources[];
  /** What only matters in a real account (monitoring, custom domains, …), by category. */
  readonly deployOnly: readonly DeployOnlyGroup[];
  /** What the services serve differently from AWS in this template (`StartedService.notices`), in service order. */
  readonly notices: readonly string[];
  /** The variables every function gets from the services (`AWS_ENDPOINT_URL_*`), for clients outside the cloud too. */
  readonly functionEnv: Readonly<Record<string, string>>;
  /**
   * Re-reads the cloud assembly (after a re-synth into the same directory) and hands it to each service whose
   * resources changed, which swaps them in place: data, users, keys, quotas and open connections stay. A
   * bundle change reloads only that function. An assembly that fails to load rejects and the old one keeps
   * serving.
   */
  reload(): Promise<ReloadResult>;
  /**
   * Serves the functions whose code is in a directory named by `moves` from the directory it maps to (a bundle
   * rebuilt by `--watch` without a synth), replacing only their environments; resolves to their names.
   */
  refreshCode(moves: ReadonlyMap<string, string>): Promise<string[]>;
  /** Closes every service, in reverse order of binding. */
  close(): Promise<void>;
}

/** The invoker services get at start: forwards to the function runner once one has started. */
function deferredInvoker(onEvent: ComposeOptions['onEvent']) {
  let provide: (invoker: LambdaInvoker) => void = () => undefined;
  let refuse: (error: Error) => void = () => undefined;
  const provided = new Promise<LambdaInvoker>((resolve, reject) => {
    provide = resolve;
    refuse = reject;
  });
  // Without a function runner, an invocation fails when it is made, not as an unhandled rejection now.
  provided.catch(() => undefined);
  const invoker: LambdaInvoker = {
    async invoke(functionArn, event) {
      onEvent?.(functionArn, event);
      return (await provided).invoke(functionArn, event);
    },
  };
  return { invoker, provide, refuse };
}

/** Every type a service declares (emulated, accepted, deploy-only): a change to one of them is its to reload. */
function declaredTypes(service: LocalService): Set<string> {
  const { emulated, notEmulated = {}, deployOnly = {} } = service.resourceTypes;
  return new Set([...emulated, ...Object.keys(notEmulated), ...Object.keys(deployOnly)]);
}

/**
 * Runs the lifecycle of local-service.ts: binds every service, loads the template with their endpoints,
 * starts every service with the invoker, and closes them in reverse order. A failure anywhere closes what
 * was opened. Services bind concurrently (their ports follow from their place in the list, not from the
 * order they bind in) and start concurrently (invocations wait for the function runner whatever the order).
 */
export async function composeServices(
  services: readonly LocalService[],
  options: ComposeOptions,
): Promise<ComposedServices> {
  const apiPorts = new Map<string, number>();
  const apiPort = (apiId: string): number => {
    if (!apiPorts.has(apiId)) apiPorts.set(apiId, options.basePort + apiPorts.size);
    return apiPorts.get(apiId) ?? options.basePort;
  };
  if (options.persistDir) mkdirSync(options.persistDir, { recursive: true });
  const contextOf = (service: LocalService): ServiceContext => ({
    servicePort: (slot = 0) =>
      options.fixedServicePorts ? options.basePort + 100 + 10 * services.indexOf(service) + slot : 0,
    region: options.region,
    log: (line) => options.sink.write(`[${service.name}] ${line}\n`),
    sink: options.sink,
    functionLogs: options.functionLogs ?? 'all',
    onRequest:
      options.onRequest ??
      ((record: RequestRecord) =>
        options.sink.write(
          `[${service.name}] ${record.method} ${record.path} ${record.status} ${Math.round(record.durationMs)}ms\n`,
        )),
    dataDir: options.persistDir ? join(options.persistDir, service.name) : undefined,
    credentials: options.credentials,
    apiPort,
  });
  const timed = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const began = performance.now();
    try {
      return await work();
    } finally {
      options.timing?.(label, performance.now() - began);
    }
  };

  const bound: Array<{ readonly service: LocalService; readonly binding: ServiceBinding }> = [];
  const close = async (): Promise<void> => {
    for (const { binding } of bound.splice(0).reverse()) await binding.close();
  };
  try {
    const binding = await Promise.allSettled(
      services.map((service) => timed(`bind ${service.name}`, () => service.bind(contextOf(service)))),
    );
    binding.forEach((result, i) => {
      const service = services[i];
      if (result.status === 'fulfilled' && service) bound.push({ service, binding: result.value });
    });
    const refused = binding.find((result) => result.status === 'rejected');
    if (refused) throw refused.reason;
    const load = () =>
      loadCloudAssembly(options.cdkOut, {
        region: options.region,
        endpoints: {
          ...Object.assign({}, ...bound.map(({ binding }) => binding.templateEndpoints ?? {})),
          executeApi: (apiId, scheme) => `${scheme === 'wss' ? 'ws' : 'http'}://127.0.0.1:${apiPort(apiId)}`,
        },
      });
    let assembly = await timed('load the cloud assembly', async () => load());
    // Before anything starts serving: two services claiming one type differently is a bug to fail on.
    const coverageOf = (model: LocalCloudModel) =>
      resourceCoverage(
        model.resources,
        services.map((service) => service.resourceTypes),
      );
    let coverage = coverageOf(assembly.model);
    const functionEnv: Record<string, string> = Object.assign(
      {},
      ...bound.map(({ binding }) => binding.functionEnv ?? {}),
    );
    const functions = deferredInvoker(options.onEvent);
    const starting = await Promise.allSettled(
      bound.map(({ service, binding }) =>
        timed(`start ${service.name}`, async () => {
          const context = { ...contextOf(service), assembly, model: assembly.model, functionEnv };
          const running = await binding.start({ ...context, invoker: functions.invoker });
          if (running.invoker) functions.provide(running.invoker);
          return running;
        }),
      ),
    );
    functions.refuse(new Error('no service of this local cloud runs functions'));
    const failed = starting.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const started = starting.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const endpoints = started.map((running) => running.endpoints ?? []);
    const notices = started.map((running) => running.notices ?? []);

    const reload = async (): Promise<ReloadResult> => {
      const next = load();
      const changed = changedResourceTypes(assembly.model, next.model);
      if (changed.size === 0) return { templateChanged: false, changedFunctions: [], reloaded: [] };
      const nextCoverage = coverageOf(next.model);
      const changedFunctions: string[] = [];
      const reloaded: string[] = [];
      let templateChanged = false;
      // In list order, one at a time: a table exists before the function that gets its name is re-created.
      for (const [i, { service }] of bound.entries()) {
        const running = started[i];
        if (running === undefined || ![...declaredTypes(service)].some((type) => changed.has(type))) continue;
        if (running.reload === undefined) {
          templateChanged = true;
          continue;
        }
        const result = await running.reload(next);
        if (running.invoker) changedFunctions.push(...result.changed);
        else reloaded.push(...result.changed.map((line) => `${service.name}: ${line}`));
        if (result.endpoints) endpoints[i] = result.endpoints;
        if (result.notices) notices[i] = result.notices;
      }
      assembly = next;
      coverage = nextCoverage;
      return { templateChanged, changedFunctions, reloaded };
    };

    return {
      get model() {
        return assembly.model;
      },
      get endpoints() {
        return endpoints.flat();
      },
      get notEmulated() {
        return [...coverage.notEmulated, ...started.flatMap((running) => running.notServed ?? [])];
      },
      get deployOnly() {
        return coverage.deployOnly;
      },
      get notices() {
        return notices.flat();
      },
      functionEnv,
      reload,
      refreshCode: async (moves) =>
        (await Promise.all(started.map((running) => running.refreshCode?.(moves) ?? []))).flat(),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
