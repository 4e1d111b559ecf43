/**
 * Generates public/packs/recommendation.json: Lantern, a film-streaming service whose
 * assistant helps members find a film for their watchlist. A fully declarative pack about
 * recommending: the member has hidden preferences (genre and language, which they tell when
 * asked, and others — length, age rating, films already seen, year, rating — which they say only
 * when an offered film breaks them), accepts the one film that fits and leaves when bored.
 *
 * Each task's preferences pin down exactly one film of the catalog that the member may add
 * (not seen, not already listed, within their plan); the generator throws if not. Success is
 * that film added to the watchlist (the gold write); the turns it took are the session's turns.
 * Difficulty: easy — every preference is in the opening request; medium — genre and language
 * come when asked, the rest rule out the other films of the search; hard — as medium, and the
 * search holds a decoy that fits every preference but one (often the best rated, the one an
 * agent recommending by rating would offer first), so the member rejects it with the reason.
 *
 * The catalog comes from a seeded generator with hand-written titles, so the file is the same on
 * every run. Run: npx tsx scripts/gen-packs/recommendation.ts
 */
import type { Json, JsonObject, PackTask, PreferenceRule, ScenarioPack, ToolSpec } from '../../src/core/model/types.ts';
import type { ToolStep } from '../../src/core/scenarios/tools/declarative.ts';
import { g, packTask, toolSpec, type Prop, writePackWhenRun } from './lib.ts';
import { mulberry32, pick, randInt } from '../../src/core/stats/rng.ts';

const TODAY = '2027-05-21';

/* ------------------------------------------------------------------ tools */

function tool(name: string, kind: 'read' | 'write', description: string, props: Record<string, Prop>, steps: ToolStep[], returns: Json): ToolSpec {
  return toolSpec(name, kind, description, props, { steps, returns });
}

export const GENRES = ['comedy', 'drama', 'thriller', 'animation', 'documentary', 'science fiction'];
export const LANGUAGES = ['Italian', 'French', 'Spanish'];

const P = {
  memberId: { type: 'string', description: 'Member id, e.g. "M-2041".', pattern: '^M-\\d{4}$' } as Prop,
  filmId: { type: 'string', description: 'Film id, e.g. "F-117".', pattern: '^F-\\d{3}$' } as Prop,
};

const getMember: ToolStep = { get: 'members', key: '{args.member_id}', as: 'member', notFound: 'Member not found: {key}.' };
const getFilm: ToolStep = { get: 'films', key: '{args.film_id}', as: 'film', notFound: 'Film not found: {key}.' };

const memberView = {
  id: '{member.id}',
  name: '{member.name}',
  email: '{member.email}',
  plan: '{member.plan}',
  watched: '{member.watched}',
  watchlist: '{member.watchlist}',
};

function tools(): ToolSpec[] {
  return [
    tool('find_member_by_email', 'read', 'Find a member by the email address of their account. Returns id, name, plan (basic or premium), the films they have watched and their watchlist (film ids).',
      { email: { type: 'string', description: 'Email address, e.g. "ana@example.com".' } },
      [{ find: 'members', where: { email: '{args.email}' }, first: true, as: 'member', notFound: 'No member with email {args.email}.' }],
      memberView),
    tool('get_member', 'read', 'Get a member by id: the same fields as find_member_by_email.', { member_id: P.memberId }, [getMember], memberView),
    tool('search_films', 'read',
      'Search the catalog for films of one genre in one language. Returns each film: id, title, genre, language, runtime in minutes, year, age rating, average rating (out of 5) and the plan it needs.',
      {
        genre: { type: 'string', description: 'Genre.', enum: GENRES },
        language: { type: 'string', description: 'Original language.', enum: LANGUAGES },
      },
      [{ find: 'films', where: { genre: '{args.genre}', language: '{args.language}' }, as: 'found' }],
      '{found}'),
    tool('get_film', 'read', 'Get one film by id.', { film_id: P.filmId }, [getFilm], '{film}'),
    tool('add_to_watchlist', 'write',
      "Add a film to a member's watchlist. Not for films the member has already watched or listed, and premium films only on the premium plan. Only after the member has accepted the film.",
      { member_id: P.memberId, film_id: P.filmId },
      [
        getMember,
        getFilm,
        { find: 'viewings', where: { member_id: '{member.id}', film_id: '{film.id}' }, as: 'seen' },
        { check: '{seen[0]}', exists: false, message: '{member.name} already watched {film.title} on {seen[0].watched_on}.' },
        { check: '{film.plan}', in: ['basic', '{member.plan}'], message: '{film.title} needs the premium plan; {member.name} is on the {member.plan} plan.' },
        {
          append: 'watchlist_entries',
          key: '{member.id}/{film.id}',
          value: { member_id: '{member.id}', film_id: '{film.id}', added_on: '{db.meta.today}' },
          conflict: '{film.title} is already on the watchlist.',
        },
        { append: 'member.watchlist', value: '{film.id}' },
      ],
      { member: '{member.name}', added: '{film.title}', film_id: '{film.id}', runtime_min: '{film.runtime_min}', watchlist: '{member.watchlist}' }),
  ];
}

