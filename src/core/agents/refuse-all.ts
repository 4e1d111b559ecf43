import type { Participant, ParticipantReply } from '../simulation/participant.ts';

/**
 * The do-nothing agent: it answers every message with the same refusal and never calls a tool.
 * It is kept in the core to measure a pack's floor (what an agent scores by refusing
 * everything), never offered as an agent under test. A task it passes is a task whose score
 * can be had for nothing: the packs' refusal tasks ask for the reason found by a look-up, so
 * on the built-in packs its floor is 0.
 */
export const REFUSE_ALL_ID = 'refuse-all';
export const REFUSE_ALL_VERSION = 'refuse-all-1';
/** What it says, every time. */
export const REFUSE_ALL_TEXT = "I'm sorry, I can't help with that request under our policy.";

export function createRefuseAllAgent(): Participant {
  return {
    id: REFUSE_ALL_ID,
    role: 'agent',
    async nextMessage(): Promise<ParticipantReply> {
      return { content: REFUSE_ALL_TEXT };
    },
  };
}
