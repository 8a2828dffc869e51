/**
 * Feed audit: validates a feed of contract v1 events and checks their lifecycle (lifecycle.ts),
 * reporting counts and first examples per problem code, per call and per agent. Pure: the
 * CLI (scripts/check-feed.ts), the ingest's dry run, the admin feed-health view and the ACD
 * simulator's self-check all use it.
 *
 * The feed may come in any order and from several sources: events are checked in `ts`
 * order (feed order among equal `ts`), and arriving out of order is only noted (info).
 */
import { parseTimestamp, SIMULATED_TIME_LIMITS, validateEvent, type ValidationLimits } from '../validate.ts';
import { LifecycleChecker, formatDuration, type LifecycleEvent, type LifecycleProblem } from './lifecycle.ts';
import { PROBLEM_CODES, PROBLEMS, SEVERITY_RANK, type ProblemCode, type Severity } from './problems.ts';

export { PROBLEM_CODES, PROBLEMS, type ProblemCode, type Severity, type ProblemInfo } from './problems.ts';
export { LifecycleChecker, type LifecycleEvent, type LifecycleHooks, type LifecycleProblem, type LifecycleOptions } from './lifecycle.ts';

/** Where an event came from and when the server got it, when the input knows. */
export interface EventOrigin {
  /** the sender (API key name in the store) */
  source?: string;
  /** when the server received it, epoch ms */
  received?: number;
}

export interface FeedAuditOptions {
  /** examples kept per problem code (default 5) */
  maxExamples?: number;
  /** calls and agents listed with their problems (default 20 each) */
  maxSubjects?: number;
  /** validation bounds of `ts` (default: no server clock, as for a simulated or offline feed) */
  limits?: ValidationLimits;
  /**
   * Origin of each input event, by index. Without it an event's own `source` (string) and
   * `received` (epoch ms or ISO-8601) fields are used when present.
   */
  origins?: readonly (EventOrigin | undefined)[];
  /** the feed is a time window of a live feed: see LifecycleOptions.startsMidStream */
  startsMidStream?: boolean;
  /** see LifecycleOptions.stalledCallMs */
  stalledCallMs?: number;
  /** clock differences up to this are not reported as skew (default 5 s) */
  skewToleranceMs?: number;
  /** an event received more than this after its `ts` counts as late (default 10 s) */
  lateAfterMs?: number;
}

export interface ProblemExample {
  /** the events that show it; the first one is where it was found */
  event_ids: string[];
  /** index of the event in the input (0-based; line − 1 for NDJSON without blank lines) */
  index?: number;
  call?: string;
  agent?: string;
  source?: string;
  message: string;
}

export interface ProblemReport {
  code: ProblemCode;
  severity: Severity;
  title: string;
  advice: string;
  count: number;
  examples: ProblemExample[];
}

export interface SubjectProblems {
  id: string;
  problems: number;
  codes: Partial<Record<ProblemCode, number>>;
}

export interface SourceFigures {
  source: string;
  events: number;
  invalid: number;
  first_ts: number | null;
  last_ts: number | null;
  /** events with a known `received` */
  received_events: number;
  /** events received more than `lateAfterMs` after their `ts` */
  late_events: number;
  /** largest `ts − received` (how far the source's clock leads the server), ms */
  max_lead_ms: number | null;
  /** largest `received − ts`, ms */
  max_delay_ms: number | null;
}

export interface FeedAudit {
  events: number;
  valid: number;
  invalid: number;
  /** valid events after dropping exact duplicates and id conflicts */
  distinct: number;
  calls: number;
  agents: number;
  /** calls without call.ended at the end of the feed (in progress or stalled) */
  open_calls: number;
  first_ts: number | null;
  last_ts: number | null;
  status: 'ok' | 'warning' | 'error';
  errors: number;
  warnings: number;
  infos: number;
  /** problem codes found, most severe first, then most frequent */
  problems: ProblemReport[];
  calls_with_problems: number;
  agents_with_problems: number;
  /** calls with the most problems */
  by_call: SubjectProblems[];
  /** agents with the most problems */
  by_agent: SubjectProblems[];
  sources: SourceFigures[];
}

/** Epoch numbers below this are seconds, not milliseconds (1e11 ms is March 1973). */
export const SECONDS_TS_BELOW = 1e11;
const DEFAULT_SOURCE = '';

interface Entry extends LifecycleEvent {
  index: number;
  source: string;
}

class ProblemCollector {
  private readonly counts = new Map<ProblemCode, number>();
  private readonly examples = new Map<ProblemCode, ProblemExample[]>();
  private readonly perCall = new Map<string, Map<ProblemCode, number>>();
  private readonly perAgent = new Map<string, Map<ProblemCode, number>>();

