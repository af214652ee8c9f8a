/** One cached Lambda authorizer result, with the epoch millisecond after which it is stale. */
export interface CachedAuthorizerResult<T> {
  readonly expiresAt: number;
  readonly output: T;
}

/**
 * The cached results of every REST API stage's Lambda authorizers, shared by the REST APIs (which fill them) and
 * the control plane (FlushStageAuthorizersCache empties one stage's), as API Gateway keeps one authorizer cache
 * per stage. In memory: a restart of the local cloud starts cold.
 */
export class AuthorizerCaches<T = unknown> {
  private readonly stages = new Map<string, Map<string, CachedAuthorizerResult<T>>>();

  /** The result cached for `identity` on the stage, if any (stale or not: the caller decides by `expiresAt`). */
  get(apiId: string, stage: string, identity: string): CachedAuthorizerResult<T> | undefined {
    return this.stages.get(`${apiId}/${stage}`)?.get(identity);
  }

  set(apiId: string, stage: string, identity: string, result: CachedAuthorizerResult<T>): void {
    const id = `${apiId}/${stage}`;
    const entries = this.stages.get(id) ?? new Map<string, CachedAuthorizerResult<T>>();
    entries.set(identity, result);
    this.stages.set(id, entries);
  }

  /** FlushStageAuthorizersCache: forgets every authorizer result of the stage; returns how many there were. */
  flush(apiId: string, stage: string): number {
    const id = `${apiId}/${stage}`;
    const count = this.stages.get(id)?.size ?? 0;
    this.stages.delete(id);
    return count;
  }
}
