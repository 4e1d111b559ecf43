/**
 * What the built-in pack tests share: the pack as shipped in public/packs/, its scenarios,
 * its tables, a fresh environment, and reading tool results (a success's value, a failure's
 * message, a refusal that must leave the database as it was).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Json, PackTask, Scenario, ScenarioPack, ToolResult } from '../../../src/core/model/types.ts';
import { expandPack, validateScenarioPack } from '../../../src/core/model/schema.ts';
import { getDomain } from '../../../src/core/scenarios/domains/index.ts';
import { createEnvironment, type Environment } from '../../../src/core/scenarios/environment.ts';

export type Obj = Record<string, Json>;

export const PUBLIC = fileURLToPath(new URL('../../../public/', import.meta.url));

/** The built-in pack `public/packs/<id>.json`, read fresh, with its tasks as scenarios. */
export function loadPack(id: string) {
  const pack = JSON.parse(readFileSync(`${PUBLIC}packs/${id}.json`, 'utf8')) as ScenarioPack;
  const scenarios = expandPack(pack);
  return {
    pack,
    scenarios,
    /** The task `<id>-<name>`; a test naming a task that is gone fails here, saying which. */
    scenario(name: string): Scenario {
      const s = scenarios.find((x) => x.id === `${id}-${name}`);
      if (!s) throw new Error(`no task ${id}-${name}`);
      return s;
    },
    table: (name: string) => pack.db[name] as Record<string, Obj>,
    /** A fresh session environment over the pack's database. */
    env: (): Environment => createEnvironment(scenarios[0]!),
  };
}

export function value(r: ToolResult): Obj {
  if (!r.ok) throw new Error(`expected success, got ${r.error.name}: ${r.error.message}`);
  return r.value as Obj;
}

export function error(r: ToolResult): string {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return r.error.message;
}

/** Calls a tool that must refuse with a domain error and change nothing; returns the message. */
export function refusal(e: Environment, name: string, args: Obj): string {
  const before = e.snapshot();
  const r = e.call(name, args);
  if (r.ok) throw new Error(`expected ${name} to be refused, got ${JSON.stringify(r.value)}`);
  expect(r.error.name).toBe('DomainError');
  expect(e.snapshot()).toEqual(before);
  return r.error.message;
}

/**
 * What the user waits to hear: the values of its info requests, and the phrases of the refusal
 * reason it waits for (goal.refusalReason). A text the agent must convey should be among them,
 * or held by one of the phrases, so that the user stays until it is said.
 */
export function waitedFor(task: Pick<PackTask, 'user'>): string[] {
  const asked = task.user.goal.requests.flatMap((r) => (r.type === 'info' ? [r.slot] : []));
  return [...asked, ...(task.user.goal.refusalReason?.says ?? [])];
}

/** Whether `info` is held by one of the refusal reason phrases the user waits for (case aside). */
export function inRefusalReason(task: Pick<PackTask, 'user'>, info: string): boolean {
  return (task.user.goal.refusalReason?.says ?? []).some((p) => p.toLowerCase().includes(info.toLowerCase()));
}

/** Whether `info` is among what the user waits to hear, or held by a refusal reason phrase (case aside). */
export function userWaitsFor(task: Pick<PackTask, 'user'>, info: string): boolean {
  return waitedFor(task).includes(info) || inRefusalReason(task, info);
}

/**
 * A refusal task is earned: the user waits for the tools' own reason (`message`, the refusal of
 * the request), and the reward needs that reason said and the look-ups made.
 */
export function expectEarnedRefusal(s: Scenario, message: string): void {
  const says = s.user.goal.refusalReason?.says ?? [];
  const flat = (t: string) => t.toLowerCase().replace(/-/g, ' ');
  expect(says.some((p) => flat(message).includes(flat(p))), `${s.id}: ${JSON.stringify(says)} in "${message}"`).toBe(true);
  expect(s.evaluation.communicateInfo.length, s.id).toBeGreaterThan(0);
  for (const info of s.evaluation.communicateInfo) expect(message.toLowerCase(), s.id).toContain(info.toLowerCase());
  expect(s.evaluation.rewardBasis, s.id).toEqual(expect.arrayContaining(['DB', 'ACTION', 'COMMUNICATE']));
}

/** Every number anywhere in a JSON value. */
export function numbersIn(v: Json): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.flatMap(numbersIn);
  if (v && typeof v === 'object') return Object.values(v).flatMap(numbersIn);
  return [];
}

/**
 * A pack with no built-in domain code: every tool has declarative steps, and the file validates
 * on its own (the page's catalog knows none of its tools).
 */
export function expectDeclarativePack(pack: ScenarioPack, domain: string): void {
  expect(pack.domain).toBe(domain);
  expect(getDomain(domain)).toBeUndefined();
  for (const t of pack.tools) expect(t.impl?.type, t.name).toBe('declarative');
  expect(() => validateScenarioPack(structuredClone(pack), { toolsOf: () => undefined }, `${domain}.json`)).not.toThrow();
}
