/**
 * What the opt-in GPU smoke test (scripts/gpu-smoke.ts, `npm run test:gpu`) drives from the
 * page. Loaded only when the page URL has `?smoke` (see main.ts), so the shell never pays for it.
 */
export { WebLlmClient } from './webllm/client.ts';
export { RoleChat } from './role-chat.ts';
