/**
 * The comparison of a calibration session (pure): per question, each submitted evaluator's
 * earned percent of the question, the reference's (the scoring index), the spread, the mean
 * deviation from the reference and the share of evaluators who gave the reference's answer
 * (flagged below 80%); per evaluator, the total and its deviation from the reference total.
 */
import { earnedPoints } from '../../../schemas/qa-score.ts';
import type { Answer, Calibration, CalibrationResult, Evaluation, Scorecard } from '../../../schemas/qa.ts';

/** Agreement below this flags a question. */
export const AGREEMENT_FLAG = 0.8;

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The answer as compared for agreement: N/A, a value, or nothing. */
const answerKey = (a: Answer | undefined): string => (a === undefined ? 'none' : a.na ? 'na' : a.value === null ? 'none' : `v${a.value}`);

export function calibrationResult(session: Calibration, card: Scorecard, evaluations: readonly Evaluation[]): CalibrationResult {
  const byEvaluator = new Map<string, Evaluation>();
  for (const ev of evaluations) {
    if (ev.status === 'draft') continue;
    const prev = byEvaluator.get(ev.evaluator);
    if (!prev || prev.created_at < ev.created_at) byEvaluator.set(ev.evaluator, ev);
  }
  const submitted = session.evaluators.filter((e) => byEvaluator.has(e));
  const ref = byEvaluator.get(session.reference);
  const others = submitted.filter((e) => e !== session.reference);

  const questions: CalibrationResult['questions'] = [];
  for (const section of card.sections) {
    for (const q of section.questions) {
      const scores: Record<string, number | null> = {};
      for (const e of submitted) {
        const a = byEvaluator.get(e)!.answers[q.id];
        scores[e] = !a || a.na || a.value === null || q.points <= 0 ? null : round((earnedPoints(q, a.value) / q.points) * 100);
      }
      const reference = ref ? (scores[session.reference] ?? null) : null;
      const values = Object.values(scores).filter((v): v is number => v !== null);
      const spread = values.length > 0 ? round(Math.max(...values) - Math.min(...values)) : null;
      const diffs = reference === null ? [] : others.map((e) => scores[e]).filter((v): v is number => v !== null && v !== undefined).map((v) => Math.abs(v - reference));
      const deviation = diffs.length > 0 ? round(diffs.reduce((s, d) => s + d, 0) / diffs.length) : null;
      const refKey = ref ? answerKey(ref.answers[q.id]) : null;
      const agreement = refKey === null || others.length === 0 ? null : round(others.filter((e) => answerKey(byEvaluator.get(e)!.answers[q.id]) === refKey).length / others.length, 4);
      questions.push({ question: q.id, section: section.id, scores, reference, spread, deviation, agreement, flagged: agreement !== null && agreement < AGREEMENT_FLAG });
    }
  }

  const totals: Record<string, number | null> = {};
  for (const e of submitted) totals[e] = byEvaluator.get(e)!.score.total;
  const refTotal = ref?.score.total ?? null;
  const deviation: Record<string, number | null> = {};
  for (const e of submitted) {
    const t = totals[e] ?? null;
    deviation[e] = t === null || refTotal === null ? null : round(Math.abs(t - refTotal));
  }
  return { session, submitted, questions, totals, deviation };
}
