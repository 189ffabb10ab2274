// Debian's chromium, headless, driven by playwright-core (no browser download: the system binary).
// .ci/run installs chromium; elsewhere the browser tests skip and say why, except in CI.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.NFMON_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** Why the browser tests cannot run here, or undefined when they can (CI never skips). */
export function browserSkipReason(): string | undefined {
  if (HAVE_CHROMIUM) return undefined;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing in CI: .ci/run installs chromium`);
  const reason = `${CHROMIUM} not installed (apt-get install chromium): browser tests skipped`;
  process.stderr.write(`note: ${reason}\n`);
  return reason;
}

/**
 * Launch flags: no sandbox (root in a container), no GPU, and nothing that phones home, so every
 * request the page makes is one the test can see. Playwright adds --headless and a fresh
 * temporary --user-data-dir of its own.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
