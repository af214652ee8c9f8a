import { randomBytes } from 'node:crypto';

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

/** An unguessable id (128 random bits), for values that act as capabilities, e.g. tracking ids. */
export function secretId(): string {
  return randomBytes(16).toString('base64url');
}

/** A tenant id: generated, fixed length, and from an alphabet without `#`, so it can never prefix another tenant's keys. */
export function tenantId(): string {
  return `t${base32(randomBytes(10)).toLowerCase()}`;
}
