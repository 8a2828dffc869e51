/**
 * Screenshots of every wallboard page (desktop 1440×900, TV 1920×1080 and 3840×2160, English
 * and Chinese) for people to look at, plus layout checks that need no server: the built app
 * is served by `registerStaticApps` in this process and the API and live socket answer from
 * a fixture center through Playwright routes. The fixture lives in this test only; the
 * product has no fake data path. The end-to-end behaviour against the real server is in
 * wallboard.test.ts. Screenshots go to test-results/wallboard/ (SCREENSHOT_DIR overrides).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import uWS from 'uWebSockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAppsBuilt, registerStaticApps } from '../../server/static-apps.ts';
import { browserAvailable, launchChromium, untranslatedText } from '../helpers/browser.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = process.env.SCREENSHOT_DIR ?? join(ROOT, 'test-results', 'wallboard');

// ---------------------------------------------------------------- fixture center
const MIN = 60_000;
const SITES = [
  { id: 'sh', name: 'Shanghai', time_zone: 'Asia/Shanghai' },
  { id: 'cd', name: 'Chengdu', time_zone: 'Asia/Shanghai' },
];
const QUEUES = [
  { id: 'billing', name: 'Billing', site: 'sh' },
  { id: 'tech', name: 'Technical support', site: 'sh' },
  { id: 'sales', name: 'Sales', site: 'sh' },
  { id: 'outage', name: 'Outage hotline', site: 'cd' },
  { id: 'vip', name: 'VIP customers', site: 'cd' },
];
const TEAMS = [
  { id: 't1', name: 'Team Wang', site: 'sh' },
  { id: 't2', name: 'Team Li', site: 'sh' },
  { id: 't3', name: 'Team Chen', site: 'cd' },
];
const NAMES = [
  '王芳', '李娜', '张伟', '刘洋', '陈静', '杨磊', '赵敏', '黄强', '周婷', '吴杰', '徐丽', '孙涛', '马超', '朱琳', '胡斌', '郭颖',
  'Anna Müller', 'Ben Carter', 'Chloé Martin', 'David Okafor', 'Elena Petrova', 'Farid Haddad', 'Grace Kim', 'Hiro Tanaka',
  'Isabel Santos', 'Jonas Berg', 'Kavya Iyer', 'Liam O’Brien', 'Maria Rossi', 'Noah Fischer', 'Olivia Brown', 'Pedro Alves',
  'Quinn Taylor', 'Rosa Jiménez', 'Sam Wilson', 'Tara Singh', 'Uma Patel', 'Victor Leclerc', 'Wen Zhou', 'Xavier Dubois',
  'Yara Haddad', 'Zoe Clarke', 'Alexandra Konstantinopoulou-Smythe', '欧阳娜娜', '司马相如',
];
const STATES = ['available', 'on_call', 'on_call', 'acw', 'not_ready', 'ringing', 'on_call', 'available', 'logged_out', 'on_call'] as const;
const REASONS = ['break', 'meal', 'meeting', 'training', 'manual_busy'];

function figures(offered: number, sl: number | null, asa: number | null, aht: number | null, ab: number | null) {
  const answered = Math.round(offered * 0.9);
  return { offered, answered, abandoned: offered - answered - 2, flowed_out: 2, short_abandoned: 1, service_level: sl, asa_s: asa, aht_s: aht, abandon_rate: ab };
}

function snapshot(now: number, variant: 'busy' | 'calm' = 'busy') {
  const queues = QUEUES.map((q, i) => {
    const waiting = variant === 'calm' ? 0 : [3, 12, 0, 7, 1][i]!;
    const longest = variant === 'calm' ? 0 : [42, 187, 0, 95, 12][i]!;
    return {
      queue: q.id,
      name: q.name,
      site: q.site,
      waiting,
      longest_wait_s: longest,
      oldest_waiting_since: waiting ? now - longest * 1000 : null,
      waiting_calls: [],
      agents: { available: 2 + i, not_ready: 1, ringing: i % 2, on_call: 5 - i, acw: 1 },
      today: figures([412, 655, 198, 321, 45][i]!, [0.86, 0.64, 0.91, 0.76, i === 4 ? null : 0.95][i]!, [14.2, 48.9, 8.1, 27.5, 6][i]!, [252, 431, 198, 377, 512][i]!, [0.021, 0.094, 0.012, 0.061, 0][i]!),
      rolling: { '15m': figures(30, 0.8, 20, 300, 0.03), '30m': figures(60, 0.78, 22, 310, 0.04), '60m': figures(120, 0.81, 21, 305, 0.035) },
    };
  });
  const agents = NAMES.map((name, i) => {
    const state = STATES[i % STATES.length]!;
    const team = TEAMS[i % 3]!;
    const sinceAgo = [35, 95, 410, 150, 1010, 12, 4000, 61, 90000, 700][i % 10]! * 1000 + i * 1300;
    return {
      agent: `a${100 + i}`,
      name,
      team: team.id,
      site: team.site,
      state,
      reason: state === 'not_ready' ? REASONS[i % REASONS.length]! : null,
      since: now - sinceAgo,
      queue: state === 'on_call' || state === 'acw' || state === 'ringing' ? QUEUES[i % 5]!.id : null,
      call: null,
      queues: [QUEUES[i % 5]!.id, QUEUES[(i + 1) % 5]!.id],
      today: state === 'logged_out' ? { answered: 0, aht_s: null, occupancy: null } : { answered: 10 + ((i * 7) % 31), aht_s: 180 + ((i * 37) % 300), occupancy: 0.55 + ((i * 13) % 40) / 100 },
    };
  });
  const group = (qs: typeof queues) => ({
    waiting: qs.reduce((s, q) => s + q.waiting, 0),
    longest_wait_s: Math.max(0, ...qs.map((q) => q.longest_wait_s)),
    oldest_waiting_since: qs.filter((q) => q.oldest_waiting_since).reduce<number | null>((m, q) => (m === null ? q.oldest_waiting_since : Math.min(m, q.oldest_waiting_since!)), null),
    agents: { available: 9, not_ready: 5, ringing: 2, on_call: 17, acw: 4 },
    today: figures(1631, 0.78, 29.4, 331, 0.052),
    rolling: { '15m': figures(80, 0.74, 31, 320, 0.06), '30m': figures(160, 0.76, 29, 330, 0.055), '60m': figures(330, 0.79, 28, 329, 0.05) },
    caller_view: { today: figures(1580, 0.81, 27, 331, 0.049) },
  });
  return {
    now,
    queues,
    agents,
    sites: SITES.map((s) => ({ site: s.id, name: s.name, time_zone: s.time_zone, ...group(queues.filter((q) => q.site === s.id)) })),
    teams: TEAMS.map((t) => ({ team: t.id, agents: { available: 3, not_ready: 2, ringing: 1, on_call: 6, acw: 1 } })),
    center: group(queues),
    help: variant === 'calm' ? [] : [{ id: 'h1', agent: 'a104', call: 'c-991', ts: now - 75_000 }, { id: 'h2', agent: 'a117', call: null, ts: now - 20_000 }],
  };
}

function history(now: number) {
  const day = new Date(now);
  const start = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()) - 8 * 3600_000; // Shanghai midnight
  const curve = (i: number) => Math.max(0, Math.round(40 * Math.exp(-(((i - 42) / 14) ** 2)) + 25 * Math.exp(-(((i - 60) / 10) ** 2))));
  const intervals = [];
  const last = [];
  for (let i = 0; i < 96; i++) {
    const s = start + i * 15 * MIN;
    const lw = curve(i) + ((i * 7) % 5);
    last.push({ start: s - 7 * 86_400_000, offered: lw, answered: Math.round(lw * 0.93) });
    if (s <= now) {
      const off = Math.round(curve(i) * 1.12) + ((i * 3) % 4);
      intervals.push({ start: s, offered: off, answered: Math.round(off * 0.9), service_level: off ? Math.min(1, 0.7 + ((i * 13) % 25) / 100) : null });
    }
  }
  return { intervals, last_week: last };
}

function w(id: string, kind: string, x: number, y: number, ww: number, h: number, extra: Record<string, unknown> = {}) {
  return { id, kind, x, y, w: ww, h, ...extra };
}
const STRIP = [
  w('t1', 'tile', 0, 0, 6, 3, { metric: 'waiting', scope: {} }),
  w('t2', 'tile', 6, 0, 6, 3, { metric: 'longest_wait_s', scope: {} }),
  w('t3', 'tile', 12, 0, 3, 3, { metric: 'service_level', scope: {} }),
  w('t4', 'tile', 15, 0, 3, 3, { metric: 'asa_s', scope: {} }),
  w('t5', 'tile', 18, 0, 3, 3, { metric: 'aht_s', scope: {} }),
  w('t6', 'tile', 21, 0, 3, 3, { metric: 'abandon_rate', scope: {} }),
];
function boards() {
  return [
    {
      id: 'center',
      name: 'Center',
      filter: { sites: [], queues: [], teams: [] },
      rotate_s: 30,
      ticker: 'Outage in district 4: use script B for power-cut calls\nTeam meeting at 16:00 in room 3\n今天下午三点系统维护',
      pages: [
        { title: 'Agents', widgets: [...STRIP, w('g', 'agent_grid', 0, 3, 24, 9, { hide_logged_out: true, time_thresholds: { ringing: 30, acw: 120, not_ready: 900, on_call: 900 } })] },
        { title: 'Queues', widgets: [...STRIP, w('q', 'queue_table', 0, 3, 24, 9, { columns: ['waiting', 'longest_wait_s', 'service_level', 'asa_s', 'aht_s', 'abandon_rate', 'offered', 'agents_available'] })] },
        { title: 'Trends', widgets: [...STRIP, w('c1', 'chart', 0, 3, 12, 9, { chart: 'offered_answered_15m' }), w('c2', 'chart', 12, 3, 12, 9, { chart: 'service_level_today' })] },
      ],
      version: 3,
    },
    {
      id: 'billing',
      name: 'Billing floor',
      filter: { sites: [], queues: ['billing'], teams: [] },
      rotate_s: 30,
      ticker: '',
      pages: [{ title: 'Billing', widgets: [w('b1', 'tile', 0, 0, 8, 3, { metric: 'waiting', scope: { queue: 'billing' } }), w('b2', 'tile', 8, 0, 8, 3, { metric: 'service_level', scope: { queue: 'billing' } }), w('b3', 'tile', 16, 0, 8, 3, { metric: 'abandon_rate', scope: { queue: 'billing' } }), w('b4', 'help_alerts', 0, 3, 24, 2), w('b5', 'agent_grid', 0, 5, 24, 7, {})] }],
      version: 1,
    },
  ];
}

interface Fixture {
  me: { kind: 'user'; name: string; roles: string[]; scopes: string[] };
  boards: ReturnType<typeof boards>;
  variant: 'busy' | 'calm';
  /** close the live sockets now and refuse new ones (server down) */
  down: boolean;
  meCalls: number;
  sockets: Set<{ close(o?: { code?: number; reason?: string }): Promise<void> | void; send(m: string): void }>;
}

