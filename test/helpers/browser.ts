import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

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

/** Page script: visible text that is a message key or untranslated English (data is marked translate="no"). */
export const SCAN_UNTRANSLATED = `(() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const ok = /^(callboard|English|ID|T|S|SL|ASA|AHT|API|Prometheus \\/metrics|Delete|Shift|[\\d\\s:.,%/+—–·×()-]*)$/;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('[translate="no"], script, style')) continue;
    const s = (n.textContent || '').trim();
    if (!s || ok.test(s)) continue;
    if (/⟦/.test(s) || /^[a-z][A-Za-z]*\\.[A-Za-z0-9_.-]+$/.test(s) || (/[A-Za-z]{3,}/.test(s) && !/[\\u4e00-\\u9fff]/.test(s))) out.push(s);
  }
  return out;
})()`;

/** The visible text on the page that is a message key or untranslated English (see SCAN_UNTRANSLATED). */
export function untranslatedText(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(SCAN_UNTRANSLATED);
}
