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
  return hashCanonicalText(canonicalJson(value));
}

/** `canonicalHash` of a value whose canonical JSON is already at hand (saves serialising it again). */
export function hashCanonicalText(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h1 >>> 7);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/**
 * Field-level differences between two JSON values; paths use dots and [i]. One walk over both
 * values: equal subtrees give no entries (comparing each level's canonical text instead
 * serialised a 2.8 MB database once per level of depth, twice).
 */
export function diffJson(expected: Json | undefined, actual: Json | undefined, path = ''): DbDiffEntry[] {
  const out: DbDiffEntry[] = [];
  diffInto(expected, actual, path, out);
  return out;
}

function diffInto(expected: Json | undefined, actual: Json | undefined, path: string, out: DbDiffEntry[]): void {
  if (expected === actual) return;
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const e = expected as Record<string, Json>;
    const a = actual as Record<string, Json>;
    const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort();
    for (const k of keys) diffInto(e[k], a[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
    expected.forEach((v, i) => diffInto(v, actual[i], `${path}[${i}]`, out));
    return;
  }
  // Leaves (and arrays of different lengths, or values of different types) as canonical text,
  // so that what JSON cannot tell apart (0 and -0) is not a difference.
  if (canonicalJson(expected) !== canonicalJson(actual)) out.push({ path: path || '(root)', expected, actual });
}

function isPlainObject(v: Json | undefined): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