/* ----------------------------------------------------------------- policy */

const POLICY = `# Lantern — film assistant policy

You are the assistant of Lantern, a film-streaming service. You help members find a film they will enjoy and add it to their watchlist. Today's date is ${TODAY}.

## Identify the member
- Identify the member with \`find_member_by_email\` before anything else: ask for the email address of their account.

## Recommend
- Ask what they are in the mood for: the genre and the language. Use \`search_films\` to find candidates; never recommend a film that is not in the catalog.
- Do not recommend a film the member has already watched (\`watched\`) or already has on their watchlist, nor a premium film to a member on the basic plan.
- Offer one film, or a short list, with what helps choosing: runtime, year, age rating and average rating. If the member turns a film down, take their reason into account for the next offer; do not offer the same film again.
- A member may lose interest after several films they do not want: listen to their reasons rather than offering at random.

## Confirm, then act
- Add a film to the watchlist only after the member has accepted that film, with \`add_to_watchlist\`. Report only what the tools return.
`;

/* --------------------------------------------------------------- database */

const TITLES = [
  'Paper Lanterns', 'The Salt Road', 'Midnight Orchard', 'Copper Sky', 'A Quiet Harbour', 'The Last Tram', 'Velvet Static', 'Northbound',
  'Glass Meridian', 'The Ninth Wave', 'Small Mercies', 'Amber Fields', 'The Lighthouse Choir', 'Borrowed Summer', 'Iron Lullaby', 'Pale Comet',
  'The Cartographer', 'Wild Almonds', 'Seven Bridges', 'Blue Hour', 'The Marble Garden', 'Crooked Antenna', 'Foxglove', 'The Long Recess',
  'Sunday Engines', 'Hollow Point Bay', 'The Orchid Thief', 'Tin Crown', 'Lemon Tree Lane', 'Distant Signals', 'The Winter Circus', 'Moth and Flame',
  'Open Water', 'The Clockmaker', 'Rooftop Radio', 'Saffron Nights', 'The Paper Giant', 'Echo Valley', 'Granite Hearts', 'The Red Balloon Club',
  'Kite Season', 'Silent Orbit', 'The Honey Thieves', 'Cold Harbour Line', 'Sparrow Street', 'The Tidal Archive', 'Lost Frequencies', 'Olive Grove',
  'The Brass Menagerie', 'Night Ferry', 'Little Volcano', 'The Deep Field', 'Marigold Hotel Stories', 'Parallel Snow', 'The Fig Harvest', 'Neon Cathedral',
  'The Gentle Storm', 'Driftwood', 'Starling', 'The Tortoise Race',
];

const AGES = ['U', 'PG', '12', '15', '18'];

interface Film extends JsonObject {
  id: string;
  title: string;
  genre: string;
  language: string;
  runtime_min: number;
  year: number;
  age_rating: string;
  rating: number;
  plan: string;
}

/** 60 films: every genre in every language, two to five films each. */
function buildFilms(): Film[] {
  const rng = mulberry32(5150);
  const combos = GENRES.flatMap((genre) => LANGUAGES.map((language) => ({ genre, language })));
  const counts = combos.map((_, i) => [3, 4, 2, 5, 3, 3][i % 6]!);
  const films: Film[] = [];
  combos.forEach(({ genre, language }, c) => {
    for (let k = 0; k < counts[c]!; k++) {
      const n = films.length;
      films.push({
        id: `F-${101 + n}`,
        title: TITLES[n]!,
        genre,
        language,
        runtime_min: genre === 'animation' ? randInt(rng, 78, 105) : randInt(rng, 84, 148),
        year: randInt(rng, 1994, 2026),
        age_rating: genre === 'animation' ? pick(rng, ['U', 'PG', 'PG', '12']) : pick(rng, AGES),
        rating: randInt(rng, 28, 48) / 10,
        plan: rng() < 0.25 ? 'premium' : 'basic',
      });
    }
  });
  if (films.length !== TITLES.length) throw new Error(`recommendation: ${films.length} films for ${TITLES.length} titles`);
  return films;
}

