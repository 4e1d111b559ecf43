#!/usr/bin/env node
// Takes screenshots of the built page in Debian's Chromium, for looking at the UI and for
// the README. Usage: node scripts/screenshots.mjs [outDir]   (serve dist/ first on :4180)
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const out = process.argv[2] ?? 'docs';
const base = process.env.BASE ?? 'http://localhost:4180/';
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
await page.goto(base);
await page.getByRole('button', { name: 'Start run' }).waitFor();
await page.screenshot({ path: `${out}/new-run.png` });
await page.getByLabel('Trials per task (k)').fill('3');
await page.getByLabel('Playback').selectOption('fast');
await page.getByRole('button', { name: 'Start run' }).click();
await page.getByRole('region', { name: 'Live run' }).locator('li.turn').nth(5).waitFor();
await page.waitForTimeout(1500);
await page.screenshot({ path: `${out}/live.png` });
await page.getByLabel('Playback').selectOption('instant');
await page.locator('header .badge', { hasText: 'completed' }).waitFor({ timeout: 120000 });
await page.screenshot({ path: `${out}/results.png`, fullPage: true });
await page.getByLabel('Filter by outcome').selectOption('fail');
const failed = page.locator('a.srow').first();
if (await failed.count()) {
  await failed.click();
  await page.getByRole('list', { name: 'Transcript' }).waitFor();
  await page.screenshot({ path: `${out}/session-fail.png`, fullPage: true });
  await page.goBack();
}
await page.getByLabel('Filter by outcome').selectOption('pass');
await page.locator('a.srow').first().click();
await page.getByRole('list', { name: 'Transcript' }).waitFor();
await page.screenshot({ path: `${out}/session.png`, fullPage: true });
await page.goto(`${base}#/runs`);
await page.locator('tbody tr').first().waitFor();
await page.screenshot({ path: `${out}/runs.png` });
await page.goto(`${base}#/library`);
await page.getByLabel('JSON to import').fill('{"id":"p","name":"P","summary":"s","role":"r","background":"","traits":{"patience":9}}');
await page.getByRole('button', { name: 'Import pasted JSON' }).click();
await page.getByTestId('import-error').waitFor();
await page.screenshot({ path: `${out}/library.png`, fullPage: true });
// The README's picture: a pack where the agent under test fails sometimes (retail, the generic
// rule-based agent, every persona, k = 3), cropped to the headline figures and pass^k report.
await page.goto(`${base}#/new`);
await page.getByLabel('Scenario pack').selectOption('retail');
await page.getByLabel('Agent seat (under test)').selectOption({ label: 'Generic rule-based agent' });
await page.getByLabel('Trials per task (k)').fill('3');
await page.getByLabel('Playback').selectOption('instant');
await page.getByRole('button', { name: 'Start run' }).click();
await page.locator('header .badge', { hasText: 'completed' }).waitFor({ timeout: 300000 });
await page.screenshot({ path: `${out}/screenshot.png`, clip: { x: 0, y: 0, width: 1400, height: 1150 } });
await browser.close();
console.log(`Screenshots written to ${out}/`);
