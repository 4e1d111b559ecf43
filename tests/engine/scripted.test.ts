import { describe, expect, it } from 'vitest';
import { ScriptedEngine } from '../../src/engine/scripted.ts';
import { EngineError, type ChatRequest } from '../../src/engine/types.ts';

const req = (content: string): ChatRequest => ({
  model: 'scripted',
  messages: [{ role: 'user', content }],
  sampling: { temperature: 0, top_p: 1, max_tokens: 16, seed: 3, frequency_penalty: 0, presence_penalty: 0 },
});

describe('ScriptedEngine', () => {
  it('replies from a list, streams deltas and records requests', async () => {
    const e = new ScriptedEngine(['Hello there, friend.', { content: 'cut', finishReason: 'length', usage: { promptTokens: 99 } }]);
    const deltas: string[] = [];
    const r = await e.complete(req('hi'), { onDelta: (t) => deltas.push(t) });
    expect(e.kind).toBe('scripted');
    expect(r).toMatchObject({ content: 'Hello there, friend.', finishReason: 'stop' });
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(r.content);
    expect(await e.complete(req('again'))).toMatchObject({ content: 'cut', finishReason: 'length', usage: { promptTokens: 99 } });
    expect(e.requests.map((q) => q.messages[0]!.content)).toEqual(['hi', 'again']);
    await expect(e.complete(req('more'))).rejects.toMatchObject({ name: 'ScriptExhaustedError' });
  });

  it('replies from a function of the request and throws scripted errors by name', async () => {
    const e = new ScriptedEngine((r, i) => (i === 1 ? { error: { name: 'EngineLostError', message: 'gone' } } : `echo: ${r.messages[0]!.content}`));
    expect((await e.complete(req('x'))).content).toBe('echo: x');
    const err = await e.complete(req('y')).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).name).toBe('EngineLostError');
  });

  it('honours abort with the text so far', async () => {
    const e = new ScriptedEngine(['abcdefghijklmnop'], { chunkChars: 2 });
    const ac = new AbortController();
    const r = await e.complete(req('x'), {
      signal: ac.signal,
      onDelta: (t) => {
        if (t === 'cd') ac.abort();
      },
    });
    expect(r).toMatchObject({ content: 'abcd', finishReason: 'abort' });
  });

  it('replays calls an engine would read itself, and reports the tool support it was given', async () => {
    const e = new ScriptedEngine([{ content: '[]', toolCalls: [{ name: 'a', arguments: '{}' }] }], {
      toolSupport: { toolRole: 'user', nativeTools: true, constrainedCalls: false },
    });
    const r = await e.complete(req('x'));
    expect(r).toMatchObject({ finishReason: 'tool_calls', toolCalls: [{ name: 'a', arguments: '{}' }] });
    expect(e.toolSupport?.('m')).toEqual({ toolRole: 'user', nativeTools: true, constrainedCalls: false });
    expect(new ScriptedEngine([]).toolSupport).toBeUndefined();
  });
});
