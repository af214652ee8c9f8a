import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { type AttributeValue, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { type LoopbackServer, loopbackServer } from '../loopback-server';
import type { StreamLog } from './stream-log';

/** A table whose writes are recorded on a stream. */
export interface StreamedTable {
  readonly tableName: string;
  /** Names of the key attributes (partition, then sort). */
  readonly keyAttributes: readonly string[];
  readonly log: StreamLog;
}

type Item = Record<string, AttributeValue>;

/** A write the proxy can attribute to items: the table and the key of each item it may change. */
interface Write {
  readonly table: StreamedTable;
  readonly key: Item;
}

const WRITE_TARGETS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

/**
 * DynamoDB Streams for an engine that has none (dynalite): a loopback proxy in front of the engine that, for
 * each write to a table with a stream, reads the item before and after and appends INSERT/MODIFY/REMOVE to
 * the table's stream — nothing for a failed conditional write or a write that changes nothing, as DynamoDB.
 * Writes to one table are serialized, so the images read around a write are exactly that write's.
 * Requests are forwarded byte for byte; everything else passes straight through.
 */
export class StreamCapture {
  private readonly server: LoopbackServer;
  private readonly client: DynamoDBClient;
  private readonly locks = new Map<string, Promise<void>>();
  /** Tables with a stream, by name; empty until the template is known (writes pass straight through). */
  private tables: ReadonlyMap<string, StreamedTable> = new Map();

  constructor(
    private readonly engineEndpoint: string,
    region: string,
    credentials: { accessKeyId: string; secretAccessKey: string },
  ) {
    this.client = new DynamoDBClient({ region, endpoint: engineEndpoint, credentials });
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

  /** Starts the proxy; resolves to the endpoint clients (and functions) use instead of the engine's. */
  listen(port = 0): Promise<string> {
    return this.server.listen(port);
  }

  async close(): Promise<void> {
    await this.server.close();
    this.client.destroy();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const target = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const writes = WRITE_TARGETS.has(target) ? this.writesOf(target, body) : [];
    if (writes.length === 0) {
      send(res, await this.forward(req, body));
      return;
    }
    const tableNames = [...new Set(writes.map((w) => w.table.tableName))].sort();
    // The caller's answer waits for the stream record, so a reader after the write always finds it.
    const response = await this.withLocks(tableNames, async () => {
      // A key the engine cannot read (missing or empty key attributes) fails the write the same way: the
      // engine's own 400 goes back, not the proxy's failure to read around it.
      const before = await Promise.all(writes.map((w) => this.read(w))).catch(() => undefined);
      const forwarded = await this.forward(req, body);
      if (forwarded.status !== 200 || !before) return forwarded;
      const after = await Promise.all(writes.map((w) => this.read(w)));
      for (const [i, write] of writes.entries()) this.record(write, before[i], after[i]);
      return forwarded;
    });
    send(res, response);
  }

  private record(write: Write, oldImage: Item | undefined, newImage: Item | undefined): void {
    if (oldImage === undefined && newImage === undefined) return;
    if (oldImage !== undefined && newImage !== undefined && isDeepStrictEqual(oldImage, newImage)) return;
    const eventName = oldImage === undefined ? 'INSERT' : newImage === undefined ? 'REMOVE' : 'MODIFY';
    write.table.log.append(eventName, write.key, oldImage, newImage);
  }

  /** The items a write request may change (unparseable or unknown-table requests: none, passed through). */
  private writesOf(target: string, body: Buffer): Write[] {
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return [];
    }
    if (target === 'BatchWriteItem') {
      const requests = (input.RequestItems ?? {}) as Record<
        string,
        Array<{ PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }>
      >;
      return Object.entries(requests).flatMap(([tableName, entries]) => {
        const table = this.tables.get(tableName);
        if (!table || !Array.isArray(entries)) return [];
        return entries.flatMap((entry) => {
          const source = entry.PutRequest?.Item ?? entry.DeleteRequest?.Key;
          return source ? [{ table, key: keyOf(table, source) }] : [];
        });
      });
    }
    const table = this.tables.get(String(input.TableName ?? ''));
    if (!table) return [];
    const source = (target === 'PutItem' ? input.Item : input.Key) as Item | undefined;
    return source && typeof source === 'object' ? [{ table, key: keyOf(table, source) }] : [];
  }

  private async read(write: Write): Promise<Item | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: write.table.tableName, Key: write.key, ConsistentRead: true }),
    );
    return Item;
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<Forwarded> {
    const url = new URL(req.url ?? '/', this.engineEndpoint);
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        url,
        { method: req.method, headers: { ...req.headers, host: url.host, 'content-length': body.length } },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (chunk: Buffer) => parts.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 500,
              headers: response.headers,
              body: Buffer.concat(parts),
            }),
          );
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  /** Runs `work` holding the write locks of the given tables (taken in name order, so no deadlock). */
  private async withLocks<T>(tableNames: readonly string[], work: () => Promise<T>): Promise<T> {
    const previous = tableNames.map((name) => this.locks.get(name) ?? Promise.resolve());
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const name of tableNames) this.locks.set(name, held);
    await Promise.all(previous);
    try {
      return await work();
    } finally {
      release();
      for (const name of tableNames) if (this.locks.get(name) === held) this.locks.delete(name);
    }
  }
}

interface Forwarded {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

function send(res: ServerResponse, forwarded: Forwarded): void {
  res.writeHead(forwarded.status, forwarded.headers);
  res.end(forwarded.body);
}

function keyOf(table: StreamedTable, item: Item): Item {
  return Object.fromEntries(
    table.keyAttributes.flatMap((name) => (item[name] !== undefined ? [[name, item[name]]] : [])),
  ) as Item;
}
