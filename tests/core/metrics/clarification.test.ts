/**
 * Clarifying questions: the heuristic that tells them from identification, confirmations
 * and offers of help on real-looking agent lines (the frame agent's and LLM-style ones), the
 * per-session count in both modes as runSession stores it, the verdicts and the run summary.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ClarificationSpec, JsonObject, RunSpec, ScenarioPack, ToolCall } from '../../../src/core/model/types.ts';
import { expandPack } from '../../../src/core/model/schema.ts';
import {
  asksClarifyingQuestion,
  clarificationVerdict,
  classifyQuestion,
  countClarifyingQuestions,
  questionSentences,
  summarizeClarification,
  tallyQuestions,
  type ClarificationSessionInput,
  type QuestionKind,
} from '../../../src/core/metrics/clarification.ts';
import * as core from '../../../src/core/index.ts';
import { planSessions, runSession } from '../../../src/core/simulation/session.ts';
import { wilsonInterval } from '../../../src/core/stats/wilson.ts';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { PERSONAS, say, scripted, type ScriptStep } from '../fixtures.ts';

describe('classifyQuestion', () => {
  const cases: [string, QuestionKind][] = [
    // Identification: the frame agent's and an LLM's.
    ['I can help with that. First I need to identify you. What is your name (Full name, e.g. "Linda Park")?', 'identification'],
    ['What is your date of birth (Date of birth as YYYY-MM-DD, e.g. "1961-07-23")?', 'identification'],
    ['Could you please confirm your full name and date of birth?', 'identification'],
    ['Can I have the email address on your account?', 'identification'],
    ["What's the zip code on file?", 'identification'],
    ['What is the best phone number to reach you?', 'identification'],
    ['What is your account id?', 'identification'],
    ['Before we go on, can you verify your identity for me?', 'identification'],
    // Confirmations of a proposed action.
    ['To be sure: I will request refill pickup with rx id RX-4410022 and store id S101; shall I proceed?', 'confirmation'],
    ['Shall I refill amlodipine 5 mg for pickup at Elm Street, Riverton?', 'confirmation'],
    ['Would you like me to ask Dr. Shah for a renewal?', 'confirmation'],
    ['Is that correct?', 'confirmation'],
    ['Does that sound good?', 'confirmation'],
    ['Can you confirm you want the tamsulosin refill cancelled?', 'confirmation'],
    // Offers of help.
    ['Hello! How can I help you today?', 'offer'],
    ['Is there anything else I can help you with?', 'offer'],
    ['Do you have any other questions?', 'offer'],
    // Clarifying questions.
    ['Which rx id (Prescription number, e.g. "RX-4410022") do you mean: RX-4410021 (lisinopril 10 mg) or RX-4410022 (amlodipine 5 mg)?', 'clarifying'],
    ['You have two blood pressure prescriptions, lisinopril 10 mg and amlodipine 5 mg. Which one would you like refilled?', 'clarifying'],
    ['Would you like it picked up or delivered?', 'clarifying'],
    ['Do you mean the Main Street store in Riverton or the one in Fairview?', 'clarifying'],
    ["Is this for Theo's inhaler or Jonah's?", 'clarifying'],
    ['What is your rx id (Prescription number, e.g. "RX-4410022")?', 'clarifying'],
    ["What's your son's name?", 'clarifying'],
    ['Can I get the prescription number?', 'clarifying'],
    ['Did you mean your amlodipine?', 'clarifying'],
    // A choice outweighs the identity, confirmation or offer words around it.
    ['Which son is it, and what is his date of birth?', 'clarifying'],
    ['Shall I refill the lisinopril or the amlodipine?', 'clarifying'],
    ['Would you like me to send it to Harbor Street or Market Square?', 'clarifying'],
  ];
  for (const [line, kind] of cases) {
    it(`${kind}: ${line.slice(0, 70)}`, () => {
      const questions = questionSentences(line);
      expect(questions).toHaveLength(1);
      expect(classifyQuestion(questions[0]!)).toBe(kind);
      expect(asksClarifyingQuestion(line)).toBe(kind === 'clarifying');
    });
  }
});

describe('questionSentences', () => {
  it('finds each question, and none in statements', () => {
    expect(questionSentences('Your refill is queued. It will be ready tomorrow after 2 pm.')).toEqual([]);
    expect(questionSentences('Which one? Lisinopril or amlodipine. And pickup or delivery?')).toEqual(['Which one?', 'And pickup or delivery?']);
    expect(questionSentences('Found you.\nWhich store do you mean?\n(Both are downtown.)')).toEqual(['Which store do you mean?']);
  });

  it('does not cut a sentence at an abbreviation', () => {
    expect(questionSentences('Shall I ask Dr. Shah, e.g. by fax, for a renewal?')).toEqual(['Shall I ask Dr. Shah, e.g. by fax, for a renewal?']);
  });

  it('takes a question ending in a quote or bracket', () => {
    expect(questionSentences('You asked: "Is it ready?"')).toEqual(['You asked: "Is it ready?"']);
    expect(questionSentences('Which do you mean (Harbor Street or Market Square?)')).toEqual(['Which do you mean (Harbor Street or Market Square?)']);
  });
});

const ok = (name: string, args: JsonObject, value: JsonObject = {}): ToolCall => ({ id: 'c', name, arguments: args, result: { ok: true, value } });
const agent = (content: string, toolCalls: ToolCall[] = []) => ({ role: 'agent' as const, content, toolCalls });
const user = (content: string) => ({ role: 'user' as const, content, toolCalls: [] });

describe('tallyQuestions', () => {
  it("counts the agent's clarifying messages once each, and files the rest by kind", () => {
    const turns = [
      user('refill my blood pressure medicine (this is Linda Park, date of birth 1961-07-23). Which one is due?'),
      agent('Hello! How can I help you today?'),
      agent('What is your name? And your date of birth?'),
      agent('You have two. Which one do you mean: lisinopril or amlodipine? And pickup or delivery?'),
      agent('Shall I refill amlodipine 5 mg for pickup at Elm Street, Riverton?'),
      agent('Done: it will be ready tomorrow after 2 pm.'),
      agent('Is there anything else I can help you with?'),
    ];
    expect(tallyQuestions(turns)).toEqual({ clarifying: 1, viaAskUser: 0, identification: 1, confirmation: 1, offer: 2 });
    expect(countClarifyingQuestions(turns)).toBe(1);
  });

  it('counts successful ask_user calls by their question, with or without a question mark', () => {
    const failed: ToolCall = { id: 'x', name: 'ask_user', arguments: {}, result: { ok: false, error: { name: 'InvalidArguments', message: 'missing question' } } };
    const turns = [
      agent('', [ok('ask_user', { question: 'What is your full name and date of birth?' })]),
      agent('', [ok('find_patient', { name: 'Linda Park', date_of_birth: '1961-07-23' }), ok('ask_user', { question: 'Which blood pressure medicine: lisinopril or amlodipine?' })]),
      agent('', [ok('ask_user', { question: 'Please tell me whether you want pickup or delivery' }), failed]),
      agent('Shall I go ahead?'),
    ];
    expect(tallyQuestions(turns)).toEqual({ clarifying: 2, viaAskUser: 2, identification: 1, confirmation: 1, offer: 0 });
  });

  it('ignores the user side', () => {
    expect(countClarifyingQuestions([user('Which store is closest? Do you deliver?')])).toBe(0);
  });
});

describe('clarificationVerdict', () => {
  const needed: ClarificationSpec = { needed: true, questions: 2, about: ['which son', 'pickup or delivery'] };
  const none: ClarificationSpec = { needed: false, questions: 0, about: [] };
  it('is too little when asking is needed and nothing was asked, too much when not needed and something was', () => {
    expect(clarificationVerdict(needed, 0)).toBe('too_little');
    expect(clarificationVerdict(needed, 1)).toBe('about_right');
    expect(clarificationVerdict(needed, 5)).toBe('about_right');
    expect(clarificationVerdict(none, 0)).toBe('about_right');
    expect(clarificationVerdict(none, 1)).toBe('too_much');
  });
});

describe('summarizeClarification', () => {
  const scenarios = [
    { id: 'ask', clarification: { needed: true, questions: 1, about: ['which one'] } },
    { id: 'plain', clarification: { needed: false, questions: 0, about: [] } },
    { id: 'other' },
    { id: 'unrun', clarification: { needed: true, questions: 1, about: ['which store'] } },
  ];
  const s = (scenarioId: string, clarifyingQuestions: number | undefined, extra: Partial<ClarificationSessionInput> = {}): ClarificationSessionInput => ({
    scenarioId,
    outcome: 'pass',
    ...(clarifyingQuestions === undefined ? {} : { clarifyingQuestions }),
    ...extra,
  });
  const sessions = [
    s('ask', 0, { outcome: 'fail' }),
    s('ask', 1),
    s('ask', 2),
    s('ask', 0, { outcome: 'fail' }),
    s('plain', 0),
    s('plain', 3, { outcome: 'fail' }),
    s('plain', 0),
    s('other', 4),
    s('ask', 1, { outcome: 'error', termination: 'agent_error' }),
    s('ask', 0, { termination: 'aborted' }),
    s('plain', undefined),
    s('ask', undefined, { outcome: 'running' }),
  ];
  const summary = summarizeClarification(sessions, scenarios);

  it('judges finished sessions on tasks with the field, and says what it left out', () => {
    expect(summary.tasks).toBe(3);
    expect(summary.tasksNeeding).toBe(2);
    expect(summary.judged).toBe(7);
    expect(summary.leftOut).toBe(3);
    expect(summary.running).toBe(1);
  });

  it('gives each rate over its own sessions, with its Wilson interval', () => {
    expect(summary.tooLittle).toEqual({ count: 2, of: 4, rate: 0.5, ...wilsonInterval(2, 4) });
    expect(summary.tooMuch).toEqual({ count: 1, of: 3, rate: 1 / 3, ...wilsonInterval(1, 3) });
    expect(summary.aboutRight).toEqual({ count: 4, of: 7, rate: 4 / 7, ...wilsonInterval(4, 7) });
    expect(summary.tooLittle.lower).toBeGreaterThan(0);
    expect(summary.tooLittle.upper).toBeLessThan(1);
  });

  it('breaks it down per task, in the order given, tasks without sessions included', () => {
    expect(summary.byTask.map((r) => [r.scenarioId, r.sessions, r.tooLittle, r.tooMuch, r.aboutRight, r.meanQuestions])).toEqual([
      ['ask', 4, 2, 0, 2, 0.75],
      ['plain', 3, 0, 1, 2, 1],
      ['unrun', 0, 0, 0, 0, null],
    ]);
  });

  it('has no rate without sessions, and no tasks when none carries the field', () => {
    const empty = summarizeClarification([], [{ id: 'other' }]);
    expect(empty.tasks).toBe(0);
    expect(empty.tooLittle).toEqual({ count: 0, of: 0, rate: null, lower: 0, upper: 1 });
    expect(empty.byTask).toEqual([]);
  });

  it('is exported from the core', () => {
    expect(core.summarizeClarification).toBe(summarizeClarification);
    expect(core.countClarifyingQuestions).toBe(countClarifyingQuestions);
  });
});

describe('runSession stores the count, in both modes', () => {
  const packPath = fileURLToPath(new URL('../../../public/packs/clarification.json', import.meta.url));
  const scenarios = expandPack(JSON.parse(readFileSync(packPath, 'utf8')) as ScenarioPack);
  const scenario = scenarios.find((x) => x.id === 'clarification-which-blood-pressure')!;
  const spec: RunSpec = {
    name: 'clarification',
    scenarioIds: [scenario.id],
    personaIds: ['baseline'],
    user: { kind: 'agenda', label: 'Agenda', version: 'test', settings: {} },
    agent: { kind: 'scripted', label: 'Scripted', version: 'test', settings: {} },
    trials: 1,
    seed: 3,
    maxTurns: 30,
    maxErrors: 3,
  };
  const plan = planSessions('r', spec, [scenario], [PERSONAS.baseline])[0]!;
  const call = (name: string, args: JsonObject) => say('', { toolCalls: [{ name, arguments: args }] });
  const identify = call('find_patient', { name: 'Linda Park', date_of_birth: '1961-07-23' });
  const list = call('list_prescriptions', { patient_id: 'PT-1001' });
  const finish: ScriptStep[] = [
    say('Shall I refill amlodipine 5 mg for pickup at Elm Street, Riverton?'),
    call('request_refill_pickup', { rx_id: 'RX-4410022', store_id: 'S101' }),
    say('Your refill has been queued; it will be ready tomorrow after 2 pm.'),
  ];
  const run = (mode: RunSpec['mode'], steps: ScriptStep[]) =>
    runSession(plan, {
      runId: 'r',
      spec: { ...spec, mode },
      createUser: (ctx) => createAgendaUser(ctx),
      createAgent: () => scripted('agent', steps, { fallback: say('Is there anything else I can help with?') }),
    });

  it('conversational: the question in a message', async () => {
    const session = await run('conversational', [identify, list, say('You have two blood pressure prescriptions. Which one would you like refilled: lisinopril 10 mg or amlodipine 5 mg?'), ...finish]);
    expect(session.outcome).toBe('pass');
    expect(session.clarifyingQuestions).toBe(1);
    expect(session.questionsAsked).toBeUndefined();
    expect(clarificationVerdict(scenario.clarification!, session.clarifyingQuestions!)).toBe('about_right');
  });

  it('conversational: a guess asks nothing, and is too little', async () => {
    const session = await run('conversational', [identify, list, say('Shall I refill lisinopril 10 mg for pickup at Elm Street, Riverton?'), call('request_refill_pickup', { rx_id: 'RX-4410021', store_id: 'S101' }), say('Done.')]);
    expect(session.clarifyingQuestions).toBe(0);
    expect(clarificationVerdict(scenario.clarification!, session.clarifyingQuestions!)).toBe('too_little');
    expect(session.outcome).toBe('fail');
  });

  it('agentic: the ask_user call, not the identification asked through it', async () => {
    const session = await run('agentic', [
      call('ask_user', { question: 'What is your full name and date of birth?' }),
      identify,
      list,
      call('ask_user', { question: 'Which blood pressure medicine do you mean: lisinopril 10 mg or amlodipine 5 mg?' }),
      ...finish,
    ]);
    expect(session.questionsAsked).toBe(2);
    expect(session.clarifyingQuestions).toBe(1);
    expect(session.outcome).toBe('pass');
  });
});
