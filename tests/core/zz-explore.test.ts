import { it } from 'vitest';
import { createAgendaUser } from '../../src/core/users/agenda.ts';
import { converse, makeScenario, PERSONAS, say, scripted } from './fixtures.ts';

it('explore', async () => {
  for (const seed of [1, 2, 3]) {
    const scenario = makeScenario();
    const user = createAgendaUser({ role: 'user', scenario, persona: PERSONAS.baseline });
    const agent = scripted('agent', [
      say("What's your account id?", { acts: [{ act: 'request', slot: 'account_id' }] }),
      say('Which plan would you like?', { acts: [{ act: 'request', slot: 'plan' }] }),
      say('Shall I switch account A1 to the basic plan?', { acts: [{ act: 'confirm', slot: 'set_plan', value: 'switch account A1 to the basic plan' }] }),
      say('Shall I switch account A1 to the premium plan?', { acts: [{ act: 'confirm', slot: 'set_plan', value: 'switch account A1 to the premium plan' }] }),
      say('', { toolCalls: [{ name: 'set_plan', arguments: { account_id: 'A1', plan: 'premium' } }] }),
      say('Done, A1 is now on premium.', { acts: [{ act: 'done', slot: 'set_plan' }] }),
    ], { fallback: say('Anything else?', { acts: [{ act: 'reqmore' }] }) });
    const r = await converse(user, agent, { seed });
    console.log(seed, r.termination);
    for (const t of r.turns) console.log(t.role, JSON.stringify(t.content), JSON.stringify(t.acts), t.latent ? JSON.stringify(t.latent) : '');
  }
});
