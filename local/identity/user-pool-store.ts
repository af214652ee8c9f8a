import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CognitoError, invalidParameter, notAuthorized, userNotFound } from './cognito-error';
import { generateSigningKey, type SigningKey } from './signing-key';
import type { UserPoolDefinition } from './user-pool-definitions';

/** Cognito's user statuses that the local issuer uses. */
export type UserStatus = 'FORCE_CHANGE_PASSWORD' | 'CONFIRMED' | 'UNCONFIRMED';

/** One user of a local pool. */
export interface StoredUser {
  /** The name Cognito knows the user by (the `sub` when the pool signs in by email/phone). */
  readonly username: string;
  readonly sub: string;
  /** Every attribute but `sub`, by full name (`email`, `custom:tenantId`). */
  attributes: Record<string, string>;
  groups: string[];
  password: string;
  status: UserStatus;
  enabled: boolean;
  readonly createdAt: number;
  modifiedAt: number;
}

/** A name/value pair as the Cognito API carries attributes. */
export interface AttributeType {
  readonly Name: string;
  readonly Value?: string;
}

/** An app client created through the API (CreateUserPoolClient), kept with the pool's users. */
export interface StoredClient {
  readonly clientId: string;
  readonly clientSecret?: string;
  /** As CreateUserPoolClient received them (ClientName, AllowedOAuthFlows, ...). */
  readonly properties: Record<string, unknown>;
  readonly createdAt: number;
}

interface PersistedPool {
  readonly signingKey: SigningKey;
  readonly users: StoredUser[];
  readonly clients?: StoredClient[];
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** The attributes ListUsers can filter on (Cognito's list; custom attributes are not searchable). */
const SEARCHABLE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'username',
  'email',
  'phone_number',
  'name',
  'given_name',
  'family_name',
  'preferred_username',
  'cognito:user_status',
  'status',
  'sub',
]);

function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Users and signing key of one user pool. With a data dir both survive restarts in
 * `<dataDir>/<userPoolId>.json`; without one they live in memory.
 */
export class UserPoolStore {
  readonly signingKey: SigningKey;
  private readonly users: StoredUser[];
  private readonly createdClients: StoredClient[];
  private readonly file?: string;

  constructor(
    public definition: UserPoolDefinition,
    dataDir?: string,
  ) {
    this.file = dataDir === undefined ? undefined : join(dataDir, `${definition.userPoolId}.json`);
    const persisted =
      this.file !== undefined && existsSync(this.file)
        ? (JSON.parse(readFileSync(this.file, 'utf8')) as PersistedPool)
        : undefined;
    this.signingKey = persisted?.signingKey ?? generateSigningKey();
    this.users = persisted?.users ?? [];
    this.createdClients = persisted?.clients ?? [];
    if (persisted === undefined) this.save();
  }

  /** The clients created through the API (template clients are not stored: the template declares them). */
  storedClients(): readonly StoredClient[] {
    return [...this.createdClients];
  }

  /** Keeps a client created through CreateUserPoolClient. */
  addClient(client: StoredClient): void {
    this.createdClients.push(client);
    this.save();
  }

  /** Forgets a client created through the API; false when it is not one. */
  deleteClient(clientId: string): boolean {
    const index = this.createdClients.findIndex((client) => client.clientId === clientId);
    if (index < 0) return false;
    this.createdClients.splice(index, 1);
    this.save();
    return true;
  }

  /** Finds a user by user name, or by email/phone when the pool allows signing in with them. */
  findUser(name: string): StoredUser | undefined {
    const byName = this.users.find((user) => user.username === name);
    if (byName !== undefined) return byName;
    const signInAttributes = [...this.definition.usernameAttributes, ...this.definition.aliasAttributes];
    return this.users.find((user) =>
      signInAttributes.some(
        (attribute) => user.attributes[attribute] !== undefined && user.attributes[attribute] === name,
      ),
    );
  }

  /** Finds a user by its immutable `sub`. */
  findBySub(sub: string): StoredUser | undefined {
    return this.users.find((user) => user.sub === sub);
  }

  /** Like `findUser`, but answers UserNotFoundException as Cognito does. */
  requireUser(name: string): StoredUser {
    const user = this.findUser(name);
    if (user === undefined) throw userNotFound();
    return user;
  }

