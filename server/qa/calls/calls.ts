/**
 * The QA recording search and the player's call view: rows from queries/call-rows.ts with
 * the agent's name and team from the directory; the timeline from the call's events.
 */
import type { Principal } from '../../../platform/auth.ts';
import type { CallRow, CallSearchResult, TimelineEvent } from '../../../schemas/qa.ts';
import type { DirectoryService } from '../../directory/directory-service.ts';
import type { QaDeps } from '../deps.ts';
import { checkRange, QaRequestError, Query, readsAll } from './params.ts';
import { callEvents, type CallEventRow } from './queries/call-events.ts';
import { CALL_SORTS, searchCallRows, type CallFilter, type RawCallRow } from './queries/call-rows.ts';

const num = (v: unknown): number | null => (v === null || v === undefined || v === '' || !Number.isFinite(Number(v)) ? null : Number(v));

/** A row as the API shows it. */
export function toCallRow(r: RawCallRow, directory: DirectoryService): CallRow {
  const agent = r.agent ? directory.getAgent(r.agent) : undefined;
  const status = r.recording_status as CallRow['recording_status'];
  return {
    call: r.call,
    started_at: Number(r.started_at),
    site: r.site,
    direction: r.direction === 'inbound' || r.direction === 'outbound' ? r.direction : '',
    agent: r.agent,
    agent_name: agent?.name ?? r.agent,
    team: agent?.team ?? '',
    queue: r.queue,
    caller: r.caller,
    duration_s: num(r.duration_s),
    disposition: r.disposition,
    survey_score: num(r.survey_score),
    recording_status: status,
    speech: {
      agent_talk_s: num(r.agent_talk_s),
      customer_talk_s: num(r.customer_talk_s),
      silence_ratio: num(r.silence_ratio),
      longest_silence_s: num(r.longest_silence_s),
      talk_over_s: num(r.talk_over_s),
      agent_talk_ratio: num(r.agent_talk_ratio),
    },
    evaluations: Number(r.evaluations ?? 0),
    last_score: num(r.last_score),
  };
}

/** The agents of a team per the directory; unknown team → 400. */
export function teamMembers(directory: DirectoryService, team: string, param = 'team'): string[] {
  if (!directory.getTeam(team)) throw new QaRequestError(`${param}: no team ${JSON.stringify(team)}`);
  return directory
    .listAgents()
    .filter((a) => a.team === team)
    .map((a) => a.id);
}

export const MAX_PAGE = 200;

/** Reads the search's query string into a filter (each bad value a 400 naming it). */
export function searchFilter(q: URLSearchParams, who: Principal, directory: DirectoryService): { filter: CallFilter; sort: (typeof CALL_SORTS)[number]; order: 'asc' | 'desc'; limit: number; offset: number } {
  const p = new Query(q);
  const all = readsAll(who);
  const from = p.instant('from');
  const to = p.instant('to');
  if (from !== null && to !== null && to <= from) throw new QaRequestError('to: must be after from');
  const agent = p.str('agent', 128);
  const team = p.str('team', 128);
  const queue = p.str('queue', 128);
  const disposition = p.str('disposition', 128);
  const evaluated = p.oneOf('evaluated', ['yes', 'no'] as const);
  const filter: CallFilter = {
    from,
    to,
    agents: agent === null ? [] : [agent],
    teamAgents: team === null ? null : teamMembers(directory, team),
    queues: queue === null ? [] : [queue],
    direction: p.oneOf('direction', ['inbound', 'outbound'] as const) ?? '',
    min_duration_s: p.num('min_duration_s', 0),
    max_duration_s: p.num('max_duration_s', 0),
    caller: p.str('caller', 64) ?? '',
    dispositions: disposition === null ? [] : [disposition],
    survey_min: p.num('survey_min', 1, 5),
    survey_max: p.num('survey_max', 1, 5),
    min_silence_ratio: p.num('min_silence_ratio', 0, 1),
    min_talk_over_s: p.num('min_talk_over_s', 0),
    evaluated: evaluated === null ? null : evaluated === 'yes',
    score_min: p.num('score_min', 0, 100),
    score_max: p.num('score_max', 0, 100),
  };
  checkRange('min_duration_s', filter.min_duration_s, 'max_duration_s', filter.max_duration_s);
  checkRange('survey_min', filter.survey_min, 'survey_max', filter.survey_max);
  checkRange('score_min', filter.score_min, 'score_max', filter.score_max);
  if (!all) {
    // an agent: only the calls they handled, the caller's number masked
    filter.own = who.name;
    filter.mask = true;
  }
  return {
    filter,
    sort: p.oneOf('sort', CALL_SORTS) ?? 'started_at',
    order: p.oneOf('order', ['asc', 'desc'] as const) ?? 'desc',
    limit: p.int('limit', 1, MAX_PAGE) ?? 50,
    offset: p.int('offset', 0, 1_000_000) ?? 0,
  };
}

