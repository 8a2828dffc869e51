/**
 * JSON shapes of the QA API (`/v1/qa/…`): scorecards, evaluations and their lifecycle, comment
 * pins on recordings, sampling rules and work queues, calibration sessions, the call search
 * and the QA reports. Request bodies are TypeBox schemas the server validates with; the rest
 * are types. Apps import types only from here. Instants are epoch ms; offsets into a
 * recording are seconds. The scoring formula is schemas/qa-score.ts.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { ScoreResult } from './qa-score.ts';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' });
const Text = (max: number) => Type.String({ maxLength: max });
const Label = Type.String({ minLength: 1, maxLength: 200 });

// ---- scorecards ----

export const QUESTION_KINDS = ['yes_no', 'scale', 'points', 'errors'] as const;

export const QuestionBody = Type.Object(
  {
    id: Id,
    text: Label,
    help: Type.Optional(Text(1000)),
    kind: Type.Union(QUESTION_KINDS.map((k) => Type.Literal(k))),
    points: Type.Number({ minimum: 0, maximum: 1000 }),
    scale_max: Type.Optional(Type.Integer({ minimum: 2, maximum: 10 })),
    per_error: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
    na_allowed: Type.Boolean(),
    critical: Type.Boolean(),
    /** a "no" / missed answer needs a comment before submit */
    comment_required: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const SectionBody = Type.Object(
  {
    id: Id,
    title: Label,
    weight: Type.Number({ minimum: 0, maximum: 1000 }),
    questions: Type.Array(QuestionBody, { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);

/** Body of `POST /v1/qa/scorecards` (new) and `PUT /v1/qa/scorecards/:id` (a new version). */
export const ScorecardBody = Type.Object(
  {
    name: Label,
    description: Type.Optional(Text(2000)),
    sections: Type.Array(SectionBody, { minItems: 1, maxItems: 50 }),
    /** score at or above which an evaluation passes, 0–100 */
    pass_mark: Type.Number({ minimum: 0, maximum: 100 }),
    archived: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ScorecardInput = Static<typeof ScorecardBody>;
export type Question = Static<typeof QuestionBody>;
export type Section = Static<typeof SectionBody>;

export interface Scorecard extends ScorecardInput {
  id: string;
  /** 1, 2, …: every edit is a new version; evaluations keep the version they were scored on */
  version: number;
  archived: boolean;
  updated_at: number;
  updated_by: string;
}

// ---- evaluations ----

export const EVALUATION_STATUSES = ['draft', 'submitted', 'acknowledged', 'disputed', 'rescored', 'upheld'] as const;
export type EvaluationStatus = (typeof EVALUATION_STATUSES)[number];

export const AnswerBody = Type.Object(
  {
    value: Type.Union([Type.Number(), Type.Null()]),
    na: Type.Optional(Type.Boolean()),
    comment: Type.Optional(Text(2000)),
    /** "+ evidence": a moment of the recording, seconds */
    evidence_s: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type Answer = Static<typeof AnswerBody>;

/** Body of `POST /v1/qa/evaluations`: start a draft on a call with a scorecard's current version. */
export const EvaluationCreateBody = Type.Object(
  {
    call: Type.String({ minLength: 1, maxLength: 128 }),
    scorecard: Id,
    /** part of a calibration session: kept out of agent results and hidden from the agent */
    calibration: Type.Optional(Id),
  },
  { additionalProperties: false },
);

/** Body of `PUT /v1/qa/evaluations/:id` (draft autosave, or edits while re-scoring a dispute). */
export const EvaluationAnswersBody = Type.Object(
  {
    answers: Type.Record(Type.String(), AnswerBody),
    comment: Type.Optional(Text(4000)),
  },
  { additionalProperties: false },
);

/**
 * Body of `POST /v1/qa/evaluations/:id/actions`. Who may do what:
 * - `submit` (the evaluator, from draft; every required answer in)
 * - `acknowledge` (the agent, from submitted / rescored / upheld; `reviewed` must be true)
 * - `dispute` (the agent, from submitted / rescored / upheld; comment required; at most 5 per evaluation, within 45 days of submission)
 * - `rescore` (evaluator or QA lead, from disputed; the current answers become the new submitted score, the old one kept as a version)
 * - `uphold` (evaluator or QA lead, from disputed; comment required)
 */
export const EvaluationActionBody = Type.Object(
  {
    action: Type.Union([Type.Literal('submit'), Type.Literal('acknowledge'), Type.Literal('dispute'), Type.Literal('rescore'), Type.Literal('uphold')]),
    comment: Type.Optional(Text(4000)),
    reviewed: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type EvaluationAction = Static<typeof EvaluationActionBody>['action'];

/** One step of an evaluation's history. */
export interface EvaluationStep {
  version: number;
  status: EvaluationStatus;
  action: 'create' | 'save' | EvaluationAction;
  by: string;
  at: number;
  comment: string;
  /** the score this version carried */
  total: number | null;
  auto_fail: boolean;
}

export interface Evaluation {
  id: string;
  call: string;
  /** the agent who handled the call (the last answered leg) */
  agent: string;
  queue: string;
  scorecard: string;
  scorecard_version: number;
  evaluator: string;
  status: EvaluationStatus;
  calibration: string | null;
  answers: Record<string, Answer>;
  comment: string;
  score: ScoreResult;
  passed: boolean | null;
  disputes: number;
  /** when the call started (epoch ms) */
  call_at: number;
  created_at: number;
  submitted_at: number | null;
  version: number;
  updated_at: number;
  updated_by: string;
  /** every version, oldest first (only on the single-evaluation read) */
  history?: EvaluationStep[];
}

// ---- comment pins ----

export const CommentBody = Type.Object(
  {
    at_s: Type.Number({ minimum: 0 }),
    /** a range comment ends here */
    end_s: Type.Optional(Type.Number({ minimum: 0 })),
    text: Type.String({ minLength: 1, maxLength: 2000 }),
    /** private pins are seen by QA staff only, never by the agent */
    visibility: Type.Union([Type.Literal('public'), Type.Literal('private')]),
    evaluation: Type.Optional(Id),
    question: Type.Optional(Id),
  },
  { additionalProperties: false },
);

export interface CallComment extends Static<typeof CommentBody> {
  id: string;
  call: string;
  author: string;
  /** evaluator pins and agent pins are drawn in different colours */
  author_role: 'evaluator' | 'agent';
  created_at: number;
  deleted: boolean;
}

// ---- calls (recording search) and the player's call view ----

export interface SpeechFigures {
  agent_talk_s: number | null;
  customer_talk_s: number | null;
  silence_ratio: number | null;
  longest_silence_s: number | null;
  talk_over_s: number | null;
  agent_talk_ratio: number | null;
}

/** A recorded call as the search lists it. */
export interface CallRow {
  call: string;
  started_at: number;
  site: string;
  direction: 'inbound' | 'outbound' | '';
  agent: string;
  agent_name: string;
  team: string;
  queue: string;
  /** the caller's number, masked for users without the `recordings` scope on others' calls */
  caller: string;
  /** recording duration, seconds */
  duration_s: number | null;
  disposition: string;
  survey_score: number | null;
  recording_status: 'processing' | 'ready' | 'failed' | 'expired';
  speech: SpeechFigures;
  /** submitted (non-calibration) evaluations and the latest one's score */
  evaluations: number;
  last_score: number | null;
}

export interface CallSearchResult {
  rows: CallRow[];
  total: number;
}

/** A call event placed on the recording's timeline. */
export interface TimelineEvent {
  type: string;
  /** seconds from the start of the recording (negative: before it, e.g. IVR and queue) */
  at_s: number;
  ts: number;
  agent: string;
  queue: string;
  detail: string;
}

/**
 * `GET /v1/qa/calls/:call`: the call and its recording and timeline. The player reads the
 * call's evaluations (`GET /v1/qa/evaluations?call=`) and comment pins
 * (`GET /v1/qa/calls/:call/comments`) beside it.
 */
export interface CallDetail {
  call: CallRow;
  /** the recording view of `GET /v1/recordings/:call` (media_url, peaks_url, speech, …) */
  recording: Record<string, unknown> | null;
  timeline: TimelineEvent[];
}

// ---- sampling rules and work queues ----

export const SamplingRuleBody = Type.Object(
  {
    name: Label,
    active: Type.Boolean(),
    scorecard: Id,
    /** usernames of the evaluators whose work queues it fills (round robin) */
    evaluators: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 200 }),
    per_agent_per_week: Type.Integer({ minimum: 1, maximum: 100 }),
    filter: Type.Object(
      {
        queues: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 200 })),
        teams: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 200 })),
        agents: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 2000 })),
        direction: Type.Optional(Type.Union([Type.Literal('inbound'), Type.Literal('outbound')])),
        min_duration_s: Type.Optional(Type.Number({ minimum: 0 })),
        max_duration_s: Type.Optional(Type.Number({ minimum: 0 })),
        dispositions: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 200 })),
        survey_max: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
        survey_min: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
        min_silence_ratio: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
        min_talk_over_s: Type.Optional(Type.Number({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type SamplingRuleInput = Static<typeof SamplingRuleBody>;
export type SamplingFilter = SamplingRuleInput['filter'];

export interface SamplingRule extends SamplingRuleInput {
  id: string;
  version: number;
  updated_at: number;
  updated_by: string;
}

/** One call in an evaluator's work queue. */
export interface WorkItem {
  call: CallRow;
  rule: string;
  rule_name: string;
  scorecard: string;
  /** Monday of the ISO week it was sampled for, YYYY-MM-DD in the center's time zone */
  week: string;
  assigned_to: string;
  /** todo: no evaluation yet; draft: started; done: submitted */
  state: 'todo' | 'draft' | 'done';
  evaluation: string | null;
}

// ---- calibration ----

export const CalibrationBody = Type.Object(
  {
    call: Type.String({ minLength: 1, maxLength: 128 }),
    scorecard: Id,
    /** the expert whose evaluation is the scoring index */
    reference: Type.String({ minLength: 1, maxLength: 128 }),
    evaluators: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 50 }),
    note: Type.Optional(Text(2000)),
  },
  { additionalProperties: false },
);

export interface Calibration extends Static<typeof CalibrationBody> {
  id: string;
  status: 'open' | 'closed';
  created_by: string;
  created_at: number;
  version: number;
}

/** Per-question comparison of a calibration session's submitted evaluations. */
export interface CalibrationResult {
  session: Calibration;
  /** evaluators who submitted, reference included when it did */
  submitted: string[];
  questions: {
    question: string;
    section: string;
    /** each evaluator's earned percent of the question (null = N/A or unanswered) */
    scores: Record<string, number | null>;
    reference: number | null;
    /** max − min of the non-null scores, percentage points */
    spread: number | null;
    /** mean |score − reference| over the other evaluators, percentage points */
    deviation: number | null;
    /** share of evaluators that gave the reference's answer */
    agreement: number | null;
    /** agreement below 80% */
    flagged: boolean;
  }[];
  totals: Record<string, number | null>;
  /** per evaluator: |total − reference total| */
  deviation: Record<string, number | null>;
}

// ---- reports ----

export const QA_REPORT_GROUPS = ['agent', 'team', 'queue', 'evaluator', 'section', 'question'] as const;
export type QaReportGroup = (typeof QA_REPORT_GROUPS)[number];

export interface QaReportRow {
  /** agent / team / queue / evaluator id, section id or question id */
  key: string;
  label: string;
  /** start of the period (epoch ms) in the report's time zone; null for the whole range */
  period: number | null;
  evaluations: number;
  /** mean total 0–100 (auto-fails count as 0) */
  avg_score: number | null;
  auto_fails: number;
  passed: number;
  disputed: number;
  /** errors questions: the summed error counts (the front-line quality check's minor/general/severe) */
  errors: number;
}

export interface QaReport {
  group: QaReportGroup;
  interval: 'day' | 'week' | 'month' | 'total';
  from: number;
  to: number;
  time_zone: string;
  rows: QaReportRow[];
}
