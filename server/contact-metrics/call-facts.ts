/**
 * Call facts: what one call did, derived from its events alone. The live engine and the
 * reports both follow `deriveCall`, so a board and a report count a call the same way.
 *
 * Rules (DESIGN.md "Metric definitions", "Transfers", "Flow-outs"):
 * - Events are de-duplicated by `id` (first kept) and ordered by `compareCallEvents`:
 *   `ts`, then a causal rank of the type for events of the same millisecond (an overflow
 *   or a transfer comes before the `call.queued` it causes, an answer before a hold, an
 *   abandon before the end…: `CALL_EVENT_RANK`), then the id (shorter first, then code-unit
 *   order: sequence ids such as `run-9` < `run-a` < `run-10` keep their emission order).
 *   Arrival order never matters, so live, rebuilt and report figures agree.
 * - A queue **visit** opens at each `call.queued` (an offer to that queue). It closes as
 *   `answered` (`call.answered`, wait = queued → answered, ringing included), `abandoned`
 *   (`call.abandoned` at stage queue or ringing: the caller left the queue or the ringing
 *   agent), or `flowed_out` (`call.overflow` from that queue: to another queue or site,
 *   voicemail, callback, closing). Until then it is `waiting`.
 * - Robustness rules for incomplete or odd streams: a `call.queued` for a queue the call
 *   is already waiting in continues that visit (no second offer); an answer closes any
 *   other visit still open as flowed_out; a caller's abandon closes every open visit; a
 *   `call.ended` closes visits still open as abandoned (ended by the caller) or flowed_out
 *   (by the system or an agent); an overflow and a `call.queued` of its from-queue in the
 *   same millisecond make a zero-wait flow-out.
 * - An **agent leg** runs from the agent's `call.answered` to their `call.transferred`
 *   (the first agent's handle ends at the transfer) or the `call.ended`. Hold = sum of
 *   `call.hold` → `call.unhold` of that agent (an open hold ends with the leg); talk = leg
 *   length − hold; after-call work (acw) = leg end → the agent's `call.wrapup` for this
 *   call (0 while no wrap-up came). A leg belongs to the visit it answered; an answer
 *   without an open visit (attended transfer, `to_agent`) belongs to the visit last
 *   answered, so its handle stays with the first queue. A blind transfer to a queue is a
 *   new offer there through its own `call.queued`.
 * - Abandoned in the IVR (`stage: ivr` with no visit open): no visit, `ivrAbandonedAt` set.
 * - The **caller view** counts the call once: from its first `call.queued` to the first
 *   answer anywhere (or the last visit's abandon or flow-out).
 */
import type { EventType } from '../../schemas/events.ts';
import type { NormalizedEvent } from '../../schemas/validate.ts';

/** The fields of a call event the definitions use (a `NormalizedEvent` projected by `callEventOf`, or a report row). */
export interface CallEvent {
  id: string;
  type: EventType;
  /** epoch ms */
  ts: number;
  /** '' when absent */
  site: string;
  call: string;
  /** '' when absent */
  agent: string;
  /** `queue`, or `from_queue` of `call.overflow`; '' when absent */
  queue: string;
  /** `to_queue` of `call.overflow` / `call.transferred` */
  toQueue?: string;
  /** `to_agent` of `call.transferred` */
  toAgent?: string;
  /** `stage` of `call.abandoned` */
  stage?: 'ivr' | 'queue' | 'ringing';
  /** `by` of `call.ended` */
  by?: 'caller' | 'agent' | 'system';
  /** `direction` of `call.offered` */
  direction?: 'inbound' | 'outbound';
  /** `code` of `call.wrapup` */
  code?: string;
  /** `score` / `resolved` of `call.survey` */
  score?: number;
  resolved?: boolean;
}

