/**
 * The comparison's statistics off the page's thread (src/core/metrics/compare.ts): two runs of
 * 10,000 sessions with 2,000 resamples per interval take long enough on a slow machine to freeze
 * the page if run on it. Pure computation: sessions in, numbers out, nothing kept between calls.
 */
import * as Comlink from 'comlink';
import {
  compareAgents,
  robustness,
  type CompareAgentInput,
  type CompareOptions,
  type CompareResult,
  type CompareSession,
  type Persona,
  type Robustness,
  type RobustnessOptions,
} from '../src/core/index.ts';

const api = {
  compareAgents(agents: CompareAgentInput[], options: CompareOptions): CompareResult {
    return compareAgents(agents, options);
  },
  robustness(sessions: CompareSession[], personas: Persona[], options: RobustnessOptions): Robustness {
    return robustness(sessions, personas, options);
  },
};

/** What the page calls, through `Comlink.wrap<StatsWorkerApi>`. */
export type StatsWorkerApi = typeof api;

Comlink.expose(api);
