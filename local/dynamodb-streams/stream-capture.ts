import type { IncomingMessage, ServerResponse } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import type { WireItem } from '../dynamodb/dynamodb-errors';
import { dynamoError, inDynamoDbWording, jsonAnswer, validationError } from '../dynamodb/dynamodb-errors';
import type { DynamoDbFront, FrontOperation } from '../dynamodb/dynamodb-front';
import { type EngineAnswer, EngineClient, errorMessage, errorName } from '../dynamodb/engine-client';
import { frontOperations } from '../dynamodb/front-operations';
import { itemLimitViolation } from '../dynamodb/item-limits';
import { keyOf as tableKeyOf, tableKeys } from '../dynamodb/table-keys';
import { jsonProtocolBody } from '../json-protocol-body';
import { type LoopbackServer, loopbackServer } from '../loopback-server';
import { noteServiceCall } from '../request-records';
import type { StreamLog } from './stream-log';

/** A table whose writes are recorded on a stream. */
export interface StreamedTable {
  readonly tableName: string;
  /** Names of the key attributes (partition, then sort). */
  readonly keyAttributes: readonly string[];
  readonly log: StreamLog;
}

type Input = Record<string, unknown>;

/**
 * Decides whether the caller may make a request (IAM): an error answer to send instead, or undefined to serve it.
 * Given the request's headers and URL (who signed it), the operation and its input.
 */
export type RequestAuthorizer = (
  headers: IncomingMessage['headers'],
  url: string,
  operation: string,
  input: Record<string, unknown>,
) => EngineAnswer | undefined;

/** A write the proxy can attribute to items: the table and the key of each item it may change. */
interface Write {
  readonly table: StreamedTable;
  readonly key: WireItem;
}

const tableOf = (input: Input) => (typeof input.TableName === 'string' ? [input.TableName] : []);
const requestTables = (input: Input) =>
  input.RequestItems !== null && typeof input.RequestItems === 'object'
    ? Object.keys(input.RequestItems)
    : [];

/** The tables each single-item or batch write changes: the proxy holds their locks while it runs. */
const WRITE_TABLES: Readonly<Record<string, (input: Input) => string[]>> = {
  PutItem: tableOf,
  UpdateItem: tableOf,
  DeleteItem: tableOf,
  BatchWriteItem: requestTables,
};

/** The tables each read reads: it waits for writes in progress there, so it never sees one half done. */
const READ_TABLES: Readonly<Record<string, (input: Input) => string[]>> = {
  GetItem: tableOf,
  Query: tableOf,
  Scan: tableOf,
  BatchGetItem: requestTables,
};

/**
 * The local DynamoDB endpoint: a loopback proxy in front of the engine (dynalite) that adds what dynalite
 * lacks. **Streams**: for each write to a table with a stream it reads the item before and after and appends
 * INSERT/MODIFY/REMOVE to the table's stream — nothing for a failed conditional write or a write that changes
 * nothing, as DynamoDB. Items are read in DynamoDB's wire JSON, so stream images carry binary values as
 * base64 strings as AWS's do. **Transactions** and the other operations of `frontOperations`, and the item
 * limits dynalite does not check. Writes to one table are serialized (so the images read around a write are
 * exactly that write's, and a transaction's writes are never interleaved), reads wait for the write in
 * progress on their table; requests are forwarded byte for byte.
 */
export class StreamCapture implements DynamoDbFront {
  readonly engine: EngineClient;
  private readonly server: LoopbackServer;
  private readonly operations: ReadonlyMap<string, FrontOperation> = frontOperations();
  private readonly locks = new Map<string, Promise<void>>();
  /** Tables with a stream, by name; empty until the template is known (writes pass through unrecorded). */
  private tables: ReadonlyMap<string, StreamedTable> = new Map();
  /** IAM's check of each request, once the local cloud enforces it. */
  private authorizer: RequestAuthorizer | undefined;

