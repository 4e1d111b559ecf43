import type { RunSpec, Scenario } from '../../../src/core/model/types.ts';
import type { SeatFactory } from '../../../src/core/simulation/llm-seat.ts';
import { planSessions } from '../../../src/core/simulation/session.ts';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { ACME_DOMAIN, PERSONAS, say, scripted } from '../fixtures.ts';

/**
 * One session of the ACME plan change for judge tests: the baseline agenda user, a scripted
 * agent that asks for the account, confirms, switches A1 to premium and says so. `deps` are
 * runSession's, with the judge when one is given.
 */
export function judgedSession(scenario: Scenario) {
  const spec: RunSpec = {
    name: 'judged',
    scenarioIds: [scenario.id],
    personaIds: ['baseline'],
    user: { kind: 'agenda', label: 'Agenda', version: 'agenda-1.0', settings: {} },
    agent: { kind: 'scripted', label: 'Scripted', version: 'test', settings: {} },
    trials: 1,
    seed: 3,
    maxTurns: 30,
    maxErrors: 3,
  };
  const agentSteps = () => [
    say('What is your account id?', { acts: [{ act: 'request', slot: 'account_id' }] }),
    say('Shall I switch account A1 to the premium plan?', {
      acts: [{ act: 'confirm', slot: 'set_plan', value: 'switch account A1 to the premium plan' }],
    }),
    say('', { toolCalls: [{ name: 'set_plan', arguments: { account_id: 'A1', plan: 'premium' } }] }),
    say('Done: you are on premium now.', { acts: [{ act: 'done', slot: 'set_plan' }] }),
  ];
  const plan = planSessions('r', spec, [scenario], [PERSONAS.baseline])[0]!;
  const deps = (judge?: (seed: number) => SeatFactory) => ({
    runId: 'r',
    spec,
    domain: ACME_DOMAIN,
    createUser: createAgendaUser,
    createAgent: () => scripted('agent', agentSteps(), { fallback: say('Anything else?', { acts: [{ act: 'reqmore' }] }) }),
    ...(judge ? { judge } : {}),
  });
  return { spec, plan, deps };
}
