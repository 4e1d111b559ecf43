/** The pure core: runs unchanged in the page, in a worker and in Node. */
export * from './model/types.ts';
export * from './model/validation.ts';
export * from './model/schema.ts';
export * from './stats/rng.ts';
export * from './stats/wilson.ts';
export * from './stats/passk.ts';
export * from './scenarios/domain.ts';
export * from './scenarios/environment.ts';
export * from './scenarios/canonical.ts';
export * from './scenarios/evaluator.ts';
export * from './simulation/participant.ts';
export * from './simulation/orchestrator.ts';
export * from './simulation/session.ts';
export * from './personas/traits.ts';
export * from './users/agenda.ts';
export * from './participants.ts';
export * from './metrics/summary.ts';
export { DOMAINS, getDomain } from './scenarios/domains/index.ts';