  constructor(private readonly maxExamples: number) {}

  /** Counts `times` occurrences of `code`, shown by `example`. */
  add(code: ProblemCode, example: ProblemExample, times = 1): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + times);
    let list = this.examples.get(code);
    if (!list) this.examples.set(code, (list = []));
    if (list.length < this.maxExamples) list.push(stripUndefined(example));
    if (example.call !== undefined) bump(this.perCall, example.call, code);
    if (example.agent !== undefined) bump(this.perAgent, example.agent, code);
  }

  reports(): ProblemReport[] {
    const out: ProblemReport[] = [];
    for (const code of PROBLEM_CODES) {
      const count = this.counts.get(code);
      if (!count) continue;
      const info = PROBLEMS[code];
      out.push({ code, severity: info.severity, title: info.title, advice: info.advice, count, examples: this.examples.get(code) ?? [] });
    }
    return out.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.count - a.count);
  }

  subjects(kind: 'call' | 'agent', max: number): { total: number; top: SubjectProblems[] } {
    const map = kind === 'call' ? this.perCall : this.perAgent;
    const all: SubjectProblems[] = [];
    for (const [id, codes] of map) {
      let problems = 0;
      for (const n of codes.values()) problems += n;
      all.push({ id, problems, codes: Object.fromEntries(codes) });
    }
    all.sort((a, b) => b.problems - a.problems || (a.id < b.id ? -1 : 1));
    return { total: map.size, top: all.slice(0, max) };
  }
}

function bump(map: Map<string, Map<ProblemCode, number>>, id: string, code: ProblemCode): void {
  let codes = map.get(id);
  if (!codes) map.set(id, (codes = new Map()));
  codes.set(code, (codes.get(code) ?? 0) + 1);
}

function stripUndefined(e: ProblemExample): ProblemExample {
  const out: ProblemExample = { event_ids: e.event_ids, message: e.message };
  if (e.index !== undefined) out.index = e.index;
  if (e.call !== undefined) out.call = e.call;
  if (e.agent !== undefined) out.agent = e.agent;
  if (e.source !== undefined && e.source !== DEFAULT_SOURCE) out.source = e.source;
  return out;
}

function originOf(raw: unknown, given: EventOrigin | undefined): { source: string; received: number | undefined } {
  if (given) return { source: given.source ?? DEFAULT_SOURCE, received: given.received };
  if (typeof raw !== 'object' || raw === null) return { source: DEFAULT_SOURCE, received: undefined };
  const r = raw as { source?: unknown; received?: unknown };
  const received = r.received === undefined ? NaN : parseTimestamp(r.received);
  return { source: typeof r.source === 'string' ? r.source : DEFAULT_SOURCE, received: Number.isNaN(received) ? undefined : received };
}

