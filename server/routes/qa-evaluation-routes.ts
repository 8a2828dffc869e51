/**
 * The QA API, evaluations side: scorecards, evaluations and their lifecycle, comment pins,
 * calibration sessions. Thin: the services in server/qa/ hold the rules and answer
 * QaInputError (status + `field: reason`). Scopes: `qa` evaluates and runs QA, `qa_read` reads
 * every evaluation, `own` is an agent (own calls and evaluations only).
 */
import type { TemplatedApp } from 'uWebSockets.js';
import type { Authenticator, Scope } from '../../platform/auth.ts';
import { send, sendError, sendJson } from '../../platform/http/uws.ts';
import { CalibrationBody, CommentBody, EvaluationActionBody, EvaluationAnswersBody, EvaluationCreateBody, ScorecardBody } from '../../schemas/qa.ts';
import { CalibrationService } from '../qa/calibration/calibration-service.ts';
import { CommentService } from '../qa/comments/comment-service.ts';
import type { QaDeps } from '../qa/deps.ts';
import { EvaluationService } from '../qa/evaluations/evaluation-service.ts';
import { QaInputError } from '../qa/evaluations/qa-input-error.ts';
import { ScorecardService } from '../qa/scorecards/scorecard-service.ts';
import { jsonBody } from './request-body.ts';
import { registerRoute, type RouteContext, type RouteOptions } from './route-kit.ts';

const scorecardBody = jsonBody(ScorecardBody);
const createBody = jsonBody(EvaluationCreateBody);
const answersBody = jsonBody(EvaluationAnswersBody);
const actionBody = jsonBody(EvaluationActionBody);
const commentBody = jsonBody(CommentBody);
const calibrationBody = jsonBody(CalibrationBody);

const READ: readonly Scope[] = ['qa', 'qa_read', 'own'];
const QA: Scope = 'qa';
const QA_OR_OWN: readonly Scope[] = ['qa', 'own'];

/** An integer query parameter in [min, max], or `dflt` when absent; 400 naming it otherwise. */
function intParam(q: URLSearchParams, name: string, min: number, max: number, dflt?: number): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new QaInputError(`${name}: must be an integer from ${min} to ${max} (got ${JSON.stringify(raw.slice(0, 40))})`);
  return n;
}
const strParam = (q: URLSearchParams, name: string): string | undefined => q.get(name) || undefined;

export async function registerQaEvaluationRoutes(app: TemplatedApp, auth: Authenticator, deps: QaDeps): Promise<void> {
  const scorecards = new ScorecardService(deps.store, deps.audit);
  const evaluations = new EvaluationService(deps, scorecards);
  const comments = new CommentService(deps);
  const calibrations = new CalibrationService(deps, scorecards, evaluations);
  await scorecards.seed();

  const route = (method: 'get' | 'post' | 'put' | 'del', path: string, opts: RouteOptions, handle: (ctx: RouteContext) => Promise<void>) =>
    registerRoute(app, auth, deps.log, method, path, opts, async (ctx) => {
      try {
        await handle(ctx);
      } catch (err) {
        if (err instanceof QaInputError) return sendError(ctx.reply, err.status, err.message);
        throw err;
      }
    });

  // ---- scorecards ----
  route('get', '/v1/qa/scorecards', { scope: READ }, async ({ reply, info }) => {
    sendJson(reply, 200, await scorecards.list(info.query.get('archived') === '1'));
  });
  route('get', '/v1/qa/scorecards/:id', { scope: READ, params: ['id'] }, async ({ reply, params, info }) => {
    const id = params[0]!;
    const version = intParam(info.query, 'version', 1, Number.MAX_SAFE_INTEGER);
    const card = version === undefined ? await scorecards.current(id) : await scorecards.version(id, version);
    if (!card) return sendError(reply, 404, `scorecard: no scorecard ${JSON.stringify(id)}${version === undefined ? '' : ` version ${version}`}`);
    sendJson(reply, 200, card);
  });
  route('post', '/v1/qa/scorecards', { scope: QA }, async ({ reply, who, body }) => {
    sendJson(reply, 201, await scorecards.create(await scorecardBody(body), who.name));
  });
  route('put', '/v1/qa/scorecards/:id', { scope: QA, params: ['id'] }, async ({ reply, who, params, body }) => {
    sendJson(reply, 200, await scorecards.update(params[0]!, await scorecardBody(body), who.name));
  });

  // ---- evaluations ----
  route('post', '/v1/qa/evaluations', { scope: QA }, async ({ reply, who, body }) => {
    sendJson(reply, 201, await evaluations.create(who, await createBody(body)));
  });
  route('get', '/v1/qa/evaluations', { scope: READ }, async ({ reply, who, info }) => {
    const q = info.query;
    const status = strParam(q, 'status');
    sendJson(
      reply,
      200,
      await evaluations.list(who, {
        call: strParam(q, 'call'),
        agent: strParam(q, 'agent'),
        evaluator: strParam(q, 'evaluator'),
        statuses: status ? status.split(',') : undefined,
        from: intParam(q, 'from', 0, Number.MAX_SAFE_INTEGER),
        to: intParam(q, 'to', 0, Number.MAX_SAFE_INTEGER),
        calibration: strParam(q, 'calibration'),
        limit: intParam(q, 'limit', 1, 1000, 100),
        offset: intParam(q, 'offset', 0, 1_000_000, 0),
      }),
    );
  });
  route('get', '/v1/qa/evaluations/:id', { scope: READ, params: ['id'] }, async ({ reply, who, params }) => {
    sendJson(reply, 200, await evaluations.get(who, params[0]!));
  });
  route('put', '/v1/qa/evaluations/:id', { scope: QA, params: ['id'] }, async ({ reply, who, params, body }) => {
    sendJson(reply, 200, await evaluations.saveAnswers(who, params[0]!, await answersBody(body)));
  });
  route('post', '/v1/qa/evaluations/:id/actions', { scope: QA_OR_OWN, params: ['id'] }, async ({ reply, who, params, body }) => {
    sendJson(reply, 200, await evaluations.act(who, params[0]!, await actionBody(body)));
  });

  // ---- comment pins ----
  route('get', '/v1/qa/calls/:call/comments', { scope: READ, params: ['call'] }, async ({ reply, who, params }) => {
    sendJson(reply, 200, await comments.list(who, params[0]!));
  });
  route('post', '/v1/qa/calls/:call/comments', { scope: QA_OR_OWN, params: ['call'] }, async ({ reply, who, params, body }) => {
    sendJson(reply, 201, await comments.create(who, params[0]!, await commentBody(body)));
  });
  route('del', '/v1/qa/comments/:id', { scope: QA_OR_OWN, params: ['id'] }, async ({ reply, who, params }) => {
    await comments.delete(who, params[0]!);
    send(reply, 204, '');
  });

  // ---- calibration ----
  route('post', '/v1/qa/calibrations', { scope: QA }, async ({ reply, who, body }) => {
    sendJson(reply, 201, await calibrations.create(who, await calibrationBody(body)));
  });
  route('get', '/v1/qa/calibrations', { scope: QA }, async ({ reply }) => {
    sendJson(reply, 200, await calibrations.list());
  });
  route('get', '/v1/qa/calibrations/:id', { scope: QA, params: ['id'] }, async ({ reply, who, params }) => {
    sendJson(reply, 200, await calibrations.result(who, params[0]!));
  });
  route('post', '/v1/qa/calibrations/:id/close', { scope: QA, params: ['id'] }, async ({ reply, who, params }) => {
    sendJson(reply, 200, await calibrations.close(who, params[0]!));
  });
}
