/**
 * Calibration sessions (qa_calibrations, append-only versions): evaluators score the same call
 * blind with the same scorecard; the reference's evaluation is the scoring index. Their
 * evaluations are ordinary evaluation rows with `calibration` set (kept out of agent views and
 * agent results).
 */
import type { Principal } from '../../../platform/auth.ts';
import type { Calibration, CalibrationResult } from '../../../schemas/qa.ts';
import { TABLES } from '../../../schemas/tables.ts';
import type { QaDeps } from '../deps.ts';
import { isAdmin } from '../evaluations/access.ts';
import type { EvaluationService } from '../evaluations/evaluation-service.ts';
import { newId, QaInputError, Serial } from '../evaluations/qa-input-error.ts';
import { callAgents } from '../queries/call-agents.ts';
import type { ScorecardService } from '../scorecards/scorecard-service.ts';
import { calibrationResult } from './calibration-result.ts';
import { latestCalibrations, type CalibrationRow } from './queries/latest-calibrations.ts';

export interface CalibrationInput {
  call: string;
  scorecard: string;
  reference: string;
  evaluators: string[];
  note?: string | undefined;
}

export class CalibrationService {
  private readonly writes = new Serial();

  constructor(
    private readonly deps: QaDeps,
    private readonly scorecards: ScorecardService,
    private readonly evaluations: EvaluationService,
    private readonly now: () => number = Date.now,
  ) {}

  async create(who: Principal, body: CalibrationInput): Promise<Calibration> {
    const card = await this.scorecards.current(body.scorecard);
    if (!card || card.archived) throw new QaInputError(`scorecard: no scorecard ${JSON.stringify(body.scorecard)}${card ? ' (archived)' : ''}`, 404);
    const handled = (await callAgents(this.deps.store, [body.call])).get(body.call);
    if (!handled) throw new QaInputError(`call: no events for ${JSON.stringify(body.call)}`, 404);
    if (handled.agent === '') throw new QaInputError(`call: no agent answered ${JSON.stringify(body.call)}`, 409);
    const evaluators = [...new Set(body.evaluators)];
    if (!evaluators.includes(body.reference)) evaluators.push(body.reference);
    const at = this.now();
    const c: Calibration = {
      id: newId(),
      call: body.call,
      scorecard: body.scorecard,
      reference: body.reference,
      evaluators,
      note: body.note ?? '',
      status: 'open',
      created_by: who.name,
      created_at: at,
      version: 1,
    };
    await this.insert(c, at, who.name);
    await this.deps.audit(who.name, 'qa_calibration_created', c.id, `call ${c.call}; scorecard ${c.scorecard}; reference ${c.reference}; evaluators ${evaluators.join(', ')}`);
    return c;
  }

  /** Every session, newest first. */
  async list(): Promise<Calibration[]> {
    return (await latestCalibrations(this.deps.store)).map(fromRow).sort((a, b) => b.created_at - a.created_at);
  }

  /** The comparison; 409 for an evaluator of the session who has not submitted its own evaluation (blind). */
  async result(who: Principal, id: string): Promise<CalibrationResult> {
    const session = await this.session(id);
    const blind = session.evaluators.includes(who.name) && session.created_by !== who.name && !isAdmin(who);
    if (blind && !(await this.evaluations.submittedCalibrations(who.name)).has(id)) throw new QaInputError('calibration: submit your own evaluation first', 409);
    const evaluations = await this.evaluations.ofCalibration(id);
    const submitted = evaluations.filter((e) => e.status !== 'draft');
    const ref = submitted.find((e) => e.evaluator === session.reference) ?? submitted[0];
    const card = ref ? await this.scorecards.version(ref.scorecard, ref.scorecard_version) : await this.scorecards.current(session.scorecard);
    if (!card) throw new QaInputError(`scorecard: no scorecard ${JSON.stringify(session.scorecard)}`, 404);
    return calibrationResult(session, card, submitted);
  }

  async close(who: Principal, id: string): Promise<Calibration> {
    return this.writes.run(async () => {
      const session = await this.session(id);
      if (session.status !== 'open') throw new QaInputError(`status: the session is ${session.status}`, 409);
      const at = this.now();
      const closed: Calibration = { ...session, status: 'closed', version: session.version + 1 };
      await this.insert(closed, at, who.name);
      await this.deps.audit(who.name, 'qa_calibration_closed', id, `version ${closed.version}`);
      return closed;
    });
  }

  private async session(id: string): Promise<Calibration> {
    const row = (await latestCalibrations(this.deps.store, [id]))[0];
    if (!row) throw new QaInputError(`calibration: no calibration session ${JSON.stringify(id)}`, 404);
    return fromRow(row);
  }

  private insert(c: Calibration, at: number, by: string): Promise<void> {
    return this.deps.store.insertRows(TABLES.qaCalibrations, [
      {
        id: c.id,
        call: c.call,
        scorecard: c.scorecard,
        reference: c.reference,
        evaluators: c.evaluators,
        note: c.note ?? '',
        status: c.status,
        created_by: c.created_by,
        created_at: c.created_at,
        version: c.version,
        updated_at: at,
        updated_by: by,
      },
    ]);
  }
}

function fromRow(r: CalibrationRow): Calibration {
  return {
    id: r.id,
    call: r.call,
    scorecard: r.scorecard,
    reference: r.reference,
    evaluators: r.evaluators,
    note: r.note,
    status: r.status === 'closed' ? 'closed' : 'open',
    created_by: r.created_by,
    created_at: Number(r.created_at),
    version: Number(r.version),
  };
}
