import { createHash, randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += CROCKFORD[(value << (5 - bits)) & 31];
  return out;
}

/**
 * A time-sortable id (48-bit millisecond timestamp + 80 random bits, Crockford base32), so
 * a Query on the sort key lists newest first without a separate timestamp index.
 */
export function sortableId(now = Date.now()): string {
  const time = Buffer.alloc(6);
  time.writeUIntBE(now, 0, 6);
  return base32(time) + base32(randomBytes(10));
}

/**
 * A `sortableId` whose random part is derived from `seed`: the same time and seed always give the same id, so
 * a retried step (an import's n-th order of a job) names the same item and a conditional write can refuse it.
 */
export function deterministicSortableId(now: number, seed: string): string {
  const time = Buffer.alloc(6);
  time.writeUIntBE(now, 0, 6);
  return base32(time) + base32(createHash('sha256').update(seed).digest().subarray(0, 10));
}

/** The least and greatest `sortableId` of millisecond `at`, for key ranges over time-sortable ids. */
export function sortableIdBounds(at: number): { readonly lowest: string; readonly highest: string } {
  const time = Buffer.alloc(6);
  time.writeUIntBE(at, 0, 6);
  const prefix = base32(time);
  return { lowest: `${prefix}${'0'.repeat(16)}`, highest: `${prefix}${'Z'.repeat(16)}` };
}

/** An unguessable id (128 random bits), for values that act as capabilities, e.g. tracking ids. */
export function secretId(): string {
  return randomBytes(16).toString('base64url');
}

/** A tenant id: generated, fixed length, and from an alphabet without `#`, so it can never prefix another tenant's keys. */
export function tenantId(): string {
  return `t${base32(randomBytes(10)).toLowerCase()}`;
}
