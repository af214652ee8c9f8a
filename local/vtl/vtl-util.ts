/**
 * `$util` of API Gateway mapping templates, with AWS's semantics: escapeJavaScript is Apache Commons Lang's
 * (it escapes `'` as `\'` too, which AWS documents), urlEncode/urlDecode are Java's URLEncoder/URLDecoder
 * (space ↔ `+`), base64 is standard with padding.
 */
export interface VtlUtil {
  escapeJavaScript(value: unknown): string;
  parseJson(value: unknown): unknown;
  toJson(value: unknown): string;
  urlEncode(value: unknown): string;
  urlDecode(value: unknown): string;
  base64Encode(value: unknown): string;
  base64Decode(value: unknown): string;
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

function unicodeEscape(code: number): string {
  return `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\b': '\\b',
  '\n': '\\n',
  '\t': '\\t',
  '\f': '\\f',
  '\r': '\\r',
  "'": "\\'",
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
};

/** Apache Commons Lang 2 `StringEscapeUtils.escapeJavaScript`, the function behind AWS's `$util.escapeJavaScript`. */
export function escapeJavaScript(value: unknown): string {
  let out = '';
  for (const char of text(value)) {
    const simple = SIMPLE_ESCAPES[char];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code > 0x7f) {
      // Java strings are UTF-16: characters outside the BMP become two escaped surrogates.
      for (let i = 0; i < char.length; i += 1) out += unicodeEscape(char.charCodeAt(i));
    } else {
      out += char;
    }
  }
  return out;
}

/** Java `URLEncoder.encode(value, "UTF-8")`: unreserved `A-Za-z0-9.-*_`, space as `+`. */
export function urlEncode(value: unknown): string {
  return encodeURIComponent(text(value))
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Java `URLDecoder.decode(value, "UTF-8")`. */
export function urlDecode(value: unknown): string {
  return decodeURIComponent(text(value).replace(/\+/g, ' '));
}

/** Creates the `$util` object of a mapping template. */
export function createVtlUtil(): VtlUtil {
  return {
    escapeJavaScript,
    parseJson: (value) => JSON.parse(text(value)) as unknown,
    toJson: (value) => JSON.stringify(value ?? null),
    urlEncode,
    urlDecode,
    base64Encode: (value) => Buffer.from(text(value), 'utf8').toString('base64'),
    base64Decode: (value) => Buffer.from(text(value), 'base64').toString('utf8'),
  };
}
