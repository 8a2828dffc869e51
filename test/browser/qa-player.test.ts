/**
 * The QA app end to end in Chromium against the real server (issue 9, part 3): a recorded call
 * opens in the player drawn from the server's peaks, plays (the position advances), seeks by a
 * click on the waveform, takes a comment pin with C; an evaluator scores and submits it (the
 * running score and auto-fail from the scoring formula); the agent (the user named like the
 * call's agent) disputes it, the evaluator re-scores, the agent acknowledges; a calibration
 * session shows the deviation with a flagged question; the Chinese UI has no untranslated text.
 * Screenshots of every page (1440×900, 1920×1080, en and zh-CN) go to SCREENSHOT_DIR
 * (default test-results/qa-player).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAppsBuilt } from '../../server/static-apps.ts';
import { toneAndNoise } from '../helpers/audio.ts';
import { browserAvailable, launchChromium, untranslatedText } from '../helpers/browser.ts';
import { callFlow } from '../helpers/events.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from '../helpers/server-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = process.env.SCREENSHOT_DIR ?? join(ROOT, 'test-results', 'qa-player');
const PASSWORD = 'qa-test-password-1';
const AGENT = `qa-agent-${process.pid}`;
const CALL = `qa-call-${process.pid}`;
const CALL2 = `qa-call2-${process.pid}`;
const DURATION = 60;

describe.skipIf(!browserAvailable)('QA app in Chromium against the server', () => {
  const dir = tempDataDir('browser-qa');
  let server: ServerProcess;
  let browser: Browser;
  let admin: string;
  const cookies: Record<string, string> = {};
  let card = '';
  let evaluationId = '';
  let calibrationId = '';

  async function api<T>(cookie: string, method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: { cookie, 'Content-Type': 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const r = await fetch(`${server.url}${path}`, init);
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  async function recordedCall(call: string, start: number): Promise<void> {
    const events = callFlow('qa', start, call).map((e) => ('agent' in e && e.agent === 'a1' ? { ...e, agent: AGENT } : e));
    const answered = events.find((e) => e.type === 'call.answered')!.ts as number;
    events.push(
      { id: `${call}-hold`, type: 'call.hold', ts: answered + 30_000, call, agent: AGENT },
      { id: `${call}-unhold`, type: 'call.unhold', ts: answered + 40_000, call, agent: AGENT },
    );
    const r = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { Authorization: `Bearer ${TEST_INGEST_KEY}` }, body: JSON.stringify(events) });
    expect(r.status).toBe(200);
    const wav = join(dir, `${call}.wav`);
    toneAndNoise(wav, { total: DURATION, left: [2, 28], right: [30, 55] });
    const up = await fetch(`${server.url}/v1/recordings/${call}?channels=agent,customer`, { method: 'PUT', headers: { authorization: `Bearer ${TEST_INGEST_KEY}` }, body: readFileSync(wav) });
    expect(up.status).toBe(202);
    const deadline = Date.now() + 30_000;
    while ((await api<{ status: string }>(admin, 'GET', `/v1/recordings/${call}`)).status !== 'ready') {
      if (Date.now() > deadline) throw new Error(`${call}: recording not ready`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await ensureAppsBuilt(() => undefined, { root: ROOT });
    server = await ServerProcess.start(dir);
    browser = await launchChromium();
    admin = await server.login();
    for (const [username, roles] of [['eva', ['qa']], ['sam', ['qa']], [AGENT, ['agent']]] as const) {
      await api(admin, 'POST', '/v1/users', { username, password: PASSWORD, roles });
      cookies[username] = await server.login(username, PASSWORD);
    }
    const start = Date.now() - 2 * 3600_000;
    await recordedCall(CALL, start);
    await recordedCall(CALL2, start + 600_000);
    const sc = await api<{ id: string }>(cookies.eva!, 'POST', '/v1/qa/scorecards', {
      name: 'Browser test card',
      pass_mark: 80,
      sections: [
        {
          id: 'opening',
          title: 'Opening',
          weight: 1,
          questions: [
            { id: 'greet', text: 'Greets the customer by name', kind: 'yes_no', points: 10, na_allowed: false, critical: true },
            { id: 'tone', text: 'Friendly tone', kind: 'scale', points: 10, scale_max: 5, na_allowed: true, critical: false },
          ],
        },
        { id: 'close', title: 'Closing', weight: 1, questions: [{ id: 'recap', text: 'Recaps the next steps', kind: 'yes_no', points: 10, na_allowed: true, critical: false }] },
      ],
    });
    card = sc.id;
    await api(cookies.eva!, 'POST', '/v1/qa/sampling-rules', { name: 'Billing weekly', active: true, scorecard: card, evaluators: ['eva'], per_agent_per_week: 2, filter: { queues: ['billing'] } });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    removeDir(dir);
  });

  async function as(user: string, locale: 'en' | 'zh-CN' = 'en', viewport = { width: 1440, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport, locale });
    const [name, value] = cookies[user]!.split('=') as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    return { context, page };
  }

  const seconds = async (page: Page) => {
    const [m, s] = ((await page.getByTestId('current').textContent()) ?? '0:0').split(':').map(Number);
    return m! * 60 + s!;
  };

  it('opens a call in the player, plays, seeks by a click on the waveform and pins a comment with C', async () => {
    const { context, page } = await as('eva');
    await page.goto(`${server.url}/qa/#/search`);
    await page.locator(`[data-testid="call-row"][data-call="${CALL}"]`).dblclick();
    await expect.poll(() => page.url()).toContain(`#/calls/${CALL}`);
    const wave = page.getByTestId('waveform');
    await expect.poll(() => wave.getAttribute('data-drawn'), { timeout: 15_000 }).toBe('1');
    await expect.poll(() => page.getByTestId('time').textContent()).toContain('01:00');
    await expect.poll(() => page.getByTestId('hold-region').count()).toBe(1);

    await page.getByTestId('play').click();
    await expect.poll(() => seconds(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    await page.getByTestId('play').click(); // pause

    const box = (await wave.boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.25, box.y + 30);
    await expect.poll(() => seconds(page)).toBeGreaterThanOrEqual(14);
    expect(await seconds(page)).toBeLessThanOrEqual(16);

    await page.getByTestId('player').focus();
    await page.keyboard.press('c');
    await page.getByTestId('comment-text').fill('Customer asks for a refund here');
    await page.getByTestId('comment-save').click();
    await expect.poll(() => page.getByTestId('comment').count()).toBe(1);
    await expect.poll(() => page.getByTestId('comment-pin').count()).toBe(1);
    // typing in a text field never triggers a shortcut
    await page.getByTestId('player').focus();
    await page.keyboard.press('c');
    await page.getByTestId('comment-text').type('k j l');
    await expect.poll(() => seconds(page)).toBeGreaterThanOrEqual(14);
    await page.keyboard.press('Escape');
    // J goes back 10 s
    await page.getByTestId('player').focus();
    await page.keyboard.press('j');
    await expect.poll(() => seconds(page)).toBeLessThanOrEqual(6);
    // Shift+> speeds up one step; the speed is remembered and its badge highlighted
    await page.keyboard.press('Shift+Period');
    await expect.poll(() => page.getByTestId('speed').inputValue()).toBe('1.25');
    await page.reload();
    await expect.poll(() => page.getByTestId('speed').inputValue()).toBe('1.25');
    expect(await page.locator('.speed.changed').count()).toBe(1);
    await page.getByTestId('speed').selectOption('1');
    await page.getByTestId('player').focus();
    await page.keyboard.press('?');
    await page.getByTestId('shortcuts').waitFor();
    await page.screenshot({ path: join(SHOTS, 'player-shortcuts.png') });
    await context.close();
  });

  it('scores with the formula as the evaluator answers, shows auto-fail, and submits', async () => {
    const { context, page } = await as('eva');
    await page.goto(`${server.url}/qa/#/calls/${CALL}`);
    await page.getByTestId('scorecard-select').selectOption(card);
    await page.getByTestId('start-evaluation').click();
    const q = (id: string) => page.locator(`[data-testid="question"][data-question="${id}"]`);
    await q('greet').getByTestId('answer-yes').waitFor();
    await expect.poll(() => page.getByTestId('submit').isDisabled()).toBe(true);
    // the draft saves itself within 10 s
    await q('recap').getByTestId('answer-yes').click();
    const draftOf = async () => (await api<{ id: string; answers: Record<string, unknown> }[]>(cookies.eva!, 'GET', `/v1/qa/evaluations?call=${CALL}`))[0]!;
    await expect.poll(async () => Object.keys((await draftOf()).answers), { timeout: 15_000, interval: 500 }).toContain('recap');
    await q('greet').getByTestId('answer-no').click();
    await q('tone').getByTestId('answer-scale').nth(4).click();
    await expect.poll(() => page.getByTestId('auto-fail').count()).toBe(1);
    expect(await page.getByTestId('score-total').textContent()).toBe('0.0');
    await q('greet').getByTestId('answer-yes').click();
    await expect.poll(() => page.getByTestId('auto-fail').count()).toBe(0);
    expect(await page.getByTestId('score-total').textContent()).toBe('100.0');
    await q('tone').getByTestId('answer-scale').nth(2).click(); // 3 of 5: half the points → opening 75%, total 87.5
    expect(await page.getByTestId('score-total').textContent()).toBe('87.5');
    expect(await page.getByTestId('formula').textContent()).toContain('Σ');
    await page.getByTestId('player').focus();
    await page.keyboard.press('5'); // playhead to 50%
    await q('tone').getByTestId('evidence').click();
    await expect.poll(() => q('tone').locator('.evidence').textContent()).toContain('00:30');
    await page.getByTestId('overall-comment').fill('Good call, tone could be warmer.');
    await expect.poll(() => page.getByTestId('submit').isEnabled()).toBe(true);
    await page.getByTestId('submit').click();
    await expect.poll(() => page.getByTestId('status').first().getAttribute('data-status')).toBe('submitted');
    await page.screenshot({ path: join(SHOTS, 'player-submitted.png') });
    const list = await api<{ id: string; status: string; score: { total: number } }[]>(cookies.eva!, 'GET', `/v1/qa/evaluations?call=${CALL}`);
    expect(list[0]!.status).toBe('submitted');
    expect(list[0]!.score.total).toBe(87.5);
    evaluationId = list[0]!.id;
    await context.close();
  });

  it('lets the agent dispute, the evaluator re-score and the agent acknowledge', async () => {
    expect(evaluationId).not.toBe('');
    // the agent lands on their evaluations, read-only player
    let { context, page } = await as(AGENT);
    await page.goto(`${server.url}/wallboard/`);
    await expect.poll(() => page.url(), { timeout: 10_000 }).toContain('/qa/#/mine');
    await page.locator(`[data-testid="my-evaluation"][data-evaluation="${evaluationId}"]`).dblclick();
    await page.getByTestId('dispute').waitFor();
    await expect.poll(() => page.locator('[data-testid="question"] [data-testid="answer-yes"]').first().isDisabled()).toBe(true);
    await expect.poll(() => page.getByTestId('acknowledge').isDisabled()).toBe(true);
    await page.getByTestId('dispute').click();
    await expect.poll(() => page.getByTestId('dispute-confirm').isDisabled()).toBe(true);
    await page.getByTestId('dispute-comment').fill('The tone was friendly: listen at 0:30.');
    await page.getByTestId('dispute-confirm').click();
    await expect.poll(() => page.getByTestId('status').first().getAttribute('data-status')).toBe('disputed');
    // an agent's public comment pin
    await page.getByTestId('player').focus();
    await page.keyboard.press('c');
    await page.getByTestId('comment-text').fill('I explained the refund policy here');
    await page.getByTestId('comment-save').click();
    await expect.poll(() => page.getByTestId('comment').count()).toBe(2);
    await page.screenshot({ path: join(SHOTS, 'agent-disputed.png') });
    await context.close();

    ({ context, page } = await as('eva'));
    await page.goto(`${server.url}/qa/#/calls/${CALL}?evaluation=${evaluationId}`);
    await page.getByTestId('rescore').waitFor();
    await page.locator('[data-testid="question"][data-question="tone"] [data-testid="answer-scale"]').nth(4).click();
    expect(await page.getByTestId('score-total').textContent()).toBe('100.0');
    await page.getByTestId('rescore').click();
    await expect.poll(() => page.getByTestId('status').first().getAttribute('data-status')).toBe('rescored');
    await expect.poll(() => page.getByTestId('history').textContent()).toContain('The tone was friendly');
    await context.close();

    ({ context, page } = await as(AGENT));
    await page.goto(`${server.url}/qa/#/calls/${CALL}?evaluation=${evaluationId}`);
    await page.getByTestId('acknowledge').waitFor();
    await expect.poll(() => page.getByTestId('acknowledge').isDisabled()).toBe(true);
    await page.getByTestId('reviewed').check();
    await page.getByTestId('acknowledge').click();
    await expect.poll(() => page.getByTestId('status').first().getAttribute('data-status')).toBe('acknowledged');
    await page.screenshot({ path: join(SHOTS, 'agent-acknowledged.png') });
    await context.close();
    const ev = await api<{ status: string; score: { total: number } }>(cookies.eva!, 'GET', `/v1/qa/evaluations/${evaluationId}`);
    expect(ev.status).toBe('acknowledged');
    expect(ev.score.total).toBe(100);
  });

  it('shows a calibration session with per-question deviation and a flagged question', async () => {
    const session = await api<{ id: string }>(cookies.eva!, 'POST', '/v1/qa/calibrations', { call: CALL2, scorecard: card, reference: 'eva', evaluators: ['sam'] });
    calibrationId = session.id;
    const score = async (user: string, answers: Record<string, { value: number }>) => {
      const ev = await api<{ id: string }>(cookies[user]!, 'POST', '/v1/qa/evaluations', { call: CALL2, scorecard: card, calibration: session.id });
      await api(cookies[user]!, 'PUT', `/v1/qa/evaluations/${ev.id}`, { answers, comment: '' });
      await api(cookies[user]!, 'POST', `/v1/qa/evaluations/${ev.id}/actions`, { action: 'submit' });
    };
    await score('eva', { greet: { value: 1 }, tone: { value: 5 }, recap: { value: 1 } });
    await score('sam', { greet: { value: 1 }, tone: { value: 3 }, recap: { value: 0 } });
    const { context, page } = await as('eva');
    await page.goto(`${server.url}/qa/#/calibration/${session.id}`);
    await page.getByTestId('cal-table').waitFor();
    const flagged = page.locator('[data-testid="cal-question"][data-flagged="1"]');
    await expect.poll(() => flagged.count()).toBeGreaterThanOrEqual(1);
    await expect.poll(() => page.getByTestId('cal-flag-summary').isVisible()).toBe(true);
    const recap = page.locator('[data-testid="cal-question"]', { hasText: 'Recaps the next steps' });
    await expect.poll(() => recap.getByTestId('cal-deviation').textContent()).toContain('100');
    await expect.poll(() => page.getByTestId('cal-total-deviation').first().textContent()).not.toBe('—');
    await page.screenshot({ path: join(SHOTS, 'calibration.png'), fullPage: true });
    await context.close();
  });

  it('saves a scorecard edit as a new version, and downloads the report as CSV', async () => {
    const { context, page } = await as('eva');
    await page.goto(`${server.url}/qa/#/scorecards/${card}`);
    await page.getByTestId('card-name').fill('Browser test card (v2)');
    await page.getByTestId('card-save').click();
    await expect.poll(() => page.locator('.banner-ok').textContent()).toContain('2');
    const saved = await api<{ version: number; name: string }>(cookies.eva!, 'GET', `/v1/qa/scorecards/${card}`);
    expect(saved).toMatchObject({ version: 2, name: 'Browser test card (v2)' });
    await context.close();

    const reports = await as('eva');
    await reports.page.goto(`${server.url}/qa/#/reports?group=agent`);
    await reports.page
      .getByTestId('report-row')
      .first()
      .waitFor({ timeout: 15_000 })
      .catch(async (err: unknown) => {
        throw new Error(`no report rows: ${(await reports.page.locator('main').innerText()).slice(-500)}`, { cause: err });
      });
    const href = await reports.page.getByTestId('csv').getAttribute('href');
    const csv = await fetch(`${server.url}${href}`, { headers: { cookie: cookies.eva! } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(await csv.text()).toContain(AGENT);
    await reports.context.close();
  });

  it('has no untranslated text in zh-CN, and screenshots every page', async () => {
    const pages: { user: string; name: string; route: string; ready: string }[] = [
      { user: 'eva', name: 'queue', route: '#/queue?state=all', ready: '[data-testid="work-item"], .card.muted' },
      { user: 'eva', name: 'search', route: '#/search', ready: '[data-testid="call-row"]' },
      { user: 'eva', name: 'player', route: `#/calls/${CALL}?evaluation=${evaluationId}`, ready: '[data-testid="waveform"][data-drawn="1"]' },
      { user: 'eva', name: 'player-new', route: `#/calls/${CALL2}`, ready: '[data-testid="waveform"][data-drawn="1"]' },
      { user: 'eva', name: 'calibration-list', route: '#/calibration', ready: '[data-testid="cal-row"]' },
      { user: 'eva', name: 'calibration-view', route: `#/calibration/${calibrationId}`, ready: '[data-testid="cal-table"]' },
      { user: 'eva', name: 'reports', route: '#/reports?group=agent', ready: '[data-testid="report-row"]' },
      { user: 'eva', name: 'reports-week', route: '#/reports?group=question&interval=week', ready: '[data-testid="report-row"]' },
      { user: 'eva', name: 'scorecards', route: `#/scorecards/${card}`, ready: '[data-testid="card-form"]' },
      { user: 'eva', name: 'sampling', route: '#/sampling', ready: '[data-testid="rule-row"]' },
      { user: AGENT, name: 'agent-mine', route: '#/mine', ready: '[data-testid="my-evaluation"]' },
      { user: AGENT, name: 'agent-player', route: `#/calls/${CALL}?evaluation=${evaluationId}`, ready: '[data-testid="waveform"][data-drawn="1"]' },
    ];
    const problems: Record<string, string[]> = {};
    for (const locale of ['en', 'zh-CN'] as const) {
      for (const viewport of [
        { width: 1440, height: 900 },
        { width: 1920, height: 1080 },
      ]) {
        for (const p of pages) {
          const { context, page } = await as(p.user, locale, viewport);
          await page.goto(`${server.url}/qa/${p.route}`).catch((err: unknown) => {
            // name the server's state when it is gone (a crash, or a process killed from outside)
            throw new Error(`${(err as Error).message}\nserver exit ${server.child?.exitCode} ${server.child?.signalCode}: ${server.logs.slice(-1500)}`, { cause: err });
          });
          await page.locator(p.ready).first().waitFor({ timeout: 15_000 });
          await page.waitForTimeout(300);
          await page.screenshot({ path: join(SHOTS, `${p.name}-${locale}-${viewport.width}.png`) });
          if (locale === 'zh-CN' && viewport.width === 1440) {
            const bad = await untranslatedText(page);
            if (bad.length) problems[p.name] = bad;
          }
          await context.close();
        }
      }
    }
    expect(problems).toEqual({});
  }, 240_000);
});