/** Projects an accepted event to the fields `deriveCall` reads (so the payload can be freed). */
export function callEventOf(n: NormalizedEvent): CallEvent {
  const out: CallEvent = { id: n.id, type: n.type, ts: n.ts, site: n.site, call: n.call, agent: n.agent, queue: n.queue };
  const e = n.event;
  switch (e.type) {
    case 'call.overflow':
      out.toQueue = e.to_queue;
      break;
    case 'call.transferred':
      if (e.to_queue !== undefined) out.toQueue = e.to_queue;
      if (e.to_agent !== undefined) out.toAgent = e.to_agent;
      break;
    case 'call.abandoned':
      out.stage = e.stage as NonNullable<CallEvent['stage']>;
      break;
    case 'call.ended':
      out.by = e.by as NonNullable<CallEvent['by']>;
      break;
    case 'call.offered':
      out.direction = e.direction as NonNullable<CallEvent['direction']>;
      break;
    case 'call.wrapup':
      if (e.code !== undefined) out.code = e.code;
      break;
    case 'call.survey':
      out.score = e.score;
      if (e.resolved !== undefined) out.resolved = e.resolved;
      break;
    default:
      break;
  }
  return out;
}

/** Causal order of event types within one millisecond of one call. */
export const CALL_EVENT_RANK: Readonly<Record<EventType, number>> = Object.freeze({
  'agent.state': 0,
  'agent.help': 0,
  'call.offered': 1,
  'call.ivr': 2,
  'call.overflow': 3,
  'call.transferred': 4,
  'call.queued': 5,
  'call.ringing': 6,
  'call.ring_noanswer': 7,
  'call.answered': 8,
  'call.hold': 9,
  'call.unhold': 10,
  'call.abandoned': 11,
  'call.ended': 12,
  'call.wrapup': 13,
  'call.survey': 14,
});

/** Id order used when ts and rank tie: shorter first, then code units (sequence numbers in any base keep their order). */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The order in which a call's events are applied: ts, type rank, id. */
export function compareCallEvents(a: CallEvent, b: CallEvent): number {
  return a.ts - b.ts || CALL_EVENT_RANK[a.type] - CALL_EVENT_RANK[b.type] || compareIds(a.id, b.id);
}

export type VisitOutcome = 'waiting' | 'answered' | 'abandoned' | 'flowed_out';
/** How the call came to this queue: first queue, overflow from another, transfer, or queued again without either. */
export type VisitEntry = 'new' | 'overflow' | 'transfer' | 'requeue';

/** Handle figures of one visit: sums over the agent legs that belong to it. */
export interface VisitHandle {
  /** legs (agents) that handled the call for this visit */
  legs: number;
  talkMs: number;
  holdMs: number;
  acwMs: number;
}

/** One call's stay in one queue (one offer). */
export interface VisitFact {
  call: string;
  /** position among the call's visits, 0-based */
  index: number;
  queue: string;
  /** site of the `call.queued` event (else of the call) */
  site: string;
  entry: VisitEntry;
  /** `call.queued` ts */
  enteredAt: number;
  outcome: VisitOutcome;
  /** when it was answered, abandoned or flowed out; null while waiting */
  closedAt: number | null;
  /** queue wait in ms (queued → closedAt); null while waiting */
  waitMs: number | null;
  abandonStage: 'queue' | 'ringing' | null;
  /** agent who answered the visit */
  agent: string | null;
  answeredAt: number | null;
  /** where a flow-out went (`to_queue` of the overflow), if known */
  flowedTo: string | null;
  /** agent now ringing for this visit, if any */
  ringingAgent: string | null;
  handle: VisitHandle;
}

/** One agent's part of the call. */
export interface LegFact {
  agent: string;
  /** index of the visit the leg belongs to, or null (answered without any queue) */
  visit: number | null;
  queue: string | null;
  answeredAt: number;
  /** transfer or call end; null while the agent is still on the call */
  endedAt: number | null;
  endReason: 'transfer' | 'ended' | null;
  /** leg length − hold; null while the leg is open */
  talkMs: number | null;
  /** hold time so far (closed holds; an open hold counts once the leg ends) */
  holdMs: number;
  /** leg end → `call.wrapup`; 0 until the wrap-up arrives */
  acwMs: number;
  wrapupAt: number | null;
  code: string | null;
  /** the call ended by the agent while this leg was open */
  hungUp: boolean;
}

