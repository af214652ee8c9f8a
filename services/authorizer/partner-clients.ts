import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { documentClient } from '../../shared/dynamo';
import { partnerClientKeys } from '../../shared/keys/partner-client-keys';
import { TENANT_ID_PATTERN } from '../../shared/keys/tenant-prefix';

/** The tenant a partner's machine client belongs to. */
export interface PartnerBinding {
  readonly clientId: string;
  readonly tenantId: string;
}

const bindingItem = z.object({ clientId: z.string().min(1), tenantId: z.string().regex(TENANT_ID_PATTERN) });

/**
 * Reads the binding of a machine client to its tenant (one GetItem); undefined when the client is no tenant's
 * partner. A stored binding that does not parse is corrupt data: it throws, so the authorizer fails (500) and
 * grants nothing.
 */
export async function readPartnerBinding(
  tableName: string,
  clientId: string,
): Promise<PartnerBinding | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: partnerClientKeys.binding(clientId) }),
  );
  if (Item === undefined) return undefined;
  const parsed = bindingItem.safeParse(Item);
  if (!parsed.success || parsed.data.clientId !== clientId) {
    throw new Error(`partner binding ${clientId} is corrupt`);
  }
  return parsed.data;
}
