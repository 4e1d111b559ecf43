/**
 * What the scripts that drive a real browser share: Debian's Chromium with the flags that keep
 * it off the network, and scripts/serve.mjs started on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

const SERVE = fileURLToPath(new URL('../serve.mjs', import.meta.url));

/**
 * Starts serve.mjs without --port, so it moves to the next port when `port` is taken, and
 * resolves with the URL it printed. `dist` serves another folder than the build.
 */
export async function startServe(opts: { port: string; args?: string[]; dist?: string; cwd?: string }): Promise<{ url: string; proc: ChildProcess; stop: () => void }> {
  const proc = spawn(process.execPath, [SERVE, ...(opts.args ?? [])], {
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    env: { ...process.env, PORT: opts.port, HOST: '127.0.0.1', ...(opts.dist ? { UNDERSTUDY_DIST: opts.dist } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`serve.mjs did not start: ${out}`)), 10_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/localhost:(\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(`http://127.0.0.1:${m[1]}/`);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => fail(new Error(`serve.mjs exited (${code}): ${out}`)));
  });
  return { url, proc, stop: () => proc.kill() };
}