interface Member {
  id: string;
  name: string;
  email: string;
  plan: 'basic' | 'premium';
  /** Films watched (film ids), and those already on the watchlist. */
  watched: string[];
  watchlist: string[];
}

const MEMBERS: Member[] = [
  { id: 'M-2041', name: 'Ana Lima', email: 'ana.lima@example.com', plan: 'basic', watched: ['F-113', 'F-141'], watchlist: ['F-118'] },
  { id: 'M-2042', name: 'Ben Okafor', email: 'ben.okafor@example.com', plan: 'premium', watched: ['F-101', 'F-131'], watchlist: [] },
  { id: 'M-2043', name: 'Chloe Martin', email: 'chloe.m@example.com', plan: 'basic', watched: ['F-108'], watchlist: ['F-146'] },
  { id: 'M-2044', name: 'Diego Ramos', email: 'diego.ramos@example.com', plan: 'premium', watched: ['F-124', 'F-126', 'F-103'], watchlist: ['F-159'] },
  { id: 'M-2045', name: 'Emma Schultz', email: 'emma.schultz@example.com', plan: 'basic', watched: ['F-111'], watchlist: [] },
  { id: 'M-2046', name: 'Farid Haddad', email: 'farid.h@example.com', plan: 'premium', watched: ['F-158', 'F-122'], watchlist: ['F-101'] },
  { id: 'M-2047', name: 'Grace Liu', email: 'grace.liu@example.com', plan: 'basic', watched: ['F-134', 'F-143'], watchlist: [] },
  { id: 'M-2048', name: 'Hugo Petit', email: 'hugo.petit@example.com', plan: 'basic', watched: ['F-104'], watchlist: ['F-125'] },
  { id: 'M-2049', name: 'Isla Murray', email: 'isla.murray@example.com', plan: 'basic', watched: ['F-151', 'F-116'], watchlist: [] },
  { id: 'M-2050', name: 'Jonas Berg', email: 'jonas.berg@example.com', plan: 'premium', watched: ['F-119'], watchlist: ['F-148'] },
  { id: 'M-2051', name: 'Keiko Sato', email: 'keiko.sato@example.com', plan: 'premium', watched: ['F-145'], watchlist: [] },
  { id: 'M-2052', name: 'Luis Moreno', email: 'luis.moreno@example.com', plan: 'premium', watched: ['F-157', 'F-150'], watchlist: [] },
  { id: 'M-2053', name: 'Maya Cohen', email: 'maya.cohen@example.com', plan: 'premium', watched: ['F-128'], watchlist: ['F-102'] },
  { id: 'M-2054', name: 'Noah Adams', email: 'noah.adams@example.com', plan: 'basic', watched: ['F-142'], watchlist: [] },
];

export function buildDb(): JsonObject {
  const films = buildFilms();
  const rng = mulberry32(7301);
  // Members not in any task get some history too, so the records look lived-in.
  const extra = ['Olga Ivanova', 'Pablo Ruiz', 'Quinn Harper', 'Rosa Bianchi', 'Sam Turner', 'Tara Singh'].map((name, i): Member => {
    const seen = new Set<string>();
    for (let k = 0; k < randInt(rng, 1, 5); k++) seen.add(pick(rng, films).id);
    const first = name.split(' ')[0]!.toLowerCase();
    return { id: `M-${2055 + i}`, name, email: `${first}.${name.split(' ')[1]!.toLowerCase()}@example.com`, plan: rng() < 0.4 ? 'premium' : 'basic', watched: [...seen], watchlist: [] };
  });
  const members: JsonObject = {};
  const viewings: JsonObject = {};
  const entries: JsonObject = {};
  let v = 0;
  for (const m of [...MEMBERS, ...extra]) {
    for (const f of [...m.watched, ...m.watchlist]) if (!films.some((x) => x.id === f)) throw new Error(`recommendation: ${m.id} names unknown film ${f}`);
    members[m.id] = { ...m, watched: [...m.watched], watchlist: [...m.watchlist] };
    for (const f of m.watched) {
      v++;
      viewings[`V-${String(v).padStart(4, '0')}`] = { id: `V-${String(v).padStart(4, '0')}`, member_id: m.id, film_id: f, watched_on: `2027-0${1 + (v % 4)}-${String(3 + ((v * 7) % 25)).padStart(2, '0')}` };
    }
    for (const f of m.watchlist) entries[`${m.id}/${f}`] = { member_id: m.id, film_id: f, added_on: '2027-05-02' };
  }
  return { meta: { today: TODAY }, films: Object.fromEntries(films.map((f) => [f.id, f])), members, viewings, watchlist_entries: entries };
}

