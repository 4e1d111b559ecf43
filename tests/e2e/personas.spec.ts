import { expect, test, type Page } from '@playwright/test';
import config from '../../playwright.config.ts';

/*
 * The persona engine's page in Debian's Chromium against the built page: the gallery, the
 * editor's live policy preview, a generated population with its coverage (saved and then
 * chosen as a set for a run), and a bad persona file refused with the path of the problem.
 */

const base = String(config.use?.baseURL);

async function openPersonas(page: Page) {
  await page.goto(`${base}#/personas`);
  await expect(page.getByRole('heading', { name: 'Personas', exact: true })).toBeVisible();
}

test('the gallery shows every persona as a card with trait bars and a summary', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openPersonas(page);
  const core = page.getByRole('region', { name: 'Core personas' });
  const cards = core.getByTestId('persona-card');
  await expect(cards).toHaveCount(6);
  const baseline = core.getByRole('article', { name: 'Baseline cooperative' });
  await expect(baseline).toContainText('Clear, patient and forthcoming');
  await expect(baseline.locator('.bar')).toHaveCount(11);
  await expect(page.getByRole('link', { name: 'Personas' })).toHaveClass(/active/);
  expect(errors).toEqual([]);
});

test('the editor preview follows the sliders, and a duplicate saves to the library', async ({ page }) => {
  await openPersonas(page);
  await page.getByRole('article', { name: 'Hurried commuter' }).getByRole('button', { name: 'Duplicate' }).click();
  await expect(page.getByRole('heading', { name: 'Edit persona' })).toBeVisible();
  const preview = page.getByTestId('policy-preview');
  await expect(preview).toContainText('You are very impatient');
  const before = await preview.textContent();

  await page.getByLabel('Patience', { exact: true }).fill('5');
  await expect(preview).toContainText('You are endlessly patient');
  await expect(preview).not.toContainText('You are very impatient');
  expect(await preview.textContent()).not.toBe(before);
  await expect(page.getByTestId('anchor-patience')).toContainText('No rush at all');

  // A dynamic control shows the note the simulator would get mid-session.
  await page.getByRole('button', { name: 'Add a control' }).click();
  await expect(page.getByRole('complementary')).toContainText('Your character changes from this message on');

  await page.getByRole('button', { name: 'Save to library' }).click();
  await expect(page.getByRole('status')).toContainText('Saved “Hurried commuter (copy)”');
  await page.getByRole('tab', { name: 'Gallery' }).click();
  const copy = page.getByRole('article', { name: 'Hurried commuter (copy)' });
  await expect(copy).toBeVisible();
  await expect(copy).toContainText('at user turn 3: patience → 1');
});

test('a generated population shows its coverage beside random sampling, and runs can choose it as a set', async ({ page }) => {
  await openPersonas(page);
  await page.getByRole('tab', { name: 'Population' }).click();
  await page.getByLabel('Population size').fill('12');
  await page.getByLabel('Population seed').fill('3');
  // Fix one trait: every generated persona then has it.
  for (const v of [1, 2, 4, 5]) await page.getByRole('button', { name: `Emotional state level ${v}` }).click();
  await page.getByRole('button', { name: 'Generate' }).click();

  const coverage = page.getByTestId('coverage');
  await expect(coverage).toBeVisible();
  await expect(coverage).toContainText('Random sampling');
  const ours = Number(await page.getByTestId('cov-min').textContent());
  const random = Number(await coverage.locator('tr', { hasText: 'Minimum pairwise distance' }).locator('td').nth(2).textContent());
  expect(ours).toBeGreaterThan(random);
  await expect(page.getByTestId('cov-cells')).toHaveClass(/better/);
  await expect(page.getByTestId('pca-point')).toHaveCount(12);
  await expect(page.getByRole('img', { name: /^Emotional state: levels 1 to 5, 0, 0, 12, 0, 0 personas$/ })).toBeVisible();

  await page.getByRole('button', { name: 'Save population' }).click();
  await expect(page.getByRole('status')).toContainText('12 personas');

  await page.goto(`${base}#/new`);
  const section = page.getByRole('region', { name: '2 · Personas' });
  const whole = section.getByLabel('Whole set: Population of 12 (seed 3)');
  await expect(whole).toBeChecked();
  await expect(section).toContainText('18 of 18');
  await whole.uncheck();
  await expect(section).toContainText('6 of 18');
  await section.getByLabel('Whole set: Core personas').uncheck();
  await whole.check();
  await expect(section).toContainText('12 of 18');
  await expect(page.locator('.count strong')).toHaveText(String(12 * Number((await page.getByTestId('task-count').textContent())!.split(' ')[0])));
});

test('a bad persona file is refused with the path of the problem, and nothing is written', async ({ page }) => {
  await openPersonas(page);
  const cards = page.getByTestId('persona-card');
  await expect(cards).toHaveCount(6);
  const persona = {
    id: 'broken',
    name: 'Broken',
    summary: 'x',
    role: 'novice',
    background: '',
    traits: { patience: 9, verbosity: 3, clarity: 3, cooperativeness: 3, techLiteracy: 3, emotion: 3, formality: 3, noise: 1, drift: 1, initiative: 3, proficiency: 5, charm: 2 },
    controls: [{ when: { type: 'turn', turn: 250 }, set: { patience: 1 } }],
  };
  await page.getByLabel('Persona JSON to import').fill(JSON.stringify(persona));
  await page.getByRole('button', { name: 'Import pasted JSON' }).click();
  const error = page.getByTestId('persona-import-error');
  await expect(error).toContainText('Refused: nothing was imported.');
  await expect(error).toContainText('traits.patience: must be at most 5 (got 9)');
  await expect(error).toContainText('traits: unknown field "charm": not a trait');
  await expect(error).toContainText('controls[0].when.turn: the schedule points past the maximum turn');
  await expect(cards).toHaveCount(6);
  await page.reload();
  await expect(page.getByTestId('persona-card')).toHaveCount(6);
});
