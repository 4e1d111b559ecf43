import type { JsonObject, TurnUsage } from '../core/model/types.ts';
import { deriveSeed } from '../core/stats/rng.ts';
import {
  calibratedCharsPerToken,
  ContextExhaustedError,
  DEFAULT_CHARS_PER_TOKEN,
  estimateRequestTokens,
  exhaustedMessage,
} from '../core/simulation/context-fit.ts';
import { RoleChat, isPrefixExtension } from './role-chat.ts';
import type { ChatEngine, ChatMessage, ChatTool, ChatToolCall, ResponseFormat, SamplingParams, ToolRoleMode } from './types.ts';

/** The parts a model can play. Each gets its own engine unless the person chose to share one. */
export type EngineRole = 'user' | 'agent' | 'judge';

/** How a role's model is run; stored with every session so a rerun can repeat it. */
export interface EngineSeatSettings {
  engine: string;
  model: string;
  sampling: Omit<SamplingParams, 'seed'>;
  /** Reset the engine's chat before each request: token-exact replays, at the cost of speed. */
  resetChatEachRequest: boolean;
  /** One engine serves every role (less GPU memory; the history is prefilled every turn). */
  sharedEngine: boolean;
  /** The agent role only: how its model calls tools (src/engine/tool-support.ts decides). */
  toolCalling?: ToolCallingSettings;
  /** Engine settings that shape the prompt or the run (chat template, context size, backend…). */
  runtime?: JsonObject;
  /** Thinking models: the switch sent with every request (absent: nothing is sent). */
  enableThinking?: boolean;
  /** How people name the model (a GGUF's file name); turns show it rather than an internal id. */
  label?: string;
}

/** How the agent's model calls tools; stored with the session's agent seat. */
export interface ToolCallingSettings {
  /** How tool results reach the model: its template's tool role, or user messages. */
  toolRole: ToolRoleMode;
  /** The engine's own function calling (web-llm's Hermes models); otherwise the prompted protocol. */
  native: boolean;
  /** Prompted calls are constrained by the engine's grammar or structural tag (opt-in). */
  constrain: boolean;
}

export interface SeatReply {
  content: string;
  finishReason: string;
  usage: TurnUsage;
  /** Calls the engine read itself, when the request offered native tools. */
  toolCalls?: ChatToolCall[];
}

/** A 31-bit seed per request, from the session seed, the role and the request's number. */
export function requestSeed(sessionSeed: number, role: EngineRole, requestIndex: number): number {
  return deriveSeed(sessionSeed, 'engine', role, requestIndex) & 0x7fffffff;
}

/** The settings as stored on a session's seat (SeatConfig.settings). */
export function seatSettingsJson(s: EngineSeatSettings): JsonObject {
  const out: JsonObject = { ...s, sampling: { ...s.sampling } } as unknown as JsonObject;
  if (s.toolCalling) out.toolCalling = { ...s.toolCalling };
  if (s.runtime) out.runtime = { ...s.runtime };
  return out;
}

/**
 * The seat factory for one role: builds an EngineSeat once the role's system prompt is known,
 * and carries the tool-calling mode the agent needs before it writes that prompt.
 */
export function engineSeatFactory(
  engine: ChatEngine,
  settings: EngineSeatSettings,
  role: EngineRole,
  sessionSeed: number,
): ((system: string) => EngineSeat) & { readonly toolCalling?: { native: boolean; constrain: boolean }; readonly contextTokens?: number } {
  const make = (system: string) => new EngineSeat(engine, settings, role, sessionSeed, system);
  const t = settings.toolCalling;
  const contextTokens = contextTokensOf(settings.runtime);
  return Object.assign(
    make,
    t ? { toolCalling: { native: t.native, constrain: t.constrain } } : {},
    contextTokens !== undefined ? { contextTokens } : {},
  );
}

/**
 * The model's context window (tokens) from the engine's runtime info: wllama's `nCtx`, or
 * web-llm's `contextWindowSize` (its model record's override); undefined when not known.
 */
export function contextTokensOf(runtime: JsonObject | undefined): number | undefined {
  const n = runtime?.nCtx ?? runtime?.contextWindowSize;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Characters per token each engine's model was measured at, from a request it prefilled whole:
 * kept across sessions, since a role's engine serves every session of a run.
 */
const measuredCharsPerToken = new WeakMap<ChatEngine, number>();

const ROLE_NAMES: Record<EngineRole, string> = { user: 'user simulator', agent: 'agent', judge: 'judge' };

/**
 * Engines that refused a tool-role message ("Role is not supported: tool": web-llm 0.2.86 for a
 * template without one): from then on they get tool results as user messages, in every session.
 */
const refusesToolRole = new WeakSet<ChatEngine>();

/** Whether an engine error says its chat template has no tool role. */
export function isToolRoleRefusal(err: unknown): boolean {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' && /role is not supported:?\s*tool|unsupported role:?\s*["']?tool|roles? .*tool.* not supported/i.test(message);
}

/**
 * One role of one session on one engine. It keeps the role's requests prefix-extending (so a
 * per-role engine reuses its KV cache across turns), sends explicit sampling with a seed
 * derived from the session seed, and turns the engine's usage into what a Turn records.
 */