export async function searchCalls(deps: QaDeps, q: URLSearchParams, who: Principal): Promise<CallSearchResult> {
  const { filter, ...page } = searchFilter(q, who, deps.directory);
  const { rows, total } = await searchCallRows(deps.store, filter, page);
  return { rows: rows.map((r) => toCallRow(r, deps.directory)), total };
}

/** Rows of the given calls (any recording status), by call id; `mask`/`own` as the caller may see them. */
export async function callRowsOf(deps: QaDeps, calls: readonly string[], filter: CallFilter = {}): Promise<Map<string, CallRow>> {
  const out = new Map<string, CallRow>();
  if (calls.length === 0) return out;
  const { rows } = await searchCallRows(deps.store, { ...filter, calls }, { sort: 'started_at', order: 'desc', limit: Math.max(1, calls.length), offset: 0 });
  for (const r of rows) out.set(r.call, toCallRow(r, deps.directory));
  return out;
}

/** What the timeline shows of an event besides its type, agent and queue. */
function detailOf(type: string, p: Record<string, unknown>, mask: (n: string) => string): string {
  const s = (k: string) => (typeof p[k] === 'string' || typeof p[k] === 'number' ? String(p[k]) : '');
  const parts: string[] = [];
  const add = (label: string, v: string) => v !== '' && parts.push(`${label}${v}`);
  switch (type) {
    case 'call.offered':
      add('', s('direction'));
      add('from ', s('from') && mask(s('from')));
      add('to ', s('to'));
      break;
    case 'call.ivr':
      add('', s('node'));
      add('input ', s('input'));
      break;
    case 'call.queued':
      add('priority ', s('priority'));
      break;
    case 'call.transferred':
      add('', s('kind'));
      add('to queue ', s('to_queue'));
      add('to agent ', s('to_agent'));
      break;
    case 'call.overflow':
      add('', s('from_queue') && `${s('from_queue')} → ${s('to_queue')}`);
      break;
    case 'call.abandoned':
      add('in ', s('stage'));
      break;
    case 'call.ended':
      add('by ', s('by'));
      break;
    case 'call.wrapup':
      add('', s('code'));
      break;
    case 'call.survey':
      add('score ', s('score'));
      if (typeof p.resolved === 'boolean') parts.push(p.resolved ? 'resolved' : 'not resolved');
      break;
    case 'agent.state':
      add('', s('state'));
      add('', s('reason'));
      break;
    default:
      break;
  }
  return parts.join(', ');
}

/** Same masking as the search's SQL (first 3 and last 4 kept; shorter numbers keep their last 2). */
export function maskNumber(n: string): string {
  const c = [...n];
  if (c.length >= 8) return `${c.slice(0, 3).join('')}${'*'.repeat(c.length - 7)}${c.slice(-4).join('')}`;
  if (c.length >= 3) return `${'*'.repeat(c.length - 2)}${c.slice(-2).join('')}`;
  return '*'.repeat(c.length);
}

/**
 * The call's events on the recording's timeline. The recording starts at the first
 * `call.answered`: the simulator and PBX recorders record the connected leg, so IVR, queue
 * and ringing come before 0 (negative `at_s`). A call never answered is placed from its first event.
 */
export function timelineOf(events: readonly CallEventRow[], mask: boolean): TimelineEvent[] {
  const t = (e: CallEventRow) => Number(e.t);
  const answered = events.find((e) => e.type === 'call.answered');
  const zero = answered ? t(answered) : events.length > 0 ? t(events[0]!) : 0;
  return events.map((e) => {
    let p: Record<string, unknown> = {};
    try {
      p = JSON.parse(e.payload) as Record<string, unknown>;
    } catch {
      // stored payloads are validated JSON; keep the event without its detail otherwise
    }
    return {
      type: e.type,
      at_s: Math.round(t(e) - zero) / 1000,
      ts: t(e),
      agent: e.agent,
      queue: e.queue,
      detail: detailOf(e.type, p, mask ? maskNumber : (n) => n),
    };
  });
}

export async function callTimeline(deps: QaDeps, call: string, mask: boolean): Promise<TimelineEvent[]> {
  return timelineOf(await callEvents(deps.store, call), mask);
}
