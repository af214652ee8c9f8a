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

/** How {@link ApiServers.serve} starts and re-reads one kind of API. */
export interface ServeApis<S extends ServedApiServer> {
  /** The port the API's execute-api URL names. */
  readonly port: (apiId: string) => number;
  /** A new listener for an API not served yet (not listening yet). */
  readonly create: (api: ServedApi) => S;
  /** Runs after a known API was re-read in place. */
  readonly reloaded?: (api: ServedApi) => void;
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

  /** Serves exactly `apis` from `model`; resolves to one change line per API removed, re-read or added. */
  async serve(model: LocalCloudModel, apis: readonly ServedApi[], how: ServeApis<S>): Promise<string[]> {
    const changed: string[] = [];
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
      const server = how.create(api);
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
