/**
 * A minimal conversation loop for testing the bookshop agent without the orchestrator:
 * the user speaks first, the agent's tool calls run on a private copy of the pack DB, and
 * the agent sees its own calls with their results, as the orchestrator shows them.
 */
import type { DialogueAct, JsonObject, PackTask, ScenarioPack, ToolCall } from '../../../src/core/model/types.ts';
import { createBookshopAgent } from '../../../src/core/agents/bookshop-agent.ts';
import type { ParticipantReply, ViewMessage } from '../../../src/core/simulation/participant.ts';
import { mulberry32 } from '../../../src/core/stats/rng.ts';
import { runTool } from '../scenarios/bookshop-helpers.ts';

export interface Line {
  role: 'user' | 'agent';
  content: string;
  acts: DialogueAct[];
  toolCalls: ToolCall[];
}

export interface Conversation {
  lines: Line[];
  db: JsonObject;
  /** Every tool call, in order. */
  calls: ToolCall[];
  /** The agent's visible messages, joined. */
  agentText: string;
  end: 'user' | 'transfer' | 'max_turns';
}

/** Returns the user's next message after the agent's reply, or null to end. */
export type TestUser = (reply: ParticipantReply) => string | null;

/** A user that says these lines in order, whatever the agent says. */
export function script(lines: string[]): { opening: string; user: TestUser } {
  const rest = lines.slice(1);
  return { opening: lines[0]!, user: () => rest.shift() ?? null };
}

export async function converse(
  pack: ScenarioPack,
  opening: string,
  user: TestUser,
  opts: { seed?: number; maxTurns?: number; db?: JsonObject } = {},
): Promise<Conversation> {
  const agent = createBookshopAgent({
    role: 'agent',
    scenarioId: 'test',
    domain: 'bookshop',
    policy: pack.policy,
    tools: pack.tools,
  });
  const rng = mulberry32(opts.seed ?? 1);
  const db = opts.db ?? structuredClone(pack.db);
  const view: ViewMessage[] = [];
  const lines: Line[] = [];
  const calls: ToolCall[] = [];
  const maxTurns = opts.maxTurns ?? 60;
  let text: string | null = opening;
  const finish = (end: Conversation['end']): Conversation => ({
    lines,
    db,
    calls,
    agentText: lines.filter((l) => l.role === 'agent').map((l) => l.content).join('\n'),
    end,
  });

  while (text !== null) {
    if (view.length >= maxTurns) return finish('max_turns');
    view.push({ from: 'other', content: text, turnIndex: view.length });
    lines.push({ role: 'user', content: text, acts: [], toolCalls: [] });
    let reply: ParticipantReply;
    for (let rounds = 0; ; rounds++) {
      if (rounds > 8) throw new Error('the agent keeps calling tools without answering the user');
      reply = await agent.nextMessage(view, { turnIndex: view.length, rng });
      const made: ToolCall[] = (reply.toolCalls ?? []).map((c, k) => ({
        id: `t${view.length}-${k}`,
        name: c.name,
        arguments: c.arguments,
        result: runTool(pack, db, c.name, c.arguments),
      }));
      calls.push(...made);
      view.push({ from: 'self', content: reply.content, acts: reply.acts, toolCalls: made, turnIndex: view.length });
      lines.push({ role: 'agent', content: reply.content, acts: reply.acts ?? [], toolCalls: made });
      if (made.some((c) => c.name === 'transfer_to_human' && c.result.ok)) return finish('transfer');
      if (made.length === 0) break;
    }
    text = user(reply);
  }
  return finish('user');
}

function norm(text: string): string {
  return text.toLowerCase().replace(/_/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * A goal-driven test user, reacting to the agent's dialogue acts the way the agenda-based
 * simulator does, in plain sentences: it answers requested slots from the task's known
 * facts, checks confirmations against what it insists on, pushes back once on a refusal
 * it does not accept, and moves through its requests in order.
 */
export function goalUser(task: PackTask): { opening: string; user: TestUser } {
  const goal = task.user.goal;
  const known = task.user.knownInfo;
  let idx = 0;
  let pushedBack = false;
  let leaving = false;
  const current = () => goal.requests[idx];
  const valueOf = (slot: string): string | undefined => {
    const r = current();
    const raw = r && r.type === 'action' ? r.expect[slot] : undefined;
    if (raw !== undefined) return known[raw] ?? raw;
    return known[slot];
  };
  const inform = (slot: string, v: string): string =>
    ({
      email: `My email is ${v}.`,
      name: `My name is ${v}.`,
      zip: `My zip code is ${v}.`,
      order_id: `It's order ${v}.`,
      items: `I mean ${v}.`,
      refund_method: `${v}, please.`,
      address: `The new address is ${v}.`,
    })[slot] ?? `It's ${v}.`;
  const misses = (summary: string): string[] => {
    const r = current();
    if (!r || r.type !== 'action') return [];
    const said = norm(summary);
    return Object.keys(r.expect).filter((slot) => {
      const v = valueOf(slot);
      return v !== undefined && !v.split(/,\s*|\s+and\s+/).every((part) => said.includes(norm(part)));
    });
  };
  const next = () => {
    idx++;
    return idx < goal.requests.length ? `I also need to ${goal.requests[idx]!.utterance}.` : "No, that's all. Thanks, bye!";
  };

  const user: TestUser = (reply) => {
    if (leaving) return null;
    const parts: string[] = [];
    for (const a of reply.acts ?? []) {
      const r = current();
      switch (a.act) {
        case 'bye':
        case 'transfer':
          return null;
        case 'request':
          if (a.slot === 'intent') {
            if (r) parts.push(`I'd like to ${r.utterance}.`);
          } else if (a.slot) {
            const v = valueOf(a.slot);
            parts.push(v === undefined ? `Sorry, I don't know the ${a.slot.replace(/_/g, ' ')}.` : inform(a.slot, v));
          }
          break;
        case 'confirm': {
          const m = misses(a.value ?? reply.content);
          parts.push(m.length === 0 ? 'Yes, please go ahead.' : ["No, that's not right.", ...m.map((s) => inform(s, valueOf(s)!))].join(' '));
          break;
        }
        case 'done':
          if (r?.type === 'action') parts.push(next());
          break;
        case 'inform':
          if (r?.type === 'info' && a.slot === r.slot) parts.push(next());
          break;
        case 'refuse':
          if (!r) break;
          if (goal.acceptsRefusal) parts.push(`Okay, I understand. ${next()}`);
          else if (!pushedBack) {
            pushedBack = true;
            parts.push('But I really need this. Is there really nothing you can do?');
          } else {
            leaving = true;
            parts.push('Fine, never mind. Goodbye.');
          }
          break;
        case 'reqmore':
          if (!leaving && !parts.some((p) => p.includes('also need') || p.includes("that's all"))) {
            parts.push(idx < goal.requests.length ? `I'd like to ${current()!.utterance}.` : "No, that's all. Thanks, bye!");
          }
          break;
        default:
          break;
      }
    }
    if (parts.length === 0) return idx >= goal.requests.length ? null : "Sorry, I'm not sure what you mean.";
    return parts.join(' ');
  };
  const first = goal.requests[0]!;
  return { opening: `Hi. I'd like to ${first.utterance}.`, user };
}
