/**
 * What a task's user side says the user knows, checked (issue 12: the simulated user knows only
 * what the user knows). A simulated user may draw only on the user side (reason for contact,
 * known information, task instructions, persona) and on what the agent said; these checks hold
 * the scenario file itself to that, before any session runs:
 *
 * - **An identifier the user holds has a source.** A `knownInfo` value holding an identifier
 *   (`identifierTokens`: a word of four or more characters with a digit, "HP-30118", or a bare
 *   number of five or more digits; never emails, dates, amounts or four-digit numbers such as a
 *   card's last digits) needs `knownFrom[slot]`, where the user has it from ("order
 *   confirmation email", "boarding pass"). A person gets an order number from somewhere; a
 *   database id nobody gave them they cannot know. Slots that are personal details a person
 *   knows of themselves (`PERSONAL_DETAIL_SLOTS`: name, email, phone, zip, address lines, date
 *   of birth) need none, whatever digits they hold.
 * - **A goal says only what the user can say.** Each value of an action request's `expect`
 *   must name a `knownInfo` slot (the agenda user then says that slot's value), or be found,
 *   ignoring case, spacing and a "#" before a word, in a `knownInfo` value, the reason for
 *   contact or the task instructions. An identifier in it (where the argument is no personal
 *   detail) must also be in a `knownInfo` value, so that it has a source like every other.
 * - **A source belongs to a fact.** A `knownFrom` key must be a `knownInfo` slot.
 *
 * The first two are `userKnowledgeIssues`: refused by `validateScenarioPack` and
 * `validateScenario` (built-in packs, the τ²-bench import), reported as warnings for files
 * imported on the Library page (written before `knownFrom` existed, they were valid and still
 * run as before). The third, `knownFromIssues`, is refused everywhere: no older file has the field.
 */
import type { UserSide } from '../model/types.ts';
import type { ValidationIssue } from '../model/validation.ts';
import { identifierTokens } from '../simulation/leak-check.ts';

/**
 * Slots that are personal details a person knows of themselves, so an identifier-like value in
 * them (a zip code, a phone number, a street number) needs no source. Compared with the slot
 * name in lower case, words joined by "_", less a trailing number ("email_2") and any leading
 * `PERSONAL_DETAIL_QUALIFIERS` ("new_zip", "work_address").
 */
export const PERSONAL_DETAIL_SLOTS: readonly string[] = [
  'name', 'first_name', 'last_name', 'full_name', 'middle_name',
  'email', 'email_address',
  'phone', 'phone_number', 'mobile', 'mobile_number',
  'zip', 'zip_code', 'zipcode', 'postcode', 'postal_code',
  'date_of_birth', 'dob', 'birth_date', 'birthday',
  'address', 'street', 'street_address', 'address1', 'address2', 'address_line1', 'address_line2', 'city', 'state', 'country',
];

/** Words before a personal detail's name that keep it one: "new_zip", "home_phone", "work_address". */
export const PERSONAL_DETAIL_QUALIFIERS: readonly string[] = [
  'new', 'old', 'current', 'previous', 'home', 'work', 'office', 'billing', 'shipping', 'delivery', 'mailing', 'contact', 'my', 'own',
];

const PERSONAL = new Set(PERSONAL_DETAIL_SLOTS);
const QUALIFIER = new RegExp(`^(?:${PERSONAL_DETAIL_QUALIFIERS.join('|')})_`);

/** Whether a knownInfo slot is a personal detail a person knows of themselves (see PERSONAL_DETAIL_SLOTS). */
export function isPersonalDetailSlot(slot: string): boolean {
  let key = slot
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/_\d+$/, '');
  while (QUALIFIER.test(key) && !PERSONAL.has(key)) key = key.replace(QUALIFIER, '');
  return PERSONAL.has(key);
}

/** The identifiers in a slot's value that need a source: none for a personal detail. */
export function identifiersNeedingSource(slot: string, value: string): string[] {
  return isPersonalDetailSlot(slot) ? [] : identifierTokens(value);
}

