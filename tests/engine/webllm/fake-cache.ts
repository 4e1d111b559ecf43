/**
 * A fake of web-llm 0.2.86's model cache for the worker API tests: files keyed by URL in the
 * three scopes, and the exported helpers the worker uses, doing what web-llm's do (see
 * hasModelInCache, deleteModelInCache, deleteChatConfigInCache and deleteModelWasmInCache in
 * node_modules/@mlc-ai/web-llm/lib/index.js). Keyed by URL as web-llm is, so records that
 * name the same URL share a file here too.
 */
import type { AppConfig, ModelRecord } from '@mlc-ai/web-llm';
import { modelBaseUrl, type WebLlmCacheScope } from '../../../src/engine/webllm/cache-files.ts';
import type { LlmWorkerDeps } from '../../../src/engine/webllm/worker-api.ts';
import { namedError } from './fake-engine.ts';

type CacheDeps = Pick<LlmWorkerDeps, 'hasModelInCache' | 'deleteModelInCache' | 'deleteChatConfigInCache' | 'deleteModelWasmInCache' | 'hasInCache'>;

const SHARDS = ['params_shard_0.bin', 'params_shard_1.bin'];

export class FakeWebLlmCache {
  readonly files: Record<WebLlmCacheScope, Set<string>> = { 'webllm/model': new Set(), 'webllm/config': new Set(), 'webllm/wasm': new Set() };
  /** Helper calls, "name id". */
  readonly calls: string[] = [];
  /** Whether web-llm could fetch a missing tensor-cache.json (deleteModelInCache reads it). */
  online = false;

  constructor(readonly appConfig: AppConfig) {}

  record(id: string, appConfig: AppConfig = this.appConfig): ModelRecord {
    const r = appConfig.model_list.find((x) => x.model_id === id);
    if (!r) throw namedError('ModelNotFoundError', `Cannot find model record in appConfig for ${id}`);
    return r;
  }

  /** Every file a finished load leaves, or only some. */
  download(id: string, parts: { weights?: boolean; library?: boolean; config?: boolean } = {}): void {
    const r = this.record(id);
    const base = modelBaseUrl(r.model);
    if (parts.weights ?? true) {
      for (const f of ['tensor-cache.json', ...SHARDS, 'tokenizer.json']) this.files['webllm/model'].add(new URL(f, base).href);
    }
    if (parts.config ?? true) this.files['webllm/config'].add(new URL('mlc-chat-config.json', base).href);
    if (parts.library ?? true) this.files['webllm/wasm'].add(r.model_lib);
  }

  /** How many files are cached in all. */
  get count(): number {
    return Object.values(this.files).reduce((n, s) => n + s.size, 0);
  }

  deps(): CacheDeps {
    const model = this.files['webllm/model'];
    return {
      hasModelInCache: async (id, appConfig) => {
        const base = modelBaseUrl(this.record(id, appConfig).model);
        return model.has(new URL('tensor-cache.json', base).href) && SHARDS.every((f) => model.has(new URL(f, base).href));
      },
      deleteModelInCache: async (id, appConfig) => {
        this.calls.push(`deleteModelInCache ${id}`);
        const base = modelBaseUrl(this.record(id, appConfig).model);
        const index = new URL('tensor-cache.json', base).href;
        if (!model.has(index)) {
          if (!this.online) throw new TypeError('Failed to fetch');
          model.add(index);
        }
        // As web-llm: the shards and the tokenizer go, tensor-cache.json stays.
        for (const f of [...SHARDS, 'tokenizer.model', 'tokenizer.json']) model.delete(new URL(f, base).href);
      },
      deleteChatConfigInCache: async (id, appConfig) => {
        this.calls.push(`deleteChatConfigInCache ${id}`);
        this.files['webllm/config'].delete(new URL('mlc-chat-config.json', modelBaseUrl(this.record(id, appConfig).model)).href);
      },
      deleteModelWasmInCache: async (id, appConfig) => {
        this.calls.push(`deleteModelWasmInCache ${id}`);
        this.files['webllm/wasm'].delete(this.record(id, appConfig).model_lib);
      },
      hasInCache: async (scope, url) => this.files[scope].has(url),
    };
  }
}
