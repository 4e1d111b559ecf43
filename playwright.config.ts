import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 4199);
/** Where the second test server puts the page. */
export const SUB_PATH = '/classroom/tools/understudy/';
export const SUB_PATH_URL = `http://localhost:${port + 1}${SUB_PATH}`;

/** Where the first test server serves ../shared/data/models/ (stories260K.gguf). */
export const TEST_MODELS_PATH = '/test-models/';
export const TEST_MODELS_DIR = process.env.UNDERSTUDY_TEST_MODELS ?? '../shared/data/models';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

// Debian's Chromium only: never a downloaded browser. The flags keep it from reaching out
// to the network, which this machine does not have.
export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 120_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://localhost:${port}/`,
    viewport: { width: 1360, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
  },
  projects: [
    // Without --enable-unsafe-webgpu, Debian's Chromium has navigator.gpu but no adapter.
    // wllama.spec.ts runs in both projects: the GGUF engine on the CPU here, on WebGPU below.
    { name: 'chromium', testIgnore: /models\.spec\.ts$/ },
    {
      // With it, a software adapter: SwiftShader (vendor "google", no shader-f16).
      name: 'chromium-webgpu',
      testMatch: /(models|wllama)\.spec\.ts$/,
      use: {
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'],
        },
      },
    },
  ],
  webServer: [
    {
      // --mount serves the test model from ../shared/data/models/ without copying it here.
      command: `node scripts/serve.mjs --port ${port} --mount ${TEST_MODELS_PATH}=${TEST_MODELS_DIR}`,
      url: `http://localhost:${port}/`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      // The same dist/ under a sub-path, as on a static host or a classroom server.
      command: `node scripts/serve.mjs --port ${port + 1} --prefix ${SUB_PATH}`,
      url: `http://localhost:${port + 1}${SUB_PATH}`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
  ],
});
