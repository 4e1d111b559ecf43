/**
 * The benchmark's synthetic results, the same in Node and in Chromium: tasks with success
 * probabilities spread over [0, 1], a fixed number of trials each, and a second agent a little
 * better on some tasks and worse on others.
 */
import { mulberry32, type CompareAgentInput, type CompareSession } from '../../src/core/index.ts';

/** Per-trial 0/1 outcomes, one array per task. */
export function syntheticGroups(tasks: number, trials: number, seed = 1): number[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: tasks }, () => {
    const p = rng();
    return Array.from({ length: trials }, () => (rng() < p ? 1 : 0));
  });
}

/** Two agents' sessions on the same tasks and trials. */
export function syntheticAgents(tasks: number, trials: number, seed = 1): CompareAgentInput[] {
  const rng = mulberry32(seed);
  const base = Array.from({ length: tasks }, () => rng());
  const shift = Array.from({ length: tasks }, () => (rng() - 0.4) * 0.3);
  const agent = (entry: string, p: (t: number) => number): CompareAgentInput => ({
    ref: { runId: 'bench', entry },
    label: entry,
    sessions: Array.from({ length: tasks * trials }, (_, i): CompareSession => {
      const t = Math.floor(i / trials);
      return {
        id: `${entry}-${i}`,
        runId: 'bench',
        agentEntry: entry,
        scenarioId: `s${t}`,
        personaId: 'baseline',
        trial: i % trials,
        outcome: rng() < p(t) ? 'pass' : 'fail',
        turnCount: 6,
      };
    }),
  });
  return [agent('a', (t) => base[t]!), agent('b', (t) => Math.min(1, Math.max(0, base[t]! + shift[t]!)))];
}
