import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AuditRecord, recordAudit } from '../../shared/audit';
import { ConflictError, ForbiddenError, NotFoundError } from '../../shared/errors';
import { logger } from '../../shared/logger';
import type { Principal } from '../../shared/tenant-context';
import type { DirectoryUser } from '../../shared/user-directory';
import type { AuthorizerCache } from './authorizer-cache';
import type { DirectoryPage, DirectoryRepository } from './directory-repository';
import type { UserPool } from './user-pool';
import {
  DEFAULT_PAGE_SIZE,
  type InviteUserRequest,
  type ListUsersQuery,
  type UpdateUserRequest,
  USER_ID_PATTERN,
} from './user-schemas';

/** A tenant user as the API shows it. */
export interface UserView {
  readonly userId: string;
  readonly email: string;
  readonly role: DirectoryUser['role'];
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Who is acting and in which request: the audit trail records both. */
export interface Caller {
  readonly principal: Principal;
  readonly requestId: string;
}

/** What user administration talks to. */
export interface UsersServiceDependencies {
  readonly directory: DirectoryRepository;
  readonly pool: UserPool;
  readonly authorizerCache: AuthorizerCache;
  /** Where the audit trail is written (the single table), with the client of the tenant it is written for. */
  readonly audit: {
    readonly tableName: string;
    readonly clientFor: (tenantId: string) => DynamoDBDocumentClient;
  };
}

function view(user: DirectoryUser): UserView {
  const { userId, email, role, enabled, createdAt, updatedAt } = user;
  return { userId, email, role, enabled, createdAt, updatedAt };
}

/**
 * A tenant admin's management of its own tenant's users. The tenant is always the caller's (from the authorizer);
 * a member is refused with 403, and a user id outside the caller's tenant is simply not in its directory (404).
 * The directory item is changed first (it is what the authorizer reads), then Cognito (sign-in, groups), then the
 * authorizer's cache is flushed so the change reaches tokens already in use; a request that fails half-way is
 * repaired by sending it again.
 */
export function createUsersService({ directory, pool, authorizerCache, audit }: UsersServiceDependencies) {
  function requireAdmin(principal: Principal): void {
    if (principal.role !== 'admin') throw new ForbiddenError("only a tenant's admin manages its users");
  }

  async function record(caller: Caller, entry: Omit<AuditRecord, 'actor' | 'requestId'>): Promise<void> {
    await recordAudit(
      audit.tableName,
      caller.principal.tenantId,
      { ...entry, actor: { kind: 'user', id: caller.principal.userId }, requestId: caller.requestId },
      { client: audit.clientFor(caller.principal.tenantId) },
    );
  }

  async function existing(principal: Principal, userId: string): Promise<DirectoryUser> {
    const user = USER_ID_PATTERN.test(userId) ? await directory.find(principal.tenantId, userId) : undefined;
    if (!user) throw new NotFoundError(`user '${userId}' not found`);
    return user;
  }

  /** `POST /users`: invites a user by e-mail (a temporary password by e-mail; NEW_PASSWORD_REQUIRED at sign-in). */
  async function invite(
    caller: Caller,
    request: InviteUserRequest,
    now: Date = new Date(),
  ): Promise<UserView & { readonly status: string }> {
    requireAdmin(caller.principal);
    const { tenantId } = caller.principal;
    const { user, created } = await pool.invite(tenantId, request.email, request.role);
    // Another tenant's user is not named: only that the address is taken.
    if (user.tenantId !== tenantId)
      throw new ConflictError(`an account with e-mail '${request.email}' already exists`);
    if (!created && (await directory.find(tenantId, user.userId)) !== undefined) {
      throw new ConflictError(`'${request.email}' is already a user of this tenant`);
    }
    // A retry after Cognito created the user keeps the role it was created with (its immutable attribute).
    await pool.moveToGroup(user.userId, request.role, request.role);
    await directory.add(tenantId, { userId: user.userId, email: request.email, role: request.role }, now);
    const added = await existing(caller.principal, user.userId);
    await record(caller, {
      action: 'user.invite',
      target: { type: 'user', id: user.userId },
      details: { email: request.email, role: request.role },
    });
    logger.info('user invited', { userId: user.userId, role: request.role });
    return { ...view(added), status: user.status };
  }

  /** `GET /users`: one page of the tenant's users. */
  async function list(
    caller: Caller,
    query: ListUsersQuery,
  ): Promise<{ items: UserView[]; nextToken?: string }> {
    requireAdmin(caller.principal);
    const page: DirectoryPage = await directory.list(caller.principal.tenantId, {
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      nextToken: query.nextToken,
    });
    return { items: page.items.map(view), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  }

  /** `GET /users/{userId}`. */
  async function get(caller: Caller, userId: string): Promise<UserView> {
    requireAdmin(caller.principal);
    return view(await existing(caller.principal, userId));
  }

  /** `PATCH /users/{userId}`: a new role and/or enabled state; the last enabled admin keeps both (409). */
  async function update(
    caller: Caller,
    userId: string,
    request: UpdateUserRequest,
    now: Date = new Date(),
  ): Promise<UserView> {
    requireAdmin(caller.principal);
    const user = await existing(caller.principal, userId);
    const next = { role: request.role ?? user.role, enabled: request.enabled ?? user.enabled };
    const changed = next.role !== user.role || next.enabled !== user.enabled;
    const updated = changed ? await directory.update(caller.principal.tenantId, user, next, now) : user;
    // Also when nothing changed here: a retry of a request that failed after the directory write repairs Cognito.
    await pool.moveToGroup(userId, next.role, user.role);
    await pool.setEnabled(userId, next.enabled);
    // Also on a retry: a flush that failed after the directory changed must still happen.
    await authorizerCache.flush();
    if (changed) {
      await record(caller, {
        action: 'user.update',
        target: { type: 'user', id: userId },
        details: { from: { role: user.role, enabled: user.enabled }, to: next },
      });
      logger.info('user updated', { userId, ...next });
    }
    return view(updated);
  }

  /**
   * `DELETE /users/{userId}`: the user is deleted from the pool; its old tokens are refused (a tombstone). Deleting
   * a user whose tombstone is still there finishes the deletion again (the pool, the flush) and answers the same:
   * a request that failed after the directory changed is repaired by sending it again.
   */
  async function remove(caller: Caller, userId: string, now: Date = new Date()): Promise<void> {
    requireAdmin(caller.principal);
    const { tenantId } = caller.principal;
    const user = USER_ID_PATTERN.test(userId)
      ? await directory.findWithTombstone(tenantId, userId)
      : undefined;
    if (!user) throw new NotFoundError(`user '${userId}' not found`);
    const deletedBefore = user.deletedAt !== undefined;
    if (!deletedBefore) await directory.remove(tenantId, user, now);
    await pool.remove(userId);
    await authorizerCache.flush();
    if (deletedBefore) return;
    await record(caller, {
      action: 'user.delete',
      target: { type: 'user', id: userId },
      details: { email: user.email, role: user.role },
    });
    logger.info('user deleted', { userId });
  }

  return { invite, list, get, update, remove };
}

/** User administration bound to its adapters. */
export type UsersService = ReturnType<typeof createUsersService>;
