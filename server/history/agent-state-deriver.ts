/**
 * The agent-state deriver: keeps `agent_state_intervals` equal to the state intervals of each
 * agent's stored `agent.state` events, so the agent reports read stored rows (issue 10).
 *
 * - Agents are marked dirty as the ingest accepts their state events (`note`, on the writer's
 *   accept hook) and derived once the insert carrying those events has settled, like calls in
 *   the history deriver.
 * - Events are ordered like the live engine's state log (`compareStateEntries`: ts, then id);
 *   one with the same ts and id as another is the same event. A repeated state (same state,
 *   and for not_ready the same reason) is no change.
 * - Only the stretch the new events can change is derived again: from the interval in force at
 *   the earliest new event up to the second interval that begins after the latest one. (The
 *   first may merge into the state before it, but the second still follows the same state, so
 *   it and everything after it stay as they are.) The stretch is derived again from the
 *   interval in force (kept but for its end: the event that began it may have expired) and
 *   the events from the earliest new one on; its previous rows are written with sign −1 and
 *   the new ones with +1, only where they differ, in one insert: late, out-of-order and
 *   repeated events give the same rows as in order.
 * - On start, agents with state events received since the last derivation are derived again.
 */
import type { Logger } from '../../platform/log.ts';
import type { Store } from '../../platform/store/store.ts';
import { AGENT_STATES, type AgentStateName } from '../../schemas/events.ts';
import { TABLES } from '../../schemas/tables.ts';
import { compareStateEntries } from '../live/agent-state.ts';
import { DirtyLoop, type DirtyMark } from './dirty-loop.ts';
import {
  AGENT_STATE_EVENTS_SQL,
  AGENTS_RECEIVED_SINCE_SQL,
  CURRENT_INTERVALS_SQL,
  LAST_INTERVALS_DERIVED_SQL,
  OPEN_END_MS,
  type AgentStateEventRow,
  type IntervalRow,
} from './queries/agent-intervals.ts';

/** The accepted events the deriver needs to know of (a `NormalizedEvent` has them). */
export interface NotedAgentEvent {
  type: string;
  ts: number;
  agent: string;
}

export interface AgentStateDeriverOptions {
  store: Store;
  log: Logger;
  /** the writer's generations: events noted now are stored once `settled()` ≥ what `current()` said */
  generations: { current(): number; settled(): number };
  tickMs?: number;
  /** an agent is derived this long after its first unsaved state event */
  coalesceMs?: number;
  /** agents derived per store round trip */
  batchAgents?: number;
  now?: () => number;
}

export interface AgentStateDeriverStats {
  agents: number;
  rowsWritten: number;
  batches: number;
  errors: number;
}

const isState = (s: string): s is AgentStateName => (AGENT_STATES as readonly string[]).includes(s);

/** One agent's `agent.state` event (`ts` epoch ms). */
export interface StateEvent {
  site: string;
  id: string;
  ts: number;
  state: string;
  reason: string;
}

/** An interval as this module builds it: a stored row without its agent. */
export type StateInterval = Omit<IntervalRow, 'agent'>;

/**
 * The state intervals of one agent's `events` (any order; repeats ignored): one per change of
 * state, each ending at the next change and the last at `lastEnd`. After `seed` when given
 * (a stored interval: kept as it is but for its end, and only later events are looked at),
 * else from no known state. Events with an unknown state are left out.
 */
export function stateIntervals(events: readonly StateEvent[], lastEnd: number, seed: StateInterval | null = null): StateInterval[] {
  const from = seed ? { ts: seed.start_at, id: seed.event_id } : null;
  const sorted = events.filter((e) => isState(e.state) && (!from || compareStateEntries(e, from) > 0)).sort(compareStateEntries);
  const out: StateInterval[] = seed ? [{ ...seed, end_at: lastEnd }] : [];
  let last: StateEvent | undefined;
  for (const e of sorted) {
    if (last && compareStateEntries(last, e) === 0) continue;
    last = e;
    const reason = e.state === 'not_ready' ? e.reason : '';
    const open = out[out.length - 1];
    if (open && open.state === e.state && open.reason === reason) continue;
    if (open) open.end_at = e.ts;
    out.push({ site: e.site, state: e.state, reason, prev_state: open ? open.state : '', event_id: e.id, start_at: e.ts, end_at: lastEnd });
  }
  return out;
}

