import type { ServiceEndpoint, StartedService } from '../local-service';
import type { LocalCloudModel } from '../model';

/** What {@link ApiServers} needs of one API's listener: the REST, HTTP and WebSocket servers all have it. */
export interface ServedApiServer {
  /** Starts listening on `port`. */
  listen(port: number): Promise<unknown>;
  /** Re-reads the API's definition from a re-synthesized model; the listener (and what it holds) stays. */
  reload(model: LocalCloudModel): void;
  close(): Promise<void>;
}

/** One API of the model to serve. */
export interface ServedApi {
  /** The API id (its physical id), the key of its listener and of its port. */
  readonly apiId: string;
  /** How the change lines name the API when it is re-read or added. */
  readonly label: string;
}

/** How {@link ApiServers.start} finds, starts and re-reads one kind of API. */
export interface ServeApis<S extends ServedApiServer> {
  /** The APIs of this kind in a model. */
  readonly apis: (model: LocalCloudModel) => readonly ServedApi[];
  /** The port the API's execute-api URL names. */
  readonly port: (apiId: string) => number;
  /** A new listener for an API not served yet (not listening yet), read from `model`. */
  readonly create: (api: ServedApi, model: LocalCloudModel) => S;
  /** Runs after a known API was re-read in place. */
  readonly reloaded?: (api: ServedApi) => void;
  /** The service's endpoints once `model`'s APIs are served. */
  readonly endpoints: (model: LocalCloudModel) => ServiceEndpoint[];
}

/**
 * The listeners of one kind of API Gateway API, one per API on its own port. Each service (REST, HTTP, WebSocket)
 * serves its APIs through one of these, so a reload treats them alike: removed APIs closed, known ones re-read in
 * place (their listener, meter and open connections stay), new ones started on their port.
 */
export class ApiServers<S extends ServedApiServer> {
  private readonly servers = new Map<string, S>();

  /** The listener of API `apiId`, if it is served. */
  get(apiId: string): S | undefined {
    return this.servers.get(apiId);
  }

  /**
   * Serves `model`'s APIs; resolves to the service's start: its endpoints, and a reload that serves a
   * re-synthesized model's APIs the same way.
   */
  async start(model: LocalCloudModel, how: ServeApis<S>): Promise<StartedService> {
    await this.serve(model, how);
    return {
      endpoints: how.endpoints(model),
      reload: async (next) => ({
        changed: await this.serve(next.model, how),
        endpoints: how.endpoints(next.model),
      }),
    };
  }

  /** Serves exactly `model`'s APIs; resolves to one change line per API removed, re-read or added. */
  private async serve(model: LocalCloudModel, how: ServeApis<S>): Promise<string[]> {
    const changed: string[] = [];
    const apis = how.apis(model);
    for (const [apiId, server] of this.servers) {
      if (apis.some((api) => api.apiId === apiId)) continue;
      this.servers.delete(apiId);
      await server.close();
      changed.push(`API ${apiId} removed`);
    }
    for (const api of apis) {
      const running = this.servers.get(api.apiId);
      if (running) {
        running.reload(model);
        how.reloaded?.(api);
        changed.push(`API ${api.label} re-read`);
        continue;
      }
      const server = how.create(api, model);
      await server.listen(how.port(api.apiId));
      this.servers.set(api.apiId, server);
      changed.push(`API ${api.label} added`);
    }
    return changed;
  }

  /** Closes every listener, one after the other. */
  async close(): Promise<void> {
    const open = [...this.servers.values()];
    this.servers.clear();
    for (const server of open) await server.close();
  }
}
