/**
 * JSON shapes of the history report APIs (`/v1/reports/…`, `/v1/staffing/…`), shared by the
 * server and the apps (types only). Ratios are fractions 0–1 (null when undefined), durations
 * seconds; `interval_start` is ISO 8601 with the report zone's offset at that instant.
 */
import type { QueueFigures } from './live.ts';
import type { SlFormula } from './settings.ts';

export const REPORT_INTERVALS = ['15m', '30m', '1h', '1d', '1w', '1M'] as const;
export type ReportInterval = (typeof REPORT_INTERVALS)[number];

export type QueueReportFigures = QueueFigures & { service_level_by_formula?: Record<SlFormula, number | null> };
export type QueueReportRow = { interval_start: string; queue: string } & QueueReportFigures;
/** Caller view: each call once, by its first queue; `site` null = the whole center. */
export type CallerReportRow = { interval_start: string; site: string | null } & QueueReportFigures;

/** `GET /v1/reports/queues` */
export interface QueueReport {
  from: string;
  to: string;
  tz: string;
  interval: ReportInterval;
  /** where the counters came from: the 15-minute rollup, or the per-call rows (what-if T/S, unaligned periods) */
  source: 'rollup' | 'calls';
  rows: QueueReportRow[];
  totals: QueueReportFigures;
  caller: { rows: CallerReportRow[]; totals: QueueReportFigures };
}

/** `GET /v1/staffing/erlang` */
export interface StaffingAnswer {
  model: 'erlang_c' | 'erlang_a';
  /** agents on the phones */
  agents: number;
  /** agents to schedule: agents ÷ (1 − shrinkage), rounded up */
  scheduled: number;
  traffic_erlangs: number;
  /** fraction of calls answered within target_s (Erlang A: of all arrivals) */
  service_level: number;
  asa_s: number;
  occupancy: number;
  /** Erlang A only; Erlang C assumes nobody abandons (0) */
  abandon_rate: number;
}

/** One interval of `GET /v1/reports/staffing`: what the period's own volume and AHT needed. */
export interface StaffingRow {
  interval_start: string;
  /** calls offered in the interval (queue view, the queues in scope) */
  calls: number;
  /** AHT of the calls handled in the interval, s (null when none: the report's `aht_s` parameter is used) */
  aht_s: number | null;
  required: number;
  scheduled: number;
  service_level: number;
  occupancy: number;
}

/** `GET /v1/reports/staffing` */
export interface StaffingReport {
  from: string;
  to: string;
  tz: string;
  interval: ReportInterval;
  target_s: number;
  target_sl: number;
  rows: StaffingRow[];
}

/** One agent in one interval (SEEDS.md's sign-in/sign-out statistics; DESIGN.md's field names). */
export interface AgentReportRow {
  interval_start: string;
  agent: string;
  sign_ins: number;
  sign_outs: number;
  breaks: number;
  break_s: number;
  not_ready_count: number;
  not_ready_s: number;
  answered: number;
  talk_s: number;
  hold_s: number;
  acw_s: number;
  handle_s: number;
  ring_noanswer: number;
  agent_hangups: number;
  transfers: number;
  help_requests: number;
  logged_in_s: number;
  occupancy: number | null;
  utilization: number | null;
}

/** `GET /v1/reports/agents`: rows per agent × interval, each agent's totals over the period, and the total of all. */
export interface AgentReport {
  from: string;
  to: string;
  tz: string;
  interval: ReportInterval;
  rows: AgentReportRow[];
  /** per agent over the whole period (`interval_start` = the period's start) */
  agents: AgentReportRow[];
  total: Omit<AgentReportRow, 'agent'> & { agent: null };
}

/** `GET /v1/reports/agent-sessions`: each sign-in to its sign-out (null: outside the period or still signed in). */
export interface AgentSessionRow {
  agent: string;
  sign_in: string | null;
  sign_out: string | null;
  duration_s: number;
}

/** `GET /v1/reports/agent-breaks`: each break (not ready, reason `break`). */
export interface AgentBreakRow {
  agent: string;
  start: string;
  end: string | null;
  duration_s: number;
}

/** One call of `GET /v1/reports/calls` (SEEDS.md's "access detail"). */
export interface CallReportRow {
  call: string;
  started_at: string;
  site: string;
  direction: string;
  caller: string;
  service_number: string;
  /** the first queue, or `ivr` for a call that never reached one */
  service: string;
  /** answered | abandoned | flowed_out | waiting | ivr_abandoned | self_service | outbound | in_progress */
  outcome: string;
  abandon_stage: string;
  wait_s: number | null;
  talk_s: number;
  hold_s: number;
  acw_s: number;
  duration_s: number | null;
  agent: string;
  queues: string[];
  disposition: string;
  survey_score: number | null;
  survey_resolved: boolean | null;
  transfers: number;
  ivr_path: string[];
}

export interface CallReport {
  from: string;
  to: string;
  tz: string;
  rows: CallReportRow[];
  total: number;
}

/** One interval of `GET /v1/reports/volume`: what callers wanted and how it went. */
export interface VolumeRow {
  interval_start: string;
  calls: number;
  answered: number;
  /** in a queue or in the IVR */
  abandoned: number;
  /** ended in the IVR without reaching a queue */
  self_service: number;
  ivr_calls: number;
  /** self_service ÷ ivr_calls (null without IVR calls) */
  containment: number | null;
  surveys: number;
  avg_survey_score: number | null;
  /** resolved ÷ surveys that asked (null when none asked) */
  resolution_rate: number | null;
  /** calls per wrap-up code (call reasons) */
  reasons: Record<string, number>;
  /** calls that visited each IVR node (self-service look-ups) */
  ivr_nodes: Record<string, number>;
}

/** `GET /v1/reports/volume` */
export interface VolumeReport {
  from: string;
  to: string;
  tz: string;
  interval: ReportInterval;
  rows: VolumeRow[];
  totals: Omit<VolumeRow, 'interval_start'>;
}

/** `GET /v1/reports/abandons`: abandoned calls by stage and wait; the list of them is `/v1/reports/calls?outcome=abandoned`. */
export interface AbandonReport {
  from: string;
  to: string;
  tz: string;
  buckets: { stage: string; wait_bucket: string; calls: number }[];
  by_stage: Record<string, number>;
  total: number;
}

/** `GET /v1/reports/heatmap`: calls per weekday (1 = Monday … 7) and local hour. */
export interface HeatmapReport {
  from: string;
  to: string;
  tz: string;
  cells: { weekday: number; hour: number; calls: number; answered: number }[];
}
