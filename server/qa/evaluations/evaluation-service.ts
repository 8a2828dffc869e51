/**
 * Evaluations and their lifecycle (schemas/qa.ts EvaluationActionBody): draft → submit →
 * acknowledge, or dispute → rescore / uphold → acknowledge or dispute again. Every save and
 * step is a new version row of qa_evaluations (nothing is updated in place), carrying the
 * score of its answers (schemas/qa-score.ts, the one formula) and an audit entry.
 */
import type { Principal } from '../../../platform/auth.ts';
import { answerProblem, isMiss, scoreEvaluation, type ScoreResult } from '../../../schemas/qa-score.ts';
import {
  EVALUATION_STATUSES,
  type Answer,
  type Evaluation,
  type EvaluationAction,
  type EvaluationStatus,
  type EvaluationStep,
  type Scorecard,
} from '../../../schemas/qa.ts';
import { TABLES } from '../../../schemas/tables.ts';
import { latestCalibrations } from '../calibration/queries/latest-calibrations.ts';
import type { QaDeps } from '../deps.ts';
import { callAgents } from '../queries/call-agents.ts';
import type { ScorecardService } from '../scorecards/scorecard-service.ts';
import { isAdmin, isOwn, isQa, readsAll } from './access.ts';
import { evaluationVersions, type EvaluationRow } from './queries/evaluation-versions.ts';
import { listEvaluations, type EvaluationFilter } from './queries/list-evaluations.ts';
import { newId, QaInputError, Serial } from './qa-input-error.ts';

/** An agent may dispute an evaluation at most this many times… */
export const MAX_DISPUTES = 5;
/** …and only this long after it was first submitted. */
export const DISPUTE_WINDOW_MS = 45 * 86_400_000;
const AGENT_FROM: readonly EvaluationStatus[] = ['submitted', 'rescored', 'upheld'];