function idOf(raw: unknown): string | undefined {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

function newSource(source: string): SourceFigures {
  return { source, events: 0, invalid: 0, first_ts: null, last_ts: null, received_events: 0, late_events: 0, max_lead_ms: null, max_delay_ms: null };
}

/** Audits a feed: validation, duplicates, time units, clock skew, ordering and the call and agent lifecycle. */
export function auditFeed(events: readonly unknown[], options: FeedAuditOptions = {}): FeedAudit {
  const limits = options.limits ?? SIMULATED_TIME_LIMITS;
  const tolerance = options.skewToleranceMs ?? 5000;
  const lateAfter = options.lateAfterMs ?? 10_000;
  const found = new ProblemCollector(options.maxExamples ?? 5);
  const sources = new Map<string, SourceFigures>();
  /** per source: event id → input index of its first valid occurrence */
  const seen = new Map<string, Map<string, number>>();
  /** per call and per agent: position in `entries` of the latest event so far */
  const latestOfCall = new Map<string, number>();
  const latestOfAgent = new Map<string, number>();
  let inTsOrder = true;
  const leadBySource = new Map<string, { lead: number; id: string; index: number; count: number }>();
  const entries: Entry[] = [];
  let valid = 0;

  for (let index = 0; index < events.length; index++) {
    const raw = events[index];
    const { source, received } = originOf(raw, options.origins?.[index]);
    let figures = sources.get(source);
    if (!figures) sources.set(source, (figures = newSource(source)));
    figures.events++;
    let result = validateEvent(raw, limits);
    const rawTs = typeof raw === 'object' && raw !== null ? (raw as { ts?: unknown }).ts : undefined;
    if (typeof rawTs === 'number' && rawTs > 0 && rawTs < SECONDS_TS_BELOW) {
      const id = idOf(raw);
      found.add('timestamps_in_seconds', { event_ids: id ? [id] : [], index, source, message: `ts ${rawTs} is ${new Date(rawTs * 1000).toISOString()} if read as seconds, ${new Date(rawTs).toISOString()} as milliseconds` });
      // Checked further as if sent in ms, so one unit mistake does not hide the feed's other problems.
      result = validateEvent({ ...(raw as object), ts: rawTs * 1000 }, limits);
    } else if (!result.ok) {
      const id = idOf(raw);
      found.add('invalid_event', { event_ids: id ? [id] : [], index, source, message: result.error });
    }
    if (!result.ok) {
      figures.invalid++;
      continue;
    }
    valid++;
    const ev = result.event;
    let ids = seen.get(source);
    if (!ids) seen.set(source, (ids = new Map()));
    const earlier = ids.get(ev.id);
    if (earlier !== undefined) {
      // Payloads of the first occurrences are not kept (memory): duplicates are rare, so re-serialise that one.
      // (A unit-corrected event's payload is not what was sent: compare what was sent.)
      const sent = result.event.event === raw ? ev.payload : JSON.stringify(raw);
      const code = JSON.stringify(events[earlier]) === sent ? 'duplicate_id' : 'id_conflict';
      const message = code === 'duplicate_id' ? `event ${ev.id} sent again, identical` : `event id ${ev.id} used again for a different event (${ev.type}); only the first is kept`;
      found.add(code, { event_ids: [ev.id], index, source, message, ...(ev.call ? { call: ev.call } : {}), ...(ev.agent ? { agent: ev.agent } : {}) });
      continue;
    }
    ids.set(ev.id, index);
    figures.first_ts = figures.first_ts === null ? ev.ts : Math.min(figures.first_ts, ev.ts);
    figures.last_ts = figures.last_ts === null ? ev.ts : Math.max(figures.last_ts, ev.ts);
    if (received !== undefined) {
      figures.received_events++;
      const lead = ev.ts - received;
      if (figures.max_lead_ms === null || lead > figures.max_lead_ms) figures.max_lead_ms = lead;
      if (figures.max_delay_ms === null || -lead > figures.max_delay_ms) figures.max_delay_ms = -lead;
      if (-lead > lateAfter) figures.late_events++;
      if (lead > tolerance) {
        const l = leadBySource.get(source);
        if (!l) leadBySource.set(source, { lead, id: ev.id, index, count: 1 });
        else {
          l.count++;
          if (lead > l.lead) Object.assign(l, { lead, id: ev.id, index });
        }
      }
    }
    // Arrival order is checked per call and per agent: a feed of several sources interleaves freely.
    const subjectId = ev.call || ev.agent;
    if (subjectId) {
      const latest = ev.call ? latestOfCall : latestOfAgent;
      const at = latest.get(subjectId);
      const last = at === undefined ? undefined : entries[at];
      if (last && ev.ts < last.ts) {
        found.add('out_of_order', {
          event_ids: [ev.id, last.event.id],
          index,
          source,
          message: `${ev.call ? 'call' : 'agent'} ${subjectId}: ${ev.type} arrived after ${last.event.id} though ${formatDuration(last.ts - ev.ts)} earlier`,
          ...(ev.call ? { call: ev.call } : { agent: ev.agent }),
        });
      } else latest.set(subjectId, entries.length);
    }
    const previous = entries[entries.length - 1];
    if (previous && ev.ts < previous.ts) inTsOrder = false;
    entries.push({ event: ev.event, ts: ev.ts, index, source });
  }

  for (const [source, l] of leadBySource) {
    found.add('clock_skew', { event_ids: [l.id], index: l.index, source, message: `source ${source || '(unnamed)'}: ${l.count} ${l.count === 1 ? 'event' : 'events'} stamped ahead of the server clock, up to ${formatDuration(l.lead)} (ts − received)` }, l.count);
  }
  crossSourceSkew(entries, tolerance, found);

  if (!inTsOrder) entries.sort((a, b) => a.ts - b.ts || a.index - b.index);
  let current: Entry | undefined;
  const lifecycle = new LifecycleChecker(
    (p: LifecycleProblem) => {
      const at = current;
      found.add(p.code, { event_ids: p.eventIds, message: p.message, ...(at ? { index: at.index, source: at.source } : {}), ...(p.call !== undefined ? { call: p.call } : {}), ...(p.agent !== undefined ? { agent: p.agent } : {}) });
    },
    {},
    { ...(options.startsMidStream !== undefined ? { startsMidStream: options.startsMidStream } : {}), ...(options.stalledCallMs !== undefined ? { stalledCallMs: options.stalledCallMs } : {}) },
  );
  for (const entry of entries) {
    current = entry;
    lifecycle.add(entry);
  }
  current = undefined;
  lifecycle.finish();

  const problems = found.reports();
  const total = (s: Severity) => problems.reduce((n, p) => n + (p.severity === s ? p.count : 0), 0);
  const errors = total('error');
  const warnings = total('warning');
  const maxSubjects = options.maxSubjects ?? 20;
  const calls = found.subjects('call', maxSubjects);
  const agents = found.subjects('agent', maxSubjects);
  return {
    events: events.length,
    valid,
    invalid: events.length - valid,
    distinct: entries.length,
    calls: lifecycle.callsSeen,
    agents: lifecycle.agentsSeen,
    open_calls: lifecycle.openCalls,
    first_ts: entries.length ? (entries[0] as Entry).ts : null,
    last_ts: entries.length ? (entries[entries.length - 1] as Entry).ts : null,
    status: errors > 0 ? 'error' : warnings > 0 ? 'warning' : 'ok',
    errors,
    warnings,
    infos: total('info'),
    problems,
    calls_with_problems: calls.total,
    agents_with_problems: agents.total,
    by_call: calls.top,
    by_agent: agents.top,
    sources: [...sources.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0)),
  };
}

