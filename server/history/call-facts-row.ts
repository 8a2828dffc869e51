/** One `call_facts` row: a call as the call-detail list and the per-call reports see it. */
import type { CallFacts, StoredCallEventRow } from '../contact-metrics/index.ts';

export type CallOutcome = 'answered' | 'abandoned' | 'flowed_out' | 'waiting' | 'ivr_abandoned' | 'self_service' | 'outbound' | 'in_progress';

export interface CallFactsRow {
  call: string;
  site: string;
  started_at: number;
  ended_at: number | null;
  direction: string;
  caller: string;
  service_number: string;
  queues: string[];
  first_queue: string;
  agents: string[];
  agent: string;
  outcome: CallOutcome;
  abandon_stage: string;
  wait_ms: number | null;
  talk_ms: number;
  hold_ms: number;
  acw_ms: number;
  duration_ms: number | null;
  transfers: number;
  overflows: number;
  disposition: string;
  survey_score: number | null;
  survey_resolved: number | null;
  ivr_path: string[];
  ended_by: string;
  complete: number;
}

/** The outcome of a call for the caller: the caller view when it reached a queue, else where it ended. */
export function callOutcome(f: CallFacts): CallOutcome {
  if (f.caller) return f.caller.outcome;
  if (f.ivrAbandonedAt !== null) return 'ivr_abandoned';
  if (f.direction === 'outbound' || (f.legs.length > 0 && f.visits.length === 0)) return 'outbound';
  return f.endedAt !== null ? 'self_service' : 'in_progress';
}

/** The row of a derived call; `rows` are its stored events (numbers, IVR nodes). */
export function callFactsRow(f: CallFacts, rows: readonly StoredCallEventRow[]): CallFactsRow {
  const ordered = [...rows].sort((a, b) => Number(a.t) - Number(b.t) || (a.id < b.id ? -1 : 1));
  const offered = ordered.find((r) => r.type === 'call.offered');
  const agents: string[] = [];
  let talk = 0;
  let hold = 0;
  let acw = 0;
  let disposition = '';
  for (const leg of f.legs) {
    if (!agents.includes(leg.agent)) agents.push(leg.agent);
    talk += leg.talkMs ?? 0;
    hold += leg.holdMs;
    acw += leg.acwMs;
    if (leg.code) disposition = leg.code;
  }
  const queues: string[] = [];
  for (const v of f.visits) if (!queues.includes(v.queue)) queues.push(v.queue);
  return {
    call: f.call,
    site: f.site,
    started_at: f.firstTs,
    ended_at: f.endedAt,
    direction: f.direction ?? '',
    caller: offered?.from_number ?? '',
    service_number: offered?.to_number ?? '',
    queues,
    first_queue: f.caller?.queue ?? queues[0] ?? '',
    agents,
    agent: f.legs.at(-1)?.agent ?? '',
    outcome: callOutcome(f),
    abandon_stage: f.caller?.abandonStage ?? (f.ivrAbandonedAt !== null ? 'ivr' : ''),
    wait_ms: f.caller?.waitMs ?? null,
    talk_ms: Math.max(0, Math.round(talk)),
    hold_ms: Math.max(0, Math.round(hold)),
    acw_ms: Math.max(0, Math.round(acw)),
    duration_ms: f.endedAt === null ? null : Math.max(0, f.endedAt - f.firstTs),
    transfers: f.transfers,
    overflows: f.visits.filter((v) => v.outcome === 'flowed_out').length,
    disposition,
    survey_score: f.survey?.score ?? null,
    survey_resolved: f.survey?.resolved === null || f.survey === null ? null : f.survey.resolved ? 1 : 0,
    ivr_path: ordered.filter((r) => r.type === 'call.ivr' && r.node !== '').map((r) => r.node),
    ended_by: f.endedBy ?? '',
    complete: f.complete ? 1 : 0,
  };
}
