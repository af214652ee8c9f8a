import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type {
  LocalService,
  ServiceBinding,
  ServiceContext,
  ServiceEndpoint,
  StartedService,
} from './local-service';
import type { LogSink } from './log-sink';
import type { LambdaInvoker, LocalCloudModel } from './model';
import { type DeployOnlyGroup, type NotEmulatedResources, resourceCoverage } from './resource-coverage';
import { loadCloudAssembly } from './template/cloud-assembly';
import { templateFingerprint } from './template/template-fingerprint';

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
  readonly credentials: ServiceContext['credentials'];
  /** Sees every event a function is handed, whoever invokes it. */
  readonly onEvent?: (functionArn: string, event: unknown) => void;
}

/** Services running over one template. */
export interface ComposedServices {
  readonly model: LocalCloudModel;
  /** Every service's endpoints, in service order. */
  readonly endpoints: readonly ServiceEndpoint[];
  /** What the template holds that no service emulates, with the declaring service's reason. */
  readonly notEmulated: readonly NotEmulatedResources[];
  /** What only matters in a real account (monitoring, custom domains, …), by category. */
  readonly deployOnly: readonly DeployOnlyGroup[];
  /** What the services serve differently from AWS in this template (`StartedService.notices`), in service order. */
  readonly notices: readonly string[];
  /**
   * Re-reads the cloud assembly (after a re-synth into the same directory). When only function code or
   * configuration changed, the services swap it in place and everything else — data, users, keys, caches —
   * stays; any other template change is reported, for a restart.
   */
  reload(): Promise<{ readonly templateChanged: boolean; readonly changedFunctions: readonly string[] }>;
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

/**
 * Runs the lifecycle of local-service.ts: binds every service, loads the template with their endpoints,
 * starts every service with the invoker, and closes them in reverse order. A failure anywhere closes what
 * was opened.
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
    dataDir: options.persistDir ? join(options.persistDir, service.name) : undefined,
    credentials: options.credentials,
    apiPort,
  });

  const bound: Array<{ readonly service: LocalService; readonly binding: ServiceBinding }> = [];
  const close = async (): Promise<void> => {
    for (const { binding } of bound.splice(0).reverse()) await binding.close();
  };
  try {
    for (const service of services) bound.push({ service, binding: await service.bind(contextOf(service)) });
    const load = () =>
      loadCloudAssembly(options.cdkOut, {
        region: options.region,
        endpoints: {
          ...Object.assign({}, ...bound.map(({ binding }) => binding.templateEndpoints ?? {})),
          executeApi: (apiId, scheme) => `${scheme === 'wss' ? 'ws' : 'http'}://127.0.0.1:${apiPort(apiId)}`,
        },
      });
    const assembly = load();
    // Before anything starts serving: two services claiming one type differently is a bug to fail on.
    const coverage = resourceCoverage(
      assembly.model.resources,
      services.map((service) => service.resourceTypes),
    );
    const functionEnv: Record<string, string> = Object.assign(
      {},
      ...bound.map(({ binding }) => binding.functionEnv ?? {}),
    );
    const functions = deferredInvoker(options.onEvent);
    const started: StartedService[] = [];
    for (const { service, binding } of bound) {
      const context = { ...contextOf(service), assembly, model: assembly.model, functionEnv };
      const running = await binding.start({ ...context, invoker: functions.invoker });
      if (running.invoker) functions.provide(running.invoker);
      started.push(running);
    }
    functions.refuse(new Error('no service of this local cloud runs functions'));

    return {
      model: assembly.model,
      endpoints: started.flatMap((running) => running.endpoints ?? []),
      ...coverage,
      notices: started.flatMap((running) => running.notices ?? []),
      reload: async () => {
        const next = load();
        if (templateFingerprint(next.model) !== templateFingerprint(assembly.model)) {
          return { templateChanged: true, changedFunctions: [] };
        }
        const changed = await Promise.all(started.map((running) => running.reload?.(next) ?? []));
        return { templateChanged: false, changedFunctions: changed.flat() };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