/** A text as values are looked for in it: case, spacing and a "#" before a word ("#W2378156" is "W2378156") aside. */
const squeeze = (s: string) => s.toLowerCase().replace(/#(?=\w)/g, '').replace(/\s+/g, ' ').trim();
const quote = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);

/** A source to suggest in messages, by what the slot is. */
function exampleSource(slot: string): string {
  const s = slot.toLowerCase();
  if (/order/.test(s)) return 'order confirmation email';
  if (/reservation|booking|confirmation|flight/.test(s)) return 'booking confirmation email';
  if (/asset|serial|tag/.test(s)) return 'the asset tag on the device';
  if (/rx|prescription/.test(s)) return 'the prescription label';
  if (/employee|staff/.test(s)) return 'their staff badge';
  if (/member|account|user|customer/.test(s)) return 'their account page';
  return 'order confirmation email';
}

/**
 * A `knownFrom` key that is no `knownInfo` slot: always an error. `base` is the path of the
 * task ("tasks[3]." or "").
 */
export function knownFromIssues(user: Pick<UserSide, 'knownInfo' | 'knownFrom'>, base: string): ValidationIssue[] {
  const slots = Object.keys(user.knownInfo);
  return Object.keys(user.knownFrom ?? {})
    .filter((k) => !Object.hasOwn(user.knownInfo, k))
    .map((k) => ({
      path: `${base}user.knownFrom.${k}`,
      message: `names no knownInfo slot (slots: ${slots.join(', ') || 'none'}): a source says where the user has one of their known facts from, under that fact's slot`,
    }));
}

/**
 * What the user side holds that the user could not know: identifiers in `knownInfo` without a
 * source in `knownFrom` (personal details aside), and goal values that are neither a known slot
 * nor in the user's own texts. `base` is the path of the task ("tasks[3]." or "").
 */
export function userKnowledgeIssues(user: UserSide, base: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const sources = user.knownFrom ?? {};
  for (const [slot, value] of Object.entries(user.knownInfo)) {
    const ids = identifiersNeedingSource(slot, value);
    if (ids.length === 0 || (Object.hasOwn(sources, slot) && sources[slot]!.trim() !== '')) continue;
    issues.push({
      path: `${base}user.knownInfo.${slot}`,
      message: `${quote(ids[0]!)} is an identifier: say where the user has it from in user.knownFrom.${slot} (e.g. "${exampleSource(slot)}"), or leave it out if the user cannot have it`,
    });
  }
  const knownValues = Object.values(user.knownInfo).map(squeeze);
  const ownTexts = [...knownValues, squeeze(user.reasonForContact), squeeze(user.taskInstructions)];
  const knownIds = new Set(Object.values(user.knownInfo).flatMap((v) => identifierTokens(v).map((t) => t.toLowerCase())));
  user.goal.requests.forEach((r, ri) => {
    if (r.type !== 'action') return;
    for (const [arg, raw] of Object.entries(r.expect)) {
      // The agenda user says a known slot's value where the goal names the slot (agenda.ts, valueOf).
      if (Object.hasOwn(user.knownInfo, raw)) continue;
      const at = `${base}user.goal.requests[${ri}].expect.${arg}`;
      const v = squeeze(raw);
      if (!ownTexts.some((t) => t.includes(v))) {
        issues.push({
          path: at,
          message: `${quote(raw)} is nothing the user can know: it is no knownInfo slot, and neither knownInfo nor the reason for contact nor the task instructions hold it. Add it to user.knownInfo (with its source in user.knownFrom if it is an identifier) and name that slot here`,
        });
        continue;
      }
      const unsourced = identifiersNeedingSource(arg, raw).find((id) => !knownIds.has(id.toLowerCase()));
      if (unsourced !== undefined) {
        issues.push({
          path: at,
          message: `${quote(unsourced)} is an identifier no knownInfo value holds: put it in user.knownInfo with its source in user.knownFrom (e.g. "${exampleSource(arg)}") and name that slot here`,
        });
      }
    }
  });
  return issues;
}
