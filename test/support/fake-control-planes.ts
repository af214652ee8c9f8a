import { randomBytes, randomUUID } from 'node:crypto';
import {
  APIGatewayClient,
  BadRequestException,
  ConflictException,
  CreateApiKeyCommand,
  type CreateApiKeyCommandInput,
  type CreateApiKeyCommandOutput,
  CreateUsagePlanKeyCommand,
  type CreateUsagePlanKeyCommandInput,
  type CreateUsagePlanKeyCommandOutput,
  GetApiKeysCommand,
  type GetApiKeysCommandInput,
  type GetApiKeysCommandOutput,
  GetUsagePlansCommand,
  type GetUsagePlansCommandInput,
  type GetUsagePlansCommandOutput,
  NotFoundException,
} from '@aws-sdk/client-api-gateway';
import {
  AdminAddUserToGroupCommand,
  type AdminAddUserToGroupCommandInput,
  AdminCreateUserCommand,
  type AdminCreateUserCommandInput,
  type AdminCreateUserCommandOutput,
  AdminGetUserCommand,
  type AdminGetUserCommandInput,
  type AdminGetUserCommandOutput,
  type AttributeType,
  CognitoIdentityProviderClient,
  InvalidParameterException,
  ResourceNotFoundException,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * Stateful in-memory stand-ins for the Cognito user pool and the API Gateway key/usage-plan control plane,
 * installed behind aws-sdk-client-mock because no embedded engine for either exists yet. They keep state
 * across calls and answer with the SDK's real exception classes and names, so code under test meets the same
 * conflicts (UsernameExistsException, ConflictException, ...) it would meet in AWS.
 */

const metadata = { httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 };

/** A user as the fake pool stores it. */
export interface FakeUser {
  /** Cognito's generated username (a UUID, equal to `sub`) in a pool whose username attribute is email. */
  readonly username: string;
  readonly attributes: Map<string, string>;
  readonly groups: Set<string>;
  readonly status: 'FORCE_CHANGE_PASSWORD';
  /** The delivery mediums the invitation with the temporary password was sent by. */
  readonly invitedBy: readonly string[];
}

/**
 * A user pool whose sign-in name is the email (as the stateful stack configures it): the email is the
 * username in admin calls, matched case-insensitively, and Cognito generates the real username.
 */
export class FakeUserPool {
  readonly users = new Map<string, FakeUser>();

  constructor(
    readonly userPoolId: string,
    readonly groups: ReadonlySet<string>,
    private readonly customAttributes: ReadonlySet<string>,
  ) {}

  /** The user signing in with `email`, if any. */
  findByEmail(email: string): FakeUser | undefined {
    const wanted = email.toLowerCase();
    for (const user of this.users.values()) {
      if (user.attributes.get('email')?.toLowerCase() === wanted) return user;
    }
    return undefined;
  }

  private checkPool(userPoolId: string | undefined): void {
    if (userPoolId !== this.userPoolId) {
      throw new ResourceNotFoundException({
        message: `User pool ${userPoolId} does not exist.`,
        $metadata: metadata,
      });
    }
  }

  private lookup(userPoolId: string | undefined, username: string | undefined): FakeUser {
    this.checkPool(userPoolId);
    const user = (username && (this.users.get(username) ?? this.findByEmail(username))) || undefined;
    if (!user) throw new UserNotFoundException({ message: 'User does not exist.', $metadata: metadata });
    return user;
  }

  adminCreateUser(input: AdminCreateUserCommandInput): AdminCreateUserCommandOutput {
    this.checkPool(input.UserPoolId);
    const email = input.Username ?? '';
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
      throw new InvalidParameterException({ message: 'Username should be an email.', $metadata: metadata });
    }
    const attributes = new Map<string, string>();
    for (const { Name, Value } of input.UserAttributes ?? []) {
      if (!Name || Value === undefined) continue;
      const custom = Name.startsWith('custom:') ? Name.slice('custom:'.length) : undefined;
      if (custom !== undefined && !this.customAttributes.has(custom)) {
        throw new InvalidParameterException({
          message: `Attributes did not conform to the schema: Type for attribute {${Name}} could not be determined`,
          $metadata: metadata,
        });
      }
      attributes.set(Name, Value);
    }
    if (this.findByEmail(email)) {
      throw new UsernameExistsException({
        message: 'An account with the given email already exists.',
        $metadata: metadata,
      });
    }
    const username = randomUUID();
    attributes.set('sub', username);
    if (!attributes.has('email')) attributes.set('email', email);
    const invitedBy = input.MessageAction === 'SUPPRESS' ? [] : (input.DesiredDeliveryMediums ?? ['SMS']);
    const user: FakeUser = {
      username,
      attributes,
      groups: new Set(),
      status: 'FORCE_CHANGE_PASSWORD',
      invitedBy,
    };
    this.users.set(username, user);
    const now = new Date();
    return {
      $metadata: { httpStatusCode: 200 },
      User: {
        Username: username,
        Attributes: attributeList(user),
        Enabled: true,
        UserStatus: user.status,
        UserCreateDate: now,
        UserLastModifiedDate: now,
      },
    };
  }

  adminGetUser(input: AdminGetUserCommandInput): AdminGetUserCommandOutput {
    const user = this.lookup(input.UserPoolId, input.Username);
    return {
      $metadata: { httpStatusCode: 200 },
      Username: user.username,
      UserAttributes: attributeList(user),
      Enabled: true,
      UserStatus: user.status,
    };
  }

  adminAddUserToGroup(input: AdminAddUserToGroupCommandInput): { $metadata: { httpStatusCode: number } } {
    this.checkPool(input.UserPoolId);
    if (!input.GroupName || !this.groups.has(input.GroupName)) {
      throw new ResourceNotFoundException({ message: 'Group not found.', $metadata: metadata });
    }
    this.lookup(input.UserPoolId, input.Username).groups.add(input.GroupName);
    return { $metadata: { httpStatusCode: 200 } };
  }
}

