/**
 * Keys of a partner's machine client: the binding of a Cognito app client (client credentials) to the one tenant
 * it posts events for. Keyed by client id, since that is all a client-credentials access token names; written
 * when the client is created, read by the authorizer.
 */
export const partnerClientKeys = {
  binding: (clientId: string) => ({ PK: `PARTNERCLIENT#${clientId}`, SK: 'BINDING' }),
};