const byStart = (a: IntervalRow, b: IntervalRow) => compareStateEntries({ ts: a.start_at, id: a.event_id }, { ts: b.start_at, id: b.event_id });

/** Identity of a row's content (numbers compared as numbers). */
const rowKey = (r: IntervalRow) => [r.agent, r.site, r.state, r.reason, r.prev_state, r.event_id, Number(r.start_at), Number(r.end_at)].join('\u0000');

/**
 * What one agent's derivation covers: its stored rows from `seed` (or its new events) up to
 * `to` (exclusive, by (ts, id); null: to the end), and its events from `from` up to `to`.
 */
interface Stretch {
  from: number;
  to: { ts: number; id: string } | null;
  /** the stored interval in force at the earliest new event: derivation goes on from it (its event may be gone: events can expire) */
  seed: IntervalRow | null;
  rows: { row: IntervalRow; n: number }[];
}

export class AgentStateDeriver {
  readonly stats: AgentStateDeriverStats = { agents: 0, rowsWritten: 0, batches: 0, errors: 0 };
  private readonly loop: DirtyLoop;
  private readonly opts: Required<Omit<AgentStateDeriverOptions, 'store' | 'log' | 'generations'>> & AgentStateDeriverOptions;

  constructor(opts: AgentStateDeriverOptions) {
    this.opts = { tickMs: 1000, coalesceMs: 5000, batchAgents: 500, now: Date.now, ...opts };
    this.loop = new DirtyLoop({
      what: 'agent state derivation',
      log: this.opts.log,
      generations: this.opts.generations,
      tickMs: this.opts.tickMs,
      batchSize: this.opts.batchAgents,
      earliestFirst: false,
      now: this.opts.now,
      derive: (batch) => this.derive(batch),
      onError: () => this.stats.errors++,
    });
  }

  /** Agents waiting to be derived. */
  get backlog(): number {
    return this.loop.size;
  }

  /** Writer hook: marks the agents of accepted `agent.state` events dirty. Synchronous and cheap. */
  note(events: readonly NotedAgentEvent[]): void {
    let gen: number | null = null;
    for (const e of events) {
      if (e.type !== 'agent.state' || e.agent === '') continue;
      gen ??= this.opts.generations.current();
      this.loop.mark(e.agent, { gen, minTs: e.ts, maxTs: e.ts, due: this.opts.now() + this.opts.coalesceMs });
    }
  }

  /** Catches up with state events received since the last derivation, then derives every tick. */
  async start(): Promise<void> {
    const [last] = await this.opts.store.query<{ t: number | string; rows: number | string }>(LAST_INTERVALS_DERIVED_SQL);
    const since = Number(last?.rows ?? 0) > 0 ? Number(last?.t ?? 0) - 60_000 : 0;
    const rows = await this.opts.store.query<{ agent: string; min_ts: number | string; max_ts: number | string }>(AGENTS_RECEIVED_SINCE_SQL, { since });
    const now = this.opts.now();
    for (const r of rows) this.loop.mark(r.agent, { gen: 0, minTs: Number(r.min_ts), maxTs: Number(r.max_ts), due: now });
    if (rows.length > 0) this.opts.log('info', 'agent state catch-up', { agents: rows.length, since: since ? new Date(since).toISOString() : 'beginning' });
    this.loop.start();
  }

  /** Stops deriving; resolves when a derivation in progress has finished (the store may then close). */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Derives every dirty agent whose events are stored, now (tests, shutdown); resolves when none is left that could be. */
  drain(): Promise<void> {
    return this.loop.drain();
  }