function attributeList(user: FakeUser): AttributeType[] {
  return [...user.attributes].map(([Name, Value]) => ({ Name, Value }));
}

/** An API key as the fake control plane stores it. */
export interface FakeApiKey {
  readonly id: string;
  readonly name: string;
  readonly value: string;
  readonly enabled: boolean;
  readonly tags: Record<string, string>;
}

/** A usage plan of the template, by id and the name the tenants function looks it up by. */
export interface FakeUsagePlan {
  readonly id: string;
  readonly name: string;
}

/** API keys and the usage plans they are attached to. */
export class FakeApiGateway {
  readonly keys = new Map<string, FakeApiKey>();
  /** usage plan id → attached key ids */
  readonly usagePlanKeys: Map<string, Set<string>>;

  constructor(private readonly usagePlans: readonly FakeUsagePlan[]) {
    this.usagePlanKeys = new Map(usagePlans.map((plan) => [plan.id, new Set<string>()]));
  }

  getUsagePlans(input: GetUsagePlansCommandInput): GetUsagePlansCommandOutput {
    const start = input.position ? Number(input.position) : 0;
    const limit = input.limit ?? 25;
    const next = start + limit < this.usagePlans.length ? String(start + limit) : undefined;
    return {
      $metadata: { httpStatusCode: 200 },
      items: this.usagePlans.slice(start, start + limit).map((plan) => ({ ...plan })),
      ...(next ? { position: next } : {}),
    };
  }

  /** The usage plans a key is attached to. */
  plansOf(keyId: string): string[] {
    return [...this.usagePlanKeys].filter(([, keys]) => keys.has(keyId)).map(([plan]) => plan);
  }

  createApiKey(input: CreateApiKeyCommandInput): CreateApiKeyCommandOutput {
    const value = input.value ?? randomBytes(20).toString('hex');
    if (value.length < 20) {
      throw new BadRequestException({
        message: 'API Key value should be at least 20 characters',
        $metadata: metadata,
      });
    }
    const key: FakeApiKey = {
      id: randomBytes(5).toString('hex'),
      name: input.name ?? '',
      value,
      enabled: input.enabled ?? false,
      tags: { ...input.tags },
    };
    this.keys.set(key.id, key);
    return { $metadata: { httpStatusCode: 201 }, ...key, createdDate: new Date() };
  }

  getApiKeys(input: GetApiKeysCommandInput): GetApiKeysCommandOutput {
    // Treated as a prefix match, the looser reading of the API reference, so callers must filter exactly.
    const matching = [...this.keys.values()].filter(
      (k) => !input.nameQuery || k.name.startsWith(input.nameQuery),
    );
    const start = input.position ? Number(input.position) : 0;
    const limit = input.limit ?? 25;
    const page = matching.slice(start, start + limit);
    const next = start + limit < matching.length ? String(start + limit) : undefined;
    return {
      $metadata: { httpStatusCode: 200 },
      items: page.map(({ value, ...rest }) => (input.includeValues ? { ...rest, value } : rest)),
      ...(next ? { position: next } : {}),
    };
  }

  createUsagePlanKey(input: CreateUsagePlanKeyCommandInput): CreateUsagePlanKeyCommandOutput {
    const plan = input.usagePlanId ? this.usagePlanKeys.get(input.usagePlanId) : undefined;
    if (!plan)
      throw new NotFoundException({ message: 'Invalid Usage Plan ID specified', $metadata: metadata });
    const key = input.keyId ? this.keys.get(input.keyId) : undefined;
    if (!key || input.keyType !== 'API_KEY') {
      throw new NotFoundException({ message: 'Invalid API Key identifier specified', $metadata: metadata });
    }
    if (plan.has(key.id)) {
      throw new ConflictException({
        message: `Usage Plan ${input.usagePlanId} cannot be added because API Key ${key.id} already exists in it`,
        $metadata: metadata,
      });
    }
    plan.add(key.id);
    return {
      $metadata: { httpStatusCode: 201 },
      id: key.id,
      type: 'API_KEY',
      name: key.name,
      value: key.value,
    };
  }
}

