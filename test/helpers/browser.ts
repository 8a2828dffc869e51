import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Browser tests need Debian's Chromium (.ci/chromium.sh); CI sets CALLBOARD_REQUIRE_BROWSER=1 so they never skip there. */
export const browserAvailable = existsSync(CHROMIUM) || process.env.CALLBOARD_REQUIRE_BROWSER === '1';

/** A fresh headless Chromium (Playwright gives it an empty profile of its own). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
