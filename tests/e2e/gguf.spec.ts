import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { readSetting } from './idb.ts';
import config, { TEST_MODELS_DIR, TEST_MODELS_PATH } from '../../playwright.config.ts';

/*
 * The GGUF section of the Models page in the default project (no WebGPU adapter): add
 * stories260K by URL from the test server, give it to two roles, reload, refuse a corrupt file,
 * delete. The model is served from ../shared/data/models/, never copied into the repository.
 */

const base = String(config.use?.baseURL);
const MODEL_URL = `${new URL(TEST_MODELS_PATH, base).href}stories260K.gguf`;

test('a GGUF model added by URL is listed, fills roles across a reload, a corrupt file is refused, and it can be deleted', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const real = await readFile(`${TEST_MODELS_DIR}/stories260K.gguf`);
  const sha = createHash('sha256').update(real).digest('hex');
  const id = sha.slice(0, 16);

  await page.goto(`${base}#/models`);
  const panel = page.getByRole('region', { name: /GGUF models/ });
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('gguf-isolation')).toHaveText('cross-origin isolated');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await expect(panel.getByTestId('gguf-threads')).toContainText(`${Math.floor(cores / 2) > 1 ? Math.floor(cores / 2) : 1} CPU thread`);
  // No WebGPU adapter in this project: the page says llama.cpp still runs on the CPU.
  await expect(panel.getByTestId('gguf-cpu-note')).toContainText('llama.cpp on the CPU, more slowly');
  await expect(panel).toContainText('The file is read in this browser and never uploaded.');
  await expect(panel.getByTestId('gguf-empty')).toBeVisible();

  // Add by URL.
  await panel.getByLabel('Add by URL').fill(MODEL_URL);
  await panel.getByRole('button', { name: 'Add', exact: true }).click();
  const row = panel.locator(`tr[data-gguf="${id}"]`);
  await expect(row).toBeVisible({ timeout: 30_000 });
  await expect(row).toContainText('stories260K.gguf');
  await expect(row.getByTestId('gguf-size')).toHaveText(`${(real.length / 1024 ** 2).toFixed(1)} MB`);
  await expect(row.getByTestId('gguf-hash')).toHaveText(`${sha.slice(0, 12)}…`);
  await expect(row).toContainText('llama');
  await expect(panel.getByTestId('gguf-total')).toHaveText(`${(real.length / 1024 ** 2).toFixed(1)} MB`);
  await expect(panel.getByLabel('Add by URL')).toHaveValue('');

  // Any role can use it: the selects list both engines' models in their own groups.
  const roles = page.getByRole('region', { name: 'Roles' });
  const user = roles.getByLabel('User simulator');
  const agent = roles.getByLabel('Agent');
  await expect(user.locator('optgroup[label="GGUF (llama.cpp, CPU or WebGPU)"] option', { hasText: 'stories260K.gguf' })).toHaveCount(1);
  await expect(user.locator('optgroup[label="web-llm (WebGPU)"]')).toHaveCount(1);
  await user.selectOption(`gguf:${id}`);
  await agent.selectOption({ label: 'stories260K.gguf' });
  // The choice is written to IndexedDB before the page goes away.
  await expect.poll(async () => (await readSetting<{ agent?: string }>(page, 'models.roles'))?.agent).toBe(`gguf:${id}`);

  // The model and the choice survive a reload (the bytes are in IndexedDB, not re-downloaded).
  const downloads: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('.gguf')) downloads.push(r.url());
  });
  await page.reload();
  await expect(panel.locator(`tr[data-gguf="${id}"]`)).toBeVisible({ timeout: 30_000 });
  await expect(roles.getByLabel('User simulator')).toHaveValue(`gguf:${id}`);
  await expect(roles.getByLabel('Agent')).toHaveValue(`gguf:${id}`);
  await expect(roles.getByLabel('Judge')).toHaveValue('');
  const stored = await page.evaluate(async () => {
    const open = indexedDB.open('understudy');
    const db = await new Promise<IDBDatabase>((res, rej) => {
      open.onsuccess = () => res(open.result);
      open.onerror = () => rej(open.error);
    });
    const get = <T,>(store: string) =>
      new Promise<T[]>((res, rej) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => res(r.result as T[]);
        r.onerror = () => rej(r.error);
      });
    const [models, blobs] = await Promise.all([get<{ id: string; sha256: string }>('ggufModels'), get<{ id: string; blob: Blob }>('ggufBlobs')]);
    db.close();
    return { models: models.map((m) => ({ id: m.id, sha256: m.sha256 })), blobs: blobs.map((b) => ({ id: b.id, size: b.blob.size, isBlob: b.blob instanceof Blob })) };
  });
  expect(stored.models).toEqual([{ id, sha256: sha }]);
  expect(stored.blobs).toEqual([{ id, size: real.length, isBlob: true }]);
  expect(downloads).toEqual([]);

  // A corrupt file from the file input: a clear error, nothing stored.
  const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff));
  await panel.getByLabel('Add from a local file').setInputFiles({ name: 'corrupt.gguf', mimeType: 'application/octet-stream', buffer: random });
  await expect(panel.getByTestId('gguf-error')).toContainText('corrupt.gguf is not a GGUF file (its first bytes are');
  await expect(panel.locator('tr[data-gguf]')).toHaveCount(1);

  // Delete: gone from the table and from the roles that used it.
  page.once('dialog', (d) => void d.accept());
  await row.getByRole('button', { name: 'Delete' }).click();
  await expect(panel.locator('tr[data-gguf]')).toHaveCount(0);
  await expect(panel.getByTestId('gguf-empty')).toBeVisible();
  await expect(roles.getByLabel('User simulator')).toHaveValue('');
  await expect(roles.getByLabel('Agent')).toHaveValue('');
  await page.reload();
  await expect(page.getByRole('region', { name: /GGUF models/ }).getByTestId('gguf-empty')).toBeVisible({ timeout: 30_000 });
  expect(errors).toEqual([]);
});
