/**
 * `npm run bench`: the local product path against its own ceilings, every figure a ratio of two measurements of
 * this run (the machine is shared and noisy), ending with one line per target of issue 25:
 *   1. authorized `GET /orders`, `POST /events` and the storefront against the engine's own rate for the same
 *      DynamoDB work (the SDK and dynalite in one process: bench/engine-baseline.ts);
 *   2. the product's MOCK route against the same route in a one-route app;
 *   3. a route behind a cached TOKEN authorizer against a bare `node:http` server (bench/gateway-baselines.ts);
 *   4. each function's cold init against a bundle of only its SDK clients (bench/cold-init.ts);
 *   6. the cloud's resident memory after `BENCH_MEMORY_MINUTES` (default 10; 0 skips) of mixed load against
 *      the first minute.
 * (Target 5, DynamoDB calls per route, is a test: test/e2e/dynamodb-call-budget.e2e.test.ts.) Throttling is off so
 * the pipeline, not the configured limits, is measured.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from 'cdk-local-cloud';
import { DEMO_TENANTS, demoUsername } from '../bin/demo-seed';
import { DEFAULT_PUBLIC_PAGE_SIZE } from '../services/public-catalog/public-catalog-schemas';
import { runBench } from './bench-cloud';
import { measureColdInits } from './cold-init';
import type { EngineBaselineInput } from './engine-baseline';
import { measureGatewayBaselines, PREFLIGHT_ORIGIN } from './gateway-baselines';
import { load } from './load';
import { Targets } from './targets';

const MEMORY_MINUTES = Number(process.env.BENCH_MEMORY_MINUTES ?? 10);
const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

runBench('rest', async ({ cdkOut, cloud, session, seeded }) => {
  const targets = new Targets();
  const store = seeded.at(-1);
  const tenant = DEMO_TENANTS[1] ?? DEMO_TENANTS[0];
  if (!tenant || !store) throw new Error('no demo tenant');
  const member = seeded.find((s) => s.tenant.name === tenant.name) ?? store;
  const token = session.idToken(demoUsername(tenant, 'member'));
  const orderBody = await fetch(`${session.apiUrl}/orders?limit=1`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const orderId = String(
    ((await orderBody.json()) as { items: Array<{ orderId: string }> }).items[0]?.orderId,
  );

  // 1. The engine's own rates, measured while the cloud is idle, in a child process of its own.
  const engineEndpoint = cloud.endpoints.find((e) => e.kind === 'DynamoDB engine (no streams)')?.url;
  const raw = new DynamoDBClient({
    endpoint: engineEndpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const tableName = String(
    cloud.model.resources.find((r) => r.type.startsWith('AWS::DynamoDB::') && r.logicalId.startsWith('Table'))
      ?.physicalId,
  );
  const { Table } = await raw.send(new DescribeTableCommand({ TableName: tableName }));
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan(
    { client: DynamoDBDocumentClient.from(raw) },
    { TableName: tableName },
  ))
    items.push(...(page.Items ?? []));
  raw.destroy();
  const work = mkdtempSync(join(tmpdir(), 'saas-orders-bench-engine-'));
  const input: EngineBaselineInput = {
    table: {
      TableName: tableName,
      AttributeDefinitions: Table?.AttributeDefinitions,
      KeySchema: Table?.KeySchema,
      GlobalSecondaryIndexes: Table?.GlobalSecondaryIndexes?.map((index) => ({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema,
        Projection: index.Projection,
      })),
      BillingMode: 'PAY_PER_REQUEST',
    },
    items,
    tenantId: member.tenantId,
    slug: store.slug,
    publicPageSize: DEFAULT_PUBLIC_PAGE_SIZE,
    eventItem: {
      PK: `TENANT#${member.tenantId}#ORDER#${orderId}#EVENTS`,
      SK: 'EVENT#x',
      entity: 'order-event',
      tenantId: member.tenantId,
      eventId: 'x',
      orderId,
      type: 'shipped',
      occurredAt: '2026-01-02T10:00:00Z',
      receivedAt: 0,
      status: 'received',
      note: 'bench: O\'Hare "quoted" — ünïcode',
    },
    seconds: Number(process.env.BENCH_SECONDS ?? 10),
    connections: 10,
  };
  writeFileSync(join(work, 'input.json'), JSON.stringify(input));
  process.stdout.write('\nthe engine alone (SDK + dynalite in one process, 10 concurrent):\n');
  const engine = JSON.parse(
    execFileSync(TSX, [join('bench', 'engine-baseline.ts'), join(work, 'input.json')], { encoding: 'utf8' }),
  ) as { orders: number; events: number; storefront: number };
  rmSync(work, { recursive: true, force: true });
  for (const [name, rate] of Object.entries(engine))
    process.stdout.write(`${`engine: ${name}`.padEnd(40)} ${rate.toFixed(0).padStart(6)} calls/s\n`);

  process.stdout.write('\nthe product, autocannon, 10 connections (warm):\n');
  const mock = await load('OPTIONS /orders (MOCK)', `${session.apiUrl}/orders`, {
    method: 'OPTIONS',
    headers: { origin: PREFLIGHT_ORIGIN, 'access-control-request-method': 'GET' },
  });
  const orders = await load('GET /orders?limit=20 (authorized)', `${session.apiUrl}/orders?limit=20`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const events = await load('POST /events (AWS → DynamoDB)', `${session.apiUrl}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    // A well-formed order id with no order: each event is stored, then rejected by the projector.
    body: JSON.stringify({
      orderId: '01JBENCHBENCHBENCHBENCHBEN',
      type: 'shipped',
      occurredAt: '2026-01-02T10:00:00Z',
      note: 'bench: O\'Hare "quoted" — ünïcode',
    }),
  });
  const storefront = await load(
    'GET /public/{slug}/catalog (HTTP API)',
    `${session.publicApiUrl}/public/${store.slug}/catalog`,
  );
  targets.atLeast('1. GET /orders / engine Query', orders.rate / engine.orders, 0.8);
  targets.atLeast('1. POST /events / engine PutItem', events.rate / engine.events, 0.8);
  targets.atLeast('1. storefront / engine reads', storefront.rate / engine.storefront, 0.8);

  // 6. Memory: a mixed read load from a child process; the cloud's RSS after the first minute and at the end.
  if (MEMORY_MINUTES > 0) {
    process.stdout.write(`\nmemory: ${MEMORY_MINUTES} min of mixed load…\n`);
    const requests = [
      {
        method: 'GET',
        path: `${new URL(session.apiUrl).pathname}/orders?limit=20`,
        headers: { authorization: `Bearer ${token}` },
      },
      {
        method: 'GET',
        path: `${new URL(session.apiUrl).pathname}/catalog`,
        headers: { authorization: `Bearer ${token}` },
      },
      {
        method: 'GET',
        path: `${new URL(session.apiUrl).pathname}/jobs?limit=20`,
        headers: { authorization: `Bearer ${token}` },
      },
    ];
    const child = spawn(
      TSX,
      [
        join('bench', 'mixed-load.ts'),
        String(MEMORY_MINUTES * 60),
        JSON.stringify(requests),
        new URL(session.apiUrl).origin,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    const first = process.memoryUsage().rss;
    await done;
    const last = process.memoryUsage().rss;
    process.stdout.write(
      `rss after 1 min ${(first / 2 ** 20).toFixed(0)} MB, after ${MEMORY_MINUTES} min ${(last / 2 ** 20).toFixed(0)} MB\n`,
    );
    targets.atMost(`6. RSS after ${MEMORY_MINUTES} min / after 1 min`, last / first, 1.1);
  } else {
    targets.skipped('6. RSS after 10 min / after 1 min', 'BENCH_MEMORY_MINUTES=0');
  }

  // 4. Cold starts against their SDK floor.
  process.stdout.write(
    '\ncold init, median of fresh processes (bundle / a bundle of only its SDK clients):\n',
  );
  const colds = measureColdInits(cdkOut, cloud.model);
  for (const cold of colds)
    process.stdout.write(
      `  ${cold.functionName.padEnd(44)} ${String(cold.sizeKb).padStart(5)} KB  ${cold.initMs.toFixed(0).padStart(4)} ms / ${cold.floorMs.toFixed(0).padStart(4)} ms = ${(cold.initMs / cold.floorMs).toFixed(2)}\n`,
    );
  const worst = colds.reduce((a, b) => (b.initMs / b.floorMs > a.initMs / a.floorMs ? b : a));
  targets.atMost(
    `4. cold init / SDK floor (worst: ${worst.functionName})`,
    worst.initMs / worst.floorMs,
    1.1,
  );

  // 2 and 3, on the small app and a bare server, once the product's cloud is idle.
  process.stdout.write('\nthe gateway alone:\n');
  const gateway = await measureGatewayBaselines();
  targets.atLeast('2. product MOCK / one-route app MOCK', mock.rate / gateway.oneRouteMock.rate, 0.9);
  targets.atLeast(
    '3. cached TOKEN route / bare node:http',
    gateway.cachedTokenRoute.rate / gateway.bareHttp.rate,
    0.25,
  );
  targets.print();
});
