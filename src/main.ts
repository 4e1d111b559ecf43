import { mount } from 'svelte';
import './ui/app.css';
import App from './ui/App.svelte';
import { app } from './state/app.svelte.ts';

void app.init(new URL('./', document.baseURI).href);
mount(App, { target: document.getElementById('app')! });

// `?smoke`: the opt-in GPU smoke test (npm run test:gpu) drives the engine layer from the page.
if (new URLSearchParams(location.search).has('smoke')) {
  void import('./engine/smoke.ts').then((m) => {
    (window as unknown as { __understudy_engine?: typeof m }).__understudy_engine = m;
  });
}

// `?engine-test`: the browser tests drive the wllama engine from the page (tests/e2e/wllama.spec.ts).
if (new URLSearchParams(location.search).has('engine-test')) {
  void import('./engine/wllama/test-hook.ts');
}
