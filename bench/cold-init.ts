/**
 * Cold starts against their floor (`npm run bench`, issue 25 target 4): each function's bundle loaded by a fresh
 * Node.js process with its environment, against a bundle that only constructs the same AWS SDK clients (found in
 * the bundle by the client packages it embeds), built with the same esbuild settings. The median of
 * `BENCH_COLD_RUNS` (default 15) processes each; init is the time `require` of the bundle takes, as Lambda's
 * `Init Duration` counts the module's top level.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalCloudModel } from 'cdk-local-cloud';
import { buildSync } from 'esbuild';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);

/** One function's cold init against its SDK floor. */
export interface ColdInit {
  readonly functionName: string;
  readonly sizeKb: number;
  readonly initMs: number;
  readonly floorMs: number;
}

/** Client classes of the packages a bundle embeds (STS comes with every client's credential chain: not counted). */
const CLIENTS: Readonly<Record<string, string>> = {
  '@aws-sdk/client-dynamodb': 'DynamoDBClient',
  '@aws-sdk/client-sqs': 'SQSClient',
  '@aws-sdk/client-s3': 'S3Client',
  '@aws-sdk/client-api-gateway': 'APIGatewayClient',
  '@aws-sdk/client-apigatewaymanagementapi': 'ApiGatewayManagementApiClient',
  '@aws-sdk/client-cognito-identity-provider': 'CognitoIdentityProviderClient',
  '@aws-sdk/client-cloudwatch': 'CloudWatchClient',
  '@aws-sdk/client-eventbridge': 'EventBridgeClient',
  '@aws-sdk/client-sfn': 'SFNClient',
  '@aws-sdk/client-secrets-manager': 'SecretsManagerClient',
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Median time a fresh `node` takes to `require` the file, with `env`. */
function initTime(file: string, env: Record<string, string>): number {
  const script = `const t = performance.now(); require(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    times.push(Number(execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' })));
  }
  return median(times);
}

/** Floor bundles already built, by the clients they construct: most functions share one set. */
const floors = new Map<string, string>();

/** The floor of a bundle: a bundle constructing only the SDK clients it embeds. */
function floorBundle(bundle: string, work: string): string {
  const text = readFileSync(bundle, 'utf8');
  const packages = Object.keys(CLIENTS).filter((name) => text.includes(`"${name}"`));
  const documentClient = text.includes('"@aws-sdk/lib-dynamodb"');
  const key = `${packages.join(',')}${documentClient ? '+document' : ''}`;
  const built = floors.get(key);
  if (built !== undefined) return built;
  const entry = join(work, `floor-${floors.size}.js`);
  writeFileSync(
    entry,
    [
      ...packages.map((name) => `const { ${CLIENTS[name]} } = require(${JSON.stringify(name)});`),
      ...(documentClient ? ["const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb');"] : []),
      ...packages.map((name) => `const c_${CLIENTS[name]} = new ${CLIENTS[name]}({});`),
      ...(documentClient ? ['DynamoDBDocumentClient.from(c_DynamoDBClient);'] : []),
      'exports.handler = async () => ({});',
    ].join('\n'),
  );
  const outfile = `${entry}.bundle.js`;
  buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    outfile,
    nodePaths: [join(process.cwd(), 'node_modules')],
    logLevel: 'silent',
  });
  floors.set(key, outfile);
  return outfile;
}

/** Measures every Node.js function of the template. */
export function measureColdInits(cdkOut: string, model: LocalCloudModel): ColdInit[] {
  const work = mkdtempSync(join(tmpdir(), 'saas-orders-bench-cold-'));
  floors.clear(); // they live in this run's folder
  try {
    const results: ColdInit[] = [];
    for (const file of model.resources
      .map((r) => r.stackName)
      .filter((name, i, all) => all.indexOf(name) === i)) {
      const template = JSON.parse(readFileSync(join(cdkOut, `${file}.template.json`), 'utf8')) as {
        Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
      };
      for (const [logicalId, resource] of Object.entries(template.Resources)) {
        const assetPath = resource.Metadata?.['aws:asset:path'];
        if (resource.Type !== 'AWS::Lambda::Function' || assetPath === undefined) continue;
        const local = model.resources.find((r) => r.stackName === file && r.logicalId === logicalId);
        const bundle = join(cdkOut, assetPath, 'index.js');
        let size: number;
        try {
          size = statSync(bundle).size;
        } catch {
          continue; // not a Node.js bundle (a container image, another runtime)
        }
        const variables = ((
          local?.properties.Environment as { Variables?: Record<string, unknown> } | undefined
        )?.Variables ?? {}) as Record<string, unknown>;
        const env = {
          PATH: process.env.PATH ?? '',
          // What Lambda's Node.js runtime provides to a bundle that leaves the SDK out (a custom resource's handler).
          NODE_PATH: join(process.cwd(), 'node_modules'),
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'bench',
          AWS_SECRET_ACCESS_KEY: 'bench',
          AWS_LAMBDA_FUNCTION_NAME: local?.physicalId ?? logicalId,
          ...Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
        };
        const initMs = initTime(bundle, env);
        const floorMs = initTime(floorBundle(bundle, work), env);
        results.push({ functionName: logicalId, sizeKb: Math.round(size / 1024), initMs, floorMs });
      }
    }
    return results;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
