import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One version of a secret or parameter value. */
export interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
  readonly createdDate: number;
  lastChangedDate: number;
  versionId: string;
  value: string;
  /** The previous value's version, kept as AWSPREVIOUS. */
  previousVersionId?: string;
  /** From the template: re-applied on a restart when the template's value changes, else left to the app. */
  readonly fromTemplate: boolean;
  /** The template's literal `SecretString` (generated secrets have none), to notice a changed template. */
  templateValue?: string;
}

/** One SSM parameter. */
export interface StoredParameter {
  readonly name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
  version: number;
  lastModifiedDate: number;
  description?: string;
  templateValue?: string;
}

interface Snapshot {
  readonly secrets: StoredSecret[];
  readonly parameters: StoredParameter[];
}

/**
 * Secrets and parameters in memory, written through to `<dataDir>/store.json` under `--persist` (so a generated
 * secret is generated once and a value put by the app survives a restart). Small data: the whole file is
 * rewritten, atomically, on every change.
 */
export class SecretStore {
  readonly secrets = new Map<string, StoredSecret>();
  readonly parameters = new Map<string, StoredParameter>();
  private readonly file: string | undefined;

  constructor(dataDir: string | undefined) {
    this.file = dataDir ? join(dataDir, 'store.json') : undefined;
    if (this.file && existsSync(this.file)) {
      const snapshot = JSON.parse(readFileSync(this.file, 'utf8')) as Snapshot;
      for (const secret of snapshot.secrets) this.secrets.set(secret.name, secret);
      for (const parameter of snapshot.parameters) this.parameters.set(parameter.name, parameter);
    }
  }

  /** Saves the store, when persisted. */
  save(): void {
    if (!this.file) return;
    mkdirSync(join(this.file, '..'), { recursive: true });
    const snapshot: Snapshot = {
      secrets: [...this.secrets.values()],
      parameters: [...this.parameters.values()],
    };
    writeFileSync(`${this.file}.tmp`, JSON.stringify(snapshot, null, 2));
    renameSync(`${this.file}.tmp`, this.file);
  }

  /** A secret by name, full ARN, or ARN without the six-character suffix (as GetSecretValue accepts them). */
  findSecret(id: string): StoredSecret | undefined {
    const byName = this.secrets.get(id);
    if (byName) return byName;
    for (const secret of this.secrets.values()) {
      if (secret.arn === id || secret.arn.replace(/-[A-Za-z0-9]{6}$/, '') === id) return secret;
    }
    return undefined;
  }

  /** Replaces a secret's value with a new version; the old one becomes AWSPREVIOUS. */
  putSecretValue(secret: StoredSecret, value: string, versionId: string = randomUUID()): void {
    secret.previousVersionId = secret.versionId;
    secret.versionId = versionId;
    secret.value = value;
    secret.lastChangedDate = Date.now() / 1000;
  }
}
