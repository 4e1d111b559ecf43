import { describe, expect, it } from 'vitest';
import { EngineSeat } from '../../../src/engine/seat.ts';
import { ScriptedEngine, type Script } from '../../../src/engine/scripted.ts';
import type { ChatRequest } from '../../../src/engine/types.ts';
import {
  createLlmUser,
  copiesVerbatim,
  KICKOFF,
  LATENT_SATISFACTION_SCHEMA,
  LATENT_SCHEMA,
  parseInnerState,
  parseSatisfaction,
  renderLatentRequest,
  renderSatisfactionRequest,
  renderUserSystemPrompt,
  SATISFACTION_SCHEMA,
  SPEAK_REQUEST,
} from '../../../src/core/users/llm-user.ts';
import type { SeatFactory } from '../../../src/core/simulation/llm-seat.ts';
import { jsonSchemaGrammar } from '../../../src/core/simulation/json-grammar.ts';
import type { Json, JsonObject } from '../../../src/core/model/types.ts';
import { agentTurns, converse, makePersona, makeScenario, PERSONAS, say, scripted, userTurns, scriptedSeatSettings } from '../fixtures.ts';

const settings = scriptedSeatSettings('tiny-user', { temperature: 0.8, top_p: 0.9, max_tokens: 80 });

function seatOn(script: Script): { engine: ScriptedEngine; make: SeatFactory } {
  const engine = new ScriptedEngine(script);
  return { engine, make: (system) => new EngineSeat(engine, settings, 'user', 5, system) };
}

const isThought = (q: ChatRequest) => q.responseFormat?.type === 'grammar';
/** The format the simulator must send for a schema: a grammar generated from it, not json_object. */
const grammarOf = (schema: string) => ({ type: 'grammar', grammar: jsonSchemaGrammar(JSON.parse(schema) as JsonObject) });
const THOUGHT = '{"progress": "just started", "emotion": "calm", "beliefAboutAgent": "seems fine"}';

/**
 * A seat whose engine answers inner-state requests (a grammar) from `thoughts` and the
 * spoken ones from `speech`, each in order; a missing thought is a valid default one.
 */
function thinkingSeatOn(speech: readonly string[], thoughts: readonly string[] = []) {
  let s = 0;
  let t = 0;
  return seatOn((q) => {
    if (isThought(q)) return thoughts[t++] ?? THOUGHT;
    const r = speech[s++];
    if (r === undefined) return { error: { name: 'ScriptExhaustedError', message: `no spoken reply ${s}` } };
    return r;
  });
}

const plain = { latentState: false };

