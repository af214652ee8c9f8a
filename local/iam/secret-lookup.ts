import type { IamAuthority } from './call-authority';

/**
 * The secrets the gateways' SigV4 checks accept: the local credentials' and, given the IAM authority, every
 * function's and AssumeRole session's (so a function signs `@connections` or an AWS_IAM route with its own role).
 */
export function secretLookup(
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string },
  iam: IamAuthority | undefined,
): (accessKeyId: string) => string | undefined {
  return (accessKeyId) =>
    accessKeyId === credentials.accessKeyId ? credentials.secretAccessKey : iam?.secretOf(accessKeyId);
}
