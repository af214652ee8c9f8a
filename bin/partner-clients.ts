import {
  type CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { partnerClientKeys } from '../shared/keys/partner-client-keys';
import { TENANT_ID_PATTERN } from '../shared/keys/tenant-prefix';
import { PARTNER_SCOPE } from '../shared/partner-scope';

/** A partner's machine client, with the secret it authenticates with (shown once: Cognito keeps it, we do not). */
export interface PartnerClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tenantId: string;
}

/**
 * Creates a partner's machine client for one tenant: a confidential app client allowed client credentials for
 * `events/write` only, and its binding to the tenant (the authorizer reads the tenant from the binding). Only an
 * operator holding both permissions can do it, so no tenant can bind a client to another. If the binding cannot be
 * written, the client is deleted again, so no client exists without its tenant.
 */
export async function createPartnerClient(input: {
  readonly idp: CognitoIdentityProviderClient;
  readonly documents: DynamoDBDocumentClient;
  readonly userPoolId: string;
  readonly tableName: string;
  readonly tenantId: string;
  readonly name: string;
}): Promise<PartnerClient> {
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
  try {
    await input.documents.send(
      new PutCommand({
        TableName: input.tableName,
        Item: { ...partnerClientKeys.binding(clientId), clientId, tenantId: input.tenantId },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  } catch (error) {
    await input.idp.send(
      new DeleteUserPoolClientCommand({ UserPoolId: input.userPoolId, ClientId: clientId }),
    );
    throw error;
  }
  return { clientId, clientSecret, tenantId: input.tenantId };
}
