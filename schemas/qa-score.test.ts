import { describe, expect, it } from 'vitest';
import { answerProblem, earnedPoints, scoreEvaluation, type ScoreQuestion, type ScoreSection } from './qa-score.ts';

const yn = (id: string, extra: Partial<ScoreQuestion> = {}): ScoreQuestion => ({ id, kind: 'yes_no', points: 10, na_allowed: false, critical: false, ...extra });
const scale = (id: string, max = 5, points = 10): ScoreQuestion => ({ id, kind: 'scale', points, scale_max: max, na_allowed: false, critical: false });
const errors = (id: string, points: number, per: number, critical = false): ScoreQuestion => ({ id, kind: 'errors', points, per_error: per, na_allowed: false, critical });
const pts = (id: string, points: number): ScoreQuestion => ({ id, kind: 'points', points, na_allowed: false, critical: false });

describe('scoreEvaluation', () => {
  it('weights sections: Σ(weight × section %) ÷ Σ weights', () => {
    const sections: ScoreSection[] = [
      { id: 'a', weight: 3, questions: [yn('a1'), yn('a2')] },
      { id: 'b', weight: 1, questions: [yn('b1')] },
    ];
    // a: 10/20 = 50%, b: 100% → (3×50 + 1×100) / 4 = 62.5
    const r = scoreEvaluation(sections, { a1: { value: 1 }, a2: { value: 0 }, b1: { value: 1 } });
    expect(r.sections).toEqual([
      { id: 'a', earned: 10, possible: 20, percent: 50 },
      { id: 'b', earned: 10, possible: 10, percent: 100 },
    ]);
    expect(r.total).toBe(62.5);
    expect(r.raw_total).toBe(62.5);
    expect(r.auto_fail).toBe(false);
    expect(r.unanswered).toEqual([]);
  });

  it('leaves N/A out of numerator and denominator', () => {
    const sections: ScoreSection[] = [{ id: 'a', weight: 1, questions: [yn('a1'), yn('a2', { na_allowed: true }), yn('a3')] }];
    const r = scoreEvaluation(sections, { a1: { value: 1 }, a2: { value: null, na: true }, a3: { value: 0 } });
    expect(r.sections[0]).toEqual({ id: 'a', earned: 10, possible: 20, percent: 50 });
    expect(r.total).toBe(50);
    // N/A on a question that does not allow it is not an answer
    const bad = scoreEvaluation(sections, { a1: { value: 1, na: true }, a2: { value: 1 }, a3: { value: 1 } });
    expect(bad.unanswered).toEqual(['a1']);
  });

  it('drops a section whose questions are all N/A', () => {
    const sections: ScoreSection[] = [
      { id: 'a', weight: 1, questions: [yn('a1')] },
      { id: 'b', weight: 9, questions: [yn('b1', { na_allowed: true })] },
    ];
    const r = scoreEvaluation(sections, { a1: { value: 1 }, b1: { value: null, na: true } });
    expect(r.sections[1]).toEqual({ id: 'b', earned: 0, possible: 0, percent: null });
    expect(r.total).toBe(100);
  });

  it('a critical miss is an auto-fail: total 0, raw_total kept', () => {
    const sections: ScoreSection[] = [{ id: 'a', weight: 1, questions: [yn('a1'), yn('a2'), yn('a3', { critical: true })] }];
    const r = scoreEvaluation(sections, { a1: { value: 1 }, a2: { value: 1 }, a3: { value: 0 } });
    expect(r.auto_fail).toBe(true);
    expect(r.critical_missed).toEqual(['a3']);
    expect(r.total).toBe(0);
    expect(r.raw_total).toBe(66.67);
    const ok = scoreEvaluation(sections, { a1: { value: 1 }, a2: { value: 1 }, a3: { value: 1 } });
    expect(ok).toMatchObject({ auto_fail: false, total: 100, critical_missed: [] });
  });

  it('critical errors question: one error fails, none passes', () => {
    const sections: ScoreSection[] = [{ id: 's', weight: 1, questions: [errors('minor', 10, 2), errors('severe', 10, 10, true)] }];
    expect(scoreEvaluation(sections, { minor: { value: 1 }, severe: { value: 1 } })).toMatchObject({ auto_fail: true, total: 0, raw_total: 40 });
    expect(scoreEvaluation(sections, { minor: { value: 1 }, severe: { value: 0 } })).toMatchObject({ auto_fail: false, total: 90 });
  });

  it('scale and errors maths', () => {
    expect(earnedPoints(scale('s', 5), 1)).toBe(0);
    expect(earnedPoints(scale('s', 5), 3)).toBe(5);
    expect(earnedPoints(scale('s', 5), 5)).toBe(10);
    expect(earnedPoints(scale('s', 3, 6), 2)).toBe(3);
    expect(earnedPoints(errors('e', 10, 2), 0)).toBe(10);
    expect(earnedPoints(errors('e', 10, 2), 3)).toBe(4);
    expect(earnedPoints(errors('e', 10, 5), 3)).toBe(0); // never below 0
    expect(earnedPoints(pts('p', 8), 6)).toBe(6);
    const r = scoreEvaluation([{ id: 'x', weight: 1, questions: [scale('s', 5), errors('e', 10, 2)] }], { s: { value: 4 }, e: { value: 2 } });
    // (7.5 + 6) / 20 = 67.5%
    expect(r.total).toBe(67.5);
  });

  it('lists unanswered questions (null values, missing, invalid), N/A ones excepted', () => {
    const sections: ScoreSection[] = [{ id: 'a', weight: 1, questions: [yn('a1'), yn('a2'), yn('a3', { na_allowed: true }), scale('a4')] }];
    const r = scoreEvaluation(sections, { a1: { value: null }, a3: { value: null, na: true }, a4: { value: 9 } });
    expect(r.unanswered).toEqual(['a1', 'a2', 'a4']);
    expect(r.total).toBeNull();
    expect(r.raw_total).toBeNull();
  });
});

describe('answerProblem', () => {
  it('names what is wrong', () => {
    expect(answerProblem(yn('q'), { value: 2 })).toBe('must be 1 (yes) or 0 (no)');
    expect(answerProblem(yn('q'), { value: 1 })).toBeNull();
    expect(answerProblem(yn('q'), { value: null, na: true })).toBe('N/A is not allowed for this question');
    expect(answerProblem(yn('q', { na_allowed: true }), { value: null, na: true })).toBeNull();
    expect(answerProblem(scale('q', 4), { value: 0 })).toBe('must be an integer from 1 to 4');
    expect(answerProblem(scale('q', 4), { value: 2.5 })).toBe('must be an integer from 1 to 4');
    expect(answerProblem(pts('q', 8), { value: 9 })).toBe('must be from 0 to 8');
    expect(answerProblem(errors('q', 10, 2), { value: -1 })).toBe('must be a whole number of errors from 0 to 999');
    expect(answerProblem(errors('q', 10, 2), { value: 1.5 })).toBe('must be a whole number of errors from 0 to 999');
    expect(answerProblem(yn('q'), { value: Number.NaN })).toBe('must be a number');
    expect(answerProblem(yn('q'), { value: null })).toBeNull();
  });
});
