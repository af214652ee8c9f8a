/**
 * The OAuth scope a partner's machine client (client credentials) needs to post events: resource server `events`,
 * scope `write`, so tokens carry `events/write`. Infra declares it; the authorizer requires it.
 */
export const PARTNER_SCOPE = {
  resourceServer: 'events',
  scopeName: 'write',
  fullName: 'events/write',
} as const;