  /** Every user, optionally narrowed by a ListUsers filter (`attr = "v"` or `attr ^= "v"`). */
  listUsers(filter?: string): StoredUser[] {
    if (filter === undefined || filter.trim() === '') return [...this.users];
    const match = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(filter);
    if (match === null) throw invalidParameter(`Error while parsing filter.`);
    const [, attribute = '', operator, value = ''] = match;
    if (!SEARCHABLE_ATTRIBUTES.has(attribute)) {
      // Cognito searches a fixed set of standard attributes; custom ones cannot be filtered on.
      throw invalidParameter(`Invalid search attribute: ${attribute}`);
    }
    const read = (user: StoredUser) =>
      attribute === 'username'
        ? user.username
        : attribute === 'sub'
          ? user.sub
          : attribute === 'status'
            ? user.enabled
              ? 'Enabled'
              : 'Disabled'
            : attribute === 'cognito:user_status'
              ? user.status
              : user.attributes[attribute];
    return this.users.filter((user) => {
      const actual = read(user);
      if (actual === undefined) return false;
      return operator === '=' ? actual === value : actual.startsWith(value);
    });
  }

  /** AdminCreateUser: a new user in FORCE_CHANGE_PASSWORD with a temporary password. */
  createUser(input: {
    username: string;
    attributes: readonly AttributeType[];
    temporaryPassword?: string;
    /** SignUp: the user's own password, and the user UNCONFIRMED until the code is confirmed. */
    selfSignUp?: boolean;
  }): StoredUser {
    const attributes = this.checkedAttributes(input.attributes, undefined);
    let username = input.username;
    const signsInByEmail = this.definition.usernameAttributes.includes('email');
    const signsInByPhone = this.definition.usernameAttributes.includes('phone_number');
    const sub = randomUUID();
    if (signsInByEmail || signsInByPhone) {
      // Such pools take the email/phone as the sign-in name and give the user an opaque user name.
      const isEmail = EMAIL.test(username);
      if (signsInByEmail && isEmail) attributes.email ??= username;
      else if (signsInByPhone && /^\+\d+$/.test(username)) attributes.phone_number ??= username;
      else
        throw invalidParameter(
          signsInByEmail ? 'Username should be an email.' : 'Username should be a phone number.',
        );
      username = sub;
    }
    if (
      this.findUser(input.username) !== undefined ||
      this.users.some((user) => user.username === username)
    ) {
      throw new CognitoError(
        'UsernameExistsException',
        signsInByEmail ? 'An account with the given email already exists.' : 'User account already exists',
      );
    }
    for (const definition of this.definition.attributes.values()) {
      if (definition.required && attributes[definition.name] === undefined) {
        throw invalidParameter(
          `Attributes did not conform to the schema: ${definition.name}: The attribute is required`,
        );
      }
    }
    const password = input.temporaryPassword ?? this.generatedPassword();
    this.checkPassword(password);
    const now = epochSeconds();
    const user: StoredUser = {
      username,
      sub,
      attributes,
      groups: [],
      password,
      status: input.selfSignUp === true ? 'UNCONFIRMED' : 'FORCE_CHANGE_PASSWORD',
      enabled: true,
      createdAt: now,
      modifiedAt: now,
    };
    this.users.push(user);
    this.save();
    return user;
  }

  /** AdminUpdateUserAttributes: immutable attributes that already have a value cannot change. */
  updateAttributes(name: string, attributes: readonly AttributeType[]): StoredUser {
    const user = this.requireUser(name);
    const checked = this.checkedAttributes(attributes, user);
    Object.assign(user.attributes, checked);
    user.modifiedAt = epochSeconds();
    this.save();
    return user;
  }

  /** AdminSetUserPassword: permanent → CONFIRMED, otherwise a new temporary password. */
  setPassword(name: string, password: string, permanent: boolean): void {
    const user = this.requireUser(name);
    this.checkPassword(password);
    user.password = password;
    user.status = permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
    user.modifiedAt = epochSeconds();
    this.save();
  }

  /** ConfirmSignUp / AdminConfirmSignUp: an UNCONFIRMED user becomes CONFIRMED. */
  confirm(name: string): void {
    const user = this.requireUser(name);
    if (user.status === 'UNCONFIRMED') user.status = 'CONFIRMED';
    user.modifiedAt = epochSeconds();
    this.save();
  }

