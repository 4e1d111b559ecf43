import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaFiles, SCHEMA_DIR } from '../../scripts/gen-schemas.ts';

/*
 * The run bundle's published JSON Schema is generated from the zod schemas every import
 * validates with (src/storage/bundle-schema.ts), and docs/run-bundle.md names every field.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const FILE = 'run-bundle-line.schema.json';

type Node = { $ref?: string; properties?: Record<string, Node>; items?: Node; anyOf?: Node[]; oneOf?: Node[]; required?: string[]; additionalProperties?: unknown };

function published(): Node & { $schema: string; $defs?: Record<string, Node>; oneOf: Node[] } {
  return JSON.parse(readFileSync(resolve(ROOT, SCHEMA_DIR, FILE), 'utf8'));
}

describe('run bundle JSON Schema', () => {
  it('is the one generated from the zod schemas (run npm run gen:schemas)', () => {
    const generated = schemaFiles().find((f) => f.file === FILE);
    expect(generated, `${FILE} is not among the generated schemas`).toBeDefined();
    let committed = '';
    try {
      committed = readFileSync(resolve(ROOT, SCHEMA_DIR, FILE), 'utf8');
    } catch {
      // A missing file fails the comparison below.
    }
    expect(committed, `${SCHEMA_DIR}/${FILE} is stale: run npm run gen:schemas`).toBe(generated!.text);
  });

  it('describes the three lines, each closed to unknown fields', () => {
    const schema = published();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const lines = Object.fromEntries(schema.oneOf.map((l) => [(l.properties!['type'] as { const: string }).const, l]));
    expect(Object.keys(lines)).toEqual(['run', 'db', 'session']);
    for (const l of Object.values(lines)) expect(l.additionalProperties).toBe(false);
    expect(lines['run']!.required).toEqual(['type', 'formatVersion', 'exportedAt', 'run']);
    expect(lines['db']!.required).toEqual(['type', 'hash', 'db']);
    expect(lines['session']!.required).toEqual(['type', 'session', 'turns']);
    expect(Object.keys(lines['session']!.properties!)).toEqual(['type', 'session', 'dbs', 'turns']);
  });

  it('has every field of the run, its spec, the session, its score and a turn documented in docs/run-bundle.md', () => {
    const schema = published();
    const deref = (n: Node | undefined): Node => {
      let cur = n ?? {};
      for (;;) {
        if (cur.$ref) cur = schema.$defs![cur.$ref.replace('#/$defs/', '')]!;
        else if (cur.anyOf) cur = cur.anyOf.find((o) => o.properties || o.$ref) ?? cur.anyOf[0]!;
        else return cur;
      }
    };
    const props = (n: Node | undefined) => Object.keys(deref(n).properties ?? {});
    const [runLine, , sessionLine] = schema.oneOf;
    const run = deref(runLine!.properties!['run']);
    const session = deref(sessionLine!.properties!['session']);
    const turn = deref(deref(sessionLine!.properties!['turns']).items);
    const fields = new Set([
      ...props(run),
      ...props(run.properties!['spec']),
      ...props(session),
      ...props(session.properties!['score']),
      ...props(turn),
      ...props(sessionLine!.properties!['dbs']),
    ]);
    expect(fields.size).toBeGreaterThan(60);
    const doc = readFileSync(resolve(ROOT, 'docs/run-bundle.md'), 'utf8');
    const undocumented = [...fields].filter((f) => !doc.includes(`\`${f}\``));
    expect(undocumented, 'fields the bundle has and docs/run-bundle.md does not name').toEqual([]);
  });
});