/** The caller's view: the call counted once, first `call.queued` → first answer anywhere. */
export interface CallerFact {
  /** first queue and its site */
  queue: string;
  site: string;
  enteredAt: number;
  outcome: VisitOutcome;
  closedAt: number | null;
  waitMs: number | null;
  abandonStage: 'queue' | 'ringing' | null;
  /** queue where the call was answered */
  answeredQueue: string | null;
  visits: number;
}

export interface CallFacts {
  call: string;
  /** first non-empty site of the call's events ('' if none) */
  site: string;
  direction: 'inbound' | 'outbound' | null;
  offeredAt: number | null;
  firstQueuedAt: number | null;
  endedAt: number | null;
  endedBy: 'caller' | 'agent' | 'system' | null;
  ivrAbandonedAt: number | null;
  visits: VisitFact[];
  legs: LegFact[];
  ringNoAnswers: { agent: string; queue: string; ts: number }[];
  transfers: number;
  survey: { score: number; resolved: boolean | null } | null;
  caller: CallerFact | null;
  firstTs: number;
  lastTs: number;
  /** ended, and every agent leg wrapped up: later events are not expected */
  complete: boolean;
}

/** De-duplicates (by id, first kept) and sorts a call's events in application order. */
export function orderCallEvents(events: readonly CallEvent[]): CallEvent[] {
  const seen = new Set<string>();
  const out: CallEvent[] = [];
  for (const e of events) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    out.push(e);
  }
  return out.sort(compareCallEvents);
}

interface OpenLeg {
  leg: LegFact;
  holdStart: number | null;
}

/**
 * Derives the facts of one call from its events: pass the events of one call, in any
 * order, duplicates allowed (`agent.*` events are ignored). Pure; O(n log n).
 */
