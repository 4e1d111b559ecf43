#!/usr/bin/env node
// Browser tests drive Debian's Chromium. If it is missing, install Debian's package when we
// can (root, apt-get, no prompt needed), otherwise stop with the exact command to run.
// Never download a browser any other way.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(CHROMIUM)) process.exit(0);

const command = 'apt-get update && apt-get install -y chromium';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (isRoot && hasApt) {
  console.log(`Chromium is missing at ${CHROMIUM}; installing Debian's package: ${command}`);
  try {
    execSync(command, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } catch {
    console.error(`\nInstalling Chromium failed. Run this yourself, then npm test again:\n  sudo ${command}\n`);
    process.exit(1);
  }
  if (existsSync(CHROMIUM)) process.exit(0);
}
console.error(`\nThe browser tests need Debian's Chromium at ${CHROMIUM}. Install it with:\n  sudo ${command}\nthen run npm test again.\n`);
process.exit(1);
