import { expect, test } from '@playwright/test';
import { readSetting } from './idb.ts';
import config from '../../playwright.config.ts';

/*
 * The Models page in Debian's Chromium started with --enable-unsafe-webgpu (the
 * 'chromium-webgpu' project): a software adapter, SwiftShader, without shader-f16, and no
 * network to any model host.
 */

const base = String(config.use?.baseURL);

test('the device report shows the software adapter as the browser reports it, without shader-f16', async ({ page }) => {
  await page.goto(`${base}#/models`);
  const reported = await page.evaluate(async () => {
    const a = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    return a ? { vendor: a.info.vendor, architecture: a.info.architecture, f16: a.features.has('shader-f16') } : null;
  });
  expect(reported, 'this test needs --enable-unsafe-webgpu').not.toBeNull();
  expect(reported!.f16).toBe(false);

  const card = page.getByTestId('device-report');
  await expect(card.getByTestId('webgpu-status')).toHaveText('WebGPU available');
  await expect(card.getByTestId('gpu-vendor')).toHaveText(reported!.vendor || 'not reported');
  await expect(card.getByTestId('gpu-architecture')).toHaveText(reported!.architecture || 'not reported');
  await expect(card.getByTestId('shader-f16')).toContainText('missing');
  await expect(card.getByTestId('gpu-memory')).toContainText('estimate');
  await expect(card).toContainText('per binding');
});

test('f16 models are unavailable and offer their q4f32 variant', async ({ page }) => {
  await page.goto(`${base}#/models`);
  const f16 = page.locator('tr[data-model="Qwen2.5-0.5B-Instruct-q4f16_1-MLC"]');
  await expect(f16).toBeVisible({ timeout: 30_000 });
  await expect(f16).toContainText('unavailable');
  await expect(f16).toContainText('shader-f16');
  await expect(f16.getByRole('button', { name: 'Download' })).toBeDisabled();
  await f16.getByRole('button', { name: 'use the q4f32 variant' }).click();
  await expect(page.getByLabel('Filter models')).toHaveValue('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
  const f32 = page.locator('tr[data-model="Qwen2.5-0.5B-Instruct-q4f32_1-MLC"]');
  await expect(f32).not.toContainText('unavailable');
  await expect(f32.getByRole('button', { name: 'Download' })).toBeEnabled();
  // Every f16 model in the table is marked, none is offered for download.
  await page.getByLabel('Filter models').fill('q4f16');
  const rows = page.locator('tr[data-model*="q4f16"]');
  expect(await rows.count()).toBeGreaterThan(3);
  await expect(rows.filter({ hasNotText: 'unavailable' })).toHaveCount(0);
});

test('a model whose host cannot be reached fails clearly and in bounded time; the page keeps working', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}#/models`);
  const id = 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC';
  const row = page.locator(`tr[data-model="${id}"]`);
  await expect(row).toBeVisible({ timeout: 30_000 });
  // Every prebuilt model's weights live on Hugging Face, which this machine cannot reach.
  const host = 'huggingface.co';
  const started = Date.now();
  await row.getByRole('button', { name: 'Download' }).click();
  const error = page.locator(`tr[data-load="${id}"]`).getByTestId('load-error');
  await expect(error).toBeVisible({ timeout: 30_000 });
  const seconds = (Date.now() - started) / 1000;
  expect(seconds).toBeLessThan(30);
  await expect(error).toContainText(host);
  await expect(error).toContainText('Could not reach');

  // The rest of the page still works: other tabs, the catalog filter, and Retry.
  await page.getByRole('link', { name: 'Runs' }).click();
  await expect(page.getByRole('heading', { name: /Runs/ }).first()).toBeVisible();
  await page.getByRole('link', { name: 'Models' }).click();
  await expect(error).toBeVisible();
  await page.getByLabel('Filter models').fill('SmolLM2');
  await expect(page.locator('tr[data-model*="SmolLM2"]').first()).toBeVisible();
  await page.getByLabel('Filter models').fill(id);
  await error.getByRole('button', { name: 'Retry' }).click();
  await expect(error).toBeVisible({ timeout: 30_000 });
  await expect(error).toContainText(host);
  await expect(row.getByRole('button', { name: 'Download' })).toBeEnabled();
  expect(errors).toEqual([]);
});