export function deriveCall(input: readonly CallEvent[]): CallFacts {
  const events = orderCallEvents(input);
  const facts: CallFacts = {
    call: events[0]?.call ?? '',
    site: '',
    direction: null,
    offeredAt: null,
    firstQueuedAt: null,
    endedAt: null,
    endedBy: null,
    ivrAbandonedAt: null,
    visits: [],
    legs: [],
    ringNoAnswers: [],
    transfers: 0,
    survey: null,
    caller: null,
    firstTs: events[0]?.ts ?? 0,
    lastTs: events[events.length - 1]?.ts ?? 0,
    complete: false,
  };
  for (const e of events) {
    if (e.site !== '') {
      facts.site = e.site;
      break;
    }
  }
  const visits = facts.visits;
  const open: VisitFact[] = [];
  const openLegs = new Map<string, OpenLeg>();
  let pendingOverflow: Map<string, { ts: number; to: string | null }> | null = null;
  let nextEntry: VisitEntry | null = null;
  let lastAnswered: VisitFact | null = null;

  for (const e of events) {
    const ts = e.ts;
    switch (e.type) {
      case 'call.offered':
        facts.offeredAt ??= ts;
        facts.direction ??= e.direction ?? null;
        break;
      case 'call.queued': {
        if (e.queue === '' || openIn(open, e.queue)) break;
        const entry: VisitEntry = nextEntry ?? (visits.length === 0 ? 'new' : 'requeue');
        nextEntry = null;
        const v: VisitFact = {
          call: facts.call,
          index: visits.length,
          queue: e.queue,
          site: e.site !== '' ? e.site : facts.site,
          entry,
          enteredAt: ts,
          outcome: 'waiting',
          closedAt: null,
          waitMs: null,
          abandonStage: null,
          agent: null,
          answeredAt: null,
          flowedTo: null,
          ringingAgent: null,
          handle: { legs: 0, talkMs: 0, holdMs: 0, acwMs: 0 },
        };
        visits.push(v);
        open.push(v);
        facts.firstQueuedAt ??= ts;
        const pending = pendingOverflow?.get(e.queue);
        if (pendingOverflow && pending !== undefined) {
          pendingOverflow.delete(e.queue);
          if (pending.ts === ts) {
            closeVisit(open, v, 'flowed_out', ts);
            v.flowedTo = pending.to;
          }
        }
        break;
      }
      case 'call.overflow': {
        const v = openIn(open, e.queue);
        const to = e.toQueue ?? null;
        if (v) {
          closeVisit(open, v, 'flowed_out', ts);
          v.flowedTo = to;
        } else if (e.queue !== '') {
          (pendingOverflow ??= new Map()).set(e.queue, { ts, to });
        }
        nextEntry = 'overflow';
        break;
      }
      case 'call.ringing': {
        const v = openIn(open, e.queue) ?? open[open.length - 1];
        if (v) v.ringingAgent = e.agent;
        break;
      }
      case 'call.ring_noanswer': {
        facts.ringNoAnswers.push({ agent: e.agent, queue: e.queue, ts });
        for (const v of open) if (v.ringingAgent === e.agent) v.ringingAgent = null;
        break;
      }
      case 'call.answered': {
        const v = (e.queue !== '' ? openIn(open, e.queue) : undefined) ?? open[open.length - 1];
        if (v) {
          closeVisit(open, v, 'answered', ts);
          v.agent = e.agent;
          v.answeredAt = ts;
          lastAnswered = v;
          while (open.length > 0) {
            const other = open[open.length - 1] as VisitFact;
            closeVisit(open, other, 'flowed_out', ts);
            other.flowedTo = v.queue;
          }
        }
        if (e.agent === '' || openLegs.has(e.agent)) break;
        const owner = v ?? lastAnswered;
        const leg: LegFact = {
          agent: e.agent,
          visit: owner ? owner.index : null,
          queue: owner ? owner.queue : e.queue !== '' ? e.queue : null,
          answeredAt: ts,
          endedAt: null,
          endReason: null,
          talkMs: null,
          holdMs: 0,
          acwMs: 0,
          wrapupAt: null,
          code: null,
          hungUp: false,
        };
        facts.legs.push(leg);
        openLegs.set(e.agent, { leg, holdStart: null });
        break;
      }
      case 'call.hold': {
        const ol = openLegs.get(e.agent);
        if (ol && ol.holdStart === null) ol.holdStart = ts;
        break;
      }
      case 'call.unhold': {
        const ol = openLegs.get(e.agent);
        if (ol && ol.holdStart !== null) {
          ol.leg.holdMs += Math.max(0, ts - ol.holdStart);
          ol.holdStart = null;
        }
        break;
      }
      case 'call.transferred': {
        facts.transfers++;
        const ol = openLegs.get(e.agent);
        if (ol) endLeg(openLegs, ol, ts, 'transfer');
        if (e.toQueue !== undefined) nextEntry = 'transfer';
        break;
      }
      case 'call.abandoned': {
        if (open.length === 0) {
          if (e.stage === 'ivr' || e.stage === undefined) facts.ivrAbandonedAt ??= ts;
          break;
        }
        while (open.length > 0) {
          const v = open[open.length - 1] as VisitFact;
          // The stage says where the caller gave up; an IVR stage with a visit open is read from the visit.
          const stage = e.stage === 'ringing' || e.stage === 'queue' ? e.stage : v.ringingAgent !== null ? 'ringing' : 'queue';
          closeVisit(open, v, 'abandoned', ts);
          v.abandonStage = stage;
        }
        break;
      }
      case 'call.ended': {
        if (facts.endedAt !== null) break;
        facts.endedAt = ts;
        facts.endedBy = e.by ?? null;
        for (const ol of openLegs.values()) {
          if (e.by === 'agent') ol.leg.hungUp = true;
          endLeg(null, ol, ts, 'ended');
        }
        openLegs.clear();
        while (open.length > 0) {
          const v = open[open.length - 1] as VisitFact;
          const ringing = v.ringingAgent !== null;
          if (e.by === 'caller') {
            closeVisit(open, v, 'abandoned', ts);
            v.abandonStage = ringing ? 'ringing' : 'queue';
          } else {
            closeVisit(open, v, 'flowed_out', ts);
          }
        }
        break;
      }
      case 'call.wrapup': {
        let target: LegFact | null = null;
        for (let i = facts.legs.length - 1; i >= 0; i--) {
          const leg = facts.legs[i] as LegFact;
          if (leg.agent === e.agent && leg.endedAt !== null && leg.wrapupAt === null && leg.endedAt <= ts) {
            target = leg;
            break;
          }
        }
        if (target) {
          target.wrapupAt = ts;
          target.acwMs = ts - (target.endedAt as number);
          target.code = e.code ?? null;
        }
        break;
      }
      case 'call.survey':
        if (e.score !== undefined) facts.survey = { score: e.score, resolved: e.resolved ?? null };
        break;
      default:
        break;
    }
  }

  for (const leg of facts.legs) {
    if (leg.visit === null || leg.endedAt === null) continue;
    const h = (visits[leg.visit] as VisitFact).handle;
    h.legs++;
    h.talkMs += leg.talkMs ?? 0;
    h.holdMs += leg.holdMs;
    h.acwMs += leg.acwMs;
  }
  facts.caller = callerFact(visits);
  let complete = facts.endedAt !== null;
  for (const l of facts.legs) if (l.endedAt === null || l.wrapupAt === null) complete = false;
  facts.complete = complete;
  return facts;
}

