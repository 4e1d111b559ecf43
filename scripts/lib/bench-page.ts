/**
 * A benchmark page in Debian's Chromium: bundles the given entry points (one of them
 * `bench-page`) with esbuild into a temporary folder (the app's own build has no bench entry,
 * and its config belongs to the app), serves it with scripts/serve.mjs (COOP/COEP headers
 * included), opens it with playwright-core, waits for `document.body.dataset.ready`, and hands
 * the page to `use`. Everything is stopped and removed afterwards, whatever happens.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, startServe } from './browser.ts';

export async function withBenchPage<T>(
  opts: { name: string; entryPoints: Record<string, string>; port: string },
  use: (page: Page, browserVersion: string) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `understudy-${opts.name}-`));
  let stop: (() => void) | undefined;
  try {
    await build({ entryPoints: opts.entryPoints, outdir: dir, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'error' });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>bench</title><body><script type="module" src="./bench-page.js"></script></body>');
    const served = await startServe({ port: opts.port, dist: dir });
    stop = served.stop;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('response', (r) => {
        if (r.status() >= 400) errors.push(`${r.url()}: HTTP ${r.status()}`);
      });
      page.on('requestfailed', (r) => errors.push(`${r.url()}: ${r.failure()?.errorText ?? 'failed'}`));
      await page.goto(served.url);
      await page.waitForFunction(() => document.body?.dataset.ready === 'true', undefined, { timeout: 10_000 }).catch(() => {
        throw new Error(`bench page did not start${errors.length ? `: ${errors.join('; ')}` : ''}`);
      });
      return await use(page, browser.version());
    } finally {
      await browser.close();
    }
  } finally {
    stop?.();
    rmSync(dir, { recursive: true, force: true });
  }
}