/* ------------------------------------------------------------------ tasks */

/** Preferences beyond genre and language, each with what the member says when a film breaks it. */
const maxRuntime = (n: number): PreferenceRule => ({ field: 'runtime_min', max: n, reason: `that's too long, I want something under ${n} minutes` });
const minYear = (n: number): PreferenceRule => ({ field: 'year', min: n, reason: `that's too old for me, I'd like something from ${n} or later` });
const minRating = (n: number): PreferenceRule => ({ field: 'rating', min: n, reason: `I'd like something rated at least ${n} out of 5` });
const noAdults = (also15: boolean): PreferenceRule => ({
  field: 'age_rating',
  notIn: also15 ? ['15', '18'] : ['18'],
  reason: also15 ? "it has to be fine for my kids, nothing rated 15 or 18" : "nothing rated 18, I'm watching with my teenager",
});
const unseen = (m: Member): PreferenceRule => ({ field: 'id', notIn: m.watched, reason: "I've already seen that one" });

interface RecTask {
  id: string;
  title: string;
  difficulty: PackTask['difficulty'];
  member: string;
  genre: string;
  language: string;
  /** The hidden preferences beyond genre and language; the member's seen films always count. */
  rules: PreferenceRule[];
  /** What the rules mean in words, for the opening (easy) or the instructions. */
  wants: string;
  /** The film the rules pin down, checked by the generator. */
  film: string;
  /** Hard tasks: the film that fits every preference but one. */
  decoy?: string;
  mood: string;
}

