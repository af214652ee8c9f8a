import { parseArgs } from 'node:util';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createPartnerClient } from '../../services/partner-clients/partner-clients-repository';
import { cognitoEndpoint } from '../stack-outputs';
import type { SaasCommand } from './command';
import { resolveTarget, TARGET_OPTIONS } from './target';

/**
 * `client create --tenant <tenantId> [--name <label>] [--stage <stage>]`: a partner's machine client for one tenant
 * (client credentials, `events/write`); prints its id, secret (shown once) and token URL. Deployed, with your AWS
 * credentials; locally, on the running local cloud.
 */
export const clientCreate: SaasCommand = {
  usage: 'client create --tenant <tenantId> [--name <label>] [--stage <stage>]',
  summary: "create a partner's machine client (client credentials, events/write) for a tenant",
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        ...TARGET_OPTIONS,
        tenant: { type: 'string' },
        name: { type: 'string', default: 'partner' },
      },
    });
    if (!values.tenant) throw new Error('--tenant <tenantId> is required');
    const target = await resolveTarget(values);
    const { config } = target;
    const credentials = target.credentials === undefined ? {} : { credentials: target.credentials };
    const idpEndpoint = cognitoEndpoint(config);
    const idp = new CognitoIdentityProviderClient({
      region: config.region,
      ...credentials,
      ...(idpEndpoint === undefined ? {} : { endpoint: idpEndpoint }),
    });
    const dynamoDbUrl = target.session?.dynamoDbUrl;
    if (target.credentials && !dynamoDbUrl && !process.env.AWS_ENDPOINT_URL_DYNAMODB) {
      // A local pool from an outputs file: without its DynamoDB endpoint the binding would go to AWS's.
      throw new Error(
        'the local DynamoDB endpoint is unknown: use --stage local, or eval "$(npx cdk-local-cloud --print-env)" first',
      );
    }
    const dynamo = new DynamoDBClient({
      region: config.region,
      ...credentials,
      ...(dynamoDbUrl === undefined ? {} : { endpoint: dynamoDbUrl }),
    });
    try {
      const client = await createPartnerClient({
        idp,
        documents: DynamoDBDocumentClient.from(dynamo),
        userPoolId: config.userPoolId,
        tableName: target.output('TableName'),
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
  },
};
