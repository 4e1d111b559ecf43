/**
 * Reads web-llm's InitProgressReport into a phased LoadProgress. web-llm (through tvmjs) says
 * which phase it is in only in the text, and restarts `progress` at 0 for each phase. The
 * texts it emits in 0.2.86:
 *   "Start to fetch params"
 *   "Fetching param cache[3/24]: 120MB fetched. 12% completed, 4 secs elapsed. It can take…"
 *   "Loading model from cache[3/24]: 120MB loaded. 12% completed, 4 secs elapsed."
 *   "Loading GPU shader modules[40/98]: 40% completed, 2 secs elapsed."
 *   "Finish loading on WebGPU - <vendor>"        (progress 1)
 * "MB" there is MiB (bytes / 1024²), rounded up.
 */
import type { LoadPhase, LoadProgress } from './protocol.ts';

/** The shape of web-llm's InitProgressReport (kept local so this module imports nothing). */
export interface InitProgressReportLike {
  progress: number;
  timeElapsed: number;
  text: string;
}

const MIB = 1024 * 1024;

function phaseOf(text: string, progress: number, previous: LoadPhase | undefined): LoadPhase {
  if (/finish loading/i.test(text)) return 'ready';
  if (/shader|compil/i.test(text)) return 'shaders';
  if (/loading model from cache|loaded\b/i.test(text)) return 'cache';
  if (/fetch|download/i.test(text)) return 'fetching';
  // An unknown text keeps the phase we were in; progress 1 with nothing else to go on is the end.
  if (previous) return previous;
  return progress >= 1 ? 'ready' : 'fetching';
}

function clamp01(x: number): number {
  if (!Number.isFinite(x)) return 0;
  return Math.min(1, Math.max(0, x));
}

/**
 * Turns one report into LoadProgress. `previous` is the phase of the report before, used only
 * when the text names no phase.
 */
export function parseInitProgress(report: InitProgressReportLike, previous?: LoadPhase): LoadProgress {
  const text = report.text ?? '';
  const phase = phaseOf(text, report.progress, previous);
  const fraction = phase === 'ready' ? 1 : clamp01(report.progress);
  const out: LoadProgress = {
    phase,
    fraction,
    elapsedSeconds: Number.isFinite(report.timeElapsed) ? report.timeElapsed : 0,
    text,
  };
  const steps = /\[(\d+)\s*\/\s*(\d+)\]/.exec(text);
  if (steps) {
    out.step = Number(steps[1]);
    out.steps = Number(steps[2]);
  }
  const mb = /([\d.]+)\s*MB\s+(?:fetched|loaded)/i.exec(text);
  if (mb) {
    const loaded = Math.round(Number(mb[1]) * MIB);
    out.loadedBytes = loaded;
    // progress is fetchedBytes / totalBytes exactly, so the total follows from the two.
    if (report.progress > 0 && report.progress <= 1) out.totalBytes = Math.round(loaded / report.progress);
  }
  return out;
}
