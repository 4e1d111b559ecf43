/**
 * The rule-based bookshop agent against the agenda-based user simulator, through the real
 * orchestrator, environment and evaluator: every task of the pack, every core persona,
 * several seeds. The agent reads only the simulator's text; the simulator reads the agent's acts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createBookshopAgent } from '../../../src/core/agents/bookshop-agent.ts';
import { expandPack } from '../../../src/core/model/schema.ts';
import type { PersonaSet } from '../../../src/core/model/types.ts';
import { bookshopDomain } from '../../../src/core/scenarios/domains/bookshop.ts';
import { createEnvironment } from '../../../src/core/scenarios/environment.ts';
import { evaluateSession } from '../../../src/core/scenarios/evaluator.ts';
import { runConversation } from '../../../src/core/simulation/orchestrator.ts';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { loadBookshopPack } from '../scenarios/bookshop-helpers.ts';

const pack = loadBookshopPack();
const personas = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../../../public/personas/core.json', import.meta.url)), 'utf8')) as PersonaSet
).personas;
const SEEDS = [1, 2, 3, 4];

describe('bookshop agent × agenda-based user', () => {
  for (const scenario of expandPack(pack)) {
    it(`${scenario.id}: passes with every core persona`, async () => {
      for (const persona of personas) {
        for (const seed of SEEDS) {
          const label = `${persona.id} seed ${seed}`;
          const result = await runConversation(
            {
              user: createAgendaUser({ role: 'user', scenario, persona }),
              agent: createBookshopAgent({
                role: 'agent',
                scenarioId: scenario.id,
                domain: scenario.domain,
                policy: scenario.agent.policy,
                tools: scenario.agent.tools,
              }),
              environment: createEnvironment(scenario, bookshopDomain),
            },
            { sessionId: `${scenario.id}/${label}`, seed, maxTurns: 40, maxErrors: 5 },
          );
          expect(['user_stop', 'transfer'], label).toContain(result.termination);
          const score = evaluateSession(scenario, bookshopDomain, { termination: result.termination, finalDb: result.finalDb, turns: result.turns });
          expect(score.reward, `${label}: ${score.notes.join('; ')}`).toBe(1);
          // The simulator gives up only where the task makes it (a refusal it does not accept).
          const lastUser = [...result.turns].reverse().find((t) => t.role === 'user');
          const outcome = lastUser?.latent?.['outcome'];
          if (scenario.user.goal.acceptsRefusal !== false) expect(outcome, label).not.toBe('gave_up');
          // Writes never fail: the agent checks the policy before proposing them.
          const writes = result.turns.flatMap((t) => t.toolCalls).filter((c) => c.name !== 'find_customer' && c.name !== 'get_order');
          expect(writes.every((c) => c.result.ok), label).toBe(true);
        }
      }
    });
  }
});