describe('LLM user simulator', () => {
  it('puts the guidelines, the persona and the hidden scenario in its prompt', () => {
    const scenario = makeScenario();
    const persona = PERSONAS.impatient;
    const prompt = renderUserSystemPrompt({ role: 'user', scenario, persona });
    expect(prompt).toContain('not an assistant');
    expect(prompt).toContain('###STOP###');
    expect(prompt).toContain('###TRANSFER###');
    expect(prompt).toContain('###OUT-OF-SCOPE###');
    expect(prompt).toContain(scenario.user.reasonForContact);
    expect(prompt).toContain(scenario.user.taskInstructions);
    for (const v of Object.values(scenario.user.knownInfo)) expect(prompt).toContain(v);
    for (const u of scenario.user.unknownInfo) expect(prompt).toContain(u);
    expect(prompt).toMatch(/impatient/i);
    // A different persona changes the prompt; the task part stays the same.
    const calm = renderUserSystemPrompt({ role: 'user', scenario, persona: makePersona('baseline') });
    expect(calm).not.toEqual(prompt);
    expect(calm).toContain(scenario.user.taskInstructions);
  });

  it('says that the persona sets the manner and the task the goal, and places the persona before the task', () => {
    // τ²-bench task instructions often describe a manner ("You are detail-oriented…") that a persona may contradict.
    const prompt = renderUserSystemPrompt({ role: 'user', scenario: makeScenario(), persona: PERSONAS.impatient });
    expect(prompt).toMatch(/keep the manner of who you are and the goal of your situation/);
    expect(prompt.indexOf('# Who you are')).toBeLessThan(prompt.indexOf('# Your situation'));
  });

  it('sees the conversation with roles flipped, opens with a kickoff, and reaches the stop signal', async () => {
    const { engine, make } = thinkingSeatOn(['Hi, I want to upgrade my plan.', 'It is A1.', 'Thanks! ###STOP###']);
    const scenario = makeScenario();
    const user = createLlmUser({ role: 'user', scenario, persona: makePersona('baseline') }, make, plain);
    const agent = scripted('agent', [say('Sure, which account?'), say('Done.')]);
    const r = await converse(user, agent, { scenario });
    expect(r.termination).toBe('user_stop');
    const [first, second] = engine.requests;
    expect(first!.messages[0]!.role).toBe('system');
    expect(first!.messages.at(-1)).toEqual({ role: 'user', content: KICKOFF });
    // The agent's line reaches the simulator as a "user" message (with the rating request
    // on it); its own reply is "assistant".
    expect(second!.messages.slice(-2)).toEqual([
      { role: 'assistant', content: 'Hi, I want to upgrade my plan.' },
      { role: 'user', content: `Sure, which account?\n\n${renderSatisfactionRequest()}` },
    ]);
    expect(userTurns(r.turns)[0]!.author).toBe('llm-user/tiny-user');
    expect(userTurns(r.turns)[0]!.usage?.seed).toBeTypeOf('number');
  });

  it('never lets the hidden scenario reach the agent', async () => {
    const scenario = makeScenario();
    const { make } = thinkingSeatOn(['Hello, I need help with my plan.', 'A1 please', 'bye ###STOP###']);
    const user = createLlmUser({ role: 'user', scenario, persona: makePersona('baseline') }, make);
    const agent = scripted('agent', [say('How can I help?'), say('OK.')]);
    await converse(user, agent, { scenario });
    const seenByAgent = agent.views.flat().map((m) => m.content).join('\n');
    expect(seenByAgent).not.toContain(scenario.user.taskInstructions);
    expect(seenByAgent).not.toContain(scenario.user.reasonForContact);
  });

  it('retries an empty reply once, then fails the session as user_error', async () => {
    const once = thinkingSeatOn(['  ', 'Hello there']);
    const r1 = await converse(
      createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona() }, once.make),
      scripted('agent', [], { fallback: say('ok') }),
      { maxTurns: 2 },
    );
    expect(userTurns(r1.turns)[0]!.flags).toContain('empty_reply_retried');
    expect(userTurns(r1.turns)[0]!.content).toBe('Hello there');

    const twice = thinkingSeatOn(['', '']);
    const r2 = await converse(
      createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona() }, twice.make),
      scripted('agent', [], { fallback: say('ok') }),
    );
    expect(r2.termination).toBe('user_error');
    expect(r2.error?.name).toBe('EmptyReplyError');
  });

  it('flags replying as the assistant and copying the hidden instructions verbatim', async () => {
    const scenario = makeScenario();
    const copied = scenario.user.taskInstructions;
    const { make } = thinkingSeatOn(['Hello! How can I help you today?', copied, 'bye ###STOP###']);
    const user = createLlmUser({ role: 'user', scenario, persona: makePersona() }, make);
    const r = await converse(user, scripted('agent', [], { fallback: say('Tell me more.') }), { scenario });
    const [a, b, c] = userTurns(r.turns);
    expect(a!.flags).toContain('replied_as_assistant');
    expect(b!.flags).toContain('copied_instructions');
    expect(c!.flags).not.toContain('copied_instructions');
  });

  it('streams its text through the orchestrator as the engine produces it', async () => {
    const { make } = thinkingSeatOn(['Hello, I need a bigger plan.', 'bye ###STOP###']);
    const user = createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona() }, make);
    let streamed = '';
    const r = await converse(user, scripted('agent', [say('Sure.')]), { onDelta: (role, t) => (streamed += role === 'user' ? t : '') });
    expect(streamed).toBe('Hello, I need a bigger plan.bye ###STOP###');
    expect(userTurns(r.turns).map((t) => t.content).join('')).toBe(streamed);
  });

  it('an engine lost mid-session ends it as engine_lost', async () => {
    const { make } = seatOn([{ error: { name: 'EngineLostError', message: 'GPU device lost' } }]);
    const r = await converse(
      createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona() }, make),
      scripted('agent', []),
    );
    expect(r.termination).toBe('engine_lost');
  });
});