  constructor(engineEndpoint: string) {
    this.engine = new EngineClient(engineEndpoint);
    this.server = loopbackServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'InternalServerError', message: String(error) }));
      });
    });
  }

  /** Sets the tables whose writes are recorded (once the template is loaded). */
  setTables(tables: ReadonlyMap<string, StreamedTable>): void {
    this.tables = tables;
  }

  /** Sets the check every request passes before it is served (IAM). */
  setAuthorizer(authorizer: RequestAuthorizer | undefined): void {
    this.authorizer = authorizer;
  }

  /** Starts the proxy; resolves to the endpoint clients (and functions) use instead of the engine's. */
  listen(port = 0): Promise<string> {
    return this.server.listen(port);
  }

  async close(): Promise<void> {
    await this.server.close();
    this.engine.close();
  }

  streamOf(tableName: string): { readonly streamArn: string; readonly viewType: string } | undefined {
    return this.tables.get(tableName)?.log;
  }

  recordChange(
    tableName: string,
    before: WireItem | undefined,
    after: WireItem | undefined,
    key: WireItem,
  ): void {
    const table = this.tables.get(tableName);
    if (table) this.record({ table, key: tableKeyOf(table.keyAttributes, key) }, before, after);
  }

  /** Runs `work` holding the write locks of the given tables (taken in name order, so no deadlock). */
  async withLocks<T>(tableNames: readonly string[], work: () => Promise<T>): Promise<T> {
    const names = [...new Set(tableNames)].sort();
    const previous = names.map((name) => this.locks.get(name) ?? Promise.resolve());
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const name of names) this.locks.set(name, held);
    await Promise.all(previous);
    try {
      return await work();
    } finally {
      release();
      for (const name of names) if (this.locks.get(name) === held) this.locks.delete(name);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const target = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    noteServiceCall(req.headers['x-amzn-trace-id'], 'dynamodb', target);
    const input = jsonProtocolBody(body);
    const forward = () => this.engine.forward(req.url ?? '/', req.method ?? 'POST', body, req.headers);
    if (!input) {
      send(res, await forward());
      return;
    }
    const refusal = this.authorizer?.(req.headers, req.url ?? '/', target, input);
    if (refusal) {
      send(res, refusal);
      return;
    }
    const violation = itemLimitViolation(target, input);
    if (violation) {
      send(res, validationError(violation));
      return;
    }
    const operation = this.operations.get(target);
    if (operation) {
      send(res, await operation(this, input));
      return;
    }
    const readTables = READ_TABLES[target]?.(input);
    if (readTables) await Promise.all(readTables.map((name) => this.locks.get(name)));
    const writeTables = WRITE_TABLES[target]?.(input);
    if (!writeTables) {
      send(res, await forward());
      return;
    }
    const writes = this.writesOf(target, input);
    const single = writes.length === 1 ? writes[0] : undefined;
    if (single && returnsOldImageAlone(target, input)) {
      send(res, await this.withLocks(writeTables, () => this.writeReturningOldImage(target, input, single)));
      return;
    }
    // The caller's answer waits for the stream record, so a reader after the write always finds it.
    const response = await this.withLocks(writeTables, async () => {
      // A key the engine cannot read (missing or empty key attributes) fails the write the same way: the
      // engine's own 400 goes back, not the proxy's failure to read around it.
      const before = await this.readAll(writes);
      const forwarded = await forward();
      if (forwarded.status !== 200) return withItemOnConditionFailure(this.engine, target, input, forwarded);
      if (!before) return forwarded;
      const after = await this.readAll(writes);
      for (const [i, write] of writes.entries()) this.record(write, before[i], after?.[i]);
      return forwarded;
    });
    send(res, response);
  }

  /**
   * A put or delete of one streamed item in ONE engine call instead of three (read, write, read): the engine
   * returns the old image (`ReturnValues: ALL_OLD`), and the new image is the item put (see
   * {@link returnsOldImageAlone} for when that holds) or none. The caller gets the answer it asked for.
   */
  private async writeReturningOldImage(target: string, input: Input, write: Write): Promise<EngineAnswer> {
    const answer = await this.engine.call(target, { ...input, ReturnValues: 'ALL_OLD' });
    if (answer.status !== 200) return withItemOnConditionFailure(this.engine, target, input, answer);
    const { Attributes, ...rest } = answer.body;
    this.record(
      write,
      Attributes as WireItem | undefined,
      target === 'PutItem' ? (input.Item as WireItem) : undefined,
    );
    return input.ReturnValues === 'ALL_OLD' ? answer : jsonAnswer(200, rest);
  }

  private record(write: Write, oldImage: WireItem | undefined, newImage: WireItem | undefined): void {
    if (oldImage === undefined && newImage === undefined) return;
    if (oldImage !== undefined && newImage !== undefined && isDeepStrictEqual(oldImage, newImage)) return;
    const eventName = oldImage === undefined ? 'INSERT' : newImage === undefined ? 'REMOVE' : 'MODIFY';
    write.table.log.append(eventName, write.key, oldImage, newImage);
  }

  /** The items of streamed tables a write request may change. */
  private writesOf(target: string, input: Input): Write[] {
    if (target === 'BatchWriteItem') {
      const requests = (input.RequestItems ?? {}) as Record<
        string,
        Array<{ PutRequest?: { Item: WireItem }; DeleteRequest?: { Key: WireItem } }>
      >;
      return Object.entries(requests).flatMap(([tableName, entries]) => {
        const table = this.tables.get(tableName);
        if (!table || !Array.isArray(entries)) return [];
        return entries.flatMap((entry) => {
          const source = entry?.PutRequest?.Item ?? entry?.DeleteRequest?.Key;
          return source ? [{ table, key: tableKeyOf(table.keyAttributes, source) }] : [];
        });
      });
    }
    const table = this.tables.get(String(input.TableName ?? ''));
    if (!table) return [];
    const source = (target === 'PutItem' ? input.Item : input.Key) as WireItem | undefined;
    return source && typeof source === 'object'
      ? [{ table, key: tableKeyOf(table.keyAttributes, source) }]
      : [];
  }

  /** Each item as it is now, in wire JSON; undefined when one cannot be read. */
  private async readAll(writes: readonly Write[]): Promise<Array<WireItem | undefined> | undefined> {
    const answers = await Promise.all(
      writes.map((w) =>
        this.engine.call('GetItem', { TableName: w.table.tableName, Key: w.key, ConsistentRead: true }),
      ),
    );
    if (answers.some((a) => a.status !== 200)) return undefined;
    return answers.map((a) => a.body.Item as WireItem | undefined);
  }
}