function openIn(open: readonly VisitFact[], queue: string): VisitFact | undefined {
  for (let i = open.length - 1; i >= 0; i--) if ((open[i] as VisitFact).queue === queue) return open[i];
  return undefined;
}

function closeVisit(open: VisitFact[], v: VisitFact, outcome: VisitOutcome, ts: number): void {
  v.outcome = outcome;
  v.closedAt = ts;
  v.waitMs = Math.max(0, ts - v.enteredAt);
  v.ringingAgent = null;
  const i = open.indexOf(v);
  if (i >= 0) open.splice(i, 1);
}

function endLeg(openLegs: Map<string, OpenLeg> | null, ol: OpenLeg, ts: number, reason: 'transfer' | 'ended'): void {
  const leg = ol.leg;
  if (ol.holdStart !== null) leg.holdMs += Math.max(0, ts - ol.holdStart);
  ol.holdStart = null;
  leg.endedAt = ts;
  leg.endReason = reason;
  leg.talkMs = Math.max(0, ts - leg.answeredAt - leg.holdMs);
  openLegs?.delete(leg.agent);
}

function callerFact(visits: readonly VisitFact[]): CallerFact | null {
  const first = visits[0];
  if (!first) return null;
  let answered: VisitFact | null = null;
  let waiting = false;
  let last = first;
  for (const v of visits) {
    if (v.outcome === 'answered' && (answered === null || (v.answeredAt as number) < (answered.answeredAt as number))) answered = v;
    else if (v.outcome === 'waiting') waiting = true;
    else if ((v.closedAt as number) >= (last.closedAt as number)) last = v;
  }
  const fact: CallerFact = {
    queue: first.queue,
    site: first.site,
    enteredAt: first.enteredAt,
    outcome: 'waiting',
    closedAt: null,
    waitMs: null,
    abandonStage: null,
    answeredQueue: null,
    visits: visits.length,
  };
  if (answered !== null) {
    const at = answered.answeredAt as number;
    fact.outcome = 'answered';
    fact.closedAt = at;
    fact.waitMs = Math.max(0, at - first.enteredAt);
    fact.answeredQueue = answered.queue;
  } else if (!waiting) {
    const at = last.closedAt as number;
    fact.outcome = last.outcome;
    fact.closedAt = at;
    fact.waitMs = Math.max(0, at - first.enteredAt);
    fact.abandonStage = last.abandonStage;
  }
  return fact;
}
