import type { Persona, TraitName, TraitValues } from '../model/types.ts';
import { hash32, mulberry32, type Rng } from '../stats/rng.ts';
import { levelInstruction, roleOf, traitDef } from './traits.ts';

/*
 * Roleplay policies: a persona as concrete behavioural instructions for an LLM user
 * simulator, with two short example lines in the persona's voice. A policy is about how the
 * user talks, never about what they want or know: it names no task, no value, no person.
 * The example lines are built from generic phrases so they cannot leak a scenario's facts,
 * and a test checks this against every built-in task.
 */

/** Bumped whenever the wording of rendered policies changes, so results stay comparable. */
export const POLICY_VERSION = 'policy-1';

/** Traits that shape how the user writes, then how they behave, in the policy's order. */
const WRITING: readonly TraitName[] = ['verbosity', 'formality', 'noise', 'proficiency'];
const BEHAVIOUR: readonly TraitName[] = ['clarity', 'cooperativeness', 'initiative', 'techLiteracy', 'drift', 'patience', 'emotion'];

const band = (v: number): 'low' | 'mid' | 'high' => (v <= 2 ? 'low' : v >= 4 ? 'high' : 'mid');

/** The part of a policy that says who the user is: role and background. */
function who(persona: Persona): string {
  const role = roleOf(persona.role);
  const label = persona.role.trim() || 'customer';
  const article = /^[aeiou]/i.test(label) ? 'an' : 'a';
  const lines = [`You are ${article} ${label}.`];
  if (persona.background.trim()) lines.push(`About you: ${persona.background.trim()}`);
  if (role) lines.push(role.asks);
  return lines.join('\n');
}

/* ---------------------------------------------------------- example lines */

/** Phrases by register (casual, neutral, formal) and proficiency (learner or fluent). */
type Phrases = Record<'casual' | 'neutral' | 'formal', { learner: string; fluent: string }>;

const OPENING: Record<'low' | 'mid' | 'high', Phrases> = {
  low: {
    casual: { learner: 'my thing is not work good', fluent: "something's off with my thing" },
    neutral: { learner: 'I have problem with my thing, it not work.', fluent: 'Something is not right with my thing.' },
    formal: { learner: 'I contact you because my thing is not correct.', fluent: 'I am getting in touch because something is not quite right.' },
  },
  mid: {
    casual: { learner: 'i have problem, need help', fluent: 'got a problem, need a hand' },
    neutral: { learner: 'I have a problem, I need help with it.', fluent: 'I have a problem and need some help with it.' },
    formal: { learner: 'I have one problem and I need your help, please.', fluent: 'I would be grateful for your help with a problem.' },
  },
  high: {
    casual: { learner: 'i need one thing changed, i know exactly what', fluent: 'need one specific thing sorted, i know exactly what' },
    neutral: { learner: 'I need one thing, I explain you exactly what.', fluent: 'I need one specific thing done, and I can tell you exactly what.' },
    formal: { learner: 'I need one precise thing, I explain exactly.', fluent: 'I have one precise request, which I will set out exactly.' },
  },
};

const GREETING: Phrases = {
  casual: { learner: 'hello', fluent: 'hey' },
  neutral: { learner: 'Hello.', fluent: 'Hi,' },
  formal: { learner: 'Good day.', fluent: 'Good afternoon.' },
};

const CONTEXT: Phrases = {
  casual: { learner: 'i want to message since some days but very busy', fluent: 'been meaning to message for days but life got busy' },
  neutral: { learner: 'I want to contact you since some days but I am very busy.', fluent: 'I have been meaning to get in touch for a couple of days, but things got busy.' },
  formal: { learner: 'I wish to contact you since some days, excuse the delay.', fluent: 'I had intended to contact you some days ago; please excuse the delay.' },
};

const UPSET: Phrases = {
  casual: { learner: 'i am so angry about this', fluent: 'honestly this is so annoying' },
  neutral: { learner: 'I am very angry about this.', fluent: 'Honestly, this is really frustrating.' },
  formal: { learner: 'I am very unhappy with this.', fluent: 'I must say I find this most frustrating.' },
};

const ASIDE: Phrases = {
  casual: { learner: 'also weather is so nice today!', fluent: 'btw lovely weather today' },
  neutral: { learner: 'Also the weather is so nice today!', fluent: 'Lovely weather today, by the way.' },
  formal: { learner: 'Also, the weather is very nice today.', fluent: 'Incidentally, what splendid weather we are having.' },
};

/** Reactions when the agent asks for a detail, by what dominates the persona. */
const REACTION: Record<'hurried' | 'guarded' | 'forthcoming' | 'plain', Phrases> = {
  hurried: {
    casual: { learner: 'i say this already. why so long??', fluent: 'already told u that. how long is this gonna take' },
    neutral: { learner: 'I say this already. Why it take so long?', fluent: 'I already told you that. How long is this going to take?' },
    formal: { learner: 'I give this already. Please be more quick.', fluent: 'I have already provided that. I would appreciate some urgency.' },
  },
  guarded: {
    casual: { learner: 'why u need this?', fluent: 'why do u need that?' },
    neutral: { learner: 'Why you need this?', fluent: 'Why do you need that?' },
    formal: { learner: 'Please tell me why you need this.', fluent: 'May I ask why that is required?' },
  },
  forthcoming: {
    casual: { learner: 'yes sure, and if u need more just ask', fluent: "sure! and if u need anything else just say" },
    neutral: { learner: 'Yes sure, and if you need more, ask me.', fluent: "Sure, and tell me if you need anything else. I'm happy to give it." },
    formal: { learner: 'Yes of course, I give you all you need.', fluent: 'Certainly, and do let me know whatever else you require.' },
  },
  plain: {
    casual: { learner: 'ok, what more u need?', fluent: 'ok, what else do u need?' },
    neutral: { learner: 'OK, what more you need?', fluent: 'OK, what else do you need?' },
    formal: { learner: 'Very good, what more is needed?', fluent: 'Very well. What else do you need from me?' },
  },
};

