import { Readable } from 'node:stream';
import { jobMessagesOfS3Event } from '../../services/job-worker/upload-arrival';
import {
  MAX_LINE_BYTES,
  NotThisFormatError,
  type UploadLine,
  uploadLines,
} from '../../services/job-worker/upload-lines';
import { TENANT_FILES } from '../../shared/tenant-files';

/** A stream delivering `text` in chunks of `size` bytes, so lines straddle chunk boundaries. */
const chunked = (text: string | Buffer, size = 7) => {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return Readable.from(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
      bytes.subarray(i * size, (i + 1) * size),
    ),
  );
};
const all = async (format: 'ndjson' | 'csv', body: Readable): Promise<UploadLine[]> => {
  const lines: UploadLine[] = [];
  for await (const line of uploadLines(format, body)) lines.push(line);
  return lines;
};

describe('NDJSON uploads', () => {
  it('yields each line with its number, across chunk boundaries, CRLF endings and blank lines', async () => {
    const lines = await all('ndjson', chunked('{"a":1}\r\n\n{"b":"ü"}\n{"c":3}'));
    expect(lines).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 3, value: { b: 'ü' } },
      { line: 4, value: { c: 3 } },
    ]);
  });

  it('reports a line that is not a JSON object, and one longer than the limit without buffering it', async () => {
    const long = `{"x":"${'y'.repeat(MAX_LINE_BYTES)}"}`;
    const lines = await all('ndjson', chunked(`{"a":1}\n[1,2]\n${long}\n{"b":2}\n`, 1000));
    expect(lines).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, error: 'not a JSON object' },
      { line: 3, error: `the line is longer than ${MAX_LINE_BYTES} bytes` },
      { line: 4, value: { b: 2 } },
    ]);
  });

  it.each([
    ['a binary file', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x0a]), 'binary'],
    ['a CSV', 'items,note\nMUG-1:1,x\n', 'line 1, the first record, is not a JSON object'],
    ['an empty file', '\n\n', 'no record'],
  ])('refuses %s as not NDJSON', async (_what, file, reason) => {
    await expect(all('ndjson', chunked(file))).rejects.toThrow(NotThisFormatError);
    await expect(all('ndjson', chunked(file))).rejects.toThrow(reason);
  });
});

describe('CSV uploads', () => {
  it('turns rows into orders: items as SKU:QUANTITY;…, an optional note and tenant, quoted cells', async () => {
    const lines = await all('csv', chunked('\uFEFFitems,note,tenantId\nA-1:2; B-2:1,"a, b",\nC-3:x,,t1\n'));
    expect(lines).toEqual([
      {
        line: 2,
        value: {
          items: [
            { sku: 'A-1', quantity: 2 },
            { sku: 'B-2', quantity: 1 },
          ],
          note: 'a, b',
        },
      },
      { line: 3, value: { items: [{ sku: 'C-3', quantity: Number.NaN }], tenantId: 't1' } },
    ]);
  });

  it('reports a row it cannot read and goes on', async () => {
    const lines = await all('csv', chunked('items,note\nA-1:1,one,extra\nA-1:2,two\n'));
    expect(lines[0]).toMatchObject({ line: 2, error: expect.stringContaining('unreadable CSV row') });
    expect(lines[1]).toEqual({ line: 3, value: { items: [{ sku: 'A-1', quantity: 2 }], note: 'two' } });
  });

  it.each([
    ['a header without items', 'sku,quantity\nA-1,1\n', 'header must name items'],
    ['NDJSON', '{"items":[]}\n', 'not an orders CSV'],
    ['a binary file', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), 'binary'],
  ])('refuses %s as not an orders CSV', async (_what, file, reason) => {
    await expect(all('csv', chunked(file))).rejects.toThrow(reason);
  });
});

describe('upload notifications', () => {
  const tenant = 't0123456789abcdef';
  const job = '01J00000000000000000000000';
  const event = (key: string, bucket = 'files', eventName = 'ObjectCreated:Post') => ({
    Records: [{ eventName, s3: { bucket: { name: bucket }, object: { key } } }],
  });

  it('starts the job an upload key names, tenant and job from the key the service fixed', () => {
    expect(jobMessagesOfS3Event(event(TENANT_FILES.upload(tenant, job, 'csv')), 'files')).toEqual([
      { tenantId: tenant, jobId: job },
    ]);
  });

  it.each([
    ['a report', TENANT_FILES.report(tenant, job), 'files'],
    ['a key outside uploads', `tenants/${tenant}/other/${job}.ndjson`, 'files'],
    ['another extension', `tenants/${tenant}/uploads/${job}.xml`, 'files'],
    ['another bucket', TENANT_FILES.upload(tenant, job, 'ndjson'), 'elsewhere'],
    ['a traversal', `tenants/${tenant}/uploads/../../tenants/x/uploads/${job}.ndjson`, 'files'],
  ])('starts nothing for %s', (_what, key, bucket) => {
    expect(jobMessagesOfS3Event(event(key, bucket), 'files')).toEqual([]);
  });

  it("starts nothing for S3's test event, and says a body that is no notification is none", () => {
    expect(jobMessagesOfS3Event({ Event: 's3:TestEvent', Bucket: 'files' }, 'files')).toEqual([]);
    expect(jobMessagesOfS3Event({ hello: 'world' }, 'files')).toBeUndefined();
  });
});
