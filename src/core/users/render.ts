import type { DialogueAct } from '../model/types.ts';
import { chance, pick, type Rng } from '../stats/rng.ts';
import { slotLabel } from './nlu.ts';

/*
 * Natural-language rendering of user dialogue acts from varied templates. Register follows
 * formality; spelling noise touches template words only, never the values the agent needs
 * (emails, order numbers), so noise changes how the user sounds, not what they say.
 */

export type Register = 'casual' | 'neutral' | 'formal';

export interface RenderStyle {
  register: Register;
  /** Chance that a template word gets a typo. */
  typoRate: number;
  /** 0–1: how upset the user sounds now. */
  upset: number;
  /** Chance of an off-topic aside in a message. */
  driftRate: number;
  /** Learner grammar: fewer articles, simpler forms. */
  learner: boolean;
}

type Templates = Record<Register, string[]>;

const T: Record<string, Templates> = {
  greet: {
    casual: ['hey', 'hi there', 'hiya'],
    neutral: ['Hi.', 'Hello.', 'Hi there.'],
    formal: ['Good afternoon.', 'Hello, good day.'],
  },
  want: {
    casual: ['i need to {v}', 'can u {v}?', 'wanna {v}'],
    neutral: ["I'd like to {v}.", 'Can you help me {v}?', 'I want to {v}.'],
    formal: ['I would like to {v}, please.', 'Could you please help me {v}?'],
  },
  wantVague: {
    casual: ['got a problem with my order', 'something is off with my stuff'],
    neutral: ['I have a problem with an order.', 'I need some help with my order.'],
    formal: ['I am contacting you about an order of mine.'],
  },
  wantInstead: {
    casual: ['i just want to {v}', 'no i want to {v}'],
    neutral: ['What I want is to {v}.', 'I just want to {v}.'],
    formal: ['What I would like is to {v}.'],
  },
  wantAgain: {
    casual: ['still need to {v}', 'i also wanna {v}'],
    neutral: ['I also need to {v}.', 'There is one more thing: I want to {v}.'],
    formal: ['I would also like to {v}, please.'],
  },
  inform: {
    casual: ['{label}: {v}', "it's {v}", '{v}'],
    neutral: ['My {label} is {v}.', "It's {v}.", 'Sure, it is {v}.'],
    formal: ['My {label} is {v}.', 'Certainly. It is {v}.'],
  },
  volunteer: {
    casual: ['my {label} is {v}', '{label} is {v} btw'],
    neutral: ['My {label} is {v}.', 'In case it helps, my {label} is {v}.'],
    formal: ['For reference, my {label} is {v}.'],
  },
  informItems: {
    casual: ['{v}', 'the {v} one'],
    neutral: ["It's {v}.", 'I mean {v}.'],
    formal: ['It concerns {v}.'],
  },
  informRefund: {
    casual: ['{v} is fine', '{v} pls'],
    neutral: ['{v}, please.', "I'd like it as {v}."],
    formal: ['I would prefer {v}, please.'],
  },
  dontKnow: {
    casual: ["dunno my {label}", "no idea, sorry"],
    neutral: ["I don't know my {label}, sorry.", "I don't have that, sorry."],
    formal: ['I am afraid I do not have my {label} to hand.'],
  },
  dontKnowWhich: {
    casual: ['dunno which one', 'no idea which one, sorry'],
    neutral: ["I don't know which one, sorry.", "Sorry, I don't know which one it is."],
    formal: ['I am afraid I do not know which one it is.'],
  },
  pick: {
    casual: ['{v}', '{v} pls'],
    neutral: ['I mean {v}.', "It's {v}."],
    formal: ['I mean {v}, please.', 'It is {v}.'],
  },
  deflect: {
    casual: ['why do u need my {label}?', 'is that really needed?'],
    neutral: ['Why do you need my {label}?', 'Do you really need that?'],
    formal: ['May I ask why my {label} is required?'],
  },
  repeat: {
    casual: ['i already said, {v}', 'told u already: {v}'],
    neutral: ['I already told you: {v}.', 'As I said, {v}.'],
    formal: ['As I mentioned, it is {v}.'],
  },
  affirm: {
    casual: ['yep go ahead', 'yes', 'sure do it'],
    neutral: ['Yes, please.', 'Yes, go ahead.', "Yes, that's right."],
    formal: ['Yes, please proceed.', 'That is correct, please go ahead.'],
  },
  negate: {
    casual: ['no thats wrong', 'nope'],
    neutral: ["No, that's not right.", 'No, not quite.'],
    formal: ['No, I am afraid that is not correct.'],
  },
  thank: {
    casual: ['thx', 'cool thanks'],
    neutral: ['Thanks!', 'Thank you.', 'Great, thanks.'],
    formal: ['Thank you very much for your help.', 'Much appreciated.'],
  },
  bye: {
    casual: ["that's all, bye", 'bye'],
    neutral: ["That's all I needed. Bye!", "That's everything, goodbye."],
    formal: ['That will be all. Goodbye.', 'That is everything, thank you. Goodbye.'],
  },
  reject: {
    casual: ['nah, {v}', 'no not that one, {v}'],
    neutral: ['No, {v}.', 'No, not that one: {v}.'],
    formal: ['No, I am afraid not: {v}.'],
  },
  rejectAll: {
    casual: ['none of those, {v}', 'nah none of them, {v}'],
    neutral: ['None of those, {v}.', 'No, none of them: {v}.'],
    formal: ['I am afraid none of those will do: {v}.'],
  },
  bored: {
    casual: ["meh, i'll find something myself. bye", 'forget it, bye'],
    neutral: ["I don't think I'll find anything here. Never mind, bye.", "Let's leave it, I'll look for something myself. Bye."],
    formal: ['I think I shall look elsewhere. Goodbye.'],
  },
  giveUp: {
    casual: ['forget it. bye', 'ugh never mind'],
    neutral: ["Forget it, I'll sort it out another way. Bye.", 'Never mind, this is going nowhere. Goodbye.'],
    formal: ['I think I will take this up another way. Goodbye.'],
  },
  complainRefused: {
    casual: ['seriously? there must be something u can do', 'come on, i really need this'],
    neutral: ['But I really need this. Is there really nothing you can do?', "That's disappointing. Are you sure?"],
    formal: ['I must insist. Is there truly no alternative?'],
  },
  complainConfused: {
    casual: ['huh?', 'what do u mean'],
    neutral: ["Sorry, I'm not sure what you mean.", "I don't follow."],
    formal: ['I beg your pardon, I do not quite follow.'],
  },
  upset: {
    casual: ['ugh.', 'come on.'],
    neutral: ['This is taking a while.', 'This is getting frustrating.'],
    formal: ['I must say this is taking rather long.'],
  },
};