/**
 * The same call seen by two sources: an event of one source stamped before the other
 * source's `call.offered` for it, or the same event (type, agent, queue) stamped
 * differently by both, shows their clocks disagree.
 */
function crossSourceSkew(entries: readonly Entry[], tolerance: number, found: ProblemCollector): void {
  const firstSource = new Map<string, string>();
  const multi = new Set<string>();
  for (const e of entries) {
    const call = (e.event as { call?: string }).call;
    if (call === undefined) continue;
    const s = firstSource.get(call);
    if (s === undefined) firstSource.set(call, e.source);
    else if (s !== e.source) multi.add(call);
  }
  if (multi.size === 0) return;
  interface CallView {
    offered?: Entry;
    earliest: Map<string, Entry>;
    byKey: Map<string, Entry>;
  }
  const views = new Map<string, CallView>();
  const pairs = new Map<string, { offsets: number[]; example: ProblemExample }>();
  for (const e of entries) {
    const ev = e.event as { call?: string; type: string; agent?: string; queue?: string; from_queue?: string };
    if (ev.call === undefined || !multi.has(ev.call)) continue;
    let v = views.get(ev.call);
    if (!v) views.set(ev.call, (v = { earliest: new Map(), byKey: new Map() }));
    if (ev.type === 'call.offered' && !v.offered) v.offered = e;
    const first = v.earliest.get(e.source);
    if (!first || e.ts < first.ts) v.earliest.set(e.source, e);
    const key = `${ev.type}|${ev.agent ?? ''}|${ev.queue ?? ev.from_queue ?? ''}`;
    const twin = v.byKey.get(key);
    if (!twin) v.byKey.set(key, e);
    else if (twin.source !== e.source) addSkew(twin, e, e.ts - twin.ts, 'the same', ev.call);
  }
  function addSkew(ref: Entry, other: Entry, offset: number, how: 'the same' | 'before', call: string): void {
    if (Math.abs(offset) <= tolerance) return;
    const pair = `${ref.source}\u0000${other.source}`;
    let p = pairs.get(pair);
    const text =
      how === 'the same'
        ? `call ${call}: source ${other.source || '(unnamed)'} stamps ${other.event.type} ${formatDuration(offset)} ${offset > 0 ? 'later' : 'earlier'} than source ${ref.source || '(unnamed)'}`
        : `call ${call}: source ${other.source || '(unnamed)'} stamps ${other.event.type} ${formatDuration(offset)} before source ${ref.source || '(unnamed)'}\u2019s call.offered: its clock is at least that far behind`;
    if (!p) pairs.set(pair, (p = { offsets: [], example: { event_ids: [other.event.id, ref.event.id], index: other.index, source: other.source, call, message: text } }));
    p.offsets.push(offset);
  }
  for (const [call, v] of views) {
    if (!v.offered) continue;
    for (const [source, first] of v.earliest) {
      if (source === v.offered.source) continue;
      if (first.ts < v.offered.ts) addSkew(v.offered, first, first.ts - v.offered.ts, 'before', call);
    }
  }
  for (const p of pairs.values()) {
    const sorted = [...p.offsets].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    const example = { ...p.example, message: `${p.example.message} (${p.offsets.length} calls, median ${median > 0 ? '+' : '−'}${formatDuration(median)})` };
    found.add('clock_skew', example, p.offsets.length);
  }
}
