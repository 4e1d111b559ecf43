import type { DbDiffEntry, Json } from '../model/types.ts';

/** JSON with object keys sorted at every level, so equal data gives equal text. */
export function canonicalJson(value: Json | undefined): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

/**
 * A 64-bit hash (two FNV-1a lanes) of the canonical JSON, as 16 hex digits. Not
 * cryptographic: it names states for display and quick comparison; equality decisions
 * compare the canonical text itself.
 */
export function canonicalHash(value: Json | undefined): string {
  const text = canonicalJson(value);
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h1 >>> 7);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** Field-level differences between two JSON values; paths use dots and [i]. */
export function diffJson(expected: Json | undefined, actual: Json | undefined, path = ''): DbDiffEntry[] {
  if (canonicalJson(expected) === canonicalJson(actual)) return [];
  const bothObjects =
    isPlainObject(expected) && isPlainObject(actual);
  const bothArrays = Array.isArray(expected) && Array.isArray(actual);
  if (bothObjects) {
    const e = expected as Record<string, Json>;
    const a = actual as Record<string, Json>;
    const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort();
    return keys.flatMap((k) => diffJson(e[k], a[k], path ? `${path}.${k}` : k));
  }
  if (bothArrays && expected.length === actual.length) {
    return expected.flatMap((v, i) => diffJson(v, actual[i], `${path}[${i}]`));
  }
  return [{ path: path || '(root)', expected, actual }];
}

function isPlainObject(v: Json | undefined): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