test('roles and the engine setting are saved in the browser', async ({ page }) => {
  await page.goto(`${base}#/models`);
  const roles = page.getByRole('region', { name: 'Roles' });
  const agent = roles.getByLabel('Agent');
  await expect(agent.locator('option', { hasText: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC' })).toHaveCount(1, { timeout: 30_000 });
  await agent.selectOption('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
  await roles.getByLabel(/Share one model/).check();
  await expect(roles).toContainText('prefilled again every turn');
  await expect(roles.getByLabel(/Reset the chat before every request/)).not.toBeChecked();
  await roles.getByLabel(/Reset the chat before every request/).check();
  // Wait until IndexedDB holds the choices before the page goes away.
  await expect.poll(async () => (await readSetting(page, 'models.roles')) ?? {}).toMatchObject({ mode: 'shared', resetChat: true, agent: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC' });
  await page.reload();
  await expect(page.getByRole('region', { name: 'Roles' }).getByLabel(/Share one model/)).toBeChecked({ timeout: 30_000 });
  await expect(page.getByRole('region', { name: 'Roles' }).getByLabel(/Reset the chat before every request/)).toBeChecked();
  await page.getByRole('region', { name: 'Roles' }).getByLabel(/One engine per role/).check();
  await expect(page.getByRole('region', { name: 'Roles' }).getByLabel('Agent')).toHaveValue('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
});

test('a custom model is validated, and an HTML page instead of its config is refused', async ({ page }) => {
  await page.goto(`${base}#/models`);
  const form = page.getByRole('region', { name: 'Add a custom model' });
  await form.getByLabel('Model id').fill('My-0.5B-q4f32_1-MLC');
  await form.getByLabel('Model base URL').fill('models/mine');
  await form.getByLabel('Model library URL').fill('ftp://example.org/lib.wasm');
  await form.getByRole('button', { name: 'Check and add' }).click();
  await expect(form).toContainText('must be an absolute URL');
  await expect(form).toContainText('https:// or http://');
  // The test server answers index.html for this path, as a single-page host would.
  await form.getByLabel('Model base URL').fill(`${base}index.html?`);
  await form.getByLabel('Model library URL').fill(`${base}lib.wasm`);
  await page.route('**/mlc-chat-config.json', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><html><body>Sign in</body></html>' }),
  );
  await form.getByRole('button', { name: 'Check and add' }).click();
  await expect(form.getByTestId('custom-url-error')).toContainText('HTML page instead of mlc-chat-config.json');
});

test('a load whose host never answers shows a visible stalled state and can be cancelled', async ({ page, context }) => {
  // The model host accepts the request and never answers.
  const asked: string[] = [];
  await context.route('https://huggingface.co/**', (route) => {
    asked.push(route.request().url());
  });
  await page.goto(`${base}#/models`);
  const id = 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC';
  await page.getByLabel('Filter models').fill(id);
  const row = page.locator(`tr[data-model="${id}"]`);
  await row.getByRole('button', { name: 'Download' }).click();
  const load = page.locator(`tr[data-load="${id}"]`);
  await expect(load).toContainText('Starting the engine');
  await expect(load.getByTestId('load-stalled')).toContainText('No progress for', { timeout: 30_000 });
  expect(asked.some((u) => u.endsWith('mlc-chat-config.json'))).toBe(true);
  await row.getByRole('button', { name: 'Cancel' }).click();
  await expect(load).toContainText('Cancelled');
  await expect(row.getByRole('button', { name: 'Download' })).toBeEnabled();
});