/**
 * A single-item write's ConditionalCheckFailedException with the item it was checked against, when the request
 * asks for it with `ReturnValuesOnConditionCheckFailure: ALL_OLD` (dynalite ignores it). Read while the table's
 * lock is still held, so it is the item the condition saw.
 */
async function withItemOnConditionFailure(
  engine: EngineClient,
  target: string,
  input: Input,
  answer: EngineAnswer,
): Promise<EngineAnswer> {
  if (
    target === 'BatchWriteItem' ||
    input.ReturnValuesOnConditionCheckFailure !== 'ALL_OLD' ||
    errorName(answer) !== 'ConditionalCheckFailedException'
  )
    return answer;
  const tableName = String(input.TableName);
  let key = input.Key as WireItem | undefined;
  if (!key) {
    const schemas = await tableKeys(engine, [tableName]);
    if ('error' in schemas) return answer;
    key = tableKeyOf(schemas.keys.get(tableName) ?? [], (input.Item ?? {}) as WireItem);
  }
  const read = await engine.call('GetItem', { TableName: tableName, Key: key, ConsistentRead: true });
  const item = read.body.Item;
  return item ? dynamoError('ConditionalCheckFailedException', errorMessage(answer), { Item: item }) : answer;
}

/**
 * Whether a write's stream images can come from its own answer: a PutItem or DeleteItem whose caller asks for no
 * other return values, and — for a put — an item whose numbers are already as the engine stores them (it
 * normalizes `1.50` to `1.5`; the stream carries what is stored), so the item put is its new image.
 */
function returnsOldImageAlone(target: string, input: Input): boolean {
  if (target !== 'PutItem' && target !== 'DeleteItem') return false;
  if (input.ReturnValues !== undefined && input.ReturnValues !== 'NONE' && input.ReturnValues !== 'ALL_OLD')
    return false;
  return target === 'DeleteItem' || storedAsGiven(input.Item);
}

/** A canonical DynamoDB number: no leading zeros, no trailing fractional zeros, no exponent, no `-0`. */
const CANONICAL_NUMBER = /^-?(?:[1-9]\d*|0)(?:\.\d*[1-9])?$/;

/** Whether every number in a wire value (nested maps and lists included) is canonical. */
function storedAsGiven(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(storedAsGiven);
  for (const [type, inner] of Object.entries(value)) {
    if (type === 'N' && (typeof inner !== 'string' || !CANONICAL_NUMBER.test(inner) || inner === '-0'))
      return false;
    if (
      type === 'NS' &&
      (!Array.isArray(inner) ||
        !inner.every((n) => typeof n === 'string' && CANONICAL_NUMBER.test(n) && n !== '-0'))
    )
      return false;
    if (type !== 'N' && type !== 'NS' && !storedAsGiven(inner)) return false;
  }
  return true;
}

function send(res: ServerResponse, engineAnswer: EngineAnswer): void {
  const answer = inDynamoDbWording(engineAnswer);
  res.writeHead(answer.status, answer.headers);
  res.end(answer.raw);
}
