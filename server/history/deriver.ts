/**
 * The history deriver: keeps `call_contributions` (and through its materialized view the
 * 15-minute rollup `history_15m`) and `call_facts` (one row per call) equal to what the metric
 * module derives from each call's stored events. The reports read those tables; the live engine applies the same
 * `deriveCall` + `callContributions` in memory, so a board and a report count a call alike.
 *
 * - Calls are marked dirty as the ingest accepts their events (`note`, on the writer's
 *   accept hook) and derived once the insert that carries those events has settled.
 * - A call is derived again from all its stored events, so late, out-of-order and repeated
 *   events (the store holds each id once; `deriveCall` de-duplicates too) give the same rows.
 * - Its previous rows are written again with sign −1 and the new ones with +1, only where
 *   they differ, in one insert: sums over the table are always the current figures.
 * - An event that can finish a call (ended, wrap-up, abandoned, survey) gets the call derived
 *   at the next tick; other events wait `coalesceMs`, so a call in progress is written a few
 *   times, not once per event.
 * - On start, calls with events received since the last derivation are derived again (the
 *   dirty set lives in memory).
 */
import type { Logger } from '../../platform/log.ts';
import type { Store } from '../../platform/store/store.ts';
import type { EventType } from '../../schemas/events.ts';
import { TABLES } from '../../schemas/tables.ts';
import {
  callContributions,
  callEventFromRow,
  deriveCall,
  type CallEvent,
  type Contribution,
  type QueueSettings,
  type StoredCallEventRow,
} from '../contact-metrics/index.ts';
import { callFactsRow } from './call-facts-row.ts';
import { DirtyLoop, type DirtyMark } from './dirty-loop.ts';
import { CALL_EVENTS_OF_CALLS_SQL } from './queries/call-events.ts';
import {
  CALLS_RECEIVED_SINCE_SQL,
  CONTRIBUTION_VALUE_COLUMNS,
  CURRENT_CONTRIBUTIONS_SQL,
  LAST_DERIVED_SQL,
  type ContributionRow,
  type ContributionValueColumn,
} from './queries/contributions.ts';

/** The accepted events the deriver needs to know of (a `NormalizedEvent` has them). */
export interface NotedEvent {
  type: EventType;
  ts: number;
  call: string;
}

export interface DeriverOptions {
  store: Store;
  log: Logger;
  settingsOf: (queue: string) => QueueSettings;
  /** the writer's generations: events noted now are stored once `settled()` ≥ what `current()` said */
  generations: { current(): number; settled(): number };
  tickMs?: number;
  /** a call in progress is derived this long after its first unsaved event */
  coalesceMs?: number;
  /** calls derived per store round trip */
  batchCalls?: number;
  /** events of a call looked for before and after its new events and its previous rows */
  windowMs?: number;
  /**
   * calls whose current rows are kept in memory after this deriver wrote them, so deriving
   * them again needs no read of their previous rows (the deriver is their only writer)
   */
  rememberCalls?: number;
  now?: () => number;
}

const FINAL_TYPES: ReadonlySet<string> = new Set(['call.ended', 'call.wrapup', 'call.abandoned', 'call.survey']);

export interface DeriverStats {
  calls: number;
  rowsWritten: number;
  batches: number;
  lastBatchMs: number;
  /** time spent, ms: reading previous rows and events, deriving, writing */
  readMs: number;
  computeMs: number;
  writeMs: number;
  errors: number;
}

export class HistoryDeriver {
  readonly stats: DeriverStats = { calls: 0, rowsWritten: 0, batches: 0, lastBatchMs: 0, readMs: 0, computeMs: 0, writeMs: 0, errors: 0 };
  private readonly loop: DirtyLoop;
  /** the rows this deriver last wrote per call (insertion order = age); see `rememberCalls` */
  private readonly written = new Map<string, Map<string, PreviousRow>>();
  private readonly opts: Required<Omit<DeriverOptions, 'store' | 'log' | 'settingsOf' | 'generations'>> & DeriverOptions;

  constructor(opts: DeriverOptions) {
    this.opts = { tickMs: 1000, coalesceMs: 20_000, batchCalls: 2000, windowMs: 2 * 3_600_000, rememberCalls: 200_000, now: Date.now, ...opts };
    this.loop = new DirtyLoop({
      what: 'history derivation',
      log: this.opts.log,
      generations: this.opts.generations,
      tickMs: this.opts.tickMs,
      batchSize: this.opts.batchCalls,
      earliestFirst: true,
      now: this.opts.now,
      derive: (batch) => this.derive(batch),
      onError: () => this.stats.errors++,
    });
  }

