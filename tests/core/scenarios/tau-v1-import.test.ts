import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importTau2Domain, importTau2DomainReport, replayGold, ValidationError, type JsonObject } from '../../../src/core/index.ts';
import { isTauV1Task, tauV1ToTau2 } from '../../../src/core/scenarios/tau2/tau-v1.ts';

/*
 * τ-bench (v1) task files: { user_id, instruction, actions: [{ name, kwargs }], outputs }.
 * The fixture is built here from τ²-bench's retail tasks (read from ../shared, never copied):
 * the same gold calls written the τ-bench way must import and replay exactly as τ²-bench's do.
 */
const dir = path.resolve(process.cwd(), '../shared/data/tau2-bench/retail');
const read = (name: string) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as unknown;
type T2 = {
  id: string;
  user_scenario: { instructions: { task_instructions: string } };
  evaluation_criteria: { actions?: { name: string; arguments: JsonObject }[]; communicate_info?: string[] };
};
const tau2Tasks = (read('tasks.json') as T2[]).slice(0, 12);
const db = read('db.json') as JsonObject;
const policy = readFileSync(path.join(dir, 'policy.md'), 'utf8');

const v1Tasks = tau2Tasks.map((t) => ({
  user_id: 'someone',
  instruction: t.user_scenario.instructions.task_instructions,
  actions: (t.evaluation_criteria.actions ?? []).map((a) => ({ name: a.name, kwargs: a.arguments })),
  outputs: t.evaluation_criteria.communicate_info ?? [],
}));

describe('τ-bench (v1) task files', () => {
  it('are recognised by shape, and τ²-bench tasks are left alone', () => {
    expect(v1Tasks.every(isTauV1Task)).toBe(true);
    expect(tau2Tasks.some(isTauV1Task)).toBe(false);
    const raw = read('tasks.json');
    expect(tauV1ToTau2(raw, 'tasks.json', [])).toBe(raw);
  });

  it('import with the same gold calls, and replay exactly as the τ²-bench tasks do', () => {
    const fromV1 = importTau2Domain({ domain: 'retail', db, policy, tasks: v1Tasks });
    const fromV2 = importTau2Domain({ domain: 'retail', db, policy, tasks: tau2Tasks });
    expect(fromV1).toHaveLength(tau2Tasks.length);
    fromV1.forEach((s, i) => {
      expect(s.evaluation.goldActions.map((a) => [a.name, a.arguments])).toEqual(fromV2[i]!.evaluation.goldActions.map((a) => [a.name, a.arguments]));
      expect(s.evaluation.communicateInfo).toEqual(v1Tasks[i]!.outputs);
      expect(s.evaluation.rewardBasis).toEqual(v1Tasks[i]!.outputs.length ? ['DB', 'COMMUNICATE'] : ['DB']);
      expect(s.user.taskInstructions).toContain(v1Tasks[i]!.instruction.slice(0, 40));
      const a = replayGold(s);
      const b = replayGold(fromV2[i]!);
      expect(a.results).toEqual(b.results);
      expect(a.db).toEqual(b.db);
    });
  });

  it('say what they could not carry over', () => {
    const report = importTau2DomainReport({ domain: 'retail', db, policy, tasks: v1Tasks.map((t) => ({ ...t, annotator: 'x' })) });
    expect(report.unmapped.some((u) => u.taskId === null && /τ-bench \(v1\)/.test(u.message))).toBe(true);
    expect(report.unmapped.filter((u) => u.path.endsWith('.annotator'))).toHaveLength(v1Tasks.length);
  });

  it('refuse an unknown tool in a τ-bench gold action, naming the task and action', () => {
    const bad = v1Tasks.map((t, i) => (i === 2 ? { ...t, actions: [{ name: 'refund_everything', kwargs: {} }] } : t));
    try {
      importTau2Domain({ domain: 'retail', db, policy, tasks: bad });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect(String((err as Error).message)).toMatch(/\[2\]\.evaluation_criteria\.actions\[0\]\.name.*unknown tool "refund_everything"/s);
    }
  });
});
