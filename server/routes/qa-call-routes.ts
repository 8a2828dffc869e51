/**
 * The calls side of QA: recording search, the player's call view, sampling rules and work
 * queues, QA reports. Scopes: `qa` (evaluate and run QA), `qa_read` (every agent's calls,
 * evaluations and reports), `own` (an agent: the calls they handled, number masked, and their
 * own evaluations' reports).
 */
import type { TemplatedApp } from 'uWebSockets.js';
import type { Authenticator } from '../../platform/auth.ts';
import { send, sendError, sendJson } from '../../platform/http/uws.ts';
import { SamplingRuleBody, type CallDetail } from '../../schemas/qa.ts';
import { callRowsOf, callTimeline, searchCalls } from '../qa/calls/calls.ts';
import { QaRequestError, Query, readsAll } from '../qa/calls/params.ts';
import type { QaDeps } from '../qa/deps.ts';
import { callAgents } from '../qa/queries/call-agents.ts';
import { parseDateKey } from '../qa/reports/periods.ts';
import { buildReport, reportCsv, reportRequest } from '../qa/reports/reports.ts';
import { SamplingService } from '../qa/sampling/sampling.ts';
import { view } from './recording-routes.ts';
import { jsonBody } from './request-body.ts';
import { registerRoute, type RouteContext, type RouteOptions } from './route-kit.ts';

const ruleBody = jsonBody(SamplingRuleBody);

export async function registerQaCallRoutes(app: TemplatedApp, auth: Authenticator, deps: QaDeps): Promise<void> {
  const sampling = new SamplingService(deps);
  const route = (method: 'get' | 'post' | 'put' | 'del', path: string, opts: RouteOptions, handle: (ctx: RouteContext) => Promise<void>) =>
    registerRoute(app, auth, deps.log, method, path, { noDisplay: true, ...opts }, async (ctx) => {
      try {
        await handle(ctx);
      } catch (err) {
        if (err instanceof QaRequestError) return sendError(ctx.reply, err.status, err.message);
        throw err;
      }
    });
  const READERS = ['qa', 'qa_read', 'own'] as const;

  route('get', '/v1/qa/calls', { scope: READERS }, async ({ reply, who, info }) => {
    sendJson(reply, 200, await searchCalls(deps, info.query, who));
  });

  route('get', '/v1/qa/calls/:call', { scope: READERS, params: ['call'] }, async ({ reply, who, params }) => {
    const id = params[0]!;
    const notFound = () => sendError(reply, 404, `call: no recorded call ${JSON.stringify(id)}`);
    const all = readsAll(who);
    if (!all) {
      const handled = (await callAgents(deps.store, [id])).get(id);
      if (!handled?.agents.includes(who.name)) return notFound();
    }
    const mask = !all;
    const [rows, timeline, recording] = await Promise.all([callRowsOf(deps, [id], { mask }), callTimeline(deps, id, mask), deps.recordings.get(id)]);
    // the calls QA lists are recorded ones: a call without a recording row is not found
    const row = rows.get(id);
    if (!row) return notFound();
    const detail: CallDetail = { call: row, recording: recording ? view(recording) : null, timeline };
    sendJson(reply, 200, detail);
  });

  // ---- sampling rules and work queues ----

  route('get', '/v1/qa/sampling-rules', { scope: 'qa' }, async ({ reply }) => {
    sendJson(reply, 200, { rules: await sampling.list() });
  });
  route('post', '/v1/qa/sampling-rules', { scope: 'qa' }, async ({ reply, who, body }) => {
    sendJson(reply, 201, await sampling.create(await ruleBody(body), who.name));
  });
  route('put', '/v1/qa/sampling-rules/:id', { scope: 'qa', params: ['id'] }, async ({ reply, who, params, body }) => {
    sendJson(reply, 200, await sampling.update(params[0]!, await ruleBody(body), who.name));
  });
  route('del', '/v1/qa/sampling-rules/:id', { scope: 'qa', params: ['id'] }, async ({ reply, who, params }) => {
    await sampling.remove(params[0]!, who.name);
    sendJson(reply, 200, { id: params[0], deleted: true });
  });

  route('get', '/v1/qa/queue', { scope: 'qa' }, async ({ reply, who, info }) => {
    const q = new Query(info.query);
    // any QA user may look at another evaluator's queue (to cover for them)
    const evaluator = q.str('evaluator', 128) ?? who.name;
    const raw = q.str('week', 10);
    const date = raw === null ? null : parseDateKey(raw);
    if (raw !== null && date === null) throw new QaRequestError(`week: must be a date YYYY-MM-DD (got ${JSON.stringify(raw)})`);
    const week = sampling.week(date);
    sendJson(reply, 200, { week: week.key, evaluator, items: await sampling.queue(evaluator, week) });
  });

  // ---- reports ----

  route('get', '/v1/qa/reports', { scope: READERS }, async ({ reply, who, info }) => {
    const req = reportRequest(info.query, deps.timeZone, readsAll(who) ? null : who.name);
    const report = await buildReport(deps, req);
    if (req.format === 'csv') {
      return send(reply, 200, reportCsv(report), { 'Content-Disposition': `attachment; filename="qa-report-${req.group}-${req.interval}.csv"` }, 'text/csv; charset=utf-8');
    }
    sendJson(reply, 200, report);
  });
}