/** The operations the fakes implement, by SDK command name. */
export type FakeOperation =
  | 'AdminCreateUser'
  | 'AdminGetUser'
  | 'AdminAddUserToGroup'
  | 'CreateApiKey'
  | 'GetApiKeys'
  | 'CreateUsagePlanKey'
  | 'GetUsagePlans';

/** Both fakes, installed; `restore()` puts the real SDK clients back. */
export interface FakeControlPlanes {
  readonly userPool: FakeUserPool;
  readonly apiGateway: FakeApiGateway;
  /** Makes the next call of `operation` throw `error` (before touching state), as a transient AWS fault would. */
  failNext(operation: FakeOperation, error: Error): void;
  /** How many times each operation was called, including failed calls. */
  calls(operation: FakeOperation): number;
  /** Empties both fakes and any pending faults (the installation stays). */
  reset(): void;
  restore(): void;
}

/** Options for `installFakeControlPlanes`. */
export interface FakeControlPlanesOptions {
  readonly userPoolId: string;
  readonly usagePlans: readonly FakeUsagePlan[];
  /** @default ['admin', 'member'] as the stateful stack defines them */
  readonly groups?: readonly string[];
  /** @default ['tenantId', 'role'] as the stateful stack defines them */
  readonly customAttributes?: readonly string[];
}

/**
 * Replaces every CognitoIdentityProviderClient and APIGatewayClient `send` with the fakes. Commands the fakes
 * do not implement reject, so an unexpected SDK call fails the test instead of silently returning nothing.
 */
export function installFakeControlPlanes(options: FakeControlPlanesOptions): FakeControlPlanes {
  const make = () => ({
    userPool: new FakeUserPool(
      options.userPoolId,
      new Set(options.groups ?? ['admin', 'member']),
      new Set(options.customAttributes ?? ['tenantId', 'role']),
    ),
    apiGateway: new FakeApiGateway(options.usagePlans),
  });
  let state = make();
  const faults = new Map<FakeOperation, Error[]>();
  const counts = new Map<FakeOperation, number>();

  function run<T>(operation: FakeOperation, action: () => T): Promise<T> {
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const fault = faults.get(operation)?.shift();
    if (fault) return Promise.reject(fault);
    try {
      return Promise.resolve(action());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  const cognito = mockClient(CognitoIdentityProviderClient);
  cognito.onAnyCommand().rejects(new Error('this Cognito operation is not implemented by FakeUserPool'));
  cognito
    .on(AdminCreateUserCommand)
    .callsFake((input: AdminCreateUserCommandInput) =>
      run('AdminCreateUser', () => state.userPool.adminCreateUser(input)),
    );
  cognito
    .on(AdminGetUserCommand)
    .callsFake((input: AdminGetUserCommandInput) =>
      run('AdminGetUser', () => state.userPool.adminGetUser(input)),
    );
  cognito
    .on(AdminAddUserToGroupCommand)
    .callsFake((input: AdminAddUserToGroupCommandInput) =>
      run('AdminAddUserToGroup', () => state.userPool.adminAddUserToGroup(input)),
    );

  const apiGateway = mockClient(APIGatewayClient);
  apiGateway
    .onAnyCommand()
    .rejects(new Error('this API Gateway operation is not implemented by FakeApiGateway'));
  apiGateway
    .on(CreateApiKeyCommand)
    .callsFake((input: CreateApiKeyCommandInput) =>
      run('CreateApiKey', () => state.apiGateway.createApiKey(input)),
    );
  apiGateway
    .on(GetApiKeysCommand)
    .callsFake((input: GetApiKeysCommandInput) =>
      run('GetApiKeys', () => state.apiGateway.getApiKeys(input)),
    );
  apiGateway
    .on(CreateUsagePlanKeyCommand)
    .callsFake((input: CreateUsagePlanKeyCommandInput) =>
      run('CreateUsagePlanKey', () => state.apiGateway.createUsagePlanKey(input)),
    );
  apiGateway
    .on(GetUsagePlansCommand)
    .callsFake((input: GetUsagePlansCommandInput) =>
      run('GetUsagePlans', () => state.apiGateway.getUsagePlans(input)),
    );

  return {
    get userPool() {
      return state.userPool;
    },
    get apiGateway() {
      return state.apiGateway;
    },
    failNext(operation, error) {
      faults.set(operation, [...(faults.get(operation) ?? []), error]);
    },
    calls: (operation) => counts.get(operation) ?? 0,
    reset() {
      state = make();
      faults.clear();
      counts.clear();
    },
    restore() {
      cognito.restore();
      apiGateway.restore();
    },
  };
}
