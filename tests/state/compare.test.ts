import { describe, expect, it } from 'vitest';
import { compareAgents, robustness, type CompareAgentInput } from '../../src/core/index.ts';
import { compareInWorker, robustnessInWorker } from '../../src/state/compare.ts';
import { makePersona } from '../core/fixtures.ts';

/*
 * The page's client of the statistics worker. Node has no Worker, so these run the fallback on
 * this thread; the worker itself is the same core call behind comlink (workers/stats.worker.ts).
 */

const agent = (entry: string, pass: (i: number) => boolean): CompareAgentInput => ({
  ref: { runId: 'run', entry },
  label: entry,
  sessions: Array.from({ length: 24 }, (_, i) => ({
    id: `${entry}-${i}`,
    runId: 'run',
    agentEntry: entry,
    scenarioId: `s${i % 6}`,
    personaId: i % 12 < 6 ? 'baseline' : 'vague',
    trial: Math.floor(i / 12),
    outcome: pass(i) ? ('pass' as const) : ('fail' as const),
  })),
});
const A = agent('a', (i) => i % 3 !== 0);
const B = agent('b', (i) => i % 4 !== 0);

describe('compareInWorker', () => {
  it('falls back to this thread without Workers, with the core’s numbers', async () => {
    expect(typeof Worker).toBe('undefined');
    const options = { seed: 4, iterations: 300 };
    expect(await compareInWorker({ agents: [A, B], options })).toEqual(compareAgents([A, B], options));
    const personas = [makePersona('baseline'), makePersona('vague', { clarity: 1 })];
    expect(await robustnessInWorker({ sessions: A.sessions, personas, options })).toEqual(robustness(A.sessions, personas, options));
  });

  it('stops with an AbortError when its signal is aborted', async () => {
    const before = new AbortController();
    before.abort();
    await expect(compareInWorker({ agents: [A, B], options: { seed: 1 } }, { signal: before.signal })).rejects.toMatchObject({ name: 'AbortError' });
    const after = new AbortController();
    const pending = compareInWorker({ agents: [A, B], options: { seed: 1 } }, { signal: after.signal });
    after.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
