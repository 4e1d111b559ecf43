#!/usr/bin/env node
// Serves dist/ on localhost with the cross-origin isolation headers (COOP/COEP), so
// multi-threaded WebAssembly (SharedArrayBuffer) works. No dependencies: node:http only.
import http from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)), process.env.UNDERSTUDY_DIST ?? 'dist');
const args = process.argv.slice(2);
const argPort = args.indexOf('--port');
const wanted = Number(argPort >= 0 ? args[argPort + 1] : process.env.PORT ?? 4173);
const host = process.env.HOST ?? '127.0.0.1';
// --prefix /some/path/ serves the page under a sub-path, as a static host might.
const argPrefix = args.indexOf('--prefix');
const prefix = (argPrefix >= 0 ? args[argPrefix + 1] : '/').replace(/\/?$/, '/');
// --mount /url/path/=some/dir serves a folder outside dist/ under a URL path (repeatable). The
// browser tests use it to serve ../shared/data/models/ without copying a model into the repo.
const mounts = [];
args.forEach((a, i) => {
  if (a !== '--mount') return;
  const spec = args[i + 1] ?? '';
  const eq = spec.indexOf('=');
  if (eq <= 0) {
    console.error(`--mount wants /url/path/=directory, not "${spec}"`);
    process.exit(1);
  }
  mounts.push({ at: spec.slice(0, eq).replace(/\/?$/, '/'), dir: resolve(spec.slice(eq + 1)) });
});

if (!existsSync(join(root, 'index.html'))) {
  console.error(`No built page in ${root}. Run "npm run build" first (npm start does it for you).`);
  process.exit(1);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.gguf': 'application/octet-stream',
};

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const mount = mounts.find((m) => url.pathname.startsWith(m.at));
  if (mount) return sendFile(req, res, mount.dir, '/' + decodeURIComponent(url.pathname.slice(mount.at.length)));
  if (!url.pathname.startsWith(prefix)) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    return;
  }
  let path = '/' + decodeURIComponent(url.pathname.slice(prefix.length));
  if (path.endsWith('/')) path += 'index.html';
  sendFile(req, res, root, path);
});

function sendFile(req, res, root, path) {
  const file = normalize(join(root, path));
  if (!file.startsWith(root + sep) && file !== root) {
    res.writeHead(403).end('Forbidden');
    return;
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    return;
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': statSync(file).size,
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
}

function listen(port, triesLeft) {
  server.once('error', (err) => {
    if (err.code === 'EADDRINUSE' && triesLeft > 0 && argPort < 0) listen(port + 1, triesLeft - 1);
    else {
      console.error(`Cannot listen on ${host}:${port}: ${err.message}`);
      process.exit(1);
    }
  });
  server.listen(port, host, () => {
    console.log(`\n  Understudy is ready: http://localhost:${port}${prefix}\n  (serving ${root}; Ctrl+C to stop)\n`);
  });
}
listen(wanted, 20);
