/**
 * Which models take a "thinking" switch, and what it defaults to.
 *
 * ## What web-llm 0.2.86 does with `extra_body.enable_thinking`
 * `MLCEngine.chatCompletion` copies `request.extra_body.enable_thinking` into the generation
 * config; `LLMChatPipeline.forwardPrefill` reads it, and only `false` does anything: the reply
 * header becomes `<role string><role_content_sep><think>\n\n</think>\n\n` (the empty block is also
 * pushed into the output ids, so the reply text starts with it). `true` and absent render the
 * template's ordinary reply header (`role_empty_sep`). Nothing checks the model: the request
 * type says the switch is "currently only allowed to be used for Qwen3 models, though not
 * explicitly checked", so sending `false` to any other model plants a foreign `<think>` block in
 * its prompt. The switch is therefore sent only to the families below.
 *
 * ## Which templates honour it
 * web-llm renders MLC conversation templates, not Jinja, so "honouring" means the empty block
 * is what the model was trained to see when thinking is off:
 * - Qwen3 (`Qwen3-0.6B/1.7B/4B/8B-…-MLC`; their mlc-chat-config.json names the `qwen2` ChatML
 *   template, newer builds `qwen3`): Qwen3's own chat template writes exactly
 *   `<|im_start|>assistant\n<think>\n\n</think>\n\n` for `enable_thinking=False`. Qwen3 thinks
 *   by default, so the switch is the only way to stop it.
 * - Qwen3.5 (`Qwen3.5-0.8B/2B/4B/9B-…-MLC`, template `qwen3_5` in mlc-llm's
 *   conversation_template/qwen3_5.py): the thinking template opens `<think>\n` in
 *   `role_empty_sep`; the switch takes the content-separator path instead, which gives the same
 *   prompt as mlc-llm's own `qwen3_5_nothink` template (`\n<think>\n\n</think>\n\n`).
 * Not included: DeepSeek-R1 distills (trained to always think; no off switch in their template),
 * Qwen3 "-Instruct-2507" / "-Thinking-2507" and Qwen3-Coder builds (fixed, no switch), and
 * everything else in the catalog (no thinking at all). A custom model counts when its id names
 * one of the two families the way the catalog does.
 */

/** Qwen3 and Qwen3.5 base releases, e.g. "Qwen3-0.6B-q4f16_1-MLC", "Qwen3.5-2B-q4f32_1-MLC". */
const SWITCH_FAMILIES = /(?:^|[-_/])Qwen3(?:\.5)?-\d+(?:\.\d+)?B(?:-|$)/i;
/** Builds of those families that think always or never, whatever the prompt says. */
const FIXED_BUILDS = /(?:instruct|thinking|coder|-vl-)/i;

/** Whether `modelId` takes web-llm's `enable_thinking` switch (see the module comment). */
export function takesThinkingSwitch(modelId: string): boolean {
  return SWITCH_FAMILIES.test(modelId) && !FIXED_BUILDS.test(modelId);
}

/**
 * The thinking setting a model starts with: off (false) for models that take the switch, since
 * small models spend their token budget reasoning and a session's turns should be replies;
 * undefined (send nothing) for all others.
 */
export function defaultEnableThinking(modelId: string): boolean | undefined {
  return takesThinkingSwitch(modelId) ? false : undefined;
}
