/**
 * The web-llm module worker: one MLCEngine behind Understudy's own comlink API (LlmWorkerApi).
 * web-llm's WebWorkerMLCEngineHandler is not used: it takes over onmessage and rejects the
 * messages comlink sends. Everything web-llm lives in this worker's chunk, never in the shell.
 *
 * Errors cross by name: the API throws EngineError (an Error with its own `name`), and comlink
 * sends thrown Errors as { name, message, stack }, which the client rebuilds as EngineError
 * (tests/engine/webllm/client.test.ts checks that round trip).
 */
import * as Comlink from 'comlink';
import {
  MLCEngine,
  deleteChatConfigInCache,
  deleteModelInCache,
  deleteModelWasmInCache,
  hasModelInCache,
  prebuiltAppConfig,
} from '@mlc-ai/web-llm';
import { createCacheCheck } from '../src/engine/webllm/cache-files.ts';
import { gatherDeviceReport } from '../src/engine/device.ts';
import { createLlmWorkerApi } from '../src/engine/webllm/worker-api.ts';
import { releasingCallbacks } from '../src/engine/webllm/expose.ts';

const api = createLlmWorkerApi({
  createEngine: () => new MLCEngine(),
  prebuiltAppConfig,
  hasModelInCache,
  deleteModelInCache,
  deleteChatConfigInCache,
  deleteModelWasmInCache,
  hasInCache: createCacheCheck(),
  gatherDeviceReport: () => gatherDeviceReport(self.navigator.gpu),
});

Comlink.expose(releasingCallbacks(api));
