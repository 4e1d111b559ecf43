import { describe, expect, it } from 'vitest';
import { RoleChat, isPrefixExtension } from '../../src/engine/role-chat.ts';
import { ScriptedEngine } from '../../src/engine/scripted.ts';
import type { ChatMessage, ChatRequest } from '../../src/engine/types.ts';

const sampling = { temperature: 0, top_p: 1, max_tokens: 64, seed: 1, frequency_penalty: 0, presence_penalty: 0 };

/** Checks a role's whole request stream against web-llm's reuse rule. */
function assertPrefixExtending(requests: ChatRequest[], replies: string[]): void {
  for (let i = 1; i < requests.length; i++) {
    expect(isPrefixExtension(requests[i - 1]!.messages, replies[i - 1]!, requests[i]!.messages)).toBe(true);
  }
}

describe('RoleChat', () => {
  it('keeps each role prefix-extending over a 4-turn two-role conversation', async () => {
    // Replies with trailing spaces and newlines: they must be kept exactly as produced.
    const userEngine = new ScriptedEngine((_, i) => [`Hi, I need a book. `, `The one by Ada.\n`, `Yes, order it.`, `Thanks, bye!  `][i]!);
    const agentEngine = new ScriptedEngine((_, i) => [`Hello! Which book?\n`, ` Found "Notes" by Ada.`, `Ordered. Anything else?`, `Goodbye.\n\n`][i]!);
    const user = new RoleChat('You are a customer looking for a book.');
    const agent = new RoleChat('You are a bookshop assistant.');

    let lastAgentReply = 'Hello, how can I help?';
    const userReplies: string[] = [];
    const agentReplies: string[] = [];
    for (let turn = 0; turn < 4; turn++) {
      // The user simulator sees the agent as its "user" (roles flipped).
      const u = await userEngine.complete({ model: 'm', sampling, messages: user.next([{ role: 'user', content: lastAgentReply }]) });
      user.record(u.content);
      userReplies.push(u.content);
      const a = await agentEngine.complete({ model: 'm', sampling, messages: agent.next([{ role: 'user', content: u.content }]) });
      agent.record(a.content);
      agentReplies.push(a.content);
      lastAgentReply = a.content;
    }

    expect(userEngine.requests).toHaveLength(4);
    expect(agentEngine.requests).toHaveLength(4);
    assertPrefixExtending(userEngine.requests, userReplies);
    assertPrefixExtending(agentEngine.requests, agentReplies);
    expect(agentEngine.requests[3]!.messages).toHaveLength(1 + 2 * 3 + 1);
    expect(agent.messages.at(-1)).toEqual({ role: 'assistant', content: 'Goodbye.\n\n' });
    expect(agent.messages[2]).toEqual({ role: 'assistant', content: 'Hello! Which book?\n' });
  });

  it('detects requests that would re-prefill the whole history', () => {
    const prev: ChatMessage[] = [
      { role: 'system', content: 'S' },
      { role: 'user', content: 'Hi' },
    ];
    const good: ChatMessage[] = [...prev, { role: 'assistant', content: 'Hello ' }, { role: 'user', content: 'Next' }];
    expect(isPrefixExtension(prev, 'Hello ', good)).toBe(true);
    // The reply trimmed.
    expect(isPrefixExtension(prev, 'Hello ', [...prev, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Next' }])).toBe(false);
    // A changed system prompt.
    expect(isPrefixExtension(prev, 'Hello ', [{ role: 'system', content: 'S2' }, ...good.slice(1)])).toBe(false);
    // Two new messages at once.
    expect(isPrefixExtension(prev, 'Hello ', [...good, { role: 'user', content: 'More' }])).toBe(false);
    // The other role's view on a shared engine: roles flipped.
    expect(isPrefixExtension(prev, 'Hello ', [prev[0]!, { role: 'assistant', content: 'Hi' }, { role: 'user', content: 'Hello ' }, { role: 'user', content: 'x' }])).toBe(false);
    // No reply recorded; first request.
    expect(isPrefixExtension(prev, null, good)).toBe(false);
    expect(isPrefixExtension(null, null, prev)).toBe(true);
  });

  it('refuses to send a request before the previous reply is recorded', () => {
    const chat = new RoleChat('S');
    chat.next([{ role: 'user', content: 'a' }]);
    expect(() => chat.next([{ role: 'user', content: 'b' }])).toThrow(/before the reply/);
    chat.record('x');
    expect(() => chat.record('y')).toThrow(/no request waiting/);
  });
});

describe('RoleChat.abandon', () => {
  it('takes back the messages of a request that got no reply', () => {
    const chat = new RoleChat('sys');
    chat.next([{ role: 'user', content: 'a' }]);
    chat.record('A');
    chat.next([{ role: 'user', content: 'b' }, { role: 'user', content: 'c' }]);
    chat.abandon();
    expect(chat.messages.map((m) => m.content)).toEqual(['sys', 'a', 'A']);
    expect(() => chat.abandon()).toThrow(/no request waiting/);
    expect(chat.next([{ role: 'user', content: 'd' }]).map((m) => m.content)).toEqual(['sys', 'a', 'A', 'd']);
  });
});
