/**
 * The recommendation pack (public/packs/recommendation.json): Lantern, a film-streaming
 * service where the member wants a film for their watchlist and has hidden preferences.
 * Generic per-task checks live in all-packs.test.ts; here: the file is what its generator
 * writes, the records hang together, the declarative tools enforce the watchlist rules, each
 * task's preferences pin down exactly its gold film (hard tasks: a decoy that breaks one), and
 * the agenda user picks the fitting option, rejects a film with the reason of the preference it
 * breaks, accepts the one that fits and leaves, bored, after as many rejections as its patience bears.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject, PreferenceRule, Scenario } from '../../../src/core/model/types.ts';
import { createEnvironment } from '../../../src/core/scenarios/environment.ts';
import { evaluateSession } from '../../../src/core/scenarios/evaluator.ts';
import { agendaParamsFromTraits, createAgendaUser } from '../../../src/core/users/agenda.ts';
import { buildRecommendationPack, fits } from '../../../scripts/gen-packs/recommendation.ts';
import { expectDeclarativePack, loadPack, refusal, value, type Obj } from './pack-fixture.ts';
import { converse, makePersona, say, scripted, type ScriptStep } from '../fixtures.ts';

const { pack, scenarios, scenario, table, env } = loadPack('recommendation');
const films = table('films');
const members = table('members');

const rulesOf = (s: Scenario): PreferenceRule[] => {
  const r = s.user.goal.requests[0]!;
  if (r.type !== 'action' || !r.prefer) throw new Error(`${s.id} has no preferences`);
  return r.prefer.rules;
};
const goldFilm = (s: Scenario) => String(s.evaluation.goldActions.find((a) => a.name === 'add_to_watchlist')!.arguments['film_id']);
const call = (name: string, args: JsonObject) => say('', { toolCalls: [{ name, arguments: args }] });

describe('recommendation pack: file', () => {
  it('is exactly what scripts/gen-packs/recommendation.ts generates', () => {
    expect(pack).toEqual(JSON.parse(JSON.stringify(buildRecommendationPack())));
  });

  it('is fully declarative and validates without any domain code', () => {
    expectDeclarativePack(pack, 'recommendation');
    expect(pack.tools.filter((t) => t.kind === 'write').map((t) => t.name)).toEqual(['add_to_watchlist']);
  });

  it('labels easy, medium and hard tasks, at least three of each', () => {
    for (const d of ['easy', 'medium', 'hard'] as const) expect(pack.tasks.filter((t) => t.difficulty === d).length, d).toBeGreaterThanOrEqual(3);
  });
});

describe('recommendation pack: database', () => {
  it('has sixty films with their attributes and a score of members', () => {
    expect(Object.keys(films).length).toBe(60);
    expect(Object.keys(members).length).toBeGreaterThanOrEqual(12);
    for (const [id, f] of Object.entries(films)) {
      expect(f['id']).toBe(id);
      for (const k of ['title', 'genre', 'language', 'runtime_min', 'year', 'age_rating', 'rating', 'plan']) expect(f, `${id}.${k}`).toHaveProperty(k);
    }
    expect(new Set(Object.values(films).map((f) => f['title'])).size).toBe(60);
  });

  it("has every member's viewings and watchlist entries on record, naming films that exist", () => {
    const viewings = Object.values(table('viewings'));
    for (const [id, m] of Object.entries(members)) {
      const watched = m['watched'] as string[];
      expect(viewings.filter((v) => v['member_id'] === id).map((v) => v['film_id']).sort(), id).toEqual([...watched].sort());
      for (const f of [...watched, ...(m['watchlist'] as string[])]) expect(films[f], `${id}: ${f}`).toBeDefined();
      for (const f of m['watchlist'] as string[]) expect(table('watchlist_entries')[`${id}/${f}`], `${id}/${f}`).toBeDefined();
    }
  });
});

describe('recommendation pack: tools', () => {
  it('searches by genre and language', () => {
    const found = value(env().call('search_films', { genre: 'comedy', language: 'French' })) as unknown as Obj[];
    expect(found.map((f) => f['id'])).toEqual(['F-104', 'F-105', 'F-106', 'F-107']);
  });

  it('adds a film to the watchlist, and refuses films watched, listed or beyond the plan', () => {
    const e = env();
    expect(value(e.call('add_to_watchlist', { member_id: 'M-2041', film_id: 'F-101' }))['added']).toBe('Paper Lanterns');
    expect(e.snapshot()['members']).toMatchObject({ 'M-2041': { watchlist: ['F-118', 'F-101'] } });
    expect(refusal(e, 'add_to_watchlist', { member_id: 'M-2041', film_id: 'F-101' })).toMatch(/already on the watchlist/);
    expect(refusal(e, 'add_to_watchlist', { member_id: 'M-2041', film_id: 'F-113' })).toMatch(/Ana Lima already watched The Lighthouse Choir/);
    expect(refusal(e, 'add_to_watchlist', { member_id: 'M-2041', film_id: 'F-110' })).toMatch(/needs the premium plan; Ana Lima is on the basic plan/);
    expect(refusal(e, 'add_to_watchlist', { member_id: 'M-9999', film_id: 'F-101' })).toMatch(/Member not found: M-9999/);
  });
});

describe('recommendation pack: tasks', () => {
  for (const s of scenarios) {
    it(`${s.id}: its preferences fit exactly its gold film, one the member may add`, () => {
      const rules = rulesOf(s);
      const fitting = Object.values(films).filter((f) => fits(rules, f));
      expect(fitting.map((f) => f['id'])).toEqual([goldFilm(s)]);
      const member = members[String(s.evaluation.goldActions.find((a) => a.name === 'add_to_watchlist')!.arguments['member_id'])]!;
      // Films already seen are always among the preferences: the member knows them.
      expect(rules.some((r) => r.field === 'id' && JSON.stringify(r.notIn) === JSON.stringify(member['watched']))).toBe(true);
      expect(value(createEnvironment(s).call('add_to_watchlist', { member_id: member['id']!, film_id: goldFilm(s) }))['film_id']).toBe(goldFilm(s));
    });
  }

  it('hard tasks hold a decoy in the same search that breaks exactly one preference', () => {
    for (const s of scenarios.filter((x) => x.difficulty === 'hard')) {
      const rules = rulesOf(s);
      const gold = films[goldFilm(s)]!;
      const near = Object.values(films).filter((f) => f['genre'] === gold['genre'] && f['language'] === gold['language'] && f['id'] !== gold['id'] && rules.filter((r) => !fits([r], f)).length === 1);
      expect(near.length, s.id).toBeGreaterThan(0);
      expect(s.purpose, s.id).toMatch(/Decoy: .+ \(F-\d{3}\) breaks only one preference/);
    }
  });

  it('easy tasks say every preference in the opening; the others say neither genre nor language', () => {
    for (const s of scenarios) {
      const opening = s.user.goal.requests[0]!.utterance;
      const { genre, language } = s.user.knownInfo;
      if (s.difficulty === 'easy') expect(opening, s.id).toMatch(new RegExp(`${language} ${genre}`));
      else expect(opening.toLowerCase(), s.id).not.toContain(genre!.toLowerCase());
    }
  });
});

describe('recommendation pack: the agenda user', () => {
  const s = scenario('french-comedy-decoy');
  const user = (persona = makePersona('baseline')) => createAgendaUser({ role: 'user', scenario: s, persona });
  const opening: ScriptStep[] = [
    say('Hello! What is the email address of your account?'),
    call('find_member_by_email', { email: 'hugo.petit@example.com' }),
    say('Thanks. What genre would you like?'),
    say('And in which language?'),
    call('search_films', { genre: 'comedy', language: 'French' }),
  ];

  it('tells genre and language when asked, rejects the decoy with its reason, accepts the film that fits', async () => {
    const agent: ScriptStep[] = [
      ...opening,
      say('I recommend The Last Tram (147 min, rated 12, 4.5 out of 5). Shall I add The Last Tram to your watchlist?'),
      say('Then how about A Quiet Harbour (119 min, rated 15)? Shall I add A Quiet Harbour to your watchlist?'),
      call('add_to_watchlist', { member_id: 'M-2048', film_id: 'F-105' }),
      say('Done: A Quiet Harbour is on your watchlist.'),
    ];
    const r = await converse(user(), scripted('agent', agent, { fallback: say('Is there anything else I can help with?') }), { scenario: s, environment: createEnvironment(s), seed: 3 });
    const said = r.turns.filter((t) => t.role === 'user').map((t) => t.content);
    expect(said.join('\n')).toMatch(/comedy/);
    expect(said.join('\n')).toMatch(/French/);
    const rejection = said.find((t) => /under 120 minutes/.test(t));
    expect(rejection, said.join('\n')).toMatch(/^(No|Nah)/);
    expect(r.turns.at(-1)!.latent?.['rejections']).toBe(1);
    expect(r.termination).toBe('user_stop');
    expect(evaluateSession(s, undefined, r).reward).toBe(1);
  });

  it('picks the one option that fits, and rejects a list where none does, with a reason', async () => {
    const agent: ScriptStep[] = [
      ...opening,
      say('Which would you like: Copper Sky or The Last Tram?'),
      say('Which would you like: Copper Sky, A Quiet Harbour, The Last Tram or Velvet Static?'),
    ];
    const r = await converse(user(), scripted('agent', agent, { fallback: say('Is there anything else I can help with?') }), { scenario: s, environment: createEnvironment(s), seed: 3, maxTurns: 16 });
    const said = r.turns.filter((t) => t.role === 'user').map((t) => t.content);
    const none = said.findIndex((t) => /none of (those|them)/i.test(t));
    expect(none, said.join('\n')).toBeGreaterThan(0);
    expect(said[none]).toMatch(/I've already seen that one|too long/);
    expect(said.slice(none + 1).join('\n')).toMatch(/A Quiet Harbour/);
  });

  it('leaves, bored, after as many rejections as its patience bears: the impatient member sooner', async () => {
    const bad = ['Copper Sky', 'The Last Tram', 'Velvet Static', 'Copper Sky', 'The Last Tram'].map((t) => say(`How about ${t}? Shall I add ${t} to your watchlist?`));
    const run = async (persona: ReturnType<typeof makePersona>) => {
      const r = await converse(user(persona), scripted('agent', [...opening, ...bad], { fallback: say('Shall I add Copper Sky to your watchlist?') }), { scenario: s, environment: createEnvironment(s), seed: 3 });
      return { r, rejections: r.turns.filter((t) => t.role === 'user').map((t) => Number(t.latent?.['rejections'] ?? 0)).at(-1)! };
    };
    const patient = await run(makePersona('baseline'));
    const impatient = await run(makePersona('impatient', { patience: 1 }));
    expect(impatient.rejections).toBe(agendaParamsFromTraits(makePersona('impatient', { patience: 1 }).traits).boredAfter);
    expect(patient.rejections).toBe(agendaParamsFromTraits(makePersona('baseline').traits).boredAfter);
    expect(impatient.rejections).toBeLessThan(patient.rejections);
    for (const { r } of [patient, impatient]) {
      expect(r.termination).toBe('user_stop');
      expect(r.turns.at(-1)!.latent?.['outcome']).toBe('gave_up');
      expect(evaluateSession(s, undefined, r).reward).toBe(0);
    }
  });
});
