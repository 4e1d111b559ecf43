/**
 * The Chromium variant of the streaming benchmark: bundles browser-page.ts and
 * browser-worker.ts and runs them in Debian's Chromium (scripts/lib/bench-page.ts).
 */
import { fileURLToPath } from 'node:url';
import { withBenchPage } from '../lib/bench-page.ts';
import type { StreamFigures } from './consumer.ts';


export async function runBrowserStream(runs: { rate: number; tokens: number; tokensPerTurn: number }[]): Promise<{ version: string; figures: StreamFigures[] }> {
  const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
  const entryPoints = { 'bench-page': here('./browser-page.ts'), 'bench-worker': here('./browser-worker.ts') };
  return withBenchPage({ name: 'bench-stream', entryPoints, port: process.env.BENCH_STREAM_PORT ?? '4310' }, async (page, version) => {
    const figures: StreamFigures[] = [];
    for (const r of runs) {
      figures.push(
        await page.evaluate(
          ([rate, tokens, perTurn]) => (window as unknown as { runBench(a: number, b: number, c: number): Promise<StreamFigures> }).runBench(rate!, tokens!, perTurn!),
          [r.rate, r.tokens, r.tokensPerTurn],
        ),
      );
    }
    return { version, figures };
  });
}