  /** Calls waiting to be derived. */
  get backlog(): number {
    return this.loop.size;
  }

  /** Writer hook: marks the calls of accepted events dirty. Synchronous and cheap. */
  note(events: readonly NotedEvent[]): void {
    const gen = this.opts.generations.current();
    const now = this.opts.now();
    for (const e of events) {
      if (e.call === '') continue;
      this.loop.mark(e.call, { gen, minTs: e.ts, maxTs: e.ts, due: FINAL_TYPES.has(e.type) ? now : now + this.opts.coalesceMs });
    }
  }

  /** Catches up with events received since the last derivation, then derives every tick. */
  async start(): Promise<void> {
    const [last] = await this.opts.store.query<{ t: number | string; rows: number | string }>(LAST_DERIVED_SQL);
    const since = Number(last?.rows ?? 0) > 0 ? Number(last?.t ?? 0) - 60_000 : 0;
    const rows = await this.opts.store.query<{ call: string; min_ts: number | string; max_ts: number | string; final: number | boolean }>(CALLS_RECEIVED_SINCE_SQL, { since });
    const now = this.opts.now();
    for (const r of rows) this.loop.mark(r.call, { gen: 0, minTs: Number(r.min_ts), maxTs: Number(r.max_ts), due: now });
    if (rows.length > 0) this.opts.log('info', 'history catch-up', { calls: rows.length, since: since ? new Date(since).toISOString() : 'beginning' });
    this.loop.start();
  }

  /** Stops deriving; resolves when a derivation in progress has finished (the store may then close). */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Derives every dirty call whose events are stored, now (tests, shutdown); resolves when none is left that could be. */
  drain(): Promise<void> {
    return this.loop.drain();
  }

  private async derive(batch: [string, DirtyMark][]): Promise<void> {
    const started = performance.now();
    const calls = batch.map(([c]) => c);
    let from = Infinity;
    let to = -Infinity;
    for (const [, d] of batch) {
      from = Math.min(from, d.minTs);
      to = Math.max(to, d.maxTs);
    }
    const { store } = this.opts;
    // The previous rows first (a primary-key lookup): their instants widen the time window the
    // call's events are read from, so a long call's early events are found without reading a
    // wide window for every call.
    const before = new Map<string, Map<string, PreviousRow>>();
    const unknown: string[] = [];
    for (const call of calls) {
      const known = this.written.get(call);
      if (known) before.set(call, known);
      else unknown.push(call);
    }
    const previous = unknown.length > 0 ? await store.query<ContributionRow & { n: number | string }>(CURRENT_CONTRIBUTIONS_SQL, { calls: unknown }) : [];
    for (const r of previous) {
      let m = before.get(r.call);
      if (!m) before.set(r.call, (m = new Map()));
      m.set(rowKey(r), { row: r, n: Number(r.n) });
    }
    for (const rows of before.values()) {
      for (const { row } of rows.values()) {
        from = Math.min(from, Number(row.at));
        to = Math.max(to, Number(row.at));
      }
    }
    const eventRows = await store.query<StoredCallEventRow>(CALL_EVENTS_OF_CALLS_SQL, { from: from - this.opts.windowMs, to: to + this.opts.windowMs, calls });
    const computeStarted = performance.now();
    this.stats.readMs += computeStarted - started;
    const eventsOf = new Map<string, CallEvent[]>();
    const rowsOf = new Map<string, StoredCallEventRow[]>();
    for (const r of eventRows) {
      let list = eventsOf.get(r.call);
      if (!list) {
        eventsOf.set(r.call, (list = []));
        rowsOf.set(r.call, []);
      }
      list.push(callEventFromRow(r));
      rowsOf.get(r.call)!.push(r);
    }
    const derivedAt = this.opts.now();
    const current = new Map<string, Map<string, PreviousRow>>();
    const out: Record<string, unknown>[] = [];
    const facts: Record<string, unknown>[] = [];
    for (const call of calls) {
      const events = eventsOf.get(call);
      const old = before.get(call) ?? new Map<string, PreviousRow>();
      const now = new Map<string, ContributionRow>();
      if (events && events.length > 0) {
        const derived = deriveCall(events);
        for (const c of callContributions(derived, this.opts.settingsOf)) {
          const row = contributionRow(call, c);
          now.set(rowKey(row), row);
        }
        facts.push({ ...callFactsRow(derived, rowsOf.get(call) ?? []), derived_at: derivedAt });
      }
      for (const [k, { row, n }] of old) {
        const keep = now.has(k) ? 1 : 0;
        for (let i = keep; i < n; i++) out.push({ ...row, sign: -1, derived_at: derivedAt });
        for (let i = n; i < 0; i++) out.push({ ...row, sign: 1, derived_at: derivedAt }); // never expected: repair
      }
      for (const [k, row] of now) if (!old.has(k)) out.push({ ...row, sign: 1, derived_at: derivedAt });
      current.set(call, new Map([...now].map(([k, row]) => [k, { row, n: 1 }])));
    }
    const writeStarted = performance.now();
    this.stats.computeMs += writeStarted - computeStarted;
    // The call rows first: a failure before the contributions are written retries both, and
    // a second version of a call row is harmless (the newest wins).
    // A failed insert may still have landed: forget these calls, so their next derivation reads the table.
    for (const call of calls) this.written.delete(call);
    if (facts.length > 0) await store.insertRows(TABLES.callFacts, facts);
    if (out.length > 0) await store.insertRows(TABLES.callContributions, out);
    for (const [call, rows] of current) this.written.set(call, rows);
    for (const call of this.written.keys()) {
      if (this.written.size <= this.opts.rememberCalls) break;
      this.written.delete(call);
    }
    this.stats.calls += calls.length;
    this.stats.rowsWritten += out.length;
    this.stats.batches++;
    this.stats.writeMs += performance.now() - writeStarted;
    this.stats.lastBatchMs = performance.now() - started;
  }
}

