#!/usr/bin/env node
import { parseArgs } from 'node:util';
/**
 * `npm run partner-client -- --tenant <tenantId> --name <label> [--stage <stage> | --outputs <file>]`: creates a
 * partner's machine client for one tenant (client credentials, `events/write`) and prints its id, secret and token
 * URL. With `--stage`/`--outputs` it works on a deployed stage with your AWS credentials; with neither, on the
 * running local cloud.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from 'cdk-local-cloud';
import { readLocalSession } from './local-session';
import { createPartnerClient } from './partner-clients';
import { clientConfig, cognitoEndpoint, stackOutputsFrom } from './stack-outputs';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    name: { type: 'string', default: 'partner' },
    stage: { type: 'string' },
    region: { type: 'string' },
    outputs: { type: 'string' },
  },
});

async function main(): Promise<void> {
  if (!values.tenant) throw new Error('--tenant <tenantId> is required');
  const deployed = Boolean(values.stage || values.outputs);
  const session = deployed ? undefined : await readLocalSession();
  const outputs = await stackOutputsFrom(values, session);
  const config = clientConfig(outputs);
  const tableName = Object.assign({}, ...Object.values(outputs)).TableName as string | undefined;
  if (!tableName) throw new Error('the stack outputs have no TableName');
  const local = session === undefined ? {} : { credentials: LOCAL_CREDENTIALS };
  const idpEndpoint = cognitoEndpoint(config);
  const idp = new CognitoIdentityProviderClient({
    region: config.region,
    ...local,
    ...(idpEndpoint === undefined ? {} : { endpoint: idpEndpoint }),
  });
  const dynamo = new DynamoDBClient({
    region: config.region,
    ...local,
    ...(session?.dynamoDbUrl === undefined ? {} : { endpoint: session.dynamoDbUrl }),
  });
  try {
    const client = await createPartnerClient({
      idp,
      documents: DynamoDBDocumentClient.from(dynamo),
      userPoolId: config.userPoolId,
      tableName,
      tenantId: values.tenant,
      name: values.name ?? 'partner',
    });
    process.stdout.write(
      `${JSON.stringify({ ...client, tokenUrl: `${config.cognitoDomainUrl}/oauth2/token`, scope: 'events/write' }, null, 2)}\n`,
    );
  } finally {
    idp.destroy();
    dynamo.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
