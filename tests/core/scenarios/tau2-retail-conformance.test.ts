/**
 * Conformance with τ²-bench's own retail environment: for each of the 114 tasks, replaying
 * the gold actions through replayGold must give the outcome τ²-bench's environment gives for
 * every action (ok, or the same error message), and change exactly the records it changes,
 * to the last digit (../shared/data/tau2-bench/retail/gold-replay-expected.json).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Json, JsonObject, Scenario } from '../../../src/core/model/types.ts';
import { canonicalJson, diffJson } from '../../../src/core/scenarios/canonical.ts';
import { createEnvironment } from '../../../src/core/scenarios/environment.ts';
import { replayGold } from '../../../src/core/scenarios/evaluator.ts';
import { importTau2Domain } from '../../../src/core/index.ts';

const dir = path.resolve(process.cwd(), '../shared/data/tau2-bench/retail');
const read = (name: string) => readFileSync(path.join(dir, name), 'utf8');

interface ExpectedTask {
  id: string;
  n_actions: number;
  action_results: string[];
  /** table → record id → the record's final value, null fields left out. */
  changed: Record<string, Record<string, Json>>;
}

// Parsed once: the database is 2.8 MB and every scenario shares it.
const db = JSON.parse(read('db.json')) as JsonObject;
const expected = (JSON.parse(read('gold-replay-expected.json')) as { tasks: ExpectedTask[] }).tasks;
const scenarios = importTau2Domain({ domain: 'retail', db, tasks: JSON.parse(read('tasks.json')), policy: read('policy.md') });
const byTaskId = new Map(scenarios.map((s) => [s.id.replace(/^tau2-retail-/, ''), s]));

/** A value with every null field left out, at every depth: how the expected file writes records. */
function withoutNulls(value: Json | undefined): Json | undefined {
  if (Array.isArray(value)) return value.map((v) => withoutNulls(v) ?? null);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v)!;
  return out;
}

function tableOf(root: JsonObject, name: string): JsonObject {
  const t = root[name];
  return t !== null && typeof t === 'object' && !Array.isArray(t) ? t : {};
}

/** Each initial record's JSON text, to spot unchanged records fast (tools keep key order). */
const initialText = new Map(
  Object.keys(db).map((name) => [name, new Map(Object.entries(tableOf(db, name)).map(([id, r]) => [id, JSON.stringify(r)]))]),
);

/**
 * Every record whose final value differs from the initial database, as the expected file
 * defines it: compared with null fields left out on both sides, listed with its final value
 * (null fields left out; a removed record as null).
 */
function changedRecords(final: JsonObject): Record<string, Record<string, Json>> {
  const out: Record<string, Record<string, Json>> = {};
  for (const name of new Set([...Object.keys(db), ...Object.keys(final)])) {
    const before = tableOf(db, name);
    const after = tableOf(final, name);
    for (const id of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const now = after[id];
      if (now !== undefined && JSON.stringify(now) === initialText.get(name)?.get(id)) continue;
      const a = withoutNulls(before[id]);
      const b = withoutNulls(now);
      if (canonicalJson(a) !== canonicalJson(b)) (out[name] ??= {})[id] = b ?? null;
    }
  }
  return out;
}

/** Which gold actions changed a record in our replay (1-based, with names); stepped only on failure. */
function actionsTouching(scenario: Scenario, table: string, id: string): string {
  const env = createEnvironment(scenario);
  let last = JSON.stringify(tableOf(env.snapshot(), table)[id] ?? null);
  const touched: string[] = [];
  scenario.evaluation.goldActions.forEach((a, i) => {
    env.call(a.name, a.arguments);
    const now = JSON.stringify(tableOf(env.snapshot(), table)[id] ?? null);
    if (now !== last) touched.push(`action ${i + 1} (${a.name})`);
    last = now;
  });
  if (touched.length) return `changed here by ${touched.join(', ')}`;
  const naming = scenario.evaluation.goldActions
    .map((a, i) => (JSON.stringify(a.arguments).includes(JSON.stringify(id)) ? `action ${i + 1} (${a.name})` : ''))
    .filter(Boolean);
  return naming.length ? `not changed here; named by ${naming.join(', ')}` : 'not changed by any action here';
}

function show(v: Json | undefined): string {
  const text = v === undefined ? 'nothing' : JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

describe('τ²-bench retail: gold replay conformance', () => {
  it('has the 114 tasks of the expected outcomes, each imported once', () => {
    expect(expected).toHaveLength(114);
    expect(scenarios).toHaveLength(114);
    expect(new Set(expected.map((t) => t.id))).toEqual(new Set(byTaskId.keys()));
    // One database for all: the import shares it, it does not copy it per task.
    expect(scenarios.every((s) => s.initialDb === db)).toBe(true);
  });

  it.each(expected.map((t) => [t.id, t] as const))('task %s', (_id, exp) => {
    const scenario = byTaskId.get(exp.id);
    if (!scenario) throw new Error(`task ${exp.id}: not imported`);
    const gold = scenario.evaluation.goldActions;
    expect(gold.length, `task ${exp.id}: number of gold actions`).toBe(exp.n_actions);

    const replay = replayGold(scenario);
    const problems: string[] = [];
    replay.results.forEach((r, i) => {
      const got = r.ok ? 'ok' : `error: ${r.error}`;
      if (got !== exp.action_results[i]) {
        problems.push(
          `task ${exp.id}, action ${i + 1} (${gold[i]!.name} ${show(gold[i]!.arguments)}): expected "${exp.action_results[i]}", got "${got}"`,
        );
      }
    });

    const got = changedRecords(replay.db);
    const expectedChanged = exp.changed;
    for (const table of new Set([...Object.keys(expectedChanged), ...Object.keys(got)])) {
      const want = expectedChanged[table] ?? {};
      const have = got[table] ?? {};
      for (const id of new Set([...Object.keys(want), ...Object.keys(have)])) {
        const w = withoutNulls(want[id]);
        const h = have[id];
        if (canonicalJson(w) === canonicalJson(h)) continue;
        const where = actionsTouching(scenario, table, id);
        if (h === undefined) {
          problems.push(`task ${exp.id}, ${table}["${id}"]: τ²-bench changes this record, the replay leaves it as it was (${where})`);
        } else if (w === undefined) {
          problems.push(`task ${exp.id}, ${table}["${id}"]: the replay changes this record, τ²-bench leaves it as it was (${where})`);
        } else {
          for (const d of diffJson(w, h)) {
            problems.push(`task ${exp.id}, ${table}["${id}"].${d.path} (${where}): expected ${show(d.expected)}, got ${show(d.actual)}`);
          }
        }
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('leaves the shared database as it was read', () => {
    expect(JSON.stringify(db)).toBe(JSON.stringify(JSON.parse(read('db.json'))));
  });
});
