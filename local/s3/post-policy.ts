import * as z from 'zod';
import {
  amzDateMs,
  hmacHex,
  type SecretLookup,
  sameSignature,
  signatureMismatch,
  signingKey,
} from './presigned-url';
import { accessDenied, S3Error } from './s3-errors';

/** A browser-based upload (`POST /<bucket>` as `multipart/form-data`), as the policy check sees it. */
export interface PostUpload {
  readonly bucket: string;
  /** Every form field but the file, names lowercased (S3 matches them case-insensitively). */
  readonly fields: ReadonlyMap<string, string>;
  /** Size of the file field's content, in bytes. */
  readonly fileSize: number;
  /** The file's name as the browser gave it (`${filename}` in the key). */
  readonly fileName: string;
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: S3's own placeholder in a POST's key, not a template.
const FILENAME = '${filename}';

/** Fields no policy condition needs to cover (S3's exceptions). */
const EXEMPT_FIELDS = new Set(['policy', 'x-amz-signature', 'file', 'awsaccesskeyid', 'signature']);

const policyDocument = z.object({
  expiration: z.string(),
  conditions: z.array(z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())])),
});

type Condition =
  | {
      readonly kind: 'eq' | 'starts-with';
      readonly field: string;
      readonly value: string;
      readonly text: string;
    }
  | { readonly kind: 'content-length-range'; readonly min: number; readonly max: number };

function invalidPolicy(reason: string): S3Error {
  return new S3Error(400, 'InvalidPolicyDocument', `Invalid Policy: ${reason}`);
}

function conditionOf(raw: Record<string, unknown> | unknown[]): Condition {
  if (!Array.isArray(raw)) {
    const entries = Object.entries(raw);
    const [name, value] = entries[0] ?? [];
    if (entries.length !== 1 || name === undefined || typeof value !== 'string') {
      throw invalidPolicy(
        `Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.`,
      );
    }
    return { kind: 'eq', field: name.toLowerCase(), value, text: JSON.stringify(raw) };
  }
  const [operator, first, second] = raw;
  const op = String(operator).toLowerCase();
  if (op === 'content-length-range') {
    const min = Number(first);
    const max = Number(second);
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) {
      throw invalidPolicy('Invalid content-length-range condition: min and max must be integers, min ≤ max.');
    }
    return { kind: op, min, max };
  }
  if ((op === 'eq' || op === 'starts-with') && typeof first === 'string' && first.startsWith('$')) {
    if (typeof second !== 'string')
      throw invalidPolicy(`Invalid ${op} condition: the value must be a string.`);
    return { kind: op, field: first.slice(1).toLowerCase(), value: second, text: JSON.stringify(raw) };
  }
  throw invalidPolicy(`Invalid Condition: ${JSON.stringify(raw)}`);
}

function holds(condition: Condition & { kind: 'eq' | 'starts-with' }, actual: string): boolean {
  if (condition.kind === 'eq') return actual === condition.value;
  // A Content-Type field may list several types; each must start with the prefix.
  const values = condition.field === 'content-type' ? actual.split(',').map((v) => v.trim()) : [actual];
  return values.every((v) => v.startsWith(condition.value));
}

/**
 * Checks a POST upload as S3 does: the SigV4 signature over the base64 policy (`x-amz-signature` with
 * `x-amz-credential` and `x-amz-date`), the policy's `expiration`, every condition (`eq` / `{field: value}`,
 * `starts-with`, `content-length-range` on the file's size; field names case-insensitive, `$bucket` being the
 * bucket posted to), and that no form field is left uncovered by a condition (`x-ignore-*` and the signature
 * fields aside). Resolves to the object key (`${filename}` replaced); throws S3's error otherwise.
 */
export function verifyPostPolicy(upload: PostUpload, secretOf: SecretLookup, now = Date.now()): string {
  const { fields } = upload;
  const policy = fields.get('policy');
  if (policy === undefined) throw accessDenied(); // an anonymous upload to a private bucket
  const credential = fields.get('x-amz-credential') ?? '';
  const algorithm = fields.get('x-amz-algorithm');
  const signature = fields.get('x-amz-signature') ?? '';
  if (algorithm !== 'AWS4-HMAC-SHA256' || !credential || !signature || !fields.get('x-amz-date')) {
    throw new S3Error(
      400,
      'InvalidRequest',
      'POST requires the x-amz-algorithm (AWS4-HMAC-SHA256), x-amz-credential, x-amz-date and x-amz-signature fields with a policy',
    );
  }
  const [accessKeyId = '', day = '', region = '', service = ''] = credential.split('/');
  const secret = secretOf(accessKeyId);
  if (secret === undefined) {
    throw new S3Error(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
      {
        AWSAccessKeyId: accessKeyId,
      },
    );
  }
  if (!sameSignature(hmacHex(signingKey(secret, day, region, service), policy), signature)) {
    throw signatureMismatch(accessKeyId, signature);
  }

  let document: z.infer<typeof policyDocument>;
  try {
    document = policyDocument.parse(JSON.parse(Buffer.from(policy, 'base64').toString('utf8')));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  const expiration = Date.parse(document.expiration);
  if (Number.isNaN(expiration)) throw invalidPolicy("Invalid 'expiration' value: must be an ISO 8601 date.");
  if (now > expiration)
    throw new S3Error(403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');
  if (Number.isNaN(amzDateMs(fields.get('x-amz-date') ?? ''))) {
    throw new S3Error(400, 'InvalidRequest', 'The x-amz-date field must be in the form yyyyMMddTHHmmssZ');
  }

  const key = fields.get('key');
  if (key === undefined) {
    throw new S3Error(
      400,
      'InvalidArgument',
      "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
      {
        ArgumentName: 'key',
        ArgumentValue: '',
      },
    );
  }
  const conditions = document.conditions.map(conditionOf);
  const covered = new Set<string>(['bucket']);
  const fieldValue = (field: string) => (field === 'bucket' ? upload.bucket : (fields.get(field) ?? ''));
  for (const condition of conditions) {
    if (condition.kind === 'content-length-range') {
      if (upload.fileSize > condition.max) {
        throw new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
          ProposedSize: String(upload.fileSize),
          MaxSizeAllowed: String(condition.max),
        });
      }
      if (upload.fileSize < condition.min) {
        throw new S3Error(
          400,
          'EntityTooSmall',
          'Your proposed upload is smaller than the minimum allowed size',
          {
            ProposedSize: String(upload.fileSize),
            MinSizeAllowed: String(condition.min),
          },
        );
      }
      continue;
    }
    covered.add(condition.field);
    if (!holds(condition, fieldValue(condition.field))) {
      throw new S3Error(
        403,
        'AccessDenied',
        `Invalid according to Policy: Policy Condition failed: ${condition.text}`,
      );
    }
  }
  const extra = [...fields.keys()].filter(
    (name) => !EXEMPT_FIELDS.has(name) && !name.startsWith('x-ignore-') && !covered.has(name),
  );
  if (extra.length > 0) {
    throw new S3Error(
      403,
      'AccessDenied',
      `Invalid according to Policy: Extra input fields: ${extra.join(', ')}`,
    );
  }
  return key.replaceAll(FILENAME, upload.fileName);
}
