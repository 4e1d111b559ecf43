import { expect, test } from '@playwright/test';
import config from '../../playwright.config.ts';

/* The Models page in the default project: Debian's Chromium without --enable-unsafe-webgpu. */

const base = String(config.use?.baseURL);

test('the Models page explains that WebGPU is unavailable, why, and what to do', async ({ page }) => {
  await page.goto(`${base}#/models`);
  const card = page.getByTestId('device-report');
  await expect(card.getByTestId('webgpu-status')).toHaveText('WebGPU unavailable');
  // Here navigator.gpu exists but no adapter is offered.
  await expect(card.getByTestId('webgpu-reason')).toContainText('found no usable GPU');
  await expect(card.getByTestId('webgpu-advice')).toContainText('driver');
  // The CPU path exists now, and the advice points to it rather than to a later version.
  await expect(card.getByTestId('webgpu-advice')).toContainText('on the CPU through llama.cpp');
  await expect(card.getByTestId('webgpu-advice')).not.toContainText('later version');
  // The rest of the page still works.
  await page.getByRole('link', { name: 'Library' }).click();
  await expect(page.getByRole('heading', { name: 'Library' })).toBeVisible();
});
