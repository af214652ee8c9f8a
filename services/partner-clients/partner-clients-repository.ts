import {
  type CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { partnerClientKeys } from '../../shared/keys/partner-client-keys';
import { TENANT_ID_PATTERN } from '../../shared/keys/tenant-prefix';
import { PARTNER_SCOPE } from '../../shared/partner-scope';
import { TABLE } from '../../shared/table';

/** A partner's machine client, with the secret it authenticates with (shown once: Cognito keeps it, we do not). */
export interface PartnerClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tenantId: string;
  readonly name: string;
  readonly createdAt: string;
}

/** A partner client as its tenant lists it: never the secret. */
export type PartnerClientSummary = Omit<PartnerClient, 'clientSecret' | 'tenantId'>;

/** Where partner clients live: the user pool that issues their tokens and the table that binds them. */
export interface PartnerClientStores {
  readonly idp: CognitoIdentityProviderClient;
  readonly documents: DynamoDBDocumentClient;
  readonly userPoolId: string;
  readonly tableName: string;
}

/**
 * Creates a partner's machine client for one tenant: a confidential app client allowed client credentials for
 * `events/write` only, and its binding to the tenant (the authorizer reads the tenant from the binding). Shared
 * by the operator's CLI (`client create --tenant`) and `POST /partner-clients`, where the tenant is the verified
 * caller's, so no tenant can bind a client to another. If the binding cannot be written, the client is deleted
 * again, so no client exists without its tenant.
 */
export async function createPartnerClient(
  input: PartnerClientStores & { readonly tenantId: string; readonly name: string },
): Promise<PartnerClient> {
  if (!TENANT_ID_PATTERN.test(input.tenantId)) throw new Error(`'${input.tenantId}' is not a tenant id`);
  const { UserPoolClient } = await input.idp.send(
    new CreateUserPoolClientCommand({
      UserPoolId: input.userPoolId,
      ClientName: `partner-${input.tenantId}-${input.name}`.slice(0, 128),
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: [PARTNER_SCOPE.fullName],
      AllowedOAuthFlowsUserPoolClient: true,
      AccessTokenValidity: 60,
      TokenValidityUnits: { AccessToken: 'minutes' },
    }),
  );
  const clientId = UserPoolClient?.ClientId;
  const clientSecret = UserPoolClient?.ClientSecret;
  if (!clientId || !clientSecret) throw new Error('Cognito created no client secret');
  const createdAt = new Date().toISOString();
  try {
    await input.documents.send(
      new PutCommand({
        TableName: input.tableName,
        Item: {
          ...partnerClientKeys.binding(clientId),
          ...partnerClientKeys.bindingIndex(input.tenantId, clientId),
          clientId,
          tenantId: input.tenantId,
          name: input.name,
          createdAt,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  } catch (error) {
    await input.idp.send(
      new DeleteUserPoolClientCommand({ UserPoolId: input.userPoolId, ClientId: clientId }),
    );
    throw error;
  }
  return { clientId, clientSecret, tenantId: input.tenantId, name: input.name, createdAt };
}

const summaryItem = z.object({
  clientId: z.string(),
  // Bindings the CLI wrote before names and dates were recorded have neither.
  name: z.string().default(''),
  createdAt: z.string().default(''),
});

/** The tenant's partner clients (their bindings, through the tenant's GSI1 partition), oldest id first. */
export async function listPartnerClients(
  input: Pick<PartnerClientStores, 'documents' | 'tableName'> & { readonly tenantId: string },
): Promise<PartnerClientSummary[]> {
  const clients: PartnerClientSummary[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await input.documents.send(
      new QueryCommand({
        TableName: input.tableName,
        IndexName: TABLE.gsi1.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey },
        ExpressionAttributeValues: { ':pk': partnerClientKeys.tenantPartition(input.tenantId) },
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const { clientId, name, createdAt } = summaryItem.parse(item);
      clients.push({ clientId, name, createdAt });
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  return clients;
}