async function installFixture(context: BrowserContext, fx: Fixture): Promise<void> {
  const json = (status: number, body: unknown) => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
  await context.route(/\/v1\/(?!live$)/, async (route) => {
    const req = route.request();
    const url = new URL(req.url());
    const path = url.pathname;
    const method = req.method();
    if (url.pathname === '/v1/live' || url.pathname.startsWith('/v1/live?')) return route.fallback();
    const now = Date.now();
    const reply = (status: number, body: unknown) => route.fulfill(json(status, body));
    if (path === '/v1/auth/me') {
      fx.meCalls++;
      return reply(200, fx.me);
    }
    if (path === '/v1/boards' && method === 'GET') return reply(200, { boards: fx.boards });
    if (path === '/v1/boards' && method === 'POST') {
      const b = { ...(req.postDataJSON() as object), id: `b${fx.boards.length + 1}` } as (typeof fx.boards)[number];
      fx.boards.push(b);
      return reply(201, { id: b.id });
    }
    const bm = /^\/v1\/boards\/([^/]+)$/.exec(path);
    if (bm) {
      const i = fx.boards.findIndex((b) => b.id === decodeURIComponent(bm[1]!));
      if (i < 0) return reply(404, { error: 'board: not found' });
      if (method === 'PUT') {
        fx.boards[i] = req.postDataJSON();
        return reply(200, fx.boards[i]);
      }
      if (method === 'DELETE') {
        fx.boards.splice(i, 1);
        return reply(200, { ok: true });
      }
      return reply(200, fx.boards[i]);
    }
    if (path === '/v1/sites') return reply(200, { sites: SITES.map((s) => ({ ...s, version: 2, updated_at: now - 86_400_000, updated_by: 'admin' })) });
    if (path === '/v1/queues')
      return reply(200, {
        queues: QUEUES.map((q, i) => ({ ...q, sl_threshold_s: 20, short_abandon_s: 5, sl_formula: i === 3 ? 'answered_only' : 'default', sl_flowouts: i === 1 ? 'include' : 'exclude', targets: { service_level: 0.8, asa_s: 30, abandon_rate: 0.05, longest_wait_s: 120 } })),
      });
    if (path.startsWith('/v1/queues/') && method === 'PUT') {
      const body = req.postDataJSON() as { sl_threshold_s: number };
      if (body.sl_threshold_s > 600) return reply(400, { error: 'sl_threshold_s: must be at most 600' });
      return reply(200, body);
    }
    if (path === '/v1/teams') return reply(200, { teams: TEAMS });
    if (path === '/v1/agents') return reply(200, { agents: NAMES.map((n, i) => ({ id: `a${100 + i}`, name: n, team: TEAMS[i % 3]!.id, site: TEAMS[i % 3]!.site })) });
    if (path === '/v1/users' && method === 'GET')
      return reply(200, {
        users: [
          { username: 'admin', roles: ['admin'], disabled: false },
          { username: 'li.wei', roles: ['supervisor', 'qa'], disabled: false, display_name: '李伟' },
          { username: 'mgr', roles: ['manager'], disabled: false },
          { username: 'old.agent', roles: ['agent'], disabled: true },
        ],
      });
    if (path === '/v1/users' && method === 'POST') return reply(409, { error: 'username: li.wei already exists' });
    if (path === '/v1/keys' && method === 'GET')
      return reply(200, [
        { id: 'k1', prefix: 'cbk_Xy3a', name: 'pbx-main', scopes: ['ingest'], revoked: false, created_at: '2026-11-20 08:00:00.000', created_by: 'admin' },
        { id: 'k2', prefix: 'cbk_Pq9z', name: 'grafana', scopes: ['read', 'metrics'], revoked: false, created_at: '2026-11-22 10:12:00.000', created_by: 'admin' },
      ]);
    if (path === '/v1/keys' && method === 'POST') return reply(201, { key: 'cbk_9fQ2mZt7Lw0aB1cD2eF3gH4iJ5kL6mN', id: 'k3' });
    if (path === '/v1/display-tokens' && method === 'GET')
      return reply(200, { tokens: [{ id: 'd1', name: 'Floor 2 north wall', boards: ['center'], created_by: 'admin', created_at: now - 3 * 86_400_000, revoked: false }] });
    if (path === '/v1/display-tokens' && method === 'POST') return reply(201, { id: 'd2', token: 'cbd_T0k3nF0rTheW4llDisplay' });
    if (path === '/v1/live/history') return reply(200, history(now));
    if (path.startsWith('/v1/live/help/')) return reply(200, { ok: true });
    if (path === '/v1/auth/password') return reply(400, { error: 'current: wrong password' });
    return reply(404, { error: `no route ${method} ${path}` });
  });
  await context.routeWebSocket(/\/v1\/live(\?|$)/, (ws) => {
    if (fx.down) {
      void ws.close({ code: 1006 });
      return;
    }
    fx.sockets.add(ws);
    let timer: ReturnType<typeof setInterval> | null = null;
    ws.onMessage((m) => {
      const msg = JSON.parse(String(m)) as { subscribe?: { board?: string } };
      if (!msg.subscribe) return;
      const board = fx.boards.find((b) => b.id === msg.subscribe!.board);
      ws.send(JSON.stringify({ type: 'snapshot', version: 1, data: snapshot(Date.now(), fx.variant), ...(board ? { board } : {}) }));
      timer ??= setInterval(() => {
        if (!fx.down) ws.send(JSON.stringify({ type: 'heartbeat', now: Date.now() }));
      }, 5000);
    });
    ws.onClose(() => {
      if (timer) clearInterval(timer);
      fx.sockets.delete(ws);
    });
  });
}

