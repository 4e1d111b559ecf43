import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import config, { TEST_MODELS_PATH } from '../../playwright.config.ts';

/*
 * The smallest real LLM setup the browser tests use: stories260K (a 1.2 MB story model, through
 * llama.cpp in the page) on the model roles, and a compact bookshop pack and persona that fit
 * its 2,048-token window. Shared by llm-seats.spec.ts and compare-run.spec.ts.
 */

const base = String(config.use?.baseURL);
export const STORIES_URL = `${new URL(TEST_MODELS_PATH, base).href}stories260K.gguf`;

/** Adds stories260K on the Models page and chooses it for the User simulator and Agent roles. */
export async function addStoriesForBothRoles(page: Page, opts: { constrainToolCalls?: boolean } = {}) {
  await page.goto(`${base}#/models`);
  const panel = page.getByRole('region', { name: /GGUF models/ });
  await panel.getByLabel('Add by URL').fill(STORIES_URL);
  await panel.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(panel.locator('tr[data-gguf]')).toHaveCount(1, { timeout: 30_000 });
  const roles = page.getByRole('region', { name: 'Roles' });
  await roles.getByLabel('User simulator').selectOption({ label: 'stories260K.gguf' });
  await roles.getByLabel('Agent').selectOption({ label: 'stories260K.gguf' });
  if (opts.constrainToolCalls) await roles.getByLabel('Constrain tool calls').check();
}

/**
 * stories260K's tokenizer has 512 tokens (about one token per character of JSON), and llama.cpp
 * caps its context at the 2,048 tokens it was trained for, so the full bookshop policy and its six
 * tool schemas do not fit (a real model needs about a third as many tokens). The test imports a
 * compact pack over the same domain: a short policy and the one tool the task needs.
 */
function compactPack(): string {
  const full = JSON.parse(readFileSync(join(process.cwd(), 'public/packs/bookshop.json'), 'utf8'));
  const task = full.tasks.find((t: { id: string }) => t.id === 'bookshop-cancel-processing');
  return JSON.stringify({
    ...full,
    id: 'bookshop-compact',
    title: 'Bookshop, compact',
    policy: 'Cancel processing orders after the customer says yes.',
    tools: full.tools.filter((t: { name: string }) => t.name === 'cancel_order'),
    tasks: [
      {
        ...task,
        id: 'compact-cancel',
        title: 'Compact: cancel a processing order',
        evaluation: { ...task.evaluation, goldActions: task.evaluation.goldActions.filter((a: { name: string }) => a.name === 'cancel_order') },
      },
    ],
  });
}

/**
 * A persona with a one-line roleplay policy: the rendered policy of a built-in persona (traits,
 * example lines) alone takes a few hundred of stories260K's 2,048 tokens.
 */
const COMPACT_PERSONA = {
  id: 'compact-cooperative',
  name: 'Compact cooperative',
  summary: 'Cooperative customer with a one-line policy, for tiny models.',
  traits: { patience: 5, verbosity: 2, clarity: 5, cooperativeness: 5, techLiteracy: 4, emotion: 1, formality: 3, noise: 1, drift: 1, initiative: 3, proficiency: 5 },
  role: 'regular',
  background: 'Buys books online.',
  policy: 'You are polite and clear, and write short messages.',
};

/** Imports the compact pack and persona on the Library page. */
export async function importCompactPack(page: Page) {
  await page.goto(`${base}#/library`);
  await page.getByLabel('JSON to import').fill(compactPack());
  await page.getByRole('button', { name: 'Import pasted JSON' }).click();
  await expect(page.getByRole('status')).toContainText('compact-cancel');
  await page.getByLabel('JSON to import').fill(JSON.stringify(COMPACT_PERSONA));
  await page.getByRole('button', { name: 'Import pasted JSON' }).click();
  await expect(page.getByRole('status')).toContainText('compact-cooperative');
}