const ASIDES = [
  'By the way, do you have any good mystery recommendations?',
  'Sorry, my cat just walked over the keyboard.',
  "I'm doing this on my phone on the bus, so bear with me.",
  'My book club meets on Thursday, that is why I ask.',
  'Is it always this busy on a Monday?',
];

function template(kind: string, style: RenderStyle, rng: Rng): string {
  const t = T[kind];
  if (!t) throw new Error(`no templates for "${kind}"`);
  return pick(rng, t[style.register]);
}

/** Swaps two neighbouring letters in some words: "return" → "retrun". */
function addTypos(text: string, rate: number, rng: Rng): string {
  if (rate <= 0) return text;
  return text.replace(/[A-Za-z]{4,}/g, (word) => {
    if (!chance(rng, rate)) return word;
    const i = 1 + Math.floor(rng() * (word.length - 2));
    return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  });
}

function learnerGrammar(text: string): string {
  return text
    .replace(/\bI'd like to\b/g, 'I want')
    .replace(/\b(the|a|an) (?=[a-z])/g, '')
    .replace(/\bdon't\b/g, 'not');
}

/** Fills a template: noise applies to the words, then the exact values go in. */
function fill(kind: string, style: RenderStyle, rng: Rng, values: { v?: string; label?: string }): string {
  let text = template(kind, style, rng);
  if (style.learner) text = learnerGrammar(text);
  text = addTypos(text.replace('{label}', values.label ?? ''), style.typoRate, rng);
  return text.replace('{v}', values.v ?? '');
}

/** Renders the acts popped for one turn as one message. */
export function renderUserActs(acts: readonly DialogueAct[], style: RenderStyle, rng: Rng): string {
  const parts: string[] = [];
  if (style.upset >= 0.6 && chance(rng, style.upset)) parts.push(fill('upset', style, rng, {}));
  for (const a of acts) {
    const label = a.slot ? slotLabel(a.slot) : '';
    switch (a.act) {
      case 'greet':
        parts.push(fill('greet', style, rng, {}));
        break;
      case 'want':
        parts.push(
          a.slot === 'vague'
            ? fill('wantVague', style, rng, {})
            : fill(a.slot === 'again' ? 'wantAgain' : a.slot === 'instead' ? 'wantInstead' : 'want', style, rng, { v: a.value }),
        );
        break;
      case 'inform': {
        const text = fill(a.unprompted ? 'volunteer' : a.slot === 'items' ? 'informItems' : a.slot === 'refund_method' ? 'informRefund' : 'inform', style, rng, {
          v: a.value,
          label,
        });
        // "My item ids are …", not "is".
        parts.push(/\b(ids|numbers|items)$/.test(label) ? text.replace(new RegExp(`\\b(my ${label}) is `, 'i'), '$1 are ') : text);
        break;
      }
      case 'pick':
        parts.push(fill('pick', style, rng, { v: a.value }));
        break;
      case 'dont_know':
        parts.push(fill(a.value === 'which' ? 'dontKnowWhich' : 'dontKnow', style, rng, { label }));
        break;
      case 'deflect':
        parts.push(fill('deflect', style, rng, { label }));
        break;
      case 'repeat':
        parts.push(fill('repeat', style, rng, { v: a.value, label }));
        break;
      case 'affirm':
        parts.push(fill('affirm', style, rng, {}));
        break;
      case 'negate':
        parts.push(fill('negate', style, rng, {}));
        break;
      case 'thank':
        parts.push(fill('thank', style, rng, {}));
        break;
      case 'bye':
        parts.push(fill(a.value === 'gave_up' ? 'giveUp' : a.value === 'bored' ? 'bored' : 'bye', style, rng, {}));
        break;
      case 'reject':
        parts.push(fill(a.slot === 'all' ? 'rejectAll' : 'reject', style, rng, { v: a.value }));
        break;
      case 'complain':
        parts.push(fill(a.value === 'refused' ? 'complainRefused' : a.value === 'slow' ? 'upset' : 'complainConfused', style, rng, {}));
        break;
      default:
        throw new Error(`cannot render user act "${a.act}"`);
    }
  }
  if (style.driftRate > 0 && chance(rng, style.driftRate)) parts.push(pick(rng, ASIDES));
  // Casual templates skip punctuation; a sentence still has to end before the next begins.
  return parts.map((p, i) => (i < parts.length - 1 && !/[.?!,:]$/.test(p) ? `${p}.` : p)).join(' ');
}
