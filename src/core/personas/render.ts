import type { Persona, TraitName } from '../model/types.ts';

/*
 * A persona's traits as plain behavioural instructions for an LLM user simulator. This is the
 * interim rendering; the persona engine's roleplay policies replace it. It says how the user
 * behaves, never what they want: no task facts appear here.
 */

const LOW_MID_HIGH: Record<TraitName, [string, string, string]> = {
  patience: [
    'You are impatient: if the agent is slow or repeats itself, say so, and give up after a few unhelpful replies.',
    'You are reasonably patient, but you notice when things drag on.',
    'You are very patient and never rush the agent.',
  ],
  verbosity: [
    'Write very short messages: a few words, often without greetings.',
    'Write short, normal messages of one or two sentences.',
    'Write long, chatty messages with extra context and detail.',
  ],
  clarity: [
    'Be vague: describe your problem loosely at first and leave out specifics until asked.',
    'Be fairly clear, though not every detail comes out at once.',
    'Be precise: state exactly what you want.',
  ],
  cooperativeness: [
    'Be reluctant to share personal details: ask why they are needed before giving them.',
    'Answer what you are asked, without volunteering more.',
    'Volunteer the details you think the agent will need.',
  ],
  techLiteracy: [
    'You are not technical: use everyday words and get confused by jargon.',
    'You are comfortable with ordinary websites and apps.',
    'You are technically expert and use precise terms.',
  ],
  emotion: [
    'You are calm.',
    'You are a little annoyed by the situation.',
    'You are upset, and you get more frustrated when the agent does not help.',
  ],
  formality: ['Write casually, in lower case, like a text message.', 'Write in a neutral, polite register.', 'Write formally.'],
  noise: [
    'Your spelling and grammar are correct.',
    'You make the occasional typo.',
    'You make many typos and skip punctuation.',
  ],
  drift: [
    'Stay strictly on your problem.',
    'Now and then, make a brief remark unrelated to your problem.',
    'Often wander off topic with asides about your life, then come back to your problem.',
  ],
  initiative: [
    'Only answer what the agent asks; let the agent lead.',
    'State what you want, then follow the agent.',
    'Drive the conversation: push for what you want and raise the next point yourself.',
  ],
  proficiency: [
    'English is not your first language: use simple words and make grammar mistakes.',
    'Your English is good but not perfect.',
    'English is your native language.',
  ],
};

/** The persona as instructions, one line per trait, plus role and background. */
export function renderPersonaInstructions(persona: Persona): string {
  const lines = (Object.keys(LOW_MID_HIGH) as TraitName[]).map((t) => {
    const v = persona.traits[t];
    const [low, mid, high] = LOW_MID_HIGH[t];
    return `- ${v <= 2 ? low : v >= 4 ? high : mid}`;
  });
  const who = [`You are ${persona.name.toLowerCase().startsWith('baseline') ? 'an ordinary customer' : `"${persona.name}"`}, a ${persona.role}.`];
  if (persona.background.trim()) who.push(persona.background.trim());
  return `${who.join(' ')}\n${lines.join('\n')}`;
}
