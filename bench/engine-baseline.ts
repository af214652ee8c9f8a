/**
 * The engine's own speed, the ceiling the product path is measured against (`npm run bench`, issue 25 target 1):
 * the SDK and dynalite in ONE process, no gateway, no function, no stream capture — the same reads and writes the
 * routes make, through the product's own repositories where they have one. Run as a child process of the bench
 * (`tsx bench/engine-baseline.ts <input.json>`), so the cloud under test does not share its event loop; prints one
 * JSON line `{ "orders": q/s, "events": q/s, "storefront": q/s }`.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createOrdersRepository } from '../services/orders/orders-repository';
import { createPublicCatalogRepository } from '../services/public-catalog/public-catalog-repository';

/** What the bench hands this process: the product table's shape and items, and whose data to read. */
export interface EngineBaselineInput {
  readonly table: CreateTableCommandInput;
  readonly items: readonly Record<string, unknown>[];
  readonly tenantId: string;
  readonly slug: string;
  /** The storefront's page size (the public catalog's default). */
  readonly publicPageSize: number;
  /** An item as `POST /events` writes it (its event id is replaced per write). */
  readonly eventItem: Record<string, unknown>;
  readonly seconds: number;
  readonly connections: number;
}

/** Calls `operation` from `connections` concurrent loops for `seconds` (after a one-second warm-up); calls per second. */
async function rate(
  operation: () => Promise<unknown>,
  seconds: number,
  connections: number,
): Promise<number> {
  const loop = async (until: number): Promise<number> => {
    let n = 0;
    while (performance.now() < until) {
      await operation();
      n++;
    }
    return n;
  };
  const warm = performance.now() + 1000;
  await Promise.all(Array.from({ length: connections }, () => loop(warm)));
  const started = performance.now();
  const counts = await Promise.all(Array.from({ length: connections }, () => loop(started + seconds * 1000)));
  return counts.reduce((a, b) => a + b, 0) / ((performance.now() - started) / 1000);
}

async function main(input: EngineBaselineInput): Promise<void> {
  const engine = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => engine.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(engine.address() as AddressInfo).port}`;
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const tableName = String(input.table.TableName);
  await client.send(new CreateTableCommand(input.table));
  for (let i = 0; i < input.items.length; i += 25) {
    const batch = input.items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch } }));
  }
  const orders = createOrdersRepository(tableName, client);
  const storefront = createPublicCatalogRepository(tableName, client);
  const { seconds, connections } = input;
  const figures = {
    orders: await rate(() => orders.listOrders(input.tenantId, { limit: 20 }), seconds, connections),
    events: await rate(
      () => {
        const eventId = randomUUID();
        const SK = `${String(input.eventItem.SK).split('#')[0]}#${eventId}`;
        return client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...input.eventItem, SK, eventId, receivedAt: Date.now() },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
      },
      seconds,
      connections,
    ),
    storefront: await rate(
      async () => {
        const tenantId = await storefront.activeTenantOfSlug(input.slug);
        if (tenantId === undefined) throw new Error(`no active tenant has the slug ${input.slug}`);
        return storefront.listPublicItems(tenantId, input.publicPageSize);
      },
      seconds,
      connections,
    ),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  client.destroy();
  await new Promise<void>((resolve) => engine.close(() => resolve()));
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: tsx bench/engine-baseline.ts <input.json>');
main(JSON.parse(readFileSync(file, 'utf8')) as EngineBaselineInput).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
