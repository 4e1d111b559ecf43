import { describe, expect, it } from 'vitest';
import { chooseTemplate, renderDefaultTemplate, DEFAULT_TEMPLATE_STOP } from '../../../src/engine/wllama/template.ts';
import { mapCompleteError, mapLoadError, tooLargeError } from '../../../src/engine/wllama/errors.ts';

describe('chat template choice', () => {
  it('uses an override first, then the GGUF template, then the plain default', () => {
    expect(chooseTemplate('{{ gguf }}', '{{ mine }}')).toEqual({ kind: 'override', template: '{{ mine }}' });
    expect(chooseTemplate('{{ gguf }}')).toEqual({ kind: 'gguf' });
    expect(chooseTemplate(null)).toEqual({ kind: 'default', name: 'understudy-plain' });
    expect(chooseTemplate('  ', '')).toEqual({ kind: 'default', name: 'understudy-plain' });
  });

  it('renders the plain default with an open assistant line', () => {
    const prompt = renderDefaultTemplate([
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Hi ' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'tool', content: '{"ok":true}', tool_call_id: 't1' },
    ]);
    expect(prompt).toBe('System: Be kind.\n\nUser: Hi\n\nAssistant: Hello.\n\nTool: {"ok":true}\n\nAssistant:');
    expect(DEFAULT_TEMPLATE_STOP).toContain('\nUser:');
  });
});

describe('wllama error mapping', () => {
  it('names an unsupported architecture', () => {
    const e = mapLoadError(new Error('load failed'), 'x.gguf', ["llama_model_load: error loading model: unknown model architecture: 'mamba9'"]);
    expect(e.name).toBe('ModelLoadError');
    expect(e.message).toMatch(/x\.gguf uses the model architecture "mamba9"/);
  });

  it('says out of memory', () => {
    expect(mapLoadError(new Error('Aborted(OOM)'), 'big.gguf').message).toMatch(/out of memory/);
    expect(mapLoadError(new RangeError('Array buffer allocation failed'), 'big.gguf').message).toMatch(/out of memory/);
  });

  it('says truncated or corrupt with llama.cpp\'s own line', () => {
    const e = mapLoadError(new Error('x'), 'a.gguf', ['log: fine', 'error: tensor data is not within the file bounds']);
    expect(e.message).toMatch(/a\.gguf could not be read by llama\.cpp; it is probably truncated or corrupt.*not within the file bounds/);
  });

  it('keeps cancellations as AbortError and falls back to the message', () => {
    const abort = new Error('Operation aborted');
    abort.name = 'AbortError';
    expect(mapLoadError(abort, 'a.gguf').name).toBe('AbortError');
    expect(mapLoadError('weird', 'a.gguf').message).toBe('a.gguf could not be loaded: weird');
  });

  it('says too large with the way out', () => {
    const e = tooLargeError('huge.gguf', 3 * 1024 ** 3);
    expect(e.name).toBe('ModelLoadError');
    expect(e.message).toMatch(/huge\.gguf is too large.*3072 MiB.*llama-gguf-split/);
  });

  it('maps generation failures by kind', () => {
    const rt = new Error('memory access out of bounds');
    rt.name = 'WllamaRuntimeError';
    expect(mapCompleteError(rt).name).toBe('EngineLostError');
    expect(mapCompleteError(new Error('loadModel() is not yet called')).name).toBe('ModelNotLoadedError');
    expect(mapCompleteError(new Error('the request exceeds the available context size')).name).toBe('ContextOverflowError');
  });
});

describe('where the weights went', () => {
  it('reads the buffer lines of llama.cpp\'s load log', async () => {
    const { offloadedToGpu } = await import('../../../src/engine/wllama/engine.ts');
    expect(offloadedToGpu(['debug: load_tensors:          CPU model buffer size =     1.12 MiB'])).toBe(false);
    expect(offloadedToGpu(['debug: load_tensors:   CPU_Mapped model buffer size = 1 MiB', 'debug: load_tensors:       WebGPU model buffer size =  1.0 MiB'])).toBe(true);
    expect(offloadedToGpu([])).toBe(false);
  });
});
