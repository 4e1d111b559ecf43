import { describe, expect, it } from 'vitest';
import { functionCallingModelIds, prebuiltAppConfig } from '@mlc-ai/web-llm';
import { isPrefixExtension } from '../../src/engine/role-chat.ts';
import {
  TOOL_RESULT_AS_USER_PREFIX,
  WEBLLM_FUNCTION_CALLING_MODELS,
  applyToolRole,
  templateHasToolRole,
  webLlmToolRoleFromRoles,
  webLlmToolSupport,
  wllamaToolSupport,
} from '../../src/engine/tool-support.ts';
import type { ChatMessage } from '../../src/engine/types.ts';

describe('which web-llm models get which tool mode', () => {
  it('knows the same function-calling models as the installed web-llm', () => {
    expect([...WEBLLM_FUNCTION_CALLING_MODELS].sort()).toEqual([...functionCallingModelIds].sort());
    for (const id of functionCallingModelIds) expect(webLlmToolSupport(id).nativeTools).toBe(true);
  });

  it('sends tool messages natively only to templates with a tool role', () => {
    expect(webLlmToolSupport('Llama-3.2-1B-Instruct-q4f32_1-MLC')).toEqual({ toolRole: 'native', nativeTools: false, constrainedCalls: true });
    expect(webLlmToolSupport('Llama-3.1-8B-Instruct-q4f16_1-MLC').toolRole).toBe('native');
    expect(webLlmToolSupport('Hermes-3-Llama-3.1-8B-q4f16_1-MLC')).toEqual({ toolRole: 'native', nativeTools: true, constrainedCalls: true });
    // Hermes-3 on Llama 3.2 has the tool role but web-llm offers it no native tools.
    expect(webLlmToolSupport('Hermes-3-Llama-3.2-3B-q4f16_1-MLC')).toMatchObject({ toolRole: 'native', nativeTools: false });
    for (const id of ['Qwen2.5-0.5B-Instruct-q4f32_1-MLC', 'SmolLM2-360M-Instruct-q4f16_1-MLC', 'Phi-3.5-mini-instruct-q4f16_1-MLC', 'gemma-2-2b-it-q4f16_1-MLC', 'Llama-3-8B-Instruct-q4f16_1-MLC', 'Mistral-7B-Instruct-v0.3-q4f16_1-MLC', 'My-Custom-Model-MLC']) {
      expect(webLlmToolSupport(id).toolRole, id).toBe('user');
    }
  });

  it('gives every catalog model of the families without a tool role the user mode', () => {
    const ids = prebuiltAppConfig.model_list.map((m) => m.model_id);
    const noToolRole = ids.filter((id) => /^(Qwen|SmolLM|Phi|gemma|TinyLlama|stablelm|DeepSeek|Llama-3-)/i.test(id));
    expect(noToolRole.length).toBeGreaterThan(20);
    for (const id of noToolRole) expect(webLlmToolSupport(id).toolRole, id).toBe('user');
    // Every function-calling model is also in the catalog, with a tool role.
    for (const id of functionCallingModelIds) {
      expect(ids).toContain(id);
      if (!id.includes('Mistral')) expect(webLlmToolSupport(id).toolRole).toBe('native');
    }
  });
});

describe("web-llm's tool role from the loaded chat config", () => {
  it("is 'native' only when the template's roles has a tool entry", () => {
    expect(webLlmToolRoleFromRoles({ user: 'u', assistant: 'a', tool: '<|start_header_id|>ipython' })).toBe('native');
    expect(webLlmToolRoleFromRoles({ user: 'u', assistant: 'a' })).toBe('user');
    expect(webLlmToolRoleFromRoles(undefined)).toBe('user');
  });

  it('wins over the id table when known', () => {
    expect(webLlmToolSupport('Llama-3.2-1B-Instruct-q4f32_1-MLC', 'user').toolRole).toBe('user');
    expect(webLlmToolSupport('Qwen2.5-0.5B-Instruct-q4f32_1-MLC', 'native')).toEqual({ toolRole: 'native', nativeTools: false, constrainedCalls: true });
    expect(webLlmToolSupport('Hermes-3-Llama-3.1-8B-q4f16_1-MLC', 'native').nativeTools).toBe(true);
  });
});

describe('which GGUF chat templates get which tool mode', () => {
  it('reads the tool role from the Jinja template, and knows the plain template has one', () => {
    const chatml = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}";
    const qwen = `${chatml.slice(0, -12)}{% elif message.role == "tool" %}<tool_response>{% endif %}{% endfor %}`;
    const llama = "{%- if message.role == 'ipython' or message.role == 'tool' %}";
    expect(templateHasToolRole(chatml)).toBe(false);
    expect(templateHasToolRole(qwen)).toBe(true);
    expect(templateHasToolRole(llama)).toBe(true);
    expect(wllamaToolSupport(chatml)).toEqual({ toolRole: 'user', nativeTools: false, constrainedCalls: true });
    expect(wllamaToolSupport(qwen).toolRole).toBe('native');
    expect(wllamaToolSupport(null).toolRole).toBe('native');
  });
});

describe('applyToolRole', () => {
  const history: ChatMessage[] = [
    { role: 'system', content: 'sys' },
    { role: 'user', content: 'A1?' },
    { role: 'assistant', content: '<tool_call>{"name": "get_account", "arguments": {}}</tool_call>' },
    { role: 'tool', content: '<tool_result name="get_account">\n{}\n</tool_result>', tool_call_id: 't1-0' },
  ];

  it('turns tool messages into prefixed user messages in user mode, and leaves everything else', () => {
    const mapped = applyToolRole(history, 'user');
    expect(mapped.slice(0, 3)).toEqual(history.slice(0, 3));
    expect(mapped[3]).toEqual({ role: 'user', content: `${TOOL_RESULT_AS_USER_PREFIX}\n${history[3]!.content}` });
    expect(applyToolRole(history, 'native')).toEqual(history);
    expect(applyToolRole(history, undefined)).toEqual(history);
    // A copy: the role's own history is never changed.
    expect(history[3]!.role).toBe('tool');
  });

  it('keeps a prefix-extending stream prefix-extending', () => {
    const next: ChatMessage[] = [...history, { role: 'assistant', content: 'Basic.' }, { role: 'user', content: 'thanks' }];
    const reply = 'Basic.';
    const prev = history;
    expect(isPrefixExtension(prev, reply, next)).toBe(true);
    expect(isPrefixExtension(applyToolRole(prev, 'user'), reply, applyToolRole(next, 'user'))).toBe(true);
  });
});