const TASKS: RecTask[] = [
  { id: 'short-italian-comedy', title: 'An Italian comedy under 110 minutes', difficulty: 'easy', member: 'M-2041', genre: 'comedy', language: 'Italian', rules: [maxRuntime(110)], wants: 'under 110 minutes', film: 'F-101', mood: 'something light after work' },
  { id: 'short-french-animation', title: 'A short French animation for the kids', difficulty: 'easy', member: 'M-2042', genre: 'animation', language: 'French', rules: [maxRuntime(85)], wants: 'under 85 minutes', film: 'F-137', mood: 'a short cartoon for the children before bed' },
  { id: 'recent-spanish-documentary', title: 'A recent Spanish documentary', difficulty: 'easy', member: 'M-2043', genre: 'documentary', language: 'Spanish', rules: [minYear(2010)], wants: 'from 2010 or later', film: 'F-149', mood: 'a documentary to practise your Spanish' },
  { id: 'short-italian-documentary', title: 'An Italian documentary under 100 minutes', difficulty: 'easy', member: 'M-2054', genre: 'documentary', language: 'Italian', rules: [maxRuntime(100)], wants: 'under 100 minutes', film: 'F-143', mood: 'a short documentary for a train journey' },
  { id: 'unseen-french-thriller', title: 'A French thriller not seen yet', difficulty: 'medium', member: 'M-2044', genre: 'thriller', language: 'French', rules: [maxRuntime(120)], wants: 'one you have not seen, under 120 minutes', film: 'F-125', mood: 'a gripping evening film' },
  { id: 'family-italian-drama', title: 'An Italian drama for the family', difficulty: 'medium', member: 'M-2045', genre: 'drama', language: 'Italian', rules: [noAdults(true), maxRuntime(120), minYear(2002)], wants: 'suitable for children (nothing rated 15 or 18), under 120 minutes, from 2002 or later', film: 'F-114', mood: 'a family film for Sunday afternoon' },
  { id: 'top-rated-spanish-scifi', title: 'A top-rated Spanish science fiction film', difficulty: 'medium', member: 'M-2046', genre: 'science fiction', language: 'Spanish', rules: [minRating(4.5)], wants: 'rated at least 4.5 out of 5', film: 'F-159', mood: 'the best science fiction film there is in Spanish' },
  { id: 'good-italian-animation', title: 'A well-rated Italian animation not seen yet', difficulty: 'medium', member: 'M-2047', genre: 'animation', language: 'Italian', rules: [minRating(3.5)], wants: 'one you have not seen, rated at least 3.5 out of 5', film: 'F-131', mood: 'an animated film for a rainy day' },
  { id: 'short-spanish-thriller', title: 'A Spanish thriller under two hours', difficulty: 'medium', member: 'M-2053', genre: 'thriller', language: 'Spanish', rules: [maxRuntime(120)], wants: 'under 120 minutes', film: 'F-129', mood: 'a thriller that is not too long' },
  { id: 'french-comedy-decoy', title: 'A French comedy: the best rated one is too long', difficulty: 'hard', member: 'M-2048', genre: 'comedy', language: 'French', rules: [maxRuntime(120), noAdults(false)], wants: 'under 120 minutes and not rated 18', film: 'F-105', decoy: 'F-106', mood: 'a comedy to watch with your teenage son' },
  { id: 'italian-scifi-decoy', title: 'Italian science fiction: the likely pick is already seen', difficulty: 'hard', member: 'M-2049', genre: 'science fiction', language: 'Italian', rules: [maxRuntime(100)], wants: 'one you have not seen, under 100 minutes', film: 'F-153', decoy: 'F-151', mood: 'a short science fiction film' },
  { id: 'spanish-drama-decoy', title: 'A Spanish drama for the kids: the best rated one is rated 18', difficulty: 'hard', member: 'M-2050', genre: 'drama', language: 'Spanish', rules: [noAdults(true), maxRuntime(120)], wants: 'suitable for children (nothing rated 15 or 18), under 120 minutes', film: 'F-118', decoy: 'F-120', mood: 'a drama the whole family can watch' },
  { id: 'french-documentary-decoy', title: 'A French documentary under 115 minutes: the near misses are too long', difficulty: 'hard', member: 'M-2051', genre: 'documentary', language: 'French', rules: [maxRuntime(115)], wants: 'one you have not seen, under 115 minutes', film: 'F-146', decoy: 'F-147', mood: 'a documentary for a weeknight' },
  { id: 'french-scifi-decoy', title: 'French science fiction: the best rated one is already seen', difficulty: 'hard', member: 'M-2052', genre: 'science fiction', language: 'French', rules: [noAdults(false)], wants: 'one you have not seen, not rated 18', film: 'F-155', decoy: 'F-157', mood: 'a science fiction film to watch with your teenager' },
];

/** The films a member may add: not watched, not listed, within their plan. */
function addable(m: Member, f: Film): boolean {
  return !m.watched.includes(f.id) && !m.watchlist.includes(f.id) && (f.plan === 'basic' || m.plan === 'premium');
}

export function rulesOf(t: RecTask, m: Member): PreferenceRule[] {
  return [
    { field: 'genre', is: t.genre, reason: `I'm after a ${t.genre} film` },
    { field: 'language', is: t.language, reason: `I'd like it in ${t.language}` },
    ...(m.watched.length > 0 ? [unseen(m)] : []),
    ...t.rules,
  ];
}

/** Whether a film meets every rule (the same reading as the agenda user's). */
export function fits(rules: PreferenceRule[], f: JsonObject): boolean {
  return brokenBy(rules, f).length === 0;
}

function brokenBy(rules: PreferenceRule[], f: JsonObject): PreferenceRule[] {
  return rules.filter((r) => {
    const v = f[r.field];
    if (r.is !== undefined && String(v).toLowerCase() !== String(r.is).toLowerCase()) return true;
    if (r.max !== undefined && !(typeof v === 'number' && v <= r.max)) return true;
    if (r.min !== undefined && !(typeof v === 'number' && v >= r.min)) return true;
    if (r.notIn !== undefined && r.notIn.map(String).includes(String(v))) return true;
    return false;
  });
}

