import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { UploadFormat } from '../../shared/tenant-files';

/** The longest line (or CSV record) read: an order is at most 16 KB of JSON; anything longer is a line error. */
export const MAX_LINE_BYTES = 16 * 1024;

/** One record of an upload: its 1-based line number and either the value it holds or why it holds none. */
export type UploadLine =
  | { readonly line: number; readonly value: unknown }
  | { readonly line: number; readonly error: string };

/** The file is not of its format at all (binary, or not a single record of it): the whole import fails. */
export class NotThisFormatError extends Error {}

const NUL = 0;
const NEWLINE = 0x0a;

/**
 * The lines of an NDJSON stream, parsed one at a time: the stream is never held whole, and a line longer than
 * MAX_LINE_BYTES is skipped (reported, not buffered). Blank lines are skipped silently; CRLF endings are accepted.
 * A NUL byte in the first chunk, or a first non-blank line that is not a JSON object, means the file is not NDJSON.
 */
async function* ndjsonLines(body: Readable): AsyncGenerator<UploadLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let line = 0;
  let first = true;
  let sawRecord = false;
  const finish = (bytes: Buffer): UploadLine | undefined => {
    line += 1;
    if (tooLong) {
      tooLong = false;
      return { line, error: `the line is longer than ${MAX_LINE_BYTES} bytes` };
    }
    const text = bytes.toString('utf8').replace(/\r$/, '');
    if (text.trim() === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (!sawRecord && !isObject) {
      throw new NotThisFormatError(`not NDJSON: line ${line}, the first record, is not a JSON object`);
    }
    sawRecord = true;
    return isObject ? { line, value } : { line, error: 'not a JSON object' };
  };
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (first && chunk.includes(NUL)) throw new NotThisFormatError('not NDJSON: the file is binary');
    first = false;
    let start = 0;
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, at);
      const whole = pending.length > 0 ? Buffer.concat([...pending, piece]) : piece;
      if (whole.length > MAX_LINE_BYTES) tooLong = true;
      pending = [];
      pendingBytes = 0;
      const record = finish(tooLong ? Buffer.alloc(0) : whole);
      if (record) yield record;
      start = at + 1;
    }
    const rest = chunk.subarray(start);
    if (!tooLong) {
      pendingBytes += rest.length;
      if (pendingBytes > MAX_LINE_BYTES) {
        tooLong = true;
        pending = [];
        pendingBytes = 0;
      } else if (rest.length > 0) {
        pending.push(Buffer.from(rest));
      }
    }
  }
  if (pending.length > 0 || tooLong) {
    const record = finish(Buffer.concat(pending));
    if (record) yield record;
  }
  if (!sawRecord) throw new NotThisFormatError('not NDJSON: the file has no record');
}

/** The columns an orders CSV may have; `items` is required, as `SKU:QUANTITY` pairs separated by `;`. */
const CSV_COLUMNS = ['items', 'note', 'tenantId'] as const;

/** A CSV row as an order: `items` `A-1:2;B-2:1` → `[{sku: 'A-1', quantity: 2}, …]`; empty cells are absent. */
function orderOfRow(row: Record<string, string>): unknown {
  const items = (row.items ?? '')
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.lastIndexOf(':');
      const quantity = at === -1 ? Number.NaN : Number(pair.slice(at + 1));
      return { sku: at === -1 ? pair : pair.slice(0, at), quantity };
    });
  return {
    items,
    ...(row.note ? { note: row.note } : {}),
    ...(row.tenantId ? { tenantId: row.tenantId } : {}),
  };
}

/**
 * The rows of an orders CSV (header `items[,note][,tenantId]`), parsed by csv-parse as a stream: a row csv-parse
 * cannot read (an unclosed quote, a wrong number of cells, a record over MAX_LINE_BYTES) is a line error and the
 * file goes on. A binary file or a header without `items` (or with an unknown column) is not an orders CSV.
 */
async function* csvLines(body: Readable): AsyncGenerator<UploadLine> {
  const skipped: UploadLine[] = [];
  let headerError: string | undefined;
  const parser = parse({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    max_record_size: MAX_LINE_BYTES,
    skip_records_with_error: true,
    info: true,
    columns: (header: string[]) => {
      const unknown = header.filter((name) => !(CSV_COLUMNS as readonly string[]).includes(name));
      if (!header.includes('items') || unknown.length > 0) {
        headerError = `not an orders CSV: the header must name items and may name ${CSV_COLUMNS.slice(1).join(', ')} (found ${header.slice(0, 5).join(',').slice(0, 80)})`;
        return header.map(() => false);
      }
      return header;
    },
  });
  parser.on('skip', (error: Error & { lines?: number }) => {
    skipped.push({ line: error.lines ?? 0, error: `unreadable CSV row: ${error.message.slice(0, 200)}` });
  });
  let first = true;
  body.on('data', (chunk: Buffer) => {
    if (first && chunk.includes(NUL)) body.destroy(new NotThisFormatError('not CSV: the file is binary'));
    first = false;
  });
  body.on('error', (error) => parser.destroy(error));
  body.pipe(parser);
  let sawRow = false;
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    if (headerError) throw new NotThisFormatError(headerError);
    while (skipped.length > 0) yield skipped.shift() as UploadLine;
    sawRow = true;
    yield { line: info.lines, value: orderOfRow(record) };
  }
  if (headerError) throw new NotThisFormatError(headerError);
  while (skipped.length > 0) yield skipped.shift() as UploadLine;
  if (!sawRow) throw new NotThisFormatError('not an orders CSV: the file has no row');
}

const READERS: Record<UploadFormat, (body: Readable) => AsyncGenerator<UploadLine>> = {
  ndjson: ndjsonLines,
  csv: csvLines,
};

/** The records of an upload in `format`, one at a time, as the stream delivers them. */
export function uploadLines(format: UploadFormat, body: Readable): AsyncGenerator<UploadLine> {
  return READERS[format](body);
}
