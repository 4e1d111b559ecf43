import { describe, expect, it } from 'vitest';
import { parseInitProgress } from '../../../src/engine/webllm/progress.ts';
import { DOWNLOAD_REPORTS } from './fake-engine.ts';

const MIB = 1024 * 1024;

describe('parseInitProgress', () => {
  it('reads the phase from web-llm 0.2.86 texts', () => {
    expect(DOWNLOAD_REPORTS.map((r) => parseInitProgress(r).phase)).toEqual([
      'fetching',
      'fetching',
      'fetching',
      'cache',
      'shaders',
      'shaders',
      'ready',
    ]);
  });

  it('reads fetched bytes, the total and the shard counter', () => {
    const p = parseInitProgress({
      progress: 0.25,
      timeElapsed: 7,
      text: 'Fetching param cache[12/50]: 123MB fetched. 25% completed, 7 secs elapsed. It can take a while when we first visit this page to populate the cache. Later refreshes will become faster.',
    });
    expect(p).toMatchObject({ phase: 'fetching', fraction: 0.25, step: 12, steps: 50, loadedBytes: 123 * MIB, totalBytes: 492 * MIB, elapsedSeconds: 7 });
  });

  it('reads loading from cache and shader compilation', () => {
    const cache = parseInitProgress({ progress: 0.5, timeElapsed: 2, text: 'Loading model from cache[5/10]: 250MB loaded. 50% completed, 2 secs elapsed.' });
    expect(cache).toMatchObject({ phase: 'cache', loadedBytes: 250 * MIB, totalBytes: 500 * MIB, step: 5, steps: 10 });
    const shaders = parseInitProgress({ progress: 0.3, timeElapsed: 1, text: 'Loading GPU shader modules[30/100]: 30% completed, 1 secs elapsed.' });
    expect(shaders).toMatchObject({ phase: 'shaders', fraction: 0.3, step: 30, steps: 100 });
    expect(shaders.loadedBytes).toBeUndefined();
  });

  it('finishes with ready at fraction 1', () => {
    expect(parseInitProgress({ progress: 1, timeElapsed: 12.5, text: 'Finish loading on WebGPU - nvidia ampere' })).toMatchObject({
      phase: 'ready',
      fraction: 1,
      elapsedSeconds: 12.5,
    });
  });

  it('keeps the previous phase for a text it does not know, and clamps the fraction', () => {
    expect(parseInitProgress({ progress: 1.5, timeElapsed: 1, text: 'something new' }, 'shaders')).toMatchObject({ phase: 'shaders', fraction: 1 });
    expect(parseInitProgress({ progress: Number.NaN, timeElapsed: Number.NaN, text: '' })).toMatchObject({ phase: 'fetching', fraction: 0, elapsedSeconds: 0 });
  });

  it('gives no total when nothing is fetched yet', () => {
    const p = parseInitProgress({ progress: 0, timeElapsed: 0, text: 'Fetching param cache[0/3]: 0MB fetched. 0% completed, 0 secs elapsed.' });
    expect(p.loadedBytes).toBe(0);
    expect(p.totalBytes).toBeUndefined();
  });
});
