/**
 * The scorecard seeded on first run: the documents' "front-line quality check" (SEEDS.md):
 * errors in business knowledge, professional knowledge and service attitude, each counted as
 * minor / general / severe (a severe error fails the evaluation), plus scores for service
 * language, operation and answering.
 */
import type { Question, ScorecardInput } from '../../../schemas/qa.ts';

export const DEFAULT_SCORECARD_ID = 'front-line';
export const SEEDED_BY = 'system';

function errorQuestions(prefix: string): Question[] {
  return [
    { id: `${prefix}-minor`, text: 'Minor errors', help: 'Each minor error takes 2 points off.', kind: 'errors', points: 10, per_error: 2, na_allowed: false, critical: false },
    { id: `${prefix}-general`, text: 'General errors', help: 'Each general error takes 5 points off.', kind: 'errors', points: 10, per_error: 5, na_allowed: false, critical: false },
    {
      id: `${prefix}-severe`,
      text: 'Severe errors',
      help: 'Any severe error fails the whole evaluation; describe it in a comment.',
      kind: 'errors',
      points: 10,
      per_error: 10,
      na_allowed: false,
      critical: true,
      comment_required: true,
    },
  ];
}

const yesNo = (id: string, text: string, extra: Partial<Question> = {}): Question => ({ id, text, kind: 'yes_no', points: 10, na_allowed: false, critical: false, ...extra });
const scale = (id: string, text: string): Question => ({ id, text, kind: 'scale', points: 10, scale_max: 5, na_allowed: false, critical: false });

export function defaultScorecard(): ScorecardInput {
  return {
    name: 'Front-line quality check',
    description: 'Errors in business knowledge, professional knowledge and service attitude (minor, general, severe), and scores for service language, operation and answering.',
    pass_mark: 80,
    sections: [
      { id: 'business-knowledge', title: 'Business knowledge', weight: 20, questions: errorQuestions('bk') },
      { id: 'professional-knowledge', title: 'Professional knowledge', weight: 20, questions: errorQuestions('pk') },
      { id: 'service-attitude', title: 'Service attitude', weight: 20, questions: errorQuestions('sa') },
      {
        id: 'service-language',
        title: 'Service language',
        weight: 15,
        questions: [yesNo('sl-script', 'Used the greeting and closing script', { comment_required: true }), scale('sl-courteous', 'Courteous, clear language')],
      },
      {
        id: 'operation',
        title: 'Operation',
        weight: 15,
        questions: [yesNo('op-system', 'Operated the system correctly'), scale('op-notes', 'Accurate, complete call notes')],
      },
      {
        id: 'answering',
        title: 'Answering',
        weight: 10,
        questions: [
          yesNo('an-prompt', 'Answered promptly', { na_allowed: true }),
          yesNo('an-identity', "Verified the caller's identity", { na_allowed: true, comment_required: true }),
          yesNo('an-resolved', "Resolved the caller's question"),
        ],
      },
    ],
  };
}
