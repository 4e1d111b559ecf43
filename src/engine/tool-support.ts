/**
 * Which models get which tool-calling mode, and the one mapping every engine applies for chat
 * templates that have no tool role.
 *
 * ## Tool results: tool role or user role
 * The agent always sends tool results as `{ role: 'tool', content, tool_call_id }` messages, so
 * its request stream is the same whatever runs it. Engines then honour `ChatRequest.toolRole`:
 *
 * - **web-llm** (mlc-chat-config.json `conv_template`). A template without a `tool` entry in its
 *   `roles` makes web-llm 0.2.86 throw `Role is not supported: tool` (Conversation.appendMessage
 *   checks `roles` only; a `tool` entry in `role_templates`, as Qwen's configs have, does not
 *   count). The chat options could
 *   override `conv_config.roles`, but web-llm merges `conv_config` over the template shallowly,
 *   so an override must restate the model's own user and assistant role strings, which the page
 *   only learns inside web-llm after a load. Rendering a tool message with the user role string
 *   is exactly what `roles.tool = roles.user` would do (no template has a `tool` role template
 *   then), so the engine maps tool messages to user messages instead: same prompt, no guessing.
 *   'native' for the families whose templates have a tool role and that web-llm's own function-
 *   calling examples and tests drive with `role: 'tool'`:
 *   Llama-3.1 and Llama-3.2 (`llama-3_1`, role "ipython"), Hermes-2-Pro, Hermes-2-Theta and
 *   Hermes-3 (role "tool"). 'user' for everything else in the catalog: Qwen2.5 and Qwen3
 *   (`qwen2`/`qwen3`), SmolLM2 (`chatml`), Phi-3.5 (`phi-3`), gemma (`gemma_instruction`),
 *   TinyLlama, StableLM, DeepSeek-R1 distills, Llama-3 (`llama-3`, which has none), and
 *   Mistral-7B, whose `mistral_default` role for tools is "[INST]" anyway (user and tool render
 *   the same), so 'user' costs nothing and cannot hit an older config without the entry.
 *   Custom models are treated as 'user' unless their id names one of those families.
 *   That table is only the fallback: after a load the worker reads the chat config web-llm
 *   actually built (mlc-chat-config.json, the record's overrides and the load's chat options,
 *   `conv_config` merged over `conv_template` as web-llm does) and reports the mode from its
 *   `roles` (webLlmToolRoleFromRoles, LoadedModelInfo.toolRole); WebLlmClient.toolSupport uses
 *   that whenever it is known, so a custom build or a changed config cannot fool the id table.
 *   The id table answers only when the config could not be read (before a load, or if a later
 *   web-llm stops keeping it where src/engine/webllm/worker-api.ts looks).
 * - **wllama** (llama.cpp, GGUF). The plain built-in template has a "Tool:" line: 'native'.
 *   A Jinja template (the GGUF's own or an override) is 'native' when its text handles a tool
 *   role (`'tool'`, `"tool"` or `ipython`), else 'user': templates that only know user and
 *   assistant either raise ("roles must alternate") or print a role the model never saw.
 * - **scripted** engines keep what the test gives them.
 *
 * ## Native function calling
 * web-llm accepts `tools` only for the models in its `functionCallingModelIds` (listed below;
 * tests/engine/tool-support.test.ts checks the list against the installed web-llm). For those
 * it forces every reply to be a JSON array of calls and forbids a custom system prompt, so the
 * agent adds a `reply_to_user` tool to speak, and the worker moves the system prompt into the
 * first user message (src/engine/webllm/worker-api.ts).
 */
import type { ChatMessage, ToolRoleMode, ToolSupport } from './types.ts';

/** web-llm 0.2.86 `functionCallingModelIds`: the only models it accepts native `tools` for. */
export const WEBLLM_FUNCTION_CALLING_MODELS: readonly string[] = [
  'Hermes-2-Pro-Llama-3-8B-q4f16_1-MLC',
  'Hermes-2-Pro-Llama-3-8B-q4f32_1-MLC',
  'Hermes-2-Pro-Mistral-7B-q4f16_1-MLC',
  'Hermes-3-Llama-3.1-8B-q4f32_1-MLC',
  'Hermes-3-Llama-3.1-8B-q4f16_1-MLC',
];

/** Model id prefixes whose web-llm chat template has a tool role (see the module comment). */
const WEBLLM_TOOL_ROLE_FAMILIES = /^(Llama-3\.1-|Llama-3\.2-|Hermes-2-Pro-Llama-3-|Hermes-2-Theta-Llama-3-|Hermes-3-Llama-3\.[12]-)/;

/**
 * The tool mode a web-llm conversation template's `roles` allows: 'native' only with a `tool`
 * entry (whatever string it renders, e.g. Llama 3.1's "<|start_header_id|>ipython").
 */
export function webLlmToolRoleFromRoles(roles: unknown): ToolRoleMode {
  // The same test as web-llm's Conversation.appendMessage (`role in this.config.roles`).
  return typeof roles === 'object' && roles !== null && 'tool' in roles ? 'native' : 'user';
}

/**
 * How web-llm should be sent tool results for `modelId`. `configToolRole` is what the loaded
 * model's chat config says (LoadedModelInfo.toolRole); it wins over the id table when given.
 */
export function webLlmToolSupport(modelId: string, configToolRole?: ToolRoleMode): ToolSupport {
  return {
    toolRole: configToolRole ?? (WEBLLM_TOOL_ROLE_FAMILIES.test(modelId) ? 'native' : 'user'),
    nativeTools: WEBLLM_FUNCTION_CALLING_MODELS.includes(modelId),
    // xgrammar's structural tags work with every web-llm model.
    constrainedCalls: true,
  };
}

/** Whether a Jinja chat template handles a tool role. */
export function templateHasToolRole(template: string): boolean {
  return /['"]tool['"]|ipython/.test(template);
}

/**
 * How llama.cpp should be sent tool results: `template` is the Jinja text in use, or null for
 * the plain built-in template (which has a "Tool:" line).
 */
export function wllamaToolSupport(template: string | null): ToolSupport {
  return {
    toolRole: template === null || templateHasToolRole(template) ? 'native' : 'user',
    // llama.cpp's own tool parsing is template-specific; the prompted protocol is used instead.
    nativeTools: false,
    // Lazy GBNF grammars with a trigger word.
    constrainedCalls: true,
  };
}

/** What a tool result says first when it reaches the model as a user message. */
export const TOOL_RESULT_AS_USER_PREFIX = '[Tool result: this message comes from the system, not from the customer.]';

/**
 * The messages as the model is sent them: in 'user' mode each tool message becomes a user
 * message with the prefix above (a pure function of each message, so a prefix-extending
 * request stream stays prefix-extending after the mapping).
 */
export function applyToolRole(messages: readonly ChatMessage[], mode: ToolRoleMode | undefined): ChatMessage[] {
  if (mode !== 'user') return messages.map((m) => ({ ...m }));
  return messages.map((m): ChatMessage => (m.role === 'tool' ? { role: 'user', content: `${TOOL_RESULT_AS_USER_PREFIX}\n${m.content}` } : { ...m }));
}
