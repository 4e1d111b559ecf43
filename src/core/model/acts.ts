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
 *   choose   slot? value=<options joined by " | ">   "Which do you mean: A or B?"
 *   reqmore                     "Anything else?"
 *   transfer                    hands the user to a person
 *   bye
 * User acts:
 *   want     slot=<request index> value=<utterance>   states what they want
 *   want     slot=instead value=<utterance>   "No, I want X instead" to an action never asked for
 *   pick     slot? value=<option>   answers a choose with the option its goal points to
 *   inform   slot value         gives a fact from their goal
 *   affirm / negate             answers a confirmation
 *   dont_know slot              the goal does not hold that slot: never invented
 *   dont_know value=which       none of the options offered fits what the user knows
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
  'choose',
  'reqmore',
  'transfer',
  'bye',
] as const;

export const USER_ACTS = [
  'want',
  'inform',
  'pick',
  'affirm',
  'negate',
  'dont_know',
  'deflect',
  'repeat',
  'thank',
  'bye',
  'complain',
] as const;
