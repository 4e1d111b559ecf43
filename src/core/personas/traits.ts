import type { TraitName, TraitValues } from '../model/types.ts';

/*
 * The trait space: the single source for labels, anchored levels, the behavioural
 * instruction each level renders to, and the asker roles. docs/personas.md describes the
 * same table in prose, and a test checks that every trait and anchor here appears there.
 */

/** One trait level as an instruction for the user simulator, from 1 to 5. */
export type LevelInstructions = readonly [string, string, string, string, string];

/** A persona trait with anchored levels: what 1, 3 and 5 look like in a real message. */
export interface TraitDef {
  name: TraitName;
  label: string;
  /** What a low and a high value mean, for sliders and bars. */
  low: string;
  high: string;
  /** What the trait is about, in one sentence, for the editor and the docs. */
  about: string;
  /** A real message at levels 1, 3 and 5 (the message text, without quotes). */
  anchors: { 1: string; 3: string; 5: string };
  /**
   * What the roleplay policy tells the simulator at each level 1–5 (index 0 is level 1).
   * Behaviour only: none of them states or changes a task fact.
   */
  instructions: LevelInstructions;
}

export const TRAIT_MIN = 1;
export const TRAIT_MAX = 5;
/** Every level a trait can take, low to high. */
export const TRAIT_LEVELS: readonly number[] = [1, 2, 3, 4, 5];

