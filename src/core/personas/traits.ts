import type { TraitName, TraitValues } from '../model/types.ts';

/** A persona trait with anchored levels: what 1, 3 and 5 look like in a real message. */
export interface TraitDef {
  name: TraitName;
  label: string;
  /** What a low and a high value mean, for sliders and bars. */
  low: string;
  high: string;
  anchors: { 1: string; 3: string; 5: string };
}

export const TRAIT_MIN = 1;
export const TRAIT_MAX = 5;

export const TRAITS: readonly TraitDef[] = [
  {
    name: 'patience',
    label: 'Patience',
    low: 'gives up fast',
    high: 'endlessly patient',
    anchors: {
      1: '"This is taking forever. Forget it."',
      3: '"OK, what else do you need?"',
      5: '"No rush at all, take your time."',
    },
  },
  {
    name: 'verbosity',
    label: 'Verbosity',
    low: 'terse',
    high: 'long-winded',
    anchors: {
      1: '"cancel order"',
      3: '"Hi, I\'d like to cancel an order please."',
      5: '"Hello! So I ordered a few books last week for my niece, and it turns out…"',
    },
  },
  {
    name: 'clarity',
    label: 'Clarity',
    low: 'vague',
    high: 'precise',
    anchors: {
      1: '"something is wrong with my thing"',
      3: '"I have a problem with an order."',
      5: '"Please cancel order BK-2041, placed on 3 November."',
    },
  },
  {
    name: 'cooperativeness',
    label: 'Cooperativeness',
    low: 'reluctant to share',
    high: 'volunteers everything',
    anchors: {
      1: '"Why do you need my email?"',
      3: 'answers what is asked',
      5: '"My email is ana@example.org and the order is BK-2041."',
    },
  },
  {
    name: 'techLiteracy',
    label: 'Technical literacy',
    low: 'novice',
    high: 'expert',
    anchors: { 1: '"the website thingy"', 3: '"the order page"', 5: '"the order ID in the confirmation email header"' },
  },
  {
    name: 'emotion',
    label: 'Emotional state',
    low: 'calm',
    high: 'upset, escalates',
    anchors: { 1: '"No problem."', 3: '"This is a bit annoying."', 5: '"This is ridiculous, I\'m really upset."' },
  },
  {
    name: 'formality',
    label: 'Formality',
    low: 'casual',
    high: 'formal',
    anchors: { 1: '"hey, quick q"', 3: '"Hi, could you help me?"', 5: '"Good afternoon. I would be grateful for your assistance."' },
  },
  {
    name: 'noise',
    label: 'Spelling noise',
    low: 'clean',
    high: 'many typos',
    anchors: { 1: '"I want to return a book."', 3: '"i want to retrun a book"', 5: '"i wnat ot retrun teh book pls"' },
  },
  {
    name: 'drift',
    label: 'Off-topic drift',
    low: 'stays on task',
    high: 'wanders off',
    anchors: { 1: 'only the task', 3: 'an occasional aside', 5: '"By the way, do you like mysteries? My book club…"' },
  },
  {
    name: 'initiative',
    label: 'Initiative',
    low: 'only answers',
    high: 'drives the conversation',
    anchors: { 1: 'answers only what is asked', 3: 'states the goal, then follows', 5: 'pushes several requests at once' },
  },
  {
    name: 'proficiency',
    label: 'Language proficiency',
    low: 'learner',
    high: 'native',
    anchors: { 1: '"I want give back book, is possible?"', 3: '"I want to give back a book, is it possible?"', 5: '"I\'d like to return a book, if that\'s possible."' },
  },
];

export const TRAIT_NAMES: readonly TraitName[] = TRAITS.map((t) => t.name);

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
