/**
 * The Chromium variant of the streaming benchmark: bundles browser-page.ts and
 * browser-worker.ts with esbuild into a temporary folder (the app's own build has no bench
 * entry, and its config belongs to the app), serves it with scripts/serve.mjs (the app's
 * server, COOP/COEP headers included) and drives Debian's Chromium with playwright-core.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, startServe } from '../lib/browser.ts';
import type { StreamFigures } from './consumer.ts';


export async function runBrowserStream(runs: { rate: number; tokens: number; tokensPerTurn: number }[]): Promise<{ version: string; figures: StreamFigures[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'understudy-bench-stream-'));
  const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
  const server = { proc: undefined as ChildProcess | undefined };
  try {
    await build({
      entryPoints: { 'bench-page': here('./browser-page.ts'), 'bench-worker': here('./browser-worker.ts') },
      outdir: dir,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'error',
    });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>bench</title><body><script type="module" src="./bench-page.js"></script></body>');

    const served = await startServe({ port: process.env.BENCH_STREAM_PORT ?? '4310', dist: dir });
    server.proc = served.proc;
    const url = served.url;

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
      await page.goto(url);
      await page.waitForFunction(() => document.body?.dataset.ready === 'true', undefined, { timeout: 10_000 }).catch(() => {
        throw new Error(`bench page did not start${errors.length ? `: ${errors.join('; ')}` : ''}`);
      });
      const figures: StreamFigures[] = [];
      for (const r of runs) {
        figures.push(
          await page.evaluate(
            ([rate, tokens, perTurn]) => (window as unknown as { runBench(a: number, b: number, c: number): Promise<StreamFigures> }).runBench(rate!, tokens!, perTurn!),
            [r.rate, r.tokens, r.tokensPerTurn],
          ),
        );
      }
      return { version: browser.version(), figures };
    } finally {
      await browser.close();
    }
  } finally {
    server.proc?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