function task(t: RecTask, films: Film[]): PackTask {
  const m = MEMBERS.find((x) => x.id === t.member);
  if (!m) throw new Error(`recommendation ${t.id}: no member ${t.member}`);
  const rules = rulesOf(t, m);
  const fitting = films.filter((f) => fits(rules, f));
  if (fitting.length !== 1 || fitting[0]!.id !== t.film) {
    throw new Error(`recommendation ${t.id}: the preferences fit ${fitting.map((f) => f.id).join(', ') || 'no film'}, not exactly ${t.film}`);
  }
  const film = fitting[0]!;
  if (!addable(m, film)) throw new Error(`recommendation ${t.id}: ${film.id} cannot be added for ${m.id}`);
  const search = films.filter((f) => f.genre === t.genre && f.language === t.language);
  if (t.decoy !== undefined) {
    const decoy = films.find((f) => f.id === t.decoy);
    if (!decoy || brokenBy(rules, decoy).length !== 1) throw new Error(`recommendation ${t.id}: decoy ${t.decoy} must break exactly one preference`);
    if (!search.includes(decoy) || !(addable(m, decoy) || m.watched.includes(decoy.id))) throw new Error(`recommendation ${t.id}: decoy ${t.decoy} is not a film the search offers and the member could take`);
  }
  const kind = `${t.language} ${t.genre} film`;
  const easy = t.difficulty === 'easy';
  const opening = easy ? `add an ${kind} ${t.wants} to my watchlist`.replace(/\ban (?=[^aeiouAEIOU])/, 'a ') : 'find me a film to add to my watchlist';
  const hidden =
    t.difficulty === 'easy'
      ? `You say everything you want in your first message: an ${kind}, ${t.wants}.`
      : t.difficulty === 'medium'
        ? `You say the genre (${t.genre}) and the language (${t.language}) only when asked. Your other wishes: ${t.wants}; you say them only when the agent offers a film that is not.`
        : `You say the genre (${t.genre}) and the language (${t.language}) only when asked. Your other wishes: ${t.wants}; you say them only when the agent offers a film that is not; one film of that kind fits all your wishes but one.`;
  return packTask('recommendation', {
    id: t.id,
    title: t.title,
    purpose: `The member's preferences pin down one film: ${film.title} (${film.id}).${t.decoy ? ` Decoy: ${films.find((f) => f.id === t.decoy)!.title} (${t.decoy}) breaks only one preference.` : ''} The member rejects films that break a preference, with the reason, and leaves when bored.`,
    difficulty: t.difficulty,
    reason: `You want ${t.mood}.`,
    known: { email: m.email, name: m.name, genre: t.genre, language: t.language },
    unknown: ['film ids', 'which films are in the catalog'],
    instructions: `You are ${m.name} (${m.email}), a Lantern member. You want ${t.mood}: an ${kind}. ${hidden} You turn down any film you have already seen, saying so. Accept the one film that fits and have it added to your watchlist. If the agent keeps offering films you do not want, you lose interest and leave.`.replace(/\ban (?=[^aeiouAEIOU])/g, 'a '),
    requests: [
      {
        type: 'action',
        utterance: opening,
        tool: 'add_to_watchlist',
        expect: { genre: 'genre', language: 'language' },
        prefer: { table: 'films', nameField: 'title', rules },
      },
    ],
    gold: [
      g('find_member_by_email', { email: m.email }),
      g('search_films', { genre: t.genre, language: t.language }),
      g('add_to_watchlist', { member_id: m.id, film_id: film.id }, ['member_id', 'film_id']),
    ],
    env: [{ path: `watchlist_entries.${m.id}/${film.id}.film_id`, equals: film.id }],
  });
}

/* ------------------------------------------------------------------- pack */

export function buildRecommendationPack(): ScenarioPack {
  const db = buildDb();
  const films = Object.values(db['films'] as JsonObject) as Film[];
  const t = TASKS.map((x) => task(x, films));
  const count = (table: string) => Object.keys(db[table] as JsonObject).length;
  return {
    formatVersion: 1,
    id: 'recommendation',
    title: 'Lantern — film recommendations',
    description: `A member wants a film for their watchlist and has preferences the agent must find out: genre and language when asked, the rest (length, age rating, year, rating, films already seen) only by turning down films that break them. Each task's preferences pin down one film; success is that film added to the watchlist. The member leaves, bored, after too many films they do not want. Every tool is declarative. ${count('films')} films, ${count('members')} members; ${t.length} tasks.`,
    domain: 'recommendation',
    policy: POLICY,
    tools: tools(),
    db,
    tasks: t,
  };
}

writePackWhenRun(import.meta.url, 'recommendation.json', buildRecommendationPack);
