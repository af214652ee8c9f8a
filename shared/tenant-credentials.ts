import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient, dynamoClient } from './dynamo';
import { TENANT_ID_PATTERN } from './keys/tenant-prefix';
import { s3Client } from './s3';
import type { TableClients } from './table-clients';
import { TENANT_SESSION_TAG } from './tenant-session';
import { tracer } from './tracer';

/** Clients whose every call is signed with credentials of one tenant's session of the tenant data role. */
export interface TenantClients {
  readonly documentClient: DynamoDBDocumentClient;
  readonly s3: S3Client;
}

/** Temporary credentials of a tenant session, in the shape the SDK's `credentials` option takes. */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** One STS AssumeRole, as the cache needs it: injected by unit tests to count calls and move the clock. */
export type AssumeTenantRole = (tenantId: string, durationSeconds: number) => Promise<AwsCredentialIdentity>;

/** How {@link TenantCredentials} assumes the role and how long it keeps what it got. */
export interface TenantCredentialsOptions {
  /** The tenant data role (its ARN), assumed with the `tenantId` session tag. */
  readonly roleArn: string;
  /** @default AssumeRole with the function's own credentials, at the SDK's STS endpoint */
  readonly assumeRole?: AssumeTenantRole;
  /**
   * Tenants whose credentials and clients are kept; the least recently used is dropped beyond it.
   * @default 100
   */
  readonly maxTenants?: number;
  /**
   * Credentials are replaced this long before they expire, so no call is signed with credentials about to lapse
   * (the SDK itself refreshes memoized credentials 5 minutes before expiry).
   * @default 5 minutes
   */
  readonly refreshBeforeMs?: number;
  /**
   * The session's lifetime (STS accepts 900 s up to the role's maximum, 1 hour by default).
   * @default 3600
   */
  readonly durationSeconds?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/**
 * Where a function gets a tenant's clients: {@link TenantCredentials} in every deployed function; tests on engines
 * with no IAM pass one that hands out the same unscoped clients for every tenant.
 */
export interface TenantData {
  /** DynamoDB and S3 clients for `tenantId`. */
  clientsFor(tenantId: string): TenantClients;
  /** {@link TableClients} whose tenant clients are these and whose own client is `own`. */
  tableClients(own?: DynamoDBDocumentClient): TableClients;
}

interface TenantEntry {
  credentials?: Promise<AwsCredentialIdentity>;
  clients?: TenantClients;
}

/** AssumeRole of `roleArn` by the function's own role, one session per tenant, tagged with the tenant id. */
function stsAssumeRole(roleArn: string): AssumeTenantRole {
  const sts = tracer.captureAWSv3Client(new STSClient({}));
  return async (tenantId, durationSeconds) => {
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        // Named after the tenant, so CloudTrail says whose data each call touched.
        RoleSessionName: `tenant-${tenantId}`,
        DurationSeconds: durationSeconds,
        Tags: [{ Key: TENANT_SESSION_TAG, Value: tenantId }],
      }),
    );
    if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey || !Credentials.Expiration) {
      throw new Error(`STS AssumeRole of ${roleArn} for tenant ${tenantId} returned no credentials`);
    }
    return {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      ...(Credentials.SessionToken ? { sessionToken: Credentials.SessionToken } : {}),
      expiration: Credentials.Expiration,
    };
  };
}

/**
 * Credentials and clients scoped to one tenant at a time, kept per tenant inside the execution environment: one
 * STS AssumeRole per tenant until its credentials are within `refreshBeforeMs` of expiring, at most `maxTenants`
 * tenants (least recently used dropped). The cache is a Map in insertion order (re-inserted on use): an LRU in
 * a few lines, not worth a dependency.
 */
export class TenantCredentials implements TenantData {
  private readonly entries = new Map<string, TenantEntry>();
  private readonly assumeRole: AssumeTenantRole;
  private readonly maxTenants: number;
  private readonly refreshBeforeMs: number;
  private readonly durationSeconds: number;
  private readonly clock: () => number;

  constructor(options: TenantCredentialsOptions) {
    this.assumeRole = options.assumeRole ?? stsAssumeRole(options.roleArn);
    this.maxTenants = options.maxTenants ?? 100;
    this.refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
    this.durationSeconds = options.durationSeconds ?? 3600;
    this.clock = options.clock ?? Date.now;
    if (this.maxTenants < 1) throw new Error(`maxTenants must be at least 1, got ${this.maxTenants}`);
  }

  /** How many tenants are cached now. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Credentials of `tenantId`'s session: cached ones while they are fresh, else one AssumeRole (concurrent calls
   * for the same tenant share it; a failed one is not cached).
   */
  credentialsFor(tenantId: string): Promise<AwsCredentialIdentity> {
    const entry = this.entry(tenantId);
    const cached = entry.credentials;
    if (cached)
      return cached.then((credentials) =>
        this.fresh(credentials) ? credentials : this.renew(entry, tenantId),
      );
    return this.renew(entry, tenantId);
  }

  /** DynamoDB and S3 clients of `tenantId`'s session, created once per cached tenant. */
  clientsFor(tenantId: string): TenantClients {
    const entry = this.entry(tenantId);
    if (entry.clients) return entry.clients;
    // The SDK calls the provider again when the credentials it memoized are about to expire.
    const credentials = () => this.credentialsFor(tenantId);
    const dynamo = tracer.captureAWSv3Client(
      // One connection pool for every tenant: a new tenant costs an AssumeRole, not a new TLS handshake.
      new DynamoDBClient({ credentials, requestHandler: dynamoClient.config.requestHandler }),
    );
    entry.clients = {
      documentClient: DynamoDBDocumentClient.from(dynamo, {
        marshallOptions: { removeUndefinedValues: true },
      }),
      s3: tracer.captureAWSv3Client(
        new S3Client({ credentials, requestHandler: s3Client.config.requestHandler }),
      ),
    };
    return entry.clients;
  }

  /** {@link TableClients} whose tenant clients are this cache's and whose own client is the function's. */
  tableClients(own: DynamoDBDocumentClient = documentClient): TableClients {
    return { forTenant: (tenantId) => this.clientsFor(tenantId).documentClient, own };
  }

  private fresh(credentials: AwsCredentialIdentity): boolean {
    const expiration = credentials.expiration?.getTime();
    return expiration === undefined || expiration - this.clock() > this.refreshBeforeMs;
  }

  private renew(entry: TenantEntry, tenantId: string): Promise<AwsCredentialIdentity> {
    const pending = this.assumeRole(tenantId, this.durationSeconds);
    entry.credentials = pending;
    pending.catch(() => {
      if (entry.credentials === pending) entry.credentials = undefined;
    });
    return pending;
  }

  /** The tenant's entry, marked most recently used; the least recently used one goes when the cache is full. */
  private entry(tenantId: string): TenantEntry {
    // Checked here too: a session tag that is not a tenant id would be a policy variable nobody planned for.
    if (!TENANT_ID_PATTERN.test(tenantId)) throw new Error(`invalid tenant id '${tenantId}'`);
    const existing = this.entries.get(tenantId);
    if (existing) {
      this.entries.delete(tenantId);
      this.entries.set(tenantId, existing);
      return existing;
    }
    const created: TenantEntry = {};
    this.entries.set(tenantId, created);
    // Clients of a dropped tenant are not destroyed: they share the connection pool, and may be mid-request.
    while (this.entries.size > this.maxTenants) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return created;
  }
}