export const TRAITS: readonly TraitDef[] = [
  {
    name: 'patience',
    label: 'Patience',
    low: 'gives up fast',
    high: 'endlessly patient',
    about: 'How long the user tolerates slow, repetitive or unhelpful replies before complaining or leaving.',
    anchors: {
      1: 'This is taking forever. Forget it, I will go somewhere else.',
      3: 'OK, what else do you need from me?',
      5: 'No rush at all, take your time. I am happy to wait.',
    },
    instructions: [
      'You are very impatient: if the agent repeats a question, stalls or asks for something twice, say so bluntly, and after two unhelpful replies give up and end the conversation.',
      'You are impatient: point it out when things drag on, and give up after a few unhelpful replies.',
      'You are reasonably patient, but you notice when things drag on and say so after several unhelpful replies.',
      'You are patient: you wait for the agent and answer follow-up questions without complaint.',
      'You are endlessly patient: you never rush the agent and calmly answer the same question again if asked.',
    ],
  },
  {
    name: 'verbosity',
    label: 'Verbosity',
    low: 'terse',
    high: 'long-winded',
    about: 'How much the user writes per message.',
    anchors: {
      1: 'need to cancel',
      3: 'Hi, I would like to cancel an order, please.',
      5: 'Hello! So last week I ordered a few things as a present, and now it turns out my sister already bought the same ones, so I was hoping to cancel, if that is still possible at this point?',
    },
    instructions: [
      'Send very short messages: a few words, no greeting, often not a full sentence.',
      'Keep your messages short: one sentence, rarely more.',
      'Send normal messages of one or two sentences.',
      'Send fairly long messages: add a little context about why you are asking.',
      'Send long, chatty messages of several sentences, with background and side details.',
    ],
  },
  {
    name: 'clarity',
    label: 'Clarity',
    low: 'vague, ambiguous',
    high: 'precise',
    about: 'Whether the user says exactly what they mean or leaves the agent to work it out.',
    anchors: {
      1: 'something is wrong with my thing, the one from before',
      3: 'I have a problem with an order I placed.',
      5: 'Please cancel my order from 3 November; it is the only open order on my account.',
    },
    instructions: [
      'Be vague: describe your problem loosely ("my thing", "that one"), use "it" and "that" without saying what they refer to, and give specifics only when asked directly.',
      'Be somewhat vague at first; say exactly what you mean only when the agent asks.',
      'Be fairly clear, though not every detail comes out at once.',
      'Be clear: say what you want in plain terms.',
      'Be precise: say exactly what you want in your first message, in unambiguous terms.',
    ],
  },
  {
    name: 'cooperativeness',
    label: 'Cooperativeness',
    low: 'reluctant to share',
    high: 'volunteers everything',
    about: 'Willingness to share information, and to share it unprompted.',
    anchors: {
      1: 'Why do you need my email? I would rather not give it out.',
      3: 'It is the one I used when I signed up.',
      5: 'Sure! Here is my email, and I can also give you my postcode and the date I ordered if that helps.',
    },
    instructions: [
      'Be reluctant to share: ask why a detail is needed before giving it, and then give only the part asked for.',
      'Share details only when asked, and sometimes ask why first.',
      'Answer what you are asked, without volunteering more.',
      'Offer a relevant detail or two before you are asked.',
      'Volunteer the details you think the agent will need, without waiting to be asked.',
    ],
  },
  {
    name: 'techLiteracy',
    label: 'Technical literacy',
    low: 'novice',
    high: 'expert',
    about: 'How familiar the user is with technology and the words for it.',
    anchors: {
      1: 'I clicked the blue thingy on the website and now it is gone?',
      3: 'I went to the order page but could not find a cancel button.',
      5: 'The cancel endpoint in your app returns an error, so I assume the order is already locked for dispatch.',
    },
    instructions: [
      'You are not technical: use everyday words ("the website thingy"), misname technical things, and ask what jargon means.',
      'You know the basics of websites and apps but get lost in technical terms.',
      'You are comfortable with ordinary websites and apps.',
      'You are technically confident and use the right names for things.',
      'You are a technical expert: use precise technical terms and expect precise answers back.',
    ],
  },
  {
    name: 'emotion',
    label: 'Emotional state',
    low: 'calm',
    high: 'upset, escalates',
    about: 'How upset the user is, and how fast frustration escalates when the agent does not help.',
    anchors: {
      1: 'No problem, these things happen.',
      3: 'Honestly, this is a bit annoying.',
      5: 'This is RIDICULOUS. I have asked three times now and nobody is helping me!!',
    },
    instructions: [
      'You are calm and stay calm, even when things go wrong.',
      'You are calm, but you get a little irritated when the agent is unhelpful.',
      'You are somewhat annoyed by the situation; each unhelpful reply makes you more annoyed, and it shows.',
      'You are upset; when the agent is unhelpful you get noticeably angrier, with sharper words.',
      'You are very upset from the start, and each unhelpful reply escalates your frustration: capitals, exclamation marks, threats to complain (but never insults).',
    ],
  },
  {
    name: 'formality',
    label: 'Formality',
    low: 'casual',
    high: 'formal',
    about: 'The register the user writes in.',
    anchors: {
      1: 'hey quick q, can u cancel smth for me',
      3: 'Hi, could you help me cancel an order?',
      5: 'Good afternoon. I would be grateful if you could assist me in cancelling an order.',
    },
    instructions: [
      'Type casually, in lower case, like a text message ("hey", "thx", "u").',
      'Use an informal, relaxed tone.',
      'Use a neutral, polite register.',
      'Be polite and a little formal, in full sentences.',
      'Be very formal, like a letter ("Good afternoon", "I would be grateful if").',
    ],
  },
  {
    name: 'noise',
    label: 'Spelling noise',
    low: 'clean',
    high: 'many typos',
    about: 'Spelling, grammar and punctuation mistakes: how the user types, never what the values are.',
    anchors: {
      1: 'I would like to return an item.',
      3: 'i would like to retrun an item',
      5: 'i wnat ot retrun teh item pls hwo do i do taht',
    },
    instructions: [
      'Your spelling, grammar and punctuation are correct.',
      'Make an occasional small typo.',
      'Make a typo or two in each message and skip some punctuation.',
      'Make frequent typos, swap letters, and drop capitals and punctuation.',
      'Make typos in most words, swap and drop letters, and skip punctuation entirely.',
    ],
  },
  {
    name: 'drift',
    label: 'Off-topic drift',
    low: 'stays on task',
    high: 'wanders off',
    about: 'How often the user drifts away from the task.',
    anchors: {
      1: 'I need to cancel my order.',
      3: 'I need to cancel my order. Lovely weather today, by the way.',
      5: 'Oh, and do you read mysteries yourself? My book club just finished one where the butler… anyway, where was I?',
    },
    instructions: [
      'Stay strictly on your problem.',
      'Very rarely, add a brief personal aside.',
      'Now and then, make a brief remark unrelated to your problem, then carry on.',
      'Often add asides about your day or your life, then come back to your problem.',
      'Wander off topic a lot (stories, opinions, questions to the agent about unrelated things) and need steering back to your problem.',
    ],
  },
  {
    name: 'initiative',
    label: 'Initiative',
    low: 'only answers',
    high: 'drives the conversation',
    about: 'Whether the user drives the conversation or only answers the agent.',
    anchors: {
      1: 'Yes.',
      3: 'I want to cancel an order. What do you need from me?',
      5: 'I want to cancel this, get the refund back to my card and change my address, so let us start with the refund: when will I have it?',
    },
    instructions: [
      'Only answer what the agent asks; never raise the next step yourself.',
      'Mostly follow the agent\'s lead and add little of your own.',
      'State what you want, then follow the agent\'s lead.',
      'Push the conversation forward: ask what happens next and raise your next point yourself.',
      'Drive the conversation: set the agenda, push several points at once, and chase the agent for progress.',
    ],
  },
  {
    name: 'proficiency',
    label: 'Language proficiency',
    low: 'learner',
    high: 'native',
    about: 'How well the user writes the conversation\'s language.',
    anchors: {
      1: 'I want give back the item, is possible? I not like.',
      3: 'I want to give back the item, is it possible? I do not like it so much.',
      5: 'I would like to return the item, if that is possible; it was not quite what I expected.',
    },
    instructions: [
      'English is not your first language and you are a beginner: short simple sentences, wrong verb forms, missing articles ("I want change this, is possible?").',
      'English is your second language: simple words and some grammar mistakes.',
      'Your English is good but not perfect: now and then an unidiomatic phrase.',
      'Your English is fluent, with rare slips.',
      'English is your native language.',
    ],
  },
];

