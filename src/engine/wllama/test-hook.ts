/**
 * What the browser tests drive from the page. Loaded only when the page URL has `?engine-test`
 * (see main.ts), so the app shell never pays for wllama.
 */
import { WllamaEngine, hasWebGPUAdapter } from './engine.ts';

(window as unknown as { __understudy_wllama?: unknown }).__understudy_wllama = { WllamaEngine, hasWebGPUAdapter };
