import type { LocalCloudModel, LocalResource } from '../model';

/** One attribute of a pool's schema, by its full name (`email`, `custom:tenantId`). */
export interface AttributeDefinition {
  readonly name: string;
  readonly mutable: boolean;
  readonly required: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
}

/** An app client of a pool, as far as sign-in and token lifetimes need it. */
export interface ClientDefinition {
  readonly clientId: string;
  readonly userPoolId: string;
  /** `ALLOW_USER_PASSWORD_AUTH`, ... (legacy names without `ALLOW_` are normalised to the new ones). */
  readonly explicitAuthFlows: ReadonlySet<string>;
  readonly idTokenValiditySeconds: number;
  readonly accessTokenValiditySeconds: number;
  readonly clientName?: string;
  /** Only for a client created with GenerateSecret (confidential clients, client credentials). */
  readonly clientSecret?: string;
  /** `code`, `implicit`, `client_credentials` (AllowedOAuthFlows); empty when OAuth is off for the client. */
  readonly allowedOAuthFlows: ReadonlySet<string>;
  /** `openid`, `email`, `<resource server>/<scope>`, ... (AllowedOAuthScopes). */
  readonly allowedOAuthScopes: readonly string[];
  readonly callbackUrls: readonly string[];
  readonly logoutUrls: readonly string[];
  /** The properties it was created from, as CloudFormation and CreateUserPoolClient spell them. */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** A resource server of a pool: its identifier and the scopes it defines (full names are `<identifier>/<scope>`). */
export interface ResourceServerDefinition {
  readonly identifier: string;
  readonly name: string;
  readonly scopes: readonly { readonly name: string; readonly description?: string }[];
}

/** Password rules of a pool (AWS::Cognito::UserPool Policies.PasswordPolicy). */
export interface PasswordPolicy {
  readonly minimumLength: number;
  readonly requireLowercase: boolean;
  readonly requireUppercase: boolean;
  readonly requireNumbers: boolean;
  readonly requireSymbols: boolean;
}

/** What the local issuer knows about one AWS::Cognito::UserPool of the template. */
export interface UserPoolDefinition {
  readonly userPoolId: string;
  readonly arn: string;
  /** Standard attributes are always present; custom ones only when the template declares them. */
  readonly attributes: ReadonlyMap<string, AttributeDefinition>;
  /** `email` / `phone_number` when the pool signs users in with them instead of a user name. */
  readonly usernameAttributes: readonly string[];
  readonly aliasAttributes: readonly string[];
  readonly groups: ReadonlyMap<string, { readonly description?: string; readonly precedence?: number }>;
  readonly passwordPolicy: PasswordPolicy;
  /** PoolName, or the logical id when the template leaves it to CloudFormation. */
  readonly name: string;
  /** The Cognito domain prefix (AWS::Cognito::UserPoolDomain), when the pool has one. */
  readonly domain?: string;
  readonly resourceServers: ReadonlyMap<string, ResourceServerDefinition>;
  /** AdminCreateUserConfig.AllowAdminCreateUserOnly: SignUp is refused (Cognito's default without the setting is false). */
  readonly adminCreateUserOnly: boolean;
}

/** Standard OIDC attributes every Cognito pool has (all mutable unless the schema says otherwise). */
export const STANDARD_ATTRIBUTES = [
  'address',
  'birthdate',
  'email',
  'email_verified',
  'family_name',
  'gender',
  'given_name',
  'locale',
  'middle_name',
  'name',
  'nickname',
  'phone_number',
  'phone_number_verified',
  'picture',
  'preferred_username',
  'profile',
  'updated_at',
  'website',
  'zoneinfo',
] as const;

const DEFAULT_TOKEN_VALIDITY_SECONDS = 3600;
const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };
/** Cognito's defaults when ExplicitAuthFlows is left out of the template. */
const DEFAULT_AUTH_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_CUSTOM_AUTH'];

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function asStringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function asBoolean(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fallback;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

function parseAttributes(schema: unknown): Map<string, AttributeDefinition> {
  const attributes = new Map<string, AttributeDefinition>();
  for (const name of STANDARD_ATTRIBUTES) attributes.set(name, { name, mutable: true, required: false });
  if (!Array.isArray(schema)) return attributes;
  for (const entry of schema) {
    const item = asRecord(entry);
    if (typeof item.Name !== 'string') continue;
    const isStandard = (STANDARD_ATTRIBUTES as readonly string[]).includes(item.Name);
    const name = isStandard || item.Name.startsWith('custom:') ? item.Name : `custom:${item.Name}`;
    const constraints = asRecord(item.StringAttributeConstraints);
    attributes.set(name, {
      name,
      mutable: asBoolean(item.Mutable, true),
      required: asBoolean(item.Required, false),
      minLength: asNumber(constraints.MinLength),
      maxLength: asNumber(constraints.MaxLength),
    });
  }
  return attributes;
}

function parsePasswordPolicy(policies: unknown): PasswordPolicy {
  const policy = asRecord(asRecord(policies).PasswordPolicy);
  return {
    minimumLength: asNumber(policy.MinimumLength) ?? 8,
    requireLowercase: asBoolean(policy.RequireLowercase, true),
    requireUppercase: asBoolean(policy.RequireUppercase, true),
    requireNumbers: asBoolean(policy.RequireNumbers, true),
    requireSymbols: asBoolean(policy.RequireSymbols, true),
  };
}

function validitySeconds(value: unknown, unit: unknown, defaultUnit: string): number {
  const amount = asNumber(value);
  if (amount === undefined) return DEFAULT_TOKEN_VALIDITY_SECONDS;
  const unitName = typeof unit === 'string' ? unit : defaultUnit;
  return amount * (UNIT_SECONDS[unitName] ?? UNIT_SECONDS[defaultUnit] ?? 1);
}

/**
 * Reads app client properties (the same names in an AWS::Cognito::UserPoolClient and a CreateUserPoolClient
 * call) into what sign-in needs.
 */
export function clientFromProperties(
  clientId: string,
  props: Readonly<Record<string, unknown>>,
  clientSecret: string | undefined,
): ClientDefinition {
  const units = asRecord(props.TokenValidityUnits);
  const flows =
    props.ExplicitAuthFlows === undefined ? DEFAULT_AUTH_FLOWS : asStringArray(props.ExplicitAuthFlows);
  const oauth = asBoolean(props.AllowedOAuthFlowsUserPoolClient, false);
  return {
    clientId,
    userPoolId: String(props.UserPoolId ?? ''),
    explicitAuthFlows: new Set(flows.map((flow) => (flow.startsWith('ALLOW_') ? flow : `ALLOW_${flow}`))),
    // Without TokenValidityUnits, Cognito reads IdToken/AccessToken validity as hours.
    idTokenValiditySeconds: validitySeconds(props.IdTokenValidity, units.IdToken, 'hours'),
    accessTokenValiditySeconds: validitySeconds(props.AccessTokenValidity, units.AccessToken, 'hours'),
    ...(typeof props.ClientName === 'string' ? { clientName: props.ClientName } : {}),
    ...(asBoolean(props.GenerateSecret, false) && clientSecret !== undefined ? { clientSecret } : {}),
    allowedOAuthFlows: new Set(oauth ? asStringArray(props.AllowedOAuthFlows) : []),
    allowedOAuthScopes: oauth ? asStringArray(props.AllowedOAuthScopes) : [],
    callbackUrls: asStringArray(props.CallbackURLs),
    logoutUrls: asStringArray(props.LogoutURLs),
    properties: props,
  };
}

/** Reads an AWS::Cognito::UserPoolClient into what sign-in needs. */
export function clientDefinition(resource: LocalResource): ClientDefinition {
  return clientFromProperties(resource.physicalId, resource.properties, resource.attributes.ClientSecret);
}

/** The pool ARN AWS would give this pool id. */
export function userPoolArn(region: string, accountId: string, userPoolId: string): string {
  return `arn:aws:cognito-idp:${region}:${accountId}:userpool/${userPoolId}`;
}

/**
 * Reads every user pool, group and app client of the template. Groups and clients are matched to their
 * pool by the resolved `UserPoolId`, which is the pool's physical id.
 */
export function userPoolDefinitions(model: LocalCloudModel): {
  pools: UserPoolDefinition[];
  clients: ClientDefinition[];
} {
  const groupsByPool = new Map<string, Map<string, { description?: string; precedence?: number }>>();
  for (const resource of model.resources) {
    if (resource.type !== 'AWS::Cognito::UserPoolGroup') continue;
    const poolId = String(resource.properties.UserPoolId ?? '');
    const groupName = typeof resource.properties.GroupName === 'string' ? resource.properties.GroupName : '';
    if (groupName === '') continue;
    const groups = groupsByPool.get(poolId) ?? new Map();
    groups.set(groupName, {
      description:
        typeof resource.properties.Description === 'string' ? resource.properties.Description : undefined,
      precedence: asNumber(resource.properties.Precedence),
    });
    groupsByPool.set(poolId, groups);
  }
  const domains = new Map<string, string>();
  const resourceServers = new Map<string, Map<string, ResourceServerDefinition>>();
  for (const resource of model.resources) {
    const poolId = String(resource.properties.UserPoolId ?? '');
    if (resource.type === 'AWS::Cognito::UserPoolDomain') domains.set(poolId, resource.physicalId);
    if (resource.type === 'AWS::Cognito::UserPoolResourceServer') {
      const identifier = String(resource.properties.Identifier ?? '');
      const servers = resourceServers.get(poolId) ?? new Map<string, ResourceServerDefinition>();
      servers.set(identifier, {
        identifier,
        name: typeof resource.properties.Name === 'string' ? resource.properties.Name : identifier,
        scopes: (Array.isArray(resource.properties.Scopes) ? resource.properties.Scopes : []).map((scope) => {
          const item = asRecord(scope);
          return {
            name: String(item.ScopeName ?? ''),
            ...(typeof item.ScopeDescription === 'string' ? { description: item.ScopeDescription } : {}),
          };
        }),
      });
      resourceServers.set(poolId, servers);
    }
  }
  const pools = model.resources
    .filter((resource) => resource.type === 'AWS::Cognito::UserPool')
    .map(
      (resource): UserPoolDefinition => ({
        userPoolId: resource.physicalId,
        arn: resource.attributes.Arn ?? userPoolArn(model.region, model.accountId, resource.physicalId),
        attributes: parseAttributes(resource.properties.Schema),
        usernameAttributes: asStringArray(resource.properties.UsernameAttributes),
        aliasAttributes: asStringArray(resource.properties.AliasAttributes),
        groups: groupsByPool.get(resource.physicalId) ?? new Map(),
        passwordPolicy: parsePasswordPolicy(resource.properties.Policies),
        name:
          typeof resource.properties.UserPoolName === 'string'
            ? resource.properties.UserPoolName
            : resource.logicalId,
        ...(domains.has(resource.physicalId) ? { domain: domains.get(resource.physicalId) } : {}),
        resourceServers: resourceServers.get(resource.physicalId) ?? new Map(),
        adminCreateUserOnly: asBoolean(
          asRecord(resource.properties.AdminCreateUserConfig).AllowAdminCreateUserOnly,
          false,
        ),
      }),
    );
  const clients = model.resources
    .filter((resource) => resource.type === 'AWS::Cognito::UserPoolClient')
    .map(clientDefinition);
  return { pools, clients };
}
