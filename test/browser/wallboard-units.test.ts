/**
 * Pure parts of the wallboard app and its shell, in Node: formats (UX.md 1.8), thresholds
 * (UX.md 1.4), the two dictionaries holding the same keys, and the static-app server's
 * caching, content types, SPA fallback and path handling.
 */
import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import uWS from 'uWebSockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIsStale, registerStaticApps, type StaticApp } from '../../server/static-apps.ts';
import { formatDuration, formatPercent, formatCount, splitPercent, utcOffset } from '../../ui/format.ts';
import { shellEn, shellZh } from '../../ui/messages.ts';
import { en } from '../../wallboard/src/locales/en.ts';
import { zhCN } from '../../wallboard/src/locales/zh-CN.ts';
import { clampWidget, pushDown } from '../../wallboard/src/lib/layout.ts';
import { levelOf, thresholdsValid } from '../../wallboard/src/lib/metrics.ts';

describe('formats', () => {
  it('durations are m:ss below an hour, h:mm:ss from an hour, 24h+ past a day', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(42)).toBe('0:42');
    expect(formatDuration(727)).toBe('12:07');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(86_400, '24小时+')).toBe('24小时+');
    expect(formatDuration(-3)).toBe('0:00');
    expect(formatDuration(null)).toBe('—');
  });
  it('percentages and counts follow the locale; undefined is an em dash, never 0%', () => {
    expect(formatPercent(0.853, 'en')).toBe('85%');
    expect(formatPercent(0.8234, 'zh-CN', 1)).toBe('82.3%');
    expect(formatPercent(null, 'en')).toBe('—');
    expect(formatCount(1234567, 'zh-CN')).toBe('1,234,567');
    expect(splitPercent('85%')).toEqual({ number: '85', unit: '%' });
    expect(utcOffset('Asia/Shanghai')).toBe('UTC+08:00');
  });
});

describe('thresholds', () => {
  it('evaluates above and below, and never an undefined value', () => {
    const wait = { warn: 60, alert: 120, direction: 'above' as const };
    expect(levelOf(59, wait)).toBe('ok');
    expect(levelOf(60, wait)).toBe('warn');
    expect(levelOf(120, wait)).toBe('alert');
    const sl = { warn: 0.8, alert: 0.7, direction: 'below' as const };
    expect(levelOf(0.85, sl)).toBe('ok');
    expect(levelOf(0.75, sl)).toBe('warn');
    expect(levelOf(0.69, sl)).toBe('alert');
    expect(levelOf(null, sl)).toBe('none');
    expect(thresholdsValid(wait)).toBe(true);
    expect(thresholdsValid({ ...sl, warn: 0.6 })).toBe(false);
  });
});

describe('board layout', () => {
  const tile = (id: string, x: number, y: number, w = 6, h = 3) => ({ id, kind: 'ticker' as const, x, y, w, h });
  it('keeps widgets inside the 24 columns', () => {
    expect(clampWidget(tile('a', 22, -1, 6, 0))).toMatchObject({ x: 18, y: 0, w: 6, h: 1 });
  });
  it('pushes the widgets a moved one covers down, in a chain, and leaves the moved one where it was put', () => {
    const out = pushDown([tile('a', 3, 0), tile('b', 6, 0), tile('c', 6, 3), tile('d', 18, 0)], 'a');
    const at = Object.fromEntries(out.map((w) => [w.id, [w.x, w.y]]));
    expect(at).toEqual({ a: [3, 0], b: [6, 3], c: [6, 6], d: [18, 0] });
  });
});

describe('dictionaries', () => {
  it('English and Chinese have the same keys, and no Chinese message is left in English', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(shellZh).sort()).toEqual(Object.keys(shellEn).sort());
    const same = Object.entries({ ...en, ...shellEn }).filter(
      ([k, v]) => ({ ...zhCN, ...shellZh } as Record<string, string>)[k] === v && /[A-Za-z]{3,}/.test(v.replace(/\{\w+\}/g, '')),
    );
    // identical on purpose: product name, language names, acronyms, a URL path
    expect(same.map(([k]) => k).sort()).toEqual(['app.name', 'lang.en', 'scope.metricsHint'].sort());
  });
});

describe('registerStaticApps', () => {
  const root = mkdtempSync(join(tmpdir(), 'callboard-static-'));
  const spec: StaticApp = { mount: '/app', dist: 'app/dist', config: 'app/vite.config.ts', sources: ['app/src'] };
  let base = '';
  let listen: uWS.us_listen_socket | null = null;

  beforeAll(async () => {
    mkdirSync(join(root, 'app/dist/assets'), { recursive: true });
    mkdirSync(join(root, 'app/src'), { recursive: true });
    writeFileSync(join(root, 'app/dist/index.html'), '<!doctype html><title>app</title>' + ' '.repeat(600));
    writeFileSync(join(root, 'app/dist/assets/index-abc123.js'), 'console.log(1);'.repeat(100));
    writeFileSync(join(root, 'app/dist/assets/index-abc123.css'), 'body{}');
    writeFileSync(join(root, 'secret.txt'), 'no');
    const app = uWS.App();
    registerStaticApps(app, { root, apps: [spec] });
    app.any('/*', (res) => void res.writeStatus('404 Not Found').end('fallthrough'));
    const port = await new Promise<number>((resolve) =>
      app.listen('127.0.0.1', 0, (s) => {
        listen = s;
        resolve(uWS.us_socket_local_port(s));
      }),
    );
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => {
    if (listen) uWS.us_listen_socket_close(listen);
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html no-cache, hashed assets for a year, gzip when asked', async () => {
    const index = await fetch(`${base}/app/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const js = await fetch(`${base}/app/assets/index-abc123.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect(await js.text()).toContain('console.log(1);');
    const css = await fetch(`${base}/app/assets/index-abc123.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers app routes with index.html, missing files with 404, and never leaves the build', async () => {
    expect((await fetch(`${base}/app`, { redirect: 'manual' })).headers.get('location')).toBe('/app/');
    const route = await fetch(`${base}/app/tv?token=x`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>app</title>');
    expect((await fetch(`${base}/app/assets/index-old999.js`)).status).toBe(404);
    expect((await fetch(`${base}/app/favicon.ico`)).status).toBe(404);
    for (const p of ['/app/../secret.txt', '/app/%2e%2e/secret.txt', '/app/..%2fsecret.txt', '/app/assets/..%2f..%2f..%2fsecret.txt']) {
      const r = await fetch(`${base}${p}`);
      expect(await r.text(), p).not.toBe('no');
    }
    expect((await fetch(`${base}/app/%E0%A4%A`)).status).toBe(400);
  });

  it('knows when a build is older than its sources', () => {
    writeFileSync(join(root, 'app/src/main.ts'), 'x');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'app/dist/index.html'), old, old);
    expect(buildIsStale(root, spec)).toBe(true);
    utimesSync(join(root, 'app/src/main.ts'), new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    expect(buildIsStale(root, spec)).toBe(false);
  });
});