  /** AdminAddUserToGroup: the group must be declared in the template. */
  addToGroup(name: string, groupName: string): void {
    const user = this.requireUser(name);
    if (!this.definition.groups.has(groupName)) {
      throw new CognitoError('ResourceNotFoundException', 'Group not found.');
    }
    if (!user.groups.includes(groupName)) user.groups.push(groupName);
    this.save();
  }

  /** AdminRemoveUserFromGroup: removing a group the user is not in is no error, as in Cognito. */
  removeFromGroup(name: string, groupName: string): void {
    const user = this.requireUser(name);
    if (!this.definition.groups.has(groupName)) {
      throw new CognitoError('ResourceNotFoundException', 'Group not found.');
    }
    user.groups = user.groups.filter((group) => group !== groupName);
    this.save();
  }

  /**
   * AdminDisableUser / AdminEnableUser. A disabled user cannot sign in or refresh; tokens already issued stay
   * valid until they expire, as in Cognito (resource servers that must refuse them at once ask AdminGetUser).
   */
  setEnabled(name: string, enabled: boolean): void {
    const user = this.requireUser(name);
    user.enabled = enabled;
    user.modifiedAt = epochSeconds();
    this.save();
  }

  /** AdminDeleteUser. */
  deleteUser(name: string): void {
    const user = this.requireUser(name);
    this.users.splice(this.users.indexOf(user), 1);
    this.save();
  }

  /** Checks USER_PASSWORD_AUTH credentials; a disabled user or a wrong password is NotAuthorized. */
  authenticate(name: string, password: string): StoredUser {
    const user = this.findUser(name);
    if (user === undefined || !sameSecret(user.password, password)) throw notAuthorized();
    if (!user.enabled) throw notAuthorized('User is disabled.');
    return user;
  }

  /** Rejects a password the pool's policy would reject. */
  checkPassword(password: string): void {
    const policy = this.definition.passwordPolicy;
    const problems: string[] = [];
    if (password.length < policy.minimumLength) problems.push('Password not long enough');
    if (policy.requireLowercase && !/[a-z]/.test(password))
      problems.push('Password must have lowercase characters');
    if (policy.requireUppercase && !/[A-Z]/.test(password))
      problems.push('Password must have uppercase characters');
    if (policy.requireNumbers && !/\d/.test(password)) problems.push('Password must have numeric characters');
    if (policy.requireSymbols && !/[^a-zA-Z0-9\s]/.test(password))
      problems.push('Password must have symbol characters');
    if (problems.length > 0) {
      throw new CognitoError(
        'InvalidPasswordException',
        `Password does not conform to policy: ${problems[0]}`,
      );
    }
  }

  /** Writes the pool to its file (atomically), when a data dir is set. */
  save(): void {
    if (this.file === undefined) return;
    mkdirSync(join(this.file, '..'), { recursive: true });
    const persisted: PersistedPool = {
      signingKey: this.signingKey,
      users: this.users,
      clients: this.createdClients,
    };
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, JSON.stringify(persisted, null, 2), { mode: 0o600 });
    renameSync(temporary, this.file);
  }

  private generatedPassword(): string {
    // Meets any policy Cognito allows: all four character classes, and long enough.
    return `Aa1!${randomBytes(24).toString('base64url')}`;
  }

  private checkedAttributes(attributes: readonly AttributeType[], existing: StoredUser | undefined) {
    const checked: Record<string, string> = {};
    for (const { Name, Value } of attributes) {
      if (Name === 'sub') throw invalidParameter('Cannot modify the non-mutable attribute sub');
      const definition = this.definition.attributes.get(Name);
      if (definition === undefined) {
        throw invalidParameter(
          `Attributes did not conform to the schema: Type for attribute {${Name}} could not be determined`,
        );
      }
      const value = Value ?? '';
      if (definition.maxLength !== undefined && value.length > definition.maxLength) {
        throw invalidParameter(
          `Attributes did not conform to the schema: ${Name}: String must be no longer than ${definition.maxLength} characters`,
        );
      }
      if (definition.minLength !== undefined && value.length < definition.minLength) {
        throw invalidParameter(
          `Attributes did not conform to the schema: ${Name}: String must be no shorter than ${definition.minLength} characters`,
        );
      }
      if (existing !== undefined && !definition.mutable && existing.attributes[Name] !== undefined) {
        throw invalidParameter(`Cannot modify an already provided immutable attribute: ${Name}`);
      }
      checked[Name] = value;
    }
    return checked;
  }
}
