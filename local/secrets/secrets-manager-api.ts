import { randomUUID } from 'node:crypto';
import { JsonApiError, type JsonOperation, requiredString } from '../json-api-server';
import { deterministicId } from '../template/physical-ids';
import { generateSecretString, generateSecretStringSchema } from './generate-secret';
import type { SecretStore, StoredSecret } from './secret-store';

const NOT_FOUND = "Secrets Manager can't find the specified secret.";

function secretOf(store: SecretStore, input: Record<string, unknown>): StoredSecret {
  const id = requiredString(input, 'SecretId');
  const secret = store.findSecret(id);
  if (!secret) throw new JsonApiError('ResourceNotFoundException', NOT_FOUND);
  return secret;
}

function stagesOf(secret: StoredSecret): Record<string, string[]> {
  return {
    [secret.versionId]: ['AWSCURRENT'],
    ...(secret.previousVersionId ? { [secret.previousVersionId]: ['AWSPREVIOUS'] } : {}),
  };
}

/**
 * The Secrets Manager operations served locally (JSON protocol, target prefix `secretsmanager`): GetSecretValue
 * (AWSCURRENT, or AWSPREVIOUS by `VersionStage`), PutSecretValue, CreateSecret, DescribeSecret, ListSecrets,
 * GetRandomPassword. SecretBinary is not served (a 400 names it).
 */
export function secretsManagerApi(
  store: SecretStore,
  arnOf: (name: string) => string,
): Record<string, JsonOperation> {
  return {
    GetSecretValue(input) {
      const secret = secretOf(store, input);
      const stage = input.VersionStage ?? (input.VersionId === undefined ? 'AWSCURRENT' : undefined);
      const previous =
        stage === 'AWSPREVIOUS' ||
        (input.VersionId !== undefined && input.VersionId === secret.previousVersionId);
      if (previous) {
        throw new JsonApiError(
          'ResourceNotFoundException',
          `${NOT_FOUND} (previous versions are not kept locally)`,
        );
      }
      if (input.VersionId !== undefined && input.VersionId !== secret.versionId) {
        throw new JsonApiError('ResourceNotFoundException', NOT_FOUND);
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: secret.versionId,
        SecretString: secret.value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: secret.lastChangedDate,
      };
    },
    PutSecretValue(input) {
      const secret = secretOf(store, input);
      if (input.SecretBinary !== undefined) {
        throw new JsonApiError(
          'InvalidParameterException',
          'SecretBinary is not served locally: use SecretString',
        );
      }
      const value = requiredString(input, 'SecretString');
      store.putSecretValue(
        secret,
        value,
        typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : randomUUID(),
      );
      store.save();
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: secret.versionId,
        VersionStages: ['AWSCURRENT'],
      };
    },
    CreateSecret(input) {
      const name = requiredString(input, 'Name');
      if (store.secrets.has(name)) {
        throw new JsonApiError(
          'ResourceExistsException',
          `The operation failed because the secret ${name} already exists.`,
        );
      }
      if (input.SecretBinary !== undefined) {
        throw new JsonApiError(
          'InvalidParameterException',
          'SecretBinary is not served locally: use SecretString',
        );
      }
      const now = Date.now() / 1000;
      const secret: StoredSecret = {
        arn: arnOf(name),
        name,
        ...(typeof input.Description === 'string' ? { description: input.Description } : {}),
        createdDate: now,
        lastChangedDate: now,
        versionId: typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : randomUUID(),
        value: typeof input.SecretString === 'string' ? input.SecretString : '',
        fromTemplate: false,
      };
      store.secrets.set(name, secret);
      store.save();
      return { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId };
    },
    DescribeSecret(input) {
      const secret = secretOf(store, input);
      return {
        ARN: secret.arn,
        Name: secret.name,
        ...(secret.description ? { Description: secret.description } : {}),
        CreatedDate: secret.createdDate,
        LastChangedDate: secret.lastChangedDate,
        VersionIdsToStages: stagesOf(secret),
      };
    },
    ListSecrets() {
      return {
        SecretList: [...store.secrets.values()].map((secret) => ({
          ARN: secret.arn,
          Name: secret.name,
          ...(secret.description ? { Description: secret.description } : {}),
          CreatedDate: secret.createdDate,
          LastChangedDate: secret.lastChangedDate,
          SecretVersionsToStages: stagesOf(secret),
        })),
      };
    },
    GetRandomPassword(input) {
      const parsed = generateSecretStringSchema.safeParse(input);
      if (!parsed.success) throw new JsonApiError('InvalidParameterException', parsed.error.message);
      const { SecretStringTemplate: _t, GenerateStringKey: _k, ...options } = parsed.data;
      try {
        return { RandomPassword: generateSecretString(options) };
      } catch (error) {
        throw new JsonApiError('InvalidParameterException', String((error as Error).message));
      }
    },
  };
}

/** The ARN of a secret the app creates: `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 chars>`. */
export function secretArn(region: string, account: string, name: string): string {
  return `arn:aws:secretsmanager:${region}:${account}:secret:${name}-${deterministicId(name, 6)}`;
}
