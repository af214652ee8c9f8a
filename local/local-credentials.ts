/** Credentials of the local cloud: what SigV4 callers sign with, and what functions receive. */
export const LOCAL_CREDENTIALS = {
  accessKeyId: 'AKIALOCALCLOUD000001',
  secretAccessKey: 'local-cloud-secret-access-key-not-a-real-secret',
} as const;