describe('LLM user simulator: inner state and satisfaction', () => {
  const rated = (sat: Json, reason = 'ok', extra = '') =>
    `{"progress": "halfway", "emotion": "hopeful", "beliefAboutAgent": "helpful", "satisfaction": ${JSON.stringify(sat)}, "reason": ${JSON.stringify(reason)}${extra}}`;

  it('thinks, then speaks, on the same seat: a grammar from the schema, the format in the text, history prefix-extending', async () => {
    const { engine, make } = thinkingSeatOn(['Hi, I want premium.', 'A1.', 'Thanks ###STOP###'], [THOUGHT, rated(4), rated(5)]);
    const user = createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona() }, make);
    const r = await converse(user, scripted('agent', [say('Which account?'), say('Done.')]));
    expect(r.termination).toBe('user_stop');
    // Two requests per user turn: the inner state, then the message.
    expect(engine.requests.map((q) => (isThought(q) ? 'think' : 'speak'))).toEqual(['think', 'speak', 'think', 'speak', 'think', 'speak']);
    const [t0, s0, t1, s1] = engine.requests;
    expect(t0!.responseFormat).toEqual(grammarOf(LATENT_SCHEMA));
    expect(t1!.responseFormat).toEqual(grammarOf(LATENT_SATISFACTION_SCHEMA));
    expect(JSON.parse(LATENT_SATISFACTION_SCHEMA).required).toEqual(['progress', 'emotion', 'beliefAboutAgent', 'satisfaction', 'reason']);
    expect(s0!.responseFormat).toBeUndefined();
    // The format is described in the request text too; the first turn asks for no rating.
    expect(t0!.messages.at(-1)).toEqual({ role: 'user', content: `${KICKOFF}\n\n${renderLatentRequest(false)}` });
    expect(t0!.messages.at(-1)!.content).toContain('"beliefAboutAgent"');
    expect(t0!.messages.at(-1)!.content).not.toContain('satisfaction');
    expect(t1!.messages.at(-1)!.content).toBe(`Which account?\n\n${renderLatentRequest(true)}`);
    expect(t1!.messages.at(-1)!.content).toContain('"satisfaction"');
    // The thought stays in the simulator's own history, then it is asked to speak.
    expect(s0!.messages.slice(-2)).toEqual([
      { role: 'assistant', content: THOUGHT },
      { role: 'user', content: SPEAK_REQUEST },
    ]);
    expect(t1!.messages.slice(0, s1!.messages.length - 2)).toEqual(s1!.messages.slice(0, -2));
    // Every request extends the previous one exactly (one new message each).
    const turns = userTurns(r.turns);
    expect(turns.every((t) => t.usage?.prefixExtending)).toBe(true);
    expect(turns.map((t) => t.content)).toEqual(['Hi, I want premium.', 'A1.', 'Thanks ###STOP###']);
  });

  it('stores the inner state on every user turn and the satisfaction from the second on', async () => {
    const { make } = thinkingSeatOn(['Hi, I want premium.', 'A1.', 'Thanks ###STOP###'], [THOUGHT, rated(2, 'asked again'), rated(5, 'all done')]);
    const user = createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona() }, make);
    const r = await converse(user, scripted('agent', [say('Which account?'), say('Done.')]));
    const [a, b, c] = userTurns(r.turns);
    expect(a!.latent).toEqual({ progress: 'just started', emotion: 'calm', beliefAboutAgent: 'seems fine' });
    expect(a!.satisfaction).toBeUndefined();
    expect(b!.latent).toEqual({ progress: 'halfway', emotion: 'hopeful', beliefAboutAgent: 'helpful', satisfactionReason: 'asked again' });
    expect(b!.satisfaction).toBe(2);
    expect(c!.satisfaction).toBe(5);
    expect(c!.latent!.satisfactionReason).toBe('all done');
    for (const t of [a, b, c]) expect(t!.flags).not.toContain('latent_unparsed');
    // Agent turns carry nothing of it.
    expect(agentTurns(r.turns).every((t) => t.latent === undefined && t.satisfaction === undefined)).toBe(true);
  });

  it('records a satisfaction trajectory over three rated turns, clamped to 1..5', async () => {
    const { make } = thinkingSeatOn(
      ['Hi.', 'Hm.', 'Better.', 'Great ###STOP###'],
      [THOUGHT, rated(0, 'ignored me'), rated('3/5', 'getting there'), `\`\`\`json\n${rated(9, 'perfect', ',')}\n\`\`\``],
    );
    const user = createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona() }, make);
    const r = await converse(user, scripted('agent', [say('What?'), say('Let me check.'), say('Done!')]));
    expect(r.termination).toBe('user_stop');
    const trajectory = r.turns.filter((t) => t.satisfaction !== undefined).map((t) => t.satisfaction);
    expect(trajectory).toEqual([1, 3, 5]);
    expect(userTurns(r.turns).map((t) => t.latent?.satisfactionReason)).toEqual([undefined, 'ignored me', 'getting there', 'perfect']);
  });

  it('flags malformed inner states and goes on with the session', async () => {
    const { make } = thinkingSeatOn(
      ['Hi, I want premium.', 'A1.', 'Thanks ###STOP###'],
      ['once upon a time there was a little dragon', '{"satisfaction": "very", "reason": "meh"', '{"mood": 3}'],
    );
    const user = createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona() }, make);
    const r = await converse(user, scripted('agent', [say('Which account?'), say('Done.')]));
    expect(r.termination).toBe('user_stop');
    const [a, b, c] = userTurns(r.turns);
    expect(a!.content).toBe('Hi, I want premium.');
    expect(a!.latent).toEqual({ unparsed: 'once upon a time there was a little dragon' });
    expect(a!.flags).toContain('latent_unparsed');
    expect(a!.flags).not.toContain('satisfaction_unparsed');
    expect(b!.flags).toEqual(expect.arrayContaining(['latent_unparsed', 'satisfaction_unparsed']));
    expect(b!.satisfaction).toBeUndefined();
    expect(c!.flags).toEqual(expect.arrayContaining(['latent_unparsed', 'satisfaction_unparsed']));
    expect(c!.latent).toEqual({ unparsed: '{"mood": 3}' });
  });

  it('keeps at most 200 characters of junk', () => {
    const junk = 'x'.repeat(500);
    const p = parseInnerState(junk, true);
    expect(p.latent).toEqual({ unparsed: 'x'.repeat(200) });
    expect(p.flags).toEqual(['latent_unparsed', 'satisfaction_unparsed']);
    expect(p.satisfaction).toBeUndefined();
  });

  it('reads what small models write around the JSON', () => {
    expect(parseInnerState("Sure! {'progress': 'none', emotion: 'annoyed', 'belief_about_agent': 'slow',}", false)).toEqual({
      latent: { progress: 'none', emotion: 'annoyed', beliefAboutAgent: 'slow' },
      flags: [],
    });
    // Cut short by max_tokens after the rating: the brackets are closed, the rating kept.
    expect(parseInnerState('{"progress": "done", "emotion": "glad", "beliefAboutAgent": "good", "satisfaction": 4', true)).toEqual({
      latent: { progress: 'done', emotion: 'glad', beliefAboutAgent: 'good' },
      satisfaction: 4,
      flags: [],
    });
    expect(parseInnerState('{"progress": "ok", "satisfaction": 2.6, "reason": "  slow\n but fine "}', true)).toEqual({
      latent: { progress: 'ok', satisfactionReason: 'slow but fine' },
      satisfaction: 3,
      flags: [],
    });
    expect(parseInnerState('{"progress": "ok", "satisfaction": null}', true).flags).toEqual(['satisfaction_unparsed']);
    expect(parseInnerState('', false)).toEqual({ latent: { unparsed: '' }, flags: ['latent_unparsed'] });
  });

  it('with latentState off, stores no inner state but still rates each agent turn, in a request of its own', async () => {
    const rating = (n: number, reason: string) => `{"satisfaction": ${n}, "reason": "${reason}"}`;
    const { engine, make } = thinkingSeatOn(['Hi, I want premium.', 'A1.', 'Thanks ###STOP###'], [rating(2, 'asked again'), rating(5, 'all done')]);
    const user = createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona() }, make, plain);
    const agent = scripted('agent', [say('Which account?'), say('Done.')]);
    const r = await converse(user, agent);
    expect(r.termination).toBe('user_stop');
    // The opening message is one request; every answer is a rating, then the message.
    expect(engine.requests.map((q) => (isThought(q) ? 'rate' : 'speak'))).toEqual(['speak', 'rate', 'speak', 'rate', 'speak']);
    const [s0, t1, s1, t2] = engine.requests;
    expect(s0!.messages.at(-1)).toEqual({ role: 'user', content: KICKOFF });
    expect(t1!.responseFormat).toEqual(grammarOf(SATISFACTION_SCHEMA));
    expect(JSON.parse(SATISFACTION_SCHEMA).required).toEqual(['satisfaction', 'reason']);
    expect(t1!.messages.at(-1)).toEqual({ role: 'user', content: `Which account?\n\n${renderSatisfactionRequest()}` });
    for (const f of ['progress', 'emotion', 'beliefAboutAgent']) expect(t1!.messages.at(-1)!.content).not.toContain(f);
    expect(s1!.messages.slice(-2)).toEqual([
      { role: 'assistant', content: rating(2, 'asked again') },
      { role: 'user', content: SPEAK_REQUEST },
    ]);
    expect(t2!.messages.at(-1)!.content).toBe(`Done.\n\n${renderSatisfactionRequest()}`);
    // Every request still extends the previous one.
    expect(userTurns(r.turns).every((t) => t.usage?.prefixExtending)).toBe(true);
    const [a, b, c] = userTurns(r.turns);
    expect(a!.latent).toBeUndefined();
    expect(a!.satisfaction).toBeUndefined();
    expect(b!.satisfaction).toBe(2);
    expect(b!.latent).toEqual({ satisfactionReason: 'asked again' });
    expect(c!.satisfaction).toBe(5);
    expect(c!.latent).toEqual({ satisfactionReason: 'all done' });
    expect(userTurns(r.turns).map((t) => t.content)).toEqual(['Hi, I want premium.', 'A1.', 'Thanks ###STOP###']);
    // The rating request's tokens count in the turn's usage (the scripted engine: 4 characters a token).
    const toks = (q: ChatRequest) => Math.ceil(q.messages.map((m) => m.content).join('\n').length / 4);
    expect(b!.usage!.promptTokens).toBe(toks(t1!) + toks(s1!));
    expect(b!.usage!.completionTokens).toBe(Math.ceil(rating(2, 'asked again').length / 4) + 1);
    // Neither the rating nor its request reaches the agent.
    const seenByAgent = JSON.stringify(agent.views);
    for (const s of ['asked again', 'satisfaction', SPEAK_REQUEST]) expect(seenByAgent).not.toContain(s);
  });

  it.each([
    { latentState: true, stored: ['progress', 'emotion', 'beliefAboutAgent', 'satisfactionReason'] },
    { latentState: false, stored: ['satisfactionReason'] },
  ])('records the satisfaction trajectory with latentState $latentState, and the inner state only when on', async ({ latentState, stored }) => {
    const { make } = thinkingSeatOn(['Hi.', 'Hm.', 'Great ###STOP###'], [THOUGHT, rated(2, 'slow'), rated(4, 'better')].slice(latentState ? 0 : 1));
    const user = createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona() }, make, { latentState });
    const r = await converse(user, scripted('agent', [say('What?'), say('Done!')]));
    expect(r.termination).toBe('user_stop');
    expect(r.turns.filter((t) => t.satisfaction !== undefined).map((t) => t.satisfaction)).toEqual([2, 4]);
    const [first, ...rated2] = userTurns(r.turns);
    for (const t of rated2) expect(Object.keys(t.latent ?? {}).sort()).toEqual([...stored].sort());
    expect(first!.latent === undefined).toBe(!latentState);
    expect(userTurns(r.turns).every((t) => !t.flags.some((f) => f.endsWith('_unparsed')))).toBe(true);
  });

  it('with latentState off, flags an unreadable rating, keeps its text apart from any inner state, and goes on', async () => {
    const { make } = thinkingSeatOn(['Hi.', 'A1.', 'bye ###STOP###'], ['I feel good about this', '{"satisfaction": "4/5", "reason": "fine"}']);
    const user = createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona() }, make, plain);
    const r = await converse(user, scripted('agent', [say('Which account?'), say('Done.')]));
    expect(r.termination).toBe('user_stop');
    const [, b, c] = userTurns(r.turns);
    expect(b!.flags).toContain('satisfaction_unparsed');
    expect(b!.flags).not.toContain('latent_unparsed');
    expect(b!.satisfaction).toBeUndefined();
    expect(b!.latent).toEqual({ satisfactionUnparsed: 'I feel good about this' });
    expect(c!.satisfaction).toBe(4);
  });

  it('reads a rating alone tolerantly', () => {
    expect(parseSatisfaction('Sure: {"satisfaction": 4.6, "reason": " quick  and clear "}')).toEqual({
      latent: { satisfactionReason: 'quick and clear' },
      satisfaction: 5,
      flags: [],
    });
    expect(parseSatisfaction("{'rating': '2/5'}")).toEqual({ latent: {}, satisfaction: 2, flags: [] });
    expect(parseSatisfaction('y'.repeat(300))).toEqual({ latent: { satisfactionUnparsed: 'y'.repeat(200) }, flags: ['satisfaction_unparsed'] });
  });

  it('adds the inner-state request\'s cached prompt tokens to the turn\'s', async () => {
    const { make } = seatOn((q) =>
      isThought(q) ? { content: THOUGHT, usage: { cachedPromptTokens: 30 } } : { content: 'Hi there.', usage: { cachedPromptTokens: 100 } },
    );
    const user = createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona() }, make);
    const reply = await user.nextMessage([], { turnIndex: 0, rng: () => 0.5 });
    expect(reply.usage?.cachedPromptTokens).toBe(130);
  });

  it('nothing of the inner state reaches the agent over a whole session', async () => {
    const scenario = makeScenario();
    const secret = ['ZEPHYR-PROGRESS', 'QUOKKA-EMOTION', 'MARMOT-BELIEF', 'OCELOT-REASON'];
    const thought = (i: number) =>
      `{"progress": "${secret[0]}-${i}", "emotion": "${secret[1]}", "beliefAboutAgent": "${secret[2]}", "satisfaction": ${1 + (i % 5)}, "reason": "${secret[3]}"}`;
    let i = 0;
    const { make } = thinkingSeatOn(['Hello, I need help.', 'My account is A1.', 'Premium, please.', 'Great, thanks ###STOP###'], []);
    // Replace the default thoughts with the marked ones.
    const user = createLlmUser({ role: 'user', scenario, persona: makePersona() }, (system) => {
      const seat = make(system);
      return {
        model: seat.model,
        reply: (msgs, o) => seat.reply(msgs, o).then((rep) => (o?.responseFormat ? { ...rep, content: thought(i++) } : rep)),
      };
    });
    const agent = scripted('agent', [say('Which account?'), say('Which plan?'), say('Done.')]);
    const r = await converse(user, agent, { scenario });
    expect(r.termination).toBe('user_stop');
    expect(userTurns(r.turns).every((t) => String(t.latent?.emotion).includes(secret[1]!))).toBe(true);
    expect(userTurns(r.turns).filter((t) => t.satisfaction !== undefined)).toHaveLength(3);
    const seenByAgent = JSON.stringify(agent.views);
    for (const s of [...secret, 'satisfaction', 'beliefAboutAgent', SPEAK_REQUEST]) expect(seenByAgent).not.toContain(s);
    expect(seenByAgent).toContain('Premium, please.');
  });
});

describe('copiesVerbatim', () => {
  it('finds 8-word runs and ignores paraphrase', () => {
    const src = 'You want to upgrade account A1 to the premium plan today if possible.';
    expect(copiesVerbatim('so, upgrade account A1 to the premium plan today please', src)).toBe(true);
    expect(copiesVerbatim('I would like premium for A1', src)).toBe(false);
  });
});