export const TRAIT_NAMES: readonly TraitName[] = TRAITS.map((t) => t.name);

/** The definition of a trait by name. */
export function traitDef(name: TraitName): TraitDef {
  const t = TRAITS.find((d) => d.name === name);
  if (!t) throw new Error(`Unknown trait "${name}"`);
  return t;
}

/** The instruction a trait level renders to (values are clamped and rounded to 1–5). */
export function levelInstruction(name: TraitName, value: number): string {
  const v = Math.min(TRAIT_MAX, Math.max(TRAIT_MIN, Math.round(value)));
  return traitDef(name).instructions[v - 1]!;
}

/**
 * The anchored description of a level for sliders: the anchor itself at 1, 3 and 5, and
 * at 2 and 4 the two anchors it lies between.
 */
export function describeLevel(name: TraitName, value: number): string {
  const a = traitDef(name).anchors;
  if (value <= 1) return a[1];
  if (value === 3) return a[3];
  if (value >= 5) return a[5];
  return value === 2 ? `between "${a[1]}" and "${a[3]}"` : `between "${a[3]}" and "${a[5]}"`;
}

/* ------------------------------------------------------------------ roles */

/**
 * Who is asking. The same question asked from different roles draws different answers
 * (role-based question simulation), so the role shapes what the user asks about and how,
 * never the facts of their situation.
 */
export interface AskerRole {
  id: string;
  label: string;
  /** How this role changes the user's questions, as an instruction to the simulator. */
  asks: string;
  /** One line in this role's voice (generic: no task facts). */
  example: string;
}

export const ROLES: readonly AskerRole[] = [
  {
    id: 'novice',
    label: 'novice',
    asks: 'You are doing this for the first time: ask how things work and what each step means, and want the steps spelled out.',
    example: 'Sorry, I have never done this before. What do I do first?',
  },
  {
    id: 'regular',
    label: 'regular customer',
    asks: 'You have done this before: you know the usual process, expect it to go as it did last time, and notice when it does not.',
    example: 'Last time this took two minutes. Can we do it the same way?',
  },
  {
    id: 'caregiver',
    label: 'caregiver',
    asks: 'You look after someone (a child or an elderly parent) and think of them when you ask: is it suitable, safe, quick and affordable for your household. The details of your situation are still your own.',
    example: 'I have to be back with the kids in ten minutes, so what is the quickest way?',
  },
  {
    id: 'professional',
    label: 'professional',
    asks: 'You ask precise, efficient questions, expect exact answers, and want every change confirmed explicitly.',
    example: 'Please confirm exactly what will change before you do it.',
  },
  {
    id: 'student',
    label: 'student',
    asks: 'You are on a tight budget and curious: ask what things cost, why the rules are what they are, and whether there is a cheaper way.',
    example: 'Is there a cheaper way to do this? Money is tight this month.',
  },
  {
    id: 'business-owner',
    label: 'small-business owner',
    asks: 'You run a small business and think about time and paperwork: ask how long things take and what written confirmation you will get.',
    example: 'How long will this take? I have a shop to run.',
  },
  {
    id: 'skeptic',
    label: 'skeptic',
    asks: 'You distrust the company: ask for the reason behind each step, which rule says so, and what guarantee you have.',
    example: 'And which rule says you need that? I want to understand before I agree.',
  },
];

/** The vocabulary role a free-text role names, e.g. "busy professional" → professional. */
export function roleOf(role: string): AskerRole | undefined {
  const r = role.trim().toLowerCase();
  return (
    ROLES.find((x) => x.id === r || x.label === r) ??
    ROLES.find((x) => new RegExp(`\\b${x.id.replace('-', '[- ]')}\\b`).test(r) || r.includes(x.label))
  );
}

/** The cooperative baseline: the easy user that most simulators produce by accident. */
export const BASELINE_TRAITS: TraitValues = {
  patience: 5,
  verbosity: 3,
  clarity: 5,
  cooperativeness: 5,
  techLiteracy: 4,
  emotion: 1,
  formality: 3,
  noise: 1,
  drift: 1,
  initiative: 3,
  proficiency: 5,
};
