import * as z from 'zod';
import { UnauthorizedError } from '../../shared/errors';
import { TENANT_ID_PATTERN } from '../../shared/keys/tenant-prefix';
import { roleSchema } from '../../shared/role';

/**
 * What this function reads of a WebSocket event's `requestContext`. `authorizer` is the `$connect` authorizer's
 * context (services/connect-authorizer), which API Gateway repeats on every event of the connection.
 */
const requestContextSchema = z.object({
  routeKey: z.string().min(1),
  connectionId: z.string().min(1).max(128),
  /** Epoch milliseconds of the handshake. */
  connectedAt: z.number().int().positive(),
  requestId: z.string().min(1),
  authorizer: z
    .object({
      tenantId: z.string().regex(TENANT_ID_PATTERN),
      userId: z.string().min(1),
      role: roleSchema,
      tokenExpiresAt: z.string().regex(/^\d+$/).transform(Number),
    })
    .optional(),
});

/** A WebSocket proxy event, as far as this function reads it. */
export interface WebSocketEvent {
  readonly requestContext: unknown;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

/** The connection an event belongs to, and who opened it. */
export interface ConnectionRequest {
  readonly routeKey: string;
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly requestId: string;
  readonly caller: {
    readonly tenantId: string;
    readonly userId: string;
    /** Epoch seconds. */
    readonly tokenExpiresAt: number;
  };
}

/**
 * Reads the event's connection and caller. Every route sits behind the `$connect` authorizer, so a missing or
 * malformed authorizer context is a misconfigured API, answered as unauthorized rather than guessed at.
 */
export function connectionRequest(event: WebSocketEvent): ConnectionRequest {
  const parsed = requestContextSchema.safeParse(event.requestContext);
  if (!parsed.success || parsed.data.authorizer === undefined) {
    throw new UnauthorizedError('the connection has no authorized caller');
  }
  const { authorizer, ...context } = parsed.data;
  return {
    ...context,
    caller: {
      tenantId: authorizer.tenantId,
      userId: authorizer.userId,
      tokenExpiresAt: authorizer.tokenExpiresAt,
    },
  };
}

/** A message's body as text (API Gateway base64-encodes binary frames). */
export function messageText(event: WebSocketEvent): string {
  const body = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
}
