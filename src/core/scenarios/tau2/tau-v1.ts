/**
 * τ-bench (the first version) task files, read into τ²-bench's task shape so one importer
 * serves both. A τ-bench task is `{ user_id, instruction, actions: [{ name, kwargs }], outputs }`
 * (its tasks ship as Python lists; exported to JSON they keep these fields, sometimes with an
 * `annotator`). τ²-bench's retail domain is τ-bench's, ported, with the same tool names and
 * arguments, so the gold actions carry over as they are.
 */
import type { Tau2Unmapped } from './import.ts';

/** One τ-bench task as exported to JSON. */
export interface TauV1Task {
  user_id?: string;
  instruction: string;
  actions: { name: string; kwargs: Record<string, unknown> }[];
  outputs?: string[];
  annotator?: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True for a τ-bench (v1) task: an instruction and actions with `kwargs`, no user scenario. */
export function isTauV1Task(t: unknown): t is TauV1Task {
  return (
    isObject(t) &&
    typeof t.instruction === 'string' &&
    Array.isArray(t.actions) &&
    !('user_scenario' in t) &&
    t.actions.every((a) => isObject(a) && 'kwargs' in a)
  );
}

/**
 * Converts a list of τ-bench tasks into τ²-bench tasks (ids are their positions, as τ-bench
 * numbers them). Returns the input untouched when it is not a τ-bench list, so τ²-bench files
 * and broken files reach the importer's own checks. What the conversion cannot carry is
 * reported in `unmapped`.
 */
export function tauV1ToTau2(tasks: unknown, file: string, unmapped: Tau2Unmapped[]): unknown {
  if (!Array.isArray(tasks) || tasks.length === 0 || !tasks.every(isTauV1Task)) return tasks;
  unmapped.push({
    taskId: null,
    file,
    path: '',
    message:
      'τ-bench (v1) tasks: each instruction becomes both the reason for contact and the task instructions, ' +
      'since τ-bench does not separate known and unknown information; the outputs become information the agent must convey.',
  });
  return tasks.map((t, i) => {
    const outputs = (t.outputs ?? []).filter((o): o is string => typeof o === 'string' && o.trim() !== '');
    if (t.annotator !== undefined) unmapped.push({ taskId: String(i), file, path: `[${i}].annotator`, message: 'annotator is not carried over' });
    return {
      id: String(i),
      description: { purpose: null, notes: t.user_id ? `τ-bench task for user ${t.user_id}` : null },
      user_scenario: {
        persona: null,
        instructions: {
          reason_for_call: t.instruction,
          // τ-bench's user_id is the database's key, not something the customer knows.
          known_info: null,
          unknown_info: null,
          task_instructions: t.instruction,
        },
      },
      evaluation_criteria: {
        actions: t.actions.map((a, ai) => ({ action_id: `${i}_${ai}`, name: a.name, arguments: a.kwargs })),
        communicate_info: outputs,
        nl_assertions: null,
        reward_basis: outputs.length ? ['DB', 'COMMUNICATE'] : ['DB'],
      },
    };
  });
}
