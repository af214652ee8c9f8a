import type { WireItem } from './dynamodb-errors';
import type { EngineAnswer, EngineClient } from './engine-client';

/**
 * What the local DynamoDB endpoint (the proxy in front of dynalite) offers the operations it implements
 * itself: the engine, the per-table write locks, and the tables' streams.
 */
export interface DynamoDbFront {
  readonly engine: EngineClient;
  /** Runs `work` holding the write locks of these tables, so no other write (or read) interleaves. */
  withLocks<T>(tableNames: readonly string[], work: () => Promise<T>): Promise<T>;
  /** Records a change of one item on its table's stream (nothing when the table has none or nothing changed). */
  recordChange(
    tableName: string,
    before: WireItem | undefined,
    after: WireItem | undefined,
    key: WireItem,
  ): void;
  /** The stream of a table, when its template enables one. */
  streamOf(tableName: string): { readonly streamArn: string; readonly viewType: string } | undefined;
}

/** An operation the front answers itself (dynalite lacks it, or answers it short of DynamoDB). */
export type FrontOperation = (front: DynamoDbFront, input: Record<string, unknown>) => Promise<EngineAnswer>;