export class EngineSeat {
  readonly #chat: RoleChat;
  #requests = 0;
  #previous: ChatMessage[] | null = null;
  #previousReply: string | null = null;
  /** The last request was cut or failed: the engine starts fresh, nothing extends it. */
  #broken = false;

  constructor(
    readonly engine: ChatEngine,
    readonly settings: EngineSeatSettings,
    readonly role: EngineRole,
    readonly sessionSeed: number,
    system: string,
  ) {
    this.#chat = new RoleChat(system);
  }

  /** The model's name, recorded as the turn's author detail: its label (file name) where there is one. */
  get model(): string {
    return this.settings.label ?? this.settings.model;
  }

  /** Sends the role's history plus `newMessages`; records the reply exactly as produced. */
  async reply(
    newMessages: ChatMessage[],
    opts: { onDelta?: (text: string) => void; signal?: AbortSignal; responseFormat?: ResponseFormat; tools?: ChatTool[] } = {},
  ): Promise<SeatReply> {
    const messages = this.#chat.next(newMessages);
    // A request that would leave no room for the reply ends the session as context_exhausted
    // (an infrastructure ending) instead of failing inside the engine as the seat's error.
    const context = contextTokensOf(this.settings.runtime);
    if (context !== undefined) {
      const prompt = estimateRequestTokens(messages, measuredCharsPerToken.get(this.engine) ?? DEFAULT_CHARS_PER_TOKEN);
      const reply = this.settings.sampling.max_tokens;
      if (prompt + reply > context) {
        this.#chat.abandon();
        this.#broken = true;
        throw new ContextExhaustedError(exhaustedMessage(ROLE_NAMES[this.role], prompt, reply, context), prompt, reply, context);
      }
    }
    const first = this.#requests === 0;
    const seed = requestSeed(this.sessionSeed, this.role, this.#requests++);
    const prefixExtending = !this.#broken && isPrefixExtension(this.#previous, this.#previousReply, messages);
    const send = () => {
      const toolRole = refusesToolRole.has(this.engine) ? 'user' : this.settings.toolCalling?.toolRole;
      return this.engine.complete(
        {
          model: this.settings.model,
          messages,
          sampling: { ...this.settings.sampling, seed },
          ...(opts.responseFormat ? { responseFormat: opts.responseFormat } : {}),
          ...(opts.tools?.length ? { tools: opts.tools } : {}),
          ...(toolRole ? { toolRole } : {}),
          ...(this.settings.enableThinking !== undefined ? { enableThinking: this.settings.enableThinking } : {}),
          resetChat: this.settings.resetChatEachRequest,
        },
        { onDelta: opts.onDelta, signal: opts.signal },
      );
    };
    let result;
    try {
      try {
        result = await send();
      } catch (err) {
        // The model's template has no tool role after all (its config said otherwise, or was
        // not read): the same request again with tool results as user messages, which is
        // exactly what a template without a tool role would need.
        if (!isToolRoleRefusal(err) || refusesToolRole.has(this.engine) || !messages.some((m) => m.role === 'tool')) throw err;
        refusesToolRole.add(this.engine);
        result = await send();
      }
    } catch (err) {
      // The request never got a reply: take it back, and the next one cannot extend it.
      this.#chat.abandon();
      this.#broken = true;
      throw err;
    }
    this.#chat.record(result.content);
    // A seat's first request is prefilled whole (or read partly from llama.cpp's prompt cache,
    // which it reports apart): its token count calibrates the estimate for later requests.
    if (first && result.usage.promptTokens > 0) {
      const ratio = calibratedCharsPerToken(messages, result.usage.promptTokens + (result.usage.cachedPromptTokens ?? 0));
      if (ratio !== undefined) measuredCharsPerToken.set(this.engine, ratio);
    }
    // After an abort or a length cut the engine starts fresh, so nothing extends this request.
    this.#broken = !(result.finishReason === 'stop' || result.finishReason === 'tool_calls');
    this.#previous = messages;
    this.#previousReply = result.content;
    const u = result.usage;
    return {
      content: result.content,
      finishReason: result.finishReason,
      ...(result.toolCalls ? { toolCalls: result.toolCalls.map((c) => ({ ...c })) } : {}),
      usage: {
        promptTokens: u.promptTokens,
        completionTokens: u.completionTokens,
        ...(u.cachedPromptTokens !== undefined ? { cachedPromptTokens: u.cachedPromptTokens } : {}),
        ...(u.prefillTokensPerSecond !== undefined ? { prefillTokensPerSecond: u.prefillTokensPerSecond } : {}),
        ...(u.decodeTokensPerSecond !== undefined ? { decodeTokensPerSecond: u.decodeTokensPerSecond } : {}),
        ...(u.timeToFirstTokenMs !== undefined ? { timeToFirstTokenMs: u.timeToFirstTokenMs } : {}),
        ...(u.e2eLatencyMs !== undefined ? { e2eLatencyMs: u.e2eLatencyMs } : {}),
        requestMessages: messages.length,
        // A shared engine serves other roles in between, so its cache never continues this role.
        prefixExtending: prefixExtending && !this.settings.sharedEngine,
        seed,
        finishReason: result.finishReason,
      },
    };
  }
}