// ---------------------------------------------------------------- the tests
describe.skipIf(!browserAvailable)('wallboard screens (fixture center)', () => {
  let browser: Browser;
  let base: string;
  let listen: uWS.us_listen_socket | null = null;

  beforeAll(async () => {
    await ensureAppsBuilt(() => undefined, { root: ROOT });
    mkdirSync(SHOTS, { recursive: true });
    const app = uWS.App();
    registerStaticApps(app, { root: ROOT });
    app.any('/*', (res) => {
      res.writeStatus('404 Not Found').end('no route');
    });
    const port = await new Promise<number>((resolve, reject) =>
      app.listen('127.0.0.1', 0, (s) => {
        if (!s) return reject(new Error('cannot listen'));
        listen = s;
        resolve(uWS.us_socket_local_port(s));
      }),
    );
    base = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (listen) uWS.us_listen_socket_close(listen);
  });

  function fixture(roles: string[] = ['admin', 'supervisor']): Fixture {
    return { me: { kind: 'user', name: 'li.wei', roles, scopes: ['live', 'directory'] }, boards: boards(), variant: 'busy', down: false, meCalls: 0, sockets: new Set() };
  }

  async function open(fx: Fixture, opts: { width: number; height: number; locale: 'en' | 'zh-CN' }): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ viewport: { width: opts.width, height: opts.height }, locale: opts.locale, deviceScaleFactor: 1 });
    await installFixture(context, fx);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('pageerror', e.message));
    return { page, context };
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

  const untranslated = untranslatedText;

  it('desktop board, English and Chinese', async () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const fx = fixture();
      const { page, context } = await open(fx, { width: 1440, height: 900, locale });
      await page.goto(`${base}/wallboard/#/boards/center`);
      await page.getByTestId('agent').first().waitFor();
      await expect.poll(() => page.locator('[data-metric="longest_wait_s"]').getAttribute('data-level')).toBe('alert');
      expect(await page.locator('[data-metric="abandon_rate"]').getAttribute('data-level')).toBe('warn');
      await shot(page, `desktop-board-${locale}`);
      // "/" focuses the agent search
      await page.keyboard.press('/');
      await page.keyboard.type('ben');
      await expect.poll(() => page.getByTestId('agent').count()).toBe(1);
      await page.getByTestId('agent-search').fill('');
      await page.getByTestId('agent-list-toggle').click();
      await page.getByTestId('agent-row').first().waitFor();
      await page.getByRole('button', { name: locale === 'en' ? 'Time in state' : '状态时长' }).click();
      await shot(page, `desktop-board-list-${locale}`);
      if (locale === 'zh-CN') expect(await untranslated(page)).toEqual([]);
      await page.getByRole('tab').nth(2).click();
      await page.locator('canvas').first().waitFor();
      await page.waitForTimeout(300);
      await shot(page, `desktop-board-queues-${locale}`);
      await context.close();
    }
  });

  it('TV mode at 1080p and 4K with a display token, rotation and no session', async () => {
    for (const [width, height, locale] of [
      [1920, 1080, 'en'],
      [1920, 1080, 'zh-CN'],
      [3840, 2160, 'en'],
    ] as const) {
      const fx = fixture();
      const { page, context } = await open(fx, { width, height, locale });
      await page.goto(`${base}/wallboard/tv?token=cbd_test&board=center,billing&rotate=30`);
      await page.getByTestId('agent').first().waitFor();
      // TV type scale: html font-size = 100vh/45
      expect(await page.evaluate<number>('parseFloat(getComputedStyle(document.documentElement).fontSize)')).toBeCloseTo(height / 45, 0);
      await expect.poll(() => page.getByTestId('page-indicator').textContent()).toBe('1/4');
      await shot(page, `tv-${width}x${height}-${locale}`);
      expect(fx.meCalls, 'TV mode with a token never asks for a session').toBe(0);
      // the pages of the rotation, reached through the URL index (a reload resumes)
      await page.goto(`${base}/wallboard/tv?token=cbd_test&board=center,billing&rotate=30&i=1`);
      await page.getByTestId('queue-row').first().waitFor();
      await shot(page, `tv-${width}x${height}-${locale}-queues`);
      await page.goto(`${base}/wallboard/tv?token=cbd_test&board=center,billing&rotate=30&i=2`);
      await page.locator('canvas').first().waitFor();
      await page.waitForTimeout(400);
      await shot(page, `tv-${width}x${height}-${locale}-trends`);
      if (width === 1920 && locale === 'en') {
        await page.goto(`${base}/wallboard/tv?token=cbd_test&board=center,billing&rotate=30&i=3`);
        await page.getByTestId('agent').first().waitFor();
        await shot(page, `tv-${width}x${height}-${locale}-billing`);
      }
      await context.close();
    }
  });

  it('lands each role where it works and shows only the navigation it may use', async () => {
    // (the fixture's scopes hold no QA scope, so no QA link; an agent or QA user lands in the QA app at /qa/)
    for (const [roles, hash, nav] of [
      [['admin'], '#/boards', ['nav-wallboard', 'nav-history', 'nav-settings']],
      [['supervisor'], '#/boards', ['nav-wallboard', 'nav-history', 'nav-settings']],
      [['manager'], '#/history', ['nav-wallboard', 'nav-history']],
    ] as const) {
      const fx = fixture([...roles]);
      const { page, context } = await open(fx, { width: 1440, height: 900, locale: 'en' });
      await page.goto(`${base}/wallboard/`);
      await expect.poll(() => new URL(page.url()).hash, { timeout: 5000 }).toBe(hash);
      const shown = await page.locator('nav[aria-label="Main navigation"] a').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
      expect(shown, roles.join()).toEqual([...nav]);
      if (roles[0] === 'supervisor') {
        // settings of a supervisor: no users or API keys
        await page.goto(`${base}/wallboard/#/settings`);
        await page.getByTestId('settings-queues').waitFor();
        expect(await page.getByTestId('settings-users').count()).toBe(0);
        expect(await page.getByTestId('settings-keys').count()).toBe(0);
        // acknowledging a help request, then the TV toggle of a signed-in supervisor
        await page.goto(`${base}/wallboard/#/boards/center`);
        const ack = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/v1/live/help/h1/ack'));
        await page.getByRole('button', { name: 'I’m on it' }).last().click();
        await ack;
        await page.getByTestId('tv-toggle').click();
        await page.getByTestId('tv').waitFor();
        await page.getByTestId('agent').first().waitFor();
        expect(await page.evaluate<boolean>("document.documentElement.classList.contains('tv')")).toBe(true);
      }
      await context.close();
    }
  });

  it('TV mode marks stale data, then delayed, then recovers', async () => {
    const fx = fixture();
    const { page, context } = await open(fx, { width: 1920, height: 1080, locale: 'en' });
    await page.clock.install();
    await page.goto(`${base}/wallboard/tv?token=cbd_test&board=center`);
    await page.getByTestId('agent').first().waitFor();
    fx.down = true;
    for (const s of fx.sockets) await s.close({ code: 1012, reason: 'restart' });
    await page.clock.runFor(12_000);
    await expect.poll(() => page.getByTestId('stale-marker').isVisible()).toBe(true);
    await shot(page, 'tv-stale');
    await page.clock.runFor(60_000);
    await expect.poll(() => page.getByTestId('delayed-banner').isVisible()).toBe(true);
    await shot(page, 'tv-delayed');
    fx.down = false;
    // the back-off reaches at most 30 s (±25 %): step the clock until the socket is back
    for (let i = 0; i < 60 && !(await page.getByTestId('live-marker').isVisible()); i++) await page.clock.runFor(1000);
    await shot(page, 'tv-recovered');
    expect(await page.getByTestId('live-marker').isVisible()).toBe(true);
    expect(await page.getByTestId('delayed-banner').count()).toBe(0);
    expect(await page.getByTestId('stale-marker').count()).toBe(0);
    await context.close();
  });

  it('board editor', async () => {
    const fx = fixture();
    const { page, context } = await open(fx, { width: 1440, height: 900, locale: 'en' });
    await page.goto(`${base}/wallboard/#/boards/center/edit`);
    await page.getByTestId('widget-handle').first().waitFor();
    await page.getByTestId('widget-handle').first().click();
    await shot(page, 'desktop-editor-en');
    // drag the first tile two columns right and one row down with the pointer
    const h = page.getByTestId('widget-handle').first();
    const box = (await h.boundingBox())!;
    await page.mouse.move(box.x + 20, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + 20 + 2 * (1440 - 340) / 24, box.y + 20 + 60, { steps: 8 });
    await page.mouse.up();
    await page.getByTestId('save-board').click();
    await page.getByTestId('save-status').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('save-status').textContent()).toBe('Saved');
    const saved = fx.boards.find((b) => b.id === 'center')!;
    expect(saved.pages[0]!.widgets[0]).toMatchObject({ x: 2, y: 1 });
    await page.getByTestId('add-chart').click();
    await shot(page, 'desktop-editor-chart-en');
    // thresholds of the SL tile: own values, previewed; a contradiction blocks saving
    await page.evaluate('window.scrollTo(0, 0)');
    await page.locator('[data-testid="widget-handle"][data-kind="tile"]').nth(2).click();
    await page.getByLabel('Use the standard thresholds').uncheck();
    await page.getByTestId('th-warn').fill('60');
    await page.getByTestId('th-warn').blur();
    await page.getByText('The breach value must be lower than the warning value.').waitFor();
    await page.getByTestId('save-board').click();
    await expect.poll(() => page.getByTestId('save-status').textContent()).toContain('contradict');
    await page.getByTestId('th-warn').fill('85');
    await page.getByTestId('th-warn').blur();
    await shot(page, 'desktop-editor-thresholds-en');
    await page.getByTestId('save-board').click();
    await expect.poll(() => page.getByTestId('save-status').textContent()).toBe('Saved');
    const sl = fx.boards.find((b) => b.id === 'center')!.pages[0]!.widgets.find((w) => (w as { metric?: string }).metric === 'service_level');
    expect(sl).toMatchObject({ thresholds: { warn: 0.85, alert: 0.7, direction: 'below' } });
    await context.close();
  });

  it('settings pages and account, English and Chinese', async () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const fx = fixture(['admin']);
      const { page, context } = await open(fx, { width: 1440, height: 900, locale });
      for (const s of ['sites', 'queues', 'teams', 'agents', 'users', 'keys', 'displays']) {
        await page.goto(`${base}/wallboard/#/settings/${s}`);
        await page.locator('table.data tbody tr').first().waitFor();
        if (s === 'queues') {
          await page.getByRole('button', { name: locale === 'en' ? 'Edit' : '编辑' }).first().click();
          await page.locator('#q-t').fill('900');
          await page.locator('form button[type=submit]').click();
          await expect.poll(() => page.locator('#q-t-error').textContent()).toBe(locale === 'en' ? 'must be at most 600' : '不能大于 600');
        }
        if (s === 'users') {
          await page.getByTestId('new-user').click();
          await page.locator('#u-name').fill('li.wei');
          await page.locator('#u-pass').fill('password-123');
          await page.getByTestId('role-supervisor').check();
          await page.getByTestId('role-qa').check();
          await page.locator('form button[type=submit]').click();
          await expect.poll(() => page.locator('#u-name-error').textContent()).toBe(locale === 'en' ? 'li.wei already exists' : 'li.wei 已存在');
        }
        if (s === 'keys') {
          await page.getByTestId('new-key').click();
          await page.locator('#key-name').fill('crm');
          await page.locator('form button[type=submit]').click();
          await page.getByTestId('secret').waitFor();
        }
        if (s === 'displays') {
          await page.getByTestId('new-display').click();
          await page.getByTestId('display-name').fill('Floor 3');
          await page.locator('form button[type=submit]').click();
          await expect.poll(() => page.getByTestId('secret').inputValue()).toContain('/wallboard/tv?token=cbd_T0k3nF0rTheW4llDisplay&board=center');
        }
        await shot(page, `desktop-settings-${s}-${locale}`);
        if (locale === 'zh-CN') expect(await untranslated(page), s).toEqual([]);
      }
      await page.goto(`${base}/wallboard/#/account`);
      await page.locator('#pw-current').waitFor();
      await shot(page, `desktop-account-${locale}`);
      await context.close();
    }
  });

  it('the Chinese board has no untranslated text and every key exists in both languages', async () => {
    const fx = fixture();
    const { page, context } = await open(fx, { width: 1440, height: 900, locale: 'zh-CN' });
    await page.goto(`${base}/wallboard/#/boards/center`);
    await page.getByTestId('agent').first().waitFor();
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('zh-CN');
    expect(await untranslated(page)).toEqual([]);
    await page.goto(`${base}/wallboard/#/boards/center/edit`);
    await page.getByTestId('widget-handle').first().click();
    expect(await untranslated(page)).toEqual([]);
    await context.close();
  });
});
