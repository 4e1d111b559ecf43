/**
 * The dialogue-act vocabulary shared by the agenda-based user simulator and the rule-based
 * agents. LLM participants produce text only; classical ones attach acts to their text so a
 * transcript shows what they meant, and parse text when the other side gave no acts.
 *
 * Agent acts:
 *   greet                       opening line
 *   request  slot               asks the user for a slot value ("What is your email?")
 *   confirm  slot=<tool> value=<summary>   asks permission before a write
 *   done     slot=<tool> value=<summary>   a write succeeded
 *   inform   slot value         tells the user a fact (order status, refund amount…)
 *   refuse   slot=<tool>? value=<reason>   policy or the database says no
 *   reqmore                     "Anything else?"
 *   transfer                    hands the user to a person
 *   bye
 * User acts:
 *   want     slot=<request index> value=<utterance>   states what they want
 *   inform   slot value         gives a fact from their goal
 *   affirm / negate             answers a confirmation
 *   dont_know slot              the goal does not hold that slot: never invented
 *   deflect  slot               a reluctant user's "why do you need that?"
 *   repeat   slot               an impatient "I already told you…"
 *   thank / bye / complain
 */
export const AGENT_ACTS = [
  'greet',
  'request',
  'confirm',
  'done',
  'inform',
  'refuse',
  'reqmore',
  'transfer',
  'bye',
] as const;

export const USER_ACTS = [
  'want',
  'inform',
  'affirm',
  'negate',
  'dont_know',
  'deflect',
  'repeat',
  'thank',
  'bye',
  'complain',
] as const;