  private async derive(batch: [string, DirtyMark][]): Promise<void> {
    const { store } = this.opts;
    const agents = batch.map(([a]) => a);
    const stored = await store.query<IntervalRow & { start_ms: number; end_ms: number; n: number }>(CURRENT_INTERVALS_SQL, { agents, froms: batch.map(([, d]) => d.minTs) });
    const rowsOf = new Map<string, { row: IntervalRow; n: number }[]>();
    for (const r of stored) {
      const row: IntervalRow = { agent: r.agent, site: r.site, state: r.state, reason: r.reason, prev_state: r.prev_state, event_id: r.event_id, start_at: Number(r.start_ms), end_at: Number(r.end_ms) };
      let list = rowsOf.get(r.agent);
      if (!list) rowsOf.set(r.agent, (list = []));
      list.push({ row, n: Number(r.n) });
    }
    const stretches = new Map<string, Stretch>();
    for (const [agent, d] of batch) stretches.set(agent, stretchOf(rowsOf.get(agent) ?? [], d));
    const froms = agents.map((a) => (stretches.get(a) as Stretch).from);
    const tos = agents.map((a) => stretches.get(a)?.to?.ts ?? OPEN_END_MS);
    const events = await store.query<AgentStateEventRow>(AGENT_STATE_EVENTS_SQL, { agents, froms, tos, from: Math.min(...froms), to: Math.max(...tos) });
    const eventsOf = new Map<string, StateEvent[]>();
    for (const e of events) {
      let list = eventsOf.get(e.agent);
      if (!list) eventsOf.set(e.agent, (list = []));
      list.push({ site: e.site, id: e.id, ts: Number(e.t), state: e.state, reason: e.reason });
    }
    const derivedAt = this.opts.now();
    const out: Record<string, unknown>[] = [];
    for (const agent of agents) {
      const s = stretches.get(agent) as Stretch;
      const inside = (eventsOf.get(agent) ?? []).filter((e) => e.ts >= s.from && (!s.to || compareStateEntries(e, s.to) < 0));
      const now = new Map<string, IntervalRow>();
      for (const i of stateIntervals(inside, s.to?.ts ?? OPEN_END_MS, s.seed)) {
        const row = { agent, ...i };
        now.set(rowKey(row), row);
      }
      const old = new Map<string, { row: IntervalRow; n: number }>();
      for (const r of s.rows) old.set(rowKey(r.row), r);
      for (const [k, { row, n }] of old) {
        const keep = now.has(k) ? 1 : 0;
        for (let i = keep; i < n; i++) out.push({ ...row, sign: -1, derived_at: derivedAt });
        for (let i = n; i < keep; i++) out.push({ ...row, sign: 1, derived_at: derivedAt }); // never expected: repair
      }
      for (const [k, row] of now) if (!old.has(k)) out.push({ ...row, sign: 1, derived_at: derivedAt });
    }
    if (out.length > 0) await store.insertRows(TABLES.agentStateIntervals, out);
    this.stats.agents += agents.length;
    this.stats.rowsWritten += out.length;
    this.stats.batches++;
  }
}

/**
 * The stretch of an agent's intervals that events in [d.minTs, d.maxTs] can change, from its
 * current rows that end at or after d.minTs (sorted here).
 */
function stretchOf(rows: { row: IntervalRow; n: number }[], d: DirtyMark): Stretch {
  rows.sort((a, b) => byStart(a.row, b.row));
  let first = -1;
  for (let i = 0; i < rows.length; i++) if ((rows[i] as { row: IntervalRow }).row.start_at < d.minTs) first = i;
  let after = 0;
  let last = rows.length;
  for (let i = 0; i < rows.length; i++) {
    if ((rows[i] as { row: IntervalRow }).row.start_at > d.maxTs && ++after === 2) {
      last = i;
      break;
    }
  }
  const begin = rows[first]?.row;
  const end = rows[last]?.row;
  return {
    // Events before the new ones change nothing: after the seed they are repeats of its state
    // (else a later interval would have begun); with no seed there are none that were not
    // derived (the catch-up on start finds those received while no deriver ran).
    from: d.minTs,
    to: end ? { ts: end.start_at, id: end.event_id } : null,
    seed: begin ?? null,
    rows: rows.slice(Math.max(0, first), last),
  };
}
