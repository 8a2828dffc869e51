/** Checks of a scorecard body beyond its TypeBox schema (schemas/qa.ts ScorecardBody). */
import type { ScorecardInput } from '../../../schemas/qa.ts';
import { QaInputError } from '../evaluations/qa-input-error.ts';

/**
 * Section ids unique, question ids unique across the scorecard (answers are keyed by them),
 * `scale` questions have `scale_max`, `errors` questions `per_error`, and some question can
 * earn points. Throws QaInputError (400) naming the path.
 */
export function validateScorecard(input: ScorecardInput): void {
  const sections = new Set<string>();
  const questions = new Set<string>();
  let scoring = false;
  for (const [s, section] of input.sections.entries()) {
    if (sections.has(section.id)) throw new QaInputError(`sections[${s}].id: another section has the id ${JSON.stringify(section.id)}`);
    sections.add(section.id);
    for (const [i, q] of section.questions.entries()) {
      const path = `sections[${s}].questions[${i}]`;
      if (questions.has(q.id)) throw new QaInputError(`${path}.id: another question has the id ${JSON.stringify(q.id)}`);
      questions.add(q.id);
      if (q.kind === 'scale' && q.scale_max === undefined) throw new QaInputError(`${path}.scale_max: a scale question needs scale_max`);
      if (q.kind === 'errors' && q.per_error === undefined) throw new QaInputError(`${path}.per_error: an errors question needs per_error`);
      if (q.points > 0) scoring = true;
    }
  }
  if (!scoring) throw new QaInputError('sections: at least one question must have points > 0');
}
