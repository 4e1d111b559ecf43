/** Shared test helpers for the bookshop pack: load it, run its tools, read DB paths. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Json, JsonObject, ScenarioPack, ToolResult } from '../../../src/core/model/types.ts';
import { ToolError } from '../../../src/core/scenarios/domain.ts';
import { bookshopDomain } from '../../../src/core/scenarios/domains/bookshop.ts';

const PACK_PATH = fileURLToPath(new URL('../../../public/packs/bookshop.json', import.meta.url));

export function loadBookshopPack(): ScenarioPack {
  return JSON.parse(readFileSync(PACK_PATH, 'utf8')) as ScenarioPack;
}

/** Runs one tool the way the environment does: reads on a copy, errors as data. */
export function runTool(pack: ScenarioPack, db: JsonObject, name: string, args: JsonObject): ToolResult {
  const impl = bookshopDomain.tools[name];
  const spec = pack.tools.find((t) => t.name === name);
  if (!impl || !spec) return { ok: false, error: { name: 'UnknownTool', message: `Unknown tool "${name}".` } };
  const target = spec.kind === 'read' ? structuredClone(db) : db;
  try {
    const value = impl(target, args);
    return { ok: true, value: structuredClone(value ?? null) };
  } catch (err) {
    if (err instanceof ToolError) return { ok: false, error: { name: err.errorName, message: err.message } };
    return { ok: false, error: { name: 'ToolCrashed', message: String(err) } };
  }
}

/** Value at a path such as "orders.BK-2026.items[0].status". */
export function getPath(db: Json, path: string): Json | undefined {
  let cur: Json | undefined = db;
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    if (m[1]) cur = cur && typeof cur === 'object' && !Array.isArray(cur) ? cur[m[1]] : undefined;
    for (const idx of m[2]!.match(/\d+/g) ?? []) {
      cur = Array.isArray(cur) ? cur[Number(idx)] : undefined;
    }
  }
  return cur;
}

/** Replays a task's gold actions on a copy of the pack DB; returns the final DB and results. */
export function replayGold(pack: ScenarioPack, taskId: string): { db: JsonObject; results: { name: string; result: ToolResult }[] } {
  const task = pack.tasks.find((t) => t.id === taskId);
  if (!task) throw new Error(`no task ${taskId}`);
  const db = structuredClone(pack.db);
  const results = task.evaluation.goldActions.map((a) => ({ name: a.name, result: runTool(pack, db, a.name, a.arguments) }));
  return { db, results };
}
