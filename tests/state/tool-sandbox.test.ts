import { describe, expect, it } from 'vitest';
import { ToolSandbox } from '../../src/state/tool-sandbox.ts';
import type { SandboxMessage, SandboxOutcome, SandboxRequest } from '../../workers/tool-sandbox.worker.ts';

/*
 * The page's code tool runner around its worker, with a fake worker: readiness, one call at a
 * time, the time limit (terminate, then a fresh worker), and a worker that dies or reports
 * that it could not lock itself down. The worker itself is tested in the browser
 * (tests/e2e/code-tools.spec.ts).
 */

type Behaviour = (req: SandboxRequest) => SandboxOutcome | 'hang';

class FakeWorker extends EventTarget {
  terminated = false;
  readonly seen: SandboxRequest[] = [];
  constructor(
    private readonly behave: Behaviour,
    start: SandboxMessage | 'crash' = { type: 'ready' },
  ) {
    super();
    setTimeout(() => (start === 'crash' ? this.fail('module failed to load') : this.send(start)), 1);
  }
  send(data: SandboxMessage) {
    if (!this.terminated) this.dispatchEvent(new MessageEvent('message', { data }));
  }
  fail(message: string) {
    this.dispatchEvent(Object.assign(new Event('error'), { message }));
  }
  postMessage(req: SandboxRequest) {
    this.seen.push(req);
    const out = this.behave(req);
    if (out !== 'hang') setTimeout(() => this.send({ type: 'result', id: req.id, outcome: out }), 1);
  }
  terminate() {
    this.terminated = true;
  }
}

const job = (tool: string, timeoutMs = 100) => ({ tool, source: 'return 1', db: { n: 1 }, args: { a: tool }, timeoutMs });
const echo: Behaviour = (req) => ({ ok: true, db: req.db, value: JSON.stringify(JSON.parse(req.args).a) });

function sandbox(behave: Behaviour, start?: SandboxMessage | 'crash') {
  const workers: FakeWorker[] = [];
  const box = new ToolSandbox({
    createWorker: () => {
      const w = new FakeWorker(behave, start);
      workers.push(w);
      return w as unknown as Worker;
    },
    startTimeoutMs: 200,
  });
  return { box, workers };
}

describe('ToolSandbox', () => {
  it('starts one worker, sends the database and arguments as JSON, and returns parsed results in order', async () => {
    const { box, workers } = sandbox(echo);
    const results = await Promise.all([box.run(job('a')), box.run(job('b')), box.run(job('c'))]);
    expect(results).toEqual([
      { ok: true, db: { n: 1 }, value: 'a' },
      { ok: true, db: { n: 1 }, value: 'b' },
      { ok: true, db: { n: 1 }, value: 'c' },
    ]);
    expect(workers).toHaveLength(1);
    expect(workers[0]!.seen.map((r) => [r.tool, r.db, r.args])).toEqual([
      ['a', '{"n":1}', '{"a":"a"}'],
      ['b', '{"n":1}', '{"a":"b"}'],
      ['c', '{"n":1}', '{"a":"c"}'],
    ]);
  });

  it('passes domain errors and crashes through', async () => {
    const { box } = sandbox((req) =>
      req.tool === 'f' ? { ok: false, error: { name: 'DomainError', message: 'no such rental' } } : { ok: false, error: { name: 'ToolCrashed', message: 'x failed: boom' } },
    );
    expect(await box.run(job('f'))).toEqual({ ok: false, error: { name: 'DomainError', message: 'no such rental' } });
    expect(await box.run(job('x'))).toEqual({ ok: false, error: { name: 'ToolCrashed', message: 'x failed: boom' } });
  });

  it('a call past its limit terminates the worker, and the next call gets a fresh one', async () => {
    const { box, workers } = sandbox((req) => (req.tool === 'spin' ? 'hang' : echo(req)));
    const started = Date.now();
    const [spun, after] = await Promise.all([box.run(job('spin', 50)), box.run(job('ok'))]);
    expect(spun).toEqual({ ok: false, error: { name: 'ToolCrashed', message: 'spin timed out after 50 ms' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(after).toEqual({ ok: true, db: { n: 1 }, value: 'ok' });
    expect(workers).toHaveLength(2);
    expect(workers[0]!.terminated).toBe(true);
    expect(workers[1]!.terminated).toBe(false);
  });

  it('a worker that dies mid-call is a crash, and is replaced', async () => {
    const { box, workers } = sandbox((req) => {
      if (req.tool === 'die') setTimeout(() => workers[0]!.fail('out of memory'), 1);
      return req.tool === 'die' ? 'hang' : echo(req);
    });
    expect(await box.run(job('die'))).toEqual({ ok: false, error: { name: 'ToolCrashed', message: 'die failed: the sandbox stopped: out of memory' } });
    expect(await box.run(job('ok'))).toEqual({ ok: true, db: { n: 1 }, value: 'ok' });
    expect(workers).toHaveLength(2);
  });

  it('refuses to run when the worker could not remove what it must, or could not start', async () => {
    const unsafe = sandbox(echo, { type: 'unsafe', names: ['fetch'] });
    expect(await unsafe.box.run(job('q'))).toEqual({
      ok: false,
      error: { name: 'ToolCrashed', message: 'q failed: the sandbox could not remove fetch; code tools will not run here' },
    });
    expect(unsafe.workers[0]!.seen).toEqual([]);
    const broken = sandbox(echo, 'crash');
    expect(await broken.box.run(job('q'))).toEqual({
      ok: false,
      error: { name: 'ToolCrashed', message: 'q failed: the sandbox could not start: module failed to load' },
    });
  });

  it('a result that is not JSON text is a crash', async () => {
    const { box } = sandbox((req) => ({ ok: true, db: req.db, value: '{not json' }));
    expect(await box.run(job('q'))).toMatchObject({ ok: false, error: { name: 'ToolCrashed', message: expect.stringMatching(/^q failed: its answer could not be read/) } });
  });

  it('dispose fails the call in flight and the calls still waiting, and stops the worker', async () => {
    const { box, workers } = sandbox(() => 'hang');
    const first = box.run(job('a', 10_000));
    const second = box.run(job('b'));
    await new Promise((r) => setTimeout(r, 10));
    box.dispose();
    expect(await first).toEqual({ ok: false, error: { name: 'ToolCrashed', message: 'a failed: the sandbox was closed' } });
    expect(await second).toEqual({ ok: false, error: { name: 'ToolCrashed', message: 'b failed: the sandbox was closed' } });
    expect(workers[0]!.terminated).toBe(true);
  });
});