export interface EvaluationQuery {
  call?: string | undefined;
  agent?: string | undefined;
  evaluator?: string | undefined;
  statuses?: string[] | undefined;
  from?: number | undefined;
  to?: number | undefined;
  calibration?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export class EvaluationService {
  private readonly writes = new Serial();

  constructor(
    private readonly deps: QaDeps,
    private readonly scorecards: ScorecardService,
    private readonly now: () => number = Date.now,
  ) {}

  // ---- reads ----

  /** The evaluations the caller may see that match (current versions, newest first; no history). */
  async list(who: Principal, q: EvaluationQuery): Promise<Evaluation[]> {
    for (const s of q.statuses ?? []) {
      if (!(EVALUATION_STATUSES as readonly string[]).includes(s)) throw new QaInputError(`status: must be one of ${EVALUATION_STATUSES.join(', ')} (got ${JSON.stringify(s)})`);
    }
    const all = readsAll(who);
    const f: EvaluationFilter = {
      call: q.call ?? '',
      agent: q.agent ?? '',
      evaluator: q.evaluator ?? '',
      statuses: q.statuses ?? [],
      from: q.from ?? 0,
      to: q.to ?? Date.UTC(2300, 0, 1),
      calibrationMode: q.calibration ? 'one' : all && isQa(who) ? 'any' : 'none',
      calibrationId: q.calibration ?? '',
      ownAgent: all ? '' : who.name,
      blind: all ? await this.blindSessions(who) : [],
      me: who.name,
      limit: q.limit ?? 100,
      offset: q.offset ?? 0,
    };
    return this.fromRows(await listEvaluations(this.deps.store, f));
  }

  /** One evaluation with its history; 404 when unknown or not visible to the caller. */
  async get(who: Principal, id: string): Promise<Evaluation> {
    const { rows } = await this.visible(who, id);
    const cards = await this.scorecards.versionsOf(rows.map(refOf));
    const ev = toEvaluation(rows.at(-1)!, cards);
    return { ...ev, history: rows.map(stepOf) };
  }

  /**
   * Calibration sessions whose evaluations the caller may not see yet: it is one of the
   * session's evaluators, did not create it, is not an admin, and has not submitted its own.
   */
  async blindSessions(who: Principal): Promise<string[]> {
    if (isAdmin(who)) return [];
    const sessions = (await latestCalibrations(this.deps.store)).filter((s) => s.evaluators.includes(who.name) && s.created_by !== who.name);
    if (sessions.length === 0) return [];
    const mine = await this.submittedCalibrations(who.name);
    return sessions.filter((s) => !mine.has(s.id)).map((s) => s.id);
  }

  /** Sessions in which `evaluator` has submitted its calibration evaluation. */
  async submittedCalibrations(evaluator: string): Promise<Set<string>> {
    const rows = await listEvaluations(this.deps.store, {
      ...this.anyFilter(),
      evaluator,
      calibrationMode: 'any',
      statuses: EVALUATION_STATUSES.filter((s) => s !== 'draft'),
    });
    return new Set(rows.map((r) => r.calibration).filter((c) => c !== ''));
  }

  /** Every current evaluation of a calibration session (no visibility rules: the caller checks them). */
  async ofCalibration(calibration: string): Promise<Evaluation[]> {
    return this.fromRows(await listEvaluations(this.deps.store, { ...this.anyFilter(), calibrationMode: 'one', calibrationId: calibration, limit: 10_000 }));
  }

  // ---- changes ----

  /** A draft on a call, scored with the scorecard's current version; the evaluator is the caller. */
  async create(who: Principal, body: { call: string; scorecard: string; calibration?: string | undefined }): Promise<Evaluation> {
    const card = await this.scorecards.current(body.scorecard);
    if (!card) throw new QaInputError(`scorecard: no scorecard ${JSON.stringify(body.scorecard)}`, 404);
    if (card.archived) throw new QaInputError(`scorecard: ${JSON.stringify(body.scorecard)} is archived`, 404);
    const handled = (await callAgents(this.deps.store, [body.call])).get(body.call);
    if (!handled) throw new QaInputError(`call: no events for ${JSON.stringify(body.call)}`, 404);
    if (handled.agent === '') throw new QaInputError(`call: no agent answered ${JSON.stringify(body.call)}, so there is nobody to evaluate`, 409);
    const calibration = body.calibration ?? '';
    return this.writes.run(async () => {
      if (calibration !== '') {
        const session = (await latestCalibrations(this.deps.store, [calibration]))[0];
        if (!session) throw new QaInputError(`calibration: no calibration session ${JSON.stringify(calibration)}`, 404);
        if (session.status !== 'open') throw new QaInputError(`calibration: session ${JSON.stringify(calibration)} is ${session.status}`, 409);
        if (session.call !== body.call) throw new QaInputError(`call: calibration session ${JSON.stringify(calibration)} is about call ${JSON.stringify(session.call)}`);
        if (session.scorecard !== body.scorecard) throw new QaInputError(`scorecard: calibration session ${JSON.stringify(calibration)} uses scorecard ${JSON.stringify(session.scorecard)}`);
        if (!session.evaluators.includes(who.name)) throw new QaInputError(`calibration: ${who.name} is not an evaluator of session ${JSON.stringify(calibration)}`, 409);
        const mine = await listEvaluations(this.deps.store, { ...this.anyFilter(), evaluator: who.name, calibrationMode: 'one', calibrationId: calibration });
        if (mine.length > 0) throw new QaInputError(`calibration: ${who.name} already has evaluation ${mine[0]!.id} in session ${JSON.stringify(calibration)}`, 409);
      }
      const at = this.now();
      const ev: Evaluation = {
        id: newId(),
        call: body.call,
        agent: handled.agent,
        queue: handled.queue,
        scorecard: card.id,
        scorecard_version: card.version,
        evaluator: who.name,
        status: 'draft',
        calibration: calibration === '' ? null : calibration,
        answers: {},
        comment: '',
        score: scoreEvaluation(card.sections, {}),
        passed: null,
        disputes: 0,
        call_at: handled.started_at,
        created_at: at,
        submitted_at: null,
        version: 1,
        updated_at: at,
        updated_by: who.name,
      };
      await this.write(ev, card, 'create', '');
      await this.deps.audit(who.name, 'qa_evaluation_created', ev.id, `call ${ev.call}; agent ${ev.agent}; scorecard ${card.id} v${card.version}${calibration ? `; calibration ${calibration}` : ''}`);
      return ev;
    });
  }

  /** Saves the answers (all of them: the body replaces the previous set), in draft or disputed. */
  async saveAnswers(who: Principal, id: string, body: { answers: Record<string, Answer>; comment?: string | undefined }): Promise<Evaluation> {
    return this.writes.run(async () => {
      const { cur, card } = await this.current(who, id);
      if (cur.evaluator !== who.name && !isAdmin(who)) throw new QaInputError(`evaluator: only ${cur.evaluator} (or an admin) may change this evaluation`, 403);
      if (cur.status !== 'draft' && cur.status !== 'disputed') throw new QaInputError(`status: the evaluation is ${cur.status}; answers change only in draft or disputed`, 409);
      const questions = new Map(card.sections.flatMap((s) => s.questions.map((q) => [q.id, q] as const)));
      for (const [qid, a] of Object.entries(body.answers)) {
        const q = questions.get(qid);
        if (!q) throw new QaInputError(`answers.${qid}: no such question in scorecard ${card.id} v${card.version}`);
        const problem = answerProblem(q, a);
        if (problem) throw new QaInputError(`answers.${qid}: ${problem}`);
      }
      const next = this.next(cur, card, who, { answers: body.answers, comment: body.comment ?? cur.comment });
      await this.write(next, card, 'save', '');
      await this.deps.audit(who.name, 'qa_evaluation_saved', id, `version ${next.version}; ${Object.keys(body.answers).length} answers; total ${next.score.total ?? '-'}`);
      return next;
    });
  }

  /** One lifecycle step (schemas/qa.ts EvaluationActionBody). */
  async act(who: Principal, id: string, body: { action: EvaluationAction; comment?: string | undefined; reviewed?: boolean | undefined }): Promise<Evaluation> {
    return this.writes.run(async () => {
      const { cur, card } = await this.current(who, id);
      const comment = (body.comment ?? '').trim();
      const from = (allowed: readonly EvaluationStatus[]) => {
        if (!allowed.includes(cur.status)) throw new QaInputError(`status: the evaluation is ${cur.status}; ${body.action} needs ${allowed.join(' or ')}`, 409);
      };
      const asAgent = () => {
        if (!(isOwn(who) && who.name === cur.agent)) throw new QaInputError(`agent: only the evaluated agent (${cur.agent}) may ${body.action}`, 403);
        if (cur.calibration) throw new QaInputError(`calibration: a calibration evaluation is not shown to the agent`, 409);
      };
      const complete = () => {
        if (cur.score.unanswered.length > 0) throw new QaInputError(`answers: unanswered questions: ${cur.score.unanswered.join(', ')}`, 409);
        const missing = missedWithoutComment(card, cur.answers);
        if (missing.length > 0) {
          const more = missing.length > 1 ? ` (also ${missing.slice(1).join(', ')})` : '';
          throw new QaInputError(`answers.${missing[0]}.comment: a missed answer to this question needs a comment${more}`, 409);
        }
      };
      let status: EvaluationStatus;
      let changes: Partial<Evaluation> = {};
      switch (body.action) {
        case 'submit':
          if (cur.evaluator !== who.name) throw new QaInputError(`evaluator: only ${cur.evaluator} may submit this evaluation`, 403);
          from(['draft']);
          complete();
          status = 'submitted';
          changes = { submitted_at: this.now() };
          break;
        case 'acknowledge':
          asAgent();
          from(AGENT_FROM);
          if (body.reviewed !== true) throw new QaInputError('reviewed: must be true (tick "I have reviewed")');
          status = 'acknowledged';
          break;
        case 'dispute':
          asAgent();
          from(AGENT_FROM);
          if (comment === '') throw new QaInputError('comment: a dispute needs a comment');
          if (cur.disputes >= MAX_DISPUTES) throw new QaInputError(`disputes: this evaluation was already disputed ${cur.disputes} times (at most ${MAX_DISPUTES})`, 409);
          if (cur.submitted_at !== null && this.now() - cur.submitted_at > DISPUTE_WINDOW_MS) throw new QaInputError('submitted_at: disputes are accepted within 45 days of submission', 409);
          status = 'disputed';
          changes = { disputes: cur.disputes + 1 };
          break;
        case 'rescore':
        case 'uphold':
          if (!(isQa(who) || cur.evaluator === who.name)) throw new QaInputError(`evaluator: only the evaluator or QA staff may ${body.action}`, 403);
          from(['disputed']);
          if (body.action === 'rescore') {
            complete();
            status = 'rescored';
          } else {
            if (comment === '') throw new QaInputError('comment: upholding a score needs a comment');
            status = 'upheld';
          }
          break;
      }
      const next = this.next(cur, card, who, { ...changes, status });
      await this.write(next, card, body.action, comment);
      await this.deps.audit(who.name, `qa_evaluation_${body.action}`, id, `${cur.status} → ${status}; version ${next.version}; total ${next.score.total ?? '-'}${comment ? `; ${comment.slice(0, 500)}` : ''}`);
      return next;
    });
  }

  // ---- internals ----

  private anyFilter(): EvaluationFilter {
    return { call: '', agent: '', evaluator: '', statuses: [], from: 0, to: Date.UTC(2300, 0, 1), calibrationMode: 'none', calibrationId: '', ownAgent: '', blind: [], me: '', limit: 1000, offset: 0 };
  }

  /** Every version of `id` if the caller may see it, else 404 (never 403: ids do not leak). */
  private async visible(who: Principal, id: string): Promise<{ rows: EvaluationRow[] }> {
    const rows = await evaluationVersions(this.deps.store, id);
    const last = rows.at(-1);
    const notFound = new QaInputError(`evaluation: no evaluation ${JSON.stringify(id)}`, 404);
    if (!last) throw notFound;
    if (readsAll(who)) {
      if (last.calibration !== '' && last.evaluator !== who.name && (await this.blindSessions(who)).includes(last.calibration)) throw notFound;
      return { rows };
    }
    if (isOwn(who) && last.agent === who.name && last.status !== 'draft' && last.calibration === '') return { rows };
    throw notFound;
  }

  private async current(who: Principal, id: string): Promise<{ cur: Evaluation; card: Scorecard }> {
    const { rows } = await this.visible(who, id);
    const last = rows.at(-1)!;
    const card = await this.scorecards.version(last.scorecard, Number(last.scorecard_version));
    if (!card) throw new Error(`evaluation ${id}: scorecard ${last.scorecard} v${last.scorecard_version} is missing`);
    const cards = new Map([[`${card.id}@${card.version}`, card]]);
    return { cur: toEvaluation(last, cards), card };
  }

  private next(cur: Evaluation, card: Scorecard, who: Principal, changes: Partial<Evaluation>): Evaluation {
    const ev: Evaluation = { ...cur, ...changes, version: cur.version + 1, updated_at: this.now(), updated_by: who.name };
    ev.score = scoreEvaluation(card.sections, ev.answers);
    ev.passed = ev.score.total === null ? null : ev.score.total >= card.pass_mark;
    return ev;
  }

  private async write(ev: Evaluation, card: Scorecard, action: EvaluationStep['action'], actionComment: string): Promise<void> {
    ev.score = scoreEvaluation(card.sections, ev.answers);
    ev.passed = ev.score.total === null ? null : ev.score.total >= card.pass_mark;
    await this.deps.store.insertRows(TABLES.qaEvaluations, [
      {
        id: ev.id,
        call: ev.call,
        agent: ev.agent,
        queue: ev.queue,
        scorecard: ev.scorecard,
        scorecard_version: ev.scorecard_version,
        evaluator: ev.evaluator,
        status: ev.status,
        action,
        action_comment: actionComment,
        calibration: ev.calibration ?? '',
        answers: JSON.stringify(ev.answers),
        comment: ev.comment,
        total: ev.score.total,
        raw_total: ev.score.raw_total,
        auto_fail: ev.score.auto_fail ? 1 : 0,
        passed: ev.passed === null ? null : ev.passed ? 1 : 0,
        section_scores: JSON.stringify(ev.score.sections),
        disputes: ev.disputes,
        call_at: ev.call_at,
        created_at: ev.created_at,
        submitted_at: ev.submitted_at,
        version: ev.version,
        updated_at: ev.updated_at,
        updated_by: ev.updated_by,
      },
    ]);
  }

  private async fromRows(rows: EvaluationRow[]): Promise<Evaluation[]> {
    const cards = await this.scorecards.versionsOf(rows.map(refOf));
    return rows.map((r) => toEvaluation(r, cards));
  }
}

const refOf = (r: EvaluationRow) => ({ scorecard: r.scorecard, scorecard_version: Number(r.scorecard_version) });
const num = (v: number | string | null) => (v === null ? null : Number(v));

/** `comment_required` questions answered as a miss (no, any error, nothing earned) without an answer comment. */
function missedWithoutComment(card: Scorecard, answers: Record<string, Answer>): string[] {
  const out: string[] = [];
  for (const q of card.sections.flatMap((s) => s.questions)) {
    const a = answers[q.id];
    if (!q.comment_required || !a || a.na || a.value === null) continue;
    const missed = isMiss(q, a.value);
    if (missed && !(a.comment ?? '').trim()) out.push(q.id);
  }
  return out;
}

function toEvaluation(r: EvaluationRow, cards: ReadonlyMap<string, Scorecard>): Evaluation {
  const answers = JSON.parse(r.answers) as Record<string, Answer>;
  const card = cards.get(`${r.scorecard}@${Number(r.scorecard_version)}`);
  const score: ScoreResult = card
    ? scoreEvaluation(card.sections, answers)
    : { total: num(r.total), raw_total: num(r.raw_total), auto_fail: Number(r.auto_fail) === 1, critical_missed: [], sections: JSON.parse(r.section_scores || '[]'), unanswered: [] };
  return {
    id: r.id,
    call: r.call,
    agent: r.agent,
    queue: r.queue,
    scorecard: r.scorecard,
    scorecard_version: Number(r.scorecard_version),
    evaluator: r.evaluator,
    status: r.status as EvaluationStatus,
    calibration: r.calibration === '' ? null : r.calibration,
    answers,
    comment: r.comment,
    score,
    passed: r.passed === null ? null : Number(r.passed) === 1,
    disputes: Number(r.disputes),
    call_at: Number(r.call_at),
    created_at: Number(r.created_at),
    submitted_at: num(r.submitted_at),
    version: Number(r.version),
    updated_at: Number(r.updated_at),
    updated_by: r.updated_by,
  };
}

function stepOf(r: EvaluationRow): EvaluationStep {
  return {
    version: Number(r.version),
    status: r.status as EvaluationStatus,
    action: r.action as EvaluationStep['action'],
    by: r.updated_by,
    at: Number(r.updated_at),
    comment: r.action_comment,
    total: num(r.total),
    auto_fail: Number(r.auto_fail) === 1,
  };
}
