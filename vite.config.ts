import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// A relative base makes dist/ work from any sub-path of any static host.
export default defineConfig({
  base: './',
  plugins: [svelte()],
  build: { target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    environment: 'node',
    // Tests over τ²-bench's 2.8 MB database take a few seconds on a busy 2-core machine; the
    // default 5 s made them fail by timing alone. Tests never assert wall-clock times.
    testTimeout: 30_000,
  },
});
