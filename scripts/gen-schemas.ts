/**
 * Writes the published JSON Schemas (public/schemas/*.schema.json) from the zod schemas that
 * validate every import, so the two cannot disagree: `npm run gen:schemas`. A unit test
 * (tests/core/model/scenario-validation.test.ts) fails when the committed files are stale; the
 * run bundle's line schema comes from src/storage/bundle-schema.ts, which validates every
 * run import (tests/storage/bundle-schema.test.ts).
 *
 * What JSON Schema cannot say is checked only on import, after the schema: cross-field rules
 * (gold actions naming declared tools, unique ids, compareArgs within the arguments),
 * declarative tools' references, and the gold replay. docs/scenario-format.md lists them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { personaSchema, personaSetSchema, scenarioPackSchema, scenarioSchema } from '../src/core/model/schema.ts';
import { runBundleLineSchema } from '../src/storage/bundle-schema.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the schemas go, relative to the repository. The page serves them at schemas/. */
export const SCHEMA_DIR = 'public/schemas';

const FILES: { file: string; schema: z.ZodType; title: string; description: string }[] = [
  {
    file: 'scenario-pack.schema.json',
    schema: scenarioPackSchema,
    title: 'Understudy scenario pack',
    description: 'Tasks sharing a domain, policy, tools and initial database. See docs/scenario-format.md.',
  },
  {
    file: 'scenario.schema.json',
    schema: scenarioSchema,
    title: 'Understudy scenario',
    description: 'One task with its own policy, tools and initial database. See docs/scenario-format.md.',
  },
  {
    file: 'persona.schema.json',
    schema: personaSchema,
    title: 'Understudy persona',
    description: "A simulated user's personality. See docs/personas.md.",
  },
  {
    file: 'persona-set.schema.json',
    schema: personaSetSchema,
    title: 'Understudy persona set',
    description: 'A named set of personas. See docs/personas.md.',
  },
  {
    file: 'run-bundle-line.schema.json',
    schema: runBundleLineSchema,
    title: 'Understudy run bundle line',
    description:
      'One line of a run bundle (JSONL): the run first, then each initial database once, then one line per session. What a schema of one line cannot say (the order of lines, ids and hashes that must match) is in docs/run-bundle.md.',
  },
];

/** Each published file's name and its exact text. */
export function schemaFiles(): { file: string; text: string }[] {
  return FILES.map(({ file, schema, title, description }) => {
    // "input": what a file may contain (optional fields are optional), not what parsing returns.
    const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
    const { $schema, ...rest } = generated;
    const doc = { $schema, title, description, ...rest };
    return { file, text: `${JSON.stringify(doc, null, 2)}\n` };
  });
}

function main(): void {
  const dir = resolve(ROOT, SCHEMA_DIR);
  mkdirSync(dir, { recursive: true });
  for (const { file, text } of schemaFiles()) {
    writeFileSync(resolve(dir, file), text);
    console.log(`wrote ${SCHEMA_DIR}/${file} (${text.length} bytes)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