function phrase(p: Phrases, t: TraitValues): string {
  const register = t.formality <= 2 ? 'casual' : t.formality >= 4 ? 'formal' : 'neutral';
  return p[register][t.proficiency <= 2 ? 'learner' : 'fluent'];
}

/** Adds deterministic typos to longer words; never touches digits or symbols. */
export function addTypos(text: string, level: number, rng: Rng): string {
  const rate = [0, 0.06, 0.15, 0.3, 0.5][Math.min(5, Math.max(1, level)) - 1]!;
  if (rate === 0) return text;
  let out = text.replace(/[A-Za-z]{4,}/g, (word) => {
    if (rng() >= rate) return word;
    const i = 1 + Math.floor(rng() * (word.length - 2));
    switch (Math.floor(rng() * 3)) {
      case 0:
        return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
      case 1:
        return word.slice(0, i) + word.slice(i + 1);
      default:
        return word.slice(0, i) + word[i] + word.slice(i);
    }
  });
  if (level >= 4) out = out.toLowerCase().replace(/[.,;!?']/g, '');
  else if (level >= 3) out = out.replace(/[,']/g, '');
  return out;
}

/**
 * Two example lines in the persona's voice: how they open, and how they react when the
 * agent asks them for something. Built only from the generic phrases above.
 */
export function exampleLines(persona: Pick<Persona, 'id' | 'traits'>): [string, string] {
  const t = persona.traits;
  const parts: string[] = [];
  if (t.verbosity >= 2 || t.formality >= 4) parts.push(phrase(GREETING, t));
  if (t.verbosity >= 5) parts.push(phrase(CONTEXT, t));
  parts.push(phrase(OPENING[band(t.clarity)], t));
  if (t.emotion >= 4) parts.push(phrase(UPSET, t));
  if (t.drift >= 4) parts.push(phrase(ASIDE, t));
  // Casual phrases carry no full stops, so they are joined with commas; after "Hi," the
  // next phrase goes on in lower case.
  const casual = t.formality <= 2;
  let opening = parts.reduce((acc, part) => {
    if (!acc) return part;
    if (casual) return `${acc}, ${part}`;
    return acc.endsWith(',') ? `${acc} ${part.replace(/^([A-Z])(?![A-Z ])/, (c) => c.toLowerCase())}` : `${acc} ${part}`;
  }, '');
  if (t.verbosity <= 1) opening = opening.replace(/^(I have |I need |I am getting in touch because |I would be grateful for )/i, '').replace(/[.,]$/, '');
  const kind = t.patience <= 2 || (t.emotion >= 4 && t.patience <= 3) ? 'hurried' : t.cooperativeness <= 2 ? 'guarded' : t.cooperativeness >= 4 ? 'forthcoming' : 'plain';
  const reaction = phrase(REACTION[kind], t);
  // The same persona always gets the same typos, so the policy is stable across renders.
  const rng = mulberry32(hash32(`typos|${persona.id}`));
  const typedReaction = addTypos(reaction, t.noise, rng);
  // Shouting survives any amount of noise.
  return [addTypos(opening, t.noise, rng), t.emotion >= 5 && kind === 'hurried' ? typedReaction.toUpperCase() : typedReaction];
}

/* ------------------------------------------------------------- rendering */

/** Options for rendering a policy. */
export interface PolicyOptions {
  /** Ignore a hand-written `policy` and render from the traits (the editor's preview). */
  fromTraits?: boolean;
}

/**
 * The persona's roleplay policy: its hand-written `policy` when it has one, otherwise
 * rendered from its traits, role and background.
 */
export function renderPolicy(persona: Persona, opts: PolicyOptions = {}): string {
  if (persona.policy?.trim() && !opts.fromTraits) return persona.policy.trim();
  const t = persona.traits;
  const bullets = (names: readonly TraitName[]) => names.map((n) => `- ${levelInstruction(n, t[n])}`);
  const writing = bullets(WRITING);
  // Noise changes how the user types, never the values the agent needs.
  if (t.noise >= 2) writing.push('- Always type names, numbers, codes and email addresses exactly right, however messy the rest is.');
  const [open, react] = exampleLines(persona);
  return [
    who(persona),
    `How your messages look:\n${writing.join('\n')}`,
    `How you behave:\n${bullets(BEHAVIOUR).join('\n')}`,
    `Example lines in your voice (they show the style only, not your situation):\n- "${open}"\n- "${react}"`,
    'This character changes how you talk, never what you want or know: keep to the facts and the goal of your situation exactly.',
  ].join('\n\n');
}

/** A trait's change as it is told to the simulator mid-session. */
export interface TraitChange {
  trait: TraitName;
  from: number;
  to: number;
}

/**
 * The note that tells an LLM simulator its character has changed from this message on:
 * the new instruction for each changed trait. Like a policy, it names no task fact.
 */
export function renderControlUpdate(changes: readonly TraitChange[]): string {
  const lines = changes.map((c) => `- ${traitDef(c.trait).label} is now ${c.to} of 5: ${levelInstruction(c.trait, c.to)}`);
  return `[Your character changes from this message on. Everything else about you and your situation stays the same.\n${lines.join('\n')}]`;
}
