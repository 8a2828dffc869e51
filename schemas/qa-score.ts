/**
 * The QA scoring formula: one definition, used by the server when an evaluation is saved and
 * by the QA app to score as the evaluator answers. Pure and dependency-free, so the apps may
 * import it (the only value the apps take from schemas/).
 *
 * - A question's earned points: yes/no → yes = `points`, no = 0; scale 1…`scale_max` →
 *   `points` × (value − 1) ÷ (`scale_max` − 1); points → the value given (0…`points`);
 *   errors → max(0, `points` − count × `per_error`).
 * - N/A (allowed only where `na_allowed`) leaves the question out of numerator and denominator.
 * - A section's percent = Σ earned ÷ Σ possible of its answered questions; a section with
 *   nothing answerable (all N/A) drops out.
 * - Total = Σ (section weight × section percent) ÷ Σ weights of the sections that count, 0–100.
 * - A critical question missed (yes/no answered no, errors count ≥ 1, scale or points at 0)
 *   fails the whole evaluation: `auto_fail`, total 0.
 */

export type QuestionKind = 'yes_no' | 'scale' | 'points' | 'errors';

export interface ScoreQuestion {
  id: string;
  kind: QuestionKind;
  /** the most a question can earn (yes_no, scale, points) or its starting points (errors) */
  points: number;
  /** scale questions: the top of the 1…scale_max scale */
  scale_max?: number;
  /** errors questions: points taken off per error */
  per_error?: number;
  na_allowed: boolean;
  /** missing it fails the whole evaluation */
  critical: boolean;
}

export interface ScoreSection {
  id: string;
  weight: number;
  questions: ScoreQuestion[];
}

/** One answer: `value` (yes_no 1/0, scale 1…max, points 0…points, errors a count), or N/A. */
export interface AnswerValue {
  value: number | null;
  na?: boolean;
}

export interface SectionScore {
  id: string;
  earned: number;
  possible: number;
  /** 0–100, null when the whole section is N/A */
  percent: number | null;
}

export interface ScoreResult {
  /** 0–100 (0 on auto-fail); null when nothing is answerable yet */
  total: number | null;
  /** total before a critical miss set it to 0 */
  raw_total: number | null;
  auto_fail: boolean;
  /** question ids of the critical misses */
  critical_missed: string[];
  sections: SectionScore[];
  /** required questions (not N/A) still without an answer */
  unanswered: string[];
}

/** The formula as shown next to the score; the app translates it by this key. */
export const SCORE_FORMULA_KEY = 'qa.formula';
export const SCORE_FORMULA_EN =
  'Score = Σ(section weight × section %) ÷ Σ weights; section % = earned ÷ possible points; N/A is left out; a missed critical question sets the score to 0.';

/** Why an answer does not fit its question, or null when it does. */
export function answerProblem(q: ScoreQuestion, a: AnswerValue): string | null {
  if (a.na) return q.na_allowed ? null : 'N/A is not allowed for this question';
  const v = a.value;
  if (v === null) return null;
  if (!Number.isFinite(v)) return 'must be a number';
  switch (q.kind) {
    case 'yes_no':
      return v === 0 || v === 1 ? null : 'must be 1 (yes) or 0 (no)';
    case 'scale': {
      const max = q.scale_max ?? 5;
      return Number.isInteger(v) && v >= 1 && v <= max ? null : `must be an integer from 1 to ${max}`;
    }
    case 'points':
      return v >= 0 && v <= q.points ? null : `must be from 0 to ${q.points}`;
    case 'errors':
      return Number.isInteger(v) && v >= 0 && v <= 999 ? null : 'must be a whole number of errors from 0 to 999';
  }
}

/** Earned points of an answered question (not N/A, value present). */
export function earnedPoints(q: ScoreQuestion, v: number): number {
  switch (q.kind) {
    case 'yes_no':
      return v === 1 ? q.points : 0;
    case 'scale': {
      const max = q.scale_max ?? 5;
      return max <= 1 ? q.points : (q.points * (v - 1)) / (max - 1);
    }
    case 'points':
      return Math.min(q.points, Math.max(0, v));
    case 'errors':
      return Math.max(0, q.points - v * (q.per_error ?? 1));
  }
}

/** A question is missed when its answer earned nothing or (errors) any error was counted: critical misses fail the evaluation, and a missed `comment_required` question needs a comment. */
export function isMiss(q: ScoreQuestion, v: number): boolean {
  return q.kind === 'errors' ? v >= 1 : earnedPoints(q, v) <= 0;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Scores answers against a scorecard's sections (see the module comment for the formula). */
export function scoreEvaluation(sections: readonly ScoreSection[], answers: Readonly<Record<string, AnswerValue | undefined>>): ScoreResult {
  const out: SectionScore[] = [];
  const unanswered: string[] = [];
  const critical_missed: string[] = [];
  let weighted = 0;
  let weights = 0;
  for (const s of sections) {
    let earned = 0;
    let possible = 0;
    for (const q of s.questions) {
      const a = answers[q.id];
      if (a?.na && q.na_allowed) continue;
      if (!a || a.value === null || answerProblem(q, a) !== null) {
        unanswered.push(q.id);
        continue;
      }
      earned += earnedPoints(q, a.value);
      possible += q.points;
      if (q.critical && isMiss(q, a.value)) critical_missed.push(q.id);
    }
    const percent = possible > 0 ? (earned / possible) * 100 : null;
    out.push({ id: s.id, earned: round2(earned), possible: round2(possible), percent: percent === null ? null : round2(percent) });
    if (percent !== null && s.weight > 0) {
      weighted += s.weight * percent;
      weights += s.weight;
    }
  }
  const raw_total = weights > 0 ? round2(weighted / weights) : null;
  const auto_fail = critical_missed.length > 0;
  return { total: auto_fail ? 0 : raw_total, raw_total, auto_fail, critical_missed, sections: out, unanswered };
}