/** A call's stored row and how many times it counts (the sum of its signs). */
interface PreviousRow {
  row: ContributionRow;
  n: number;
}

/** A contribution as a `call_contributions` row (without sign and derived_at). */
export function contributionRow(call: string, c: Contribution): ContributionRow {
  const v: Record<ContributionValueColumn, number> = {
    offered: 0,
    answered: 0,
    abandoned: 0,
    short_abandoned: 0,
    flowed_out: 0,
    answered_within_sl: 0,
    abandoned_within_sl: 0,
    answer_wait_ms: 0,
    abandon_wait_ms: 0,
    max_wait_ms: 0,
    handled: 0,
    talk_ms: 0,
    hold_ms: 0,
    acw_ms: 0,
    ring_noanswer: 0,
    agent_hangups: 0,
    transfers: 0,
  };
  if (c.scope === 'agent') {
    const a = c.counters;
    v.answered = a.answered;
    v.handled = a.handled;
    v.talk_ms = a.talk_ms;
    v.hold_ms = a.hold_ms;
    v.acw_ms = a.acw_ms;
    v.ring_noanswer = a.ring_noanswer;
    v.agent_hangups = a.agent_hangups;
    v.transfers = a.transfers;
  } else {
    const q = c.counters;
    v.offered = q.offered;
    v.answered = q.answered;
    v.abandoned = q.abandoned;
    v.short_abandoned = q.short_abandoned;
    v.flowed_out = q.flowed_out;
    v.answered_within_sl = q.answered_within_sl;
    v.abandoned_within_sl = q.abandoned_within_sl;
    v.answer_wait_ms = q.answer_wait_ms;
    v.abandon_wait_ms = q.abandon_wait_ms;
    v.max_wait_ms = q.top_waits[0] ?? 0;
    v.handled = q.handled;
    v.talk_ms = q.talk_ms;
    v.hold_ms = q.hold_ms;
    v.acw_ms = q.acw_ms;
    v.transfers = q.transfers;
  }
  for (const k of CONTRIBUTION_VALUE_COLUMNS) v[k] = Math.max(0, Math.round(v[k]));
  return { call, scope: c.scope, key: c.key, at: c.at, ...v };
}

/** Identity of a row's content (numbers compared as numbers: the store returns UInt64 as strings). */
function rowKey(r: ContributionRow): string {
  let k = `${r.scope}\u0000${r.key}\u0000${Number(r.at)}`;
  for (const c of CONTRIBUTION_VALUE_COLUMNS) k += `\u0000${Number(r[c])}`;
  return k;
}
