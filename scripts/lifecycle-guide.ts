/**
 * `npm run docs:lifecycle [-- --check]`: writes docs/lifecycle.md, the event lifecycle guide, from
 * what the ACD simulator emits: it runs acd/scenarios/lifecycle-paths.json with a fixed seed and
 * start, sorts the calls by their path (answered with hold, abandoned in the IVR, …), takes one
 * real call per path with the state changes of its agents, and renders its events with a
 * timeline and what the metric module (`deriveCall`, the code of the live board and the reports)
 * makes of them. Every example passes the feed checker (`auditFeed`). `--check` fails when the
 * committed guide differs.
 *
 * The prose around the examples is template text in this file; the examples, their timelines
 * and their figures are generated, so the guide cannot drift from the simulator or the metrics.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, resolve } from 'node:path';
import { loadScenario } from '../acd/edges/scenario-file.ts';
import type { Scenario } from '../acd/sim/scenario.ts';
import { ArraySink } from '../acd/sim/sink.ts';
import { Simulation } from '../acd/sim/simulator.ts';
import type { CallboardEvent } from '../schemas/events.ts';
import { auditFeed } from '../schemas/feed-audit/index.ts';
import { SIMULATED_TIME_LIMITS, validateEvent } from '../schemas/validate.ts';
import { callEventOf, deriveCall, type CallFacts } from '../server/contact-metrics/call-facts.ts';
import { DEFAULT_QUEUE_SETTINGS } from '../server/contact-metrics/settings.ts';
import { zoneOffsetMs } from '../server/contact-metrics/zoned-time.ts';
import { callOutcome } from '../server/history/call-facts-row.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const GUIDE_PATH = resolve(ROOT, 'docs/lifecycle.md');
const SCENARIO_FILE = 'acd/scenarios/lifecycle-paths.json';
/** A Monday morning in Berlin (CET, +01:00). */
const START = '2026-03-02T09:00:00+01:00';
const SIM_HOURS = 3;
const TIME_ZONE = 'Europe/Berlin';
/** The simulator's run prefix (a hash of seed and start) is written as this source name. */
const SOURCE_PREFIX = 'acd-';

type Event = CallboardEvent;

/** One event of the run with its position in the emitted stream. */
interface Emitted {
  index: number;
  event: Event;
}

interface CallRecord {
  call: string;
  events: Emitted[];
}

/** A call path the guide documents, and how to recognise a call that took it. */
export interface PathSpec {
  key: string;
  title: string;
  /** hand-written explanation above the example (Markdown) */
  intro: string;
  /** hand-written notes below the example (Markdown), optional */
  notes?: string;
  match(c: CallView): boolean;
  /** among matching calls, those preferred as the example (tried first) */
  prefer?(c: CallView): boolean;
}

/** Read-only helpers over one call's events. */
class CallView {
  readonly types: string[];
  constructor(
    readonly record: CallRecord,
    readonly sites: ReadonlyMap<string, string>,
  ) {
    this.types = record.events.map((e) => e.event.type);
  }
  get events(): Event[] {
    return this.record.events.map((e) => e.event);
  }
  has(type: string): boolean {
    return this.types.includes(type);
  }
  count(type: string): number {
    return this.types.filter((t) => t === type).length;
  }
  find<T extends Event['type']>(type: T): Extract<Event, { type: T }> | undefined {
    return this.events.find((e) => e.type === type) as Extract<Event, { type: T }> | undefined;
  }
  all<T extends Event['type']>(type: T): Extract<Event, { type: T }>[] {
    return this.events.filter((e) => e.type === type) as Extract<Event, { type: T }>[];
  }
  get inbound(): boolean {
    return this.find('call.offered')?.direction === 'inbound';
  }
  get ended(): boolean {
    return this.has('call.ended');
  }
  /** no transfer, overflow, ring-no-answer or help request: only what the path is about */
  get plain(): boolean {
    return !this.has('call.transferred') && !this.has('call.overflow') && !this.has('call.ring_noanswer') && !this.has('agent.help');
  }
  overflowTo(kind: 'same_site' | 'other_site' | 'voicemail' | 'callback'): boolean {
    const o = this.all('call.overflow');
    if (o.length !== 1) return false;
    const ev = o[0] as Extract<Event, { type: 'call.overflow' }>;
    if (kind === 'voicemail' || kind === 'callback') return ev.to_queue === kind;
    const from = this.sites.get(ev.from_queue);
    const to = this.sites.get(ev.to_queue);
    if (from === undefined || to === undefined) return false;
    return kind === 'same_site' ? from === to : from !== to;
  }
}

const SEQUENCE_NOTE =
  'Every `call.queued` opens a queue visit, and exactly one event closes it before the next `call.queued` or the `call.ended`: `call.answered` with that `queue`, `call.abandoned` (stage `queue` or `ringing`) with that `queue`, or `call.overflow` with that `from_queue`.';

/** The paths, in the order of the guide. */
export const PATHS: readonly PathSpec[] = [
  {
    key: 'answered-hold',
    title: 'Answered, with hold',
    intro: `The everyday call: offered, queued, ringing one agent, answered, put on hold once, ended and wrapped up; a post-call survey may follow. ${SEQUENCE_NOTE} The agent's \`agent.state\` changes (ringing, on_call, acw, available) are sent beside the call events: the board never derives an agent's state from call events.`,
    notes:
      'Talk time is answer → end minus hold; hold is `call.hold` → `call.unhold` of the same agent; after-call work is `call.ended` → `call.wrapup` (the `acw` state is what the board shows meanwhile). A survey may come after the end; it counts for the call whenever it arrives.',
    match: (c) => c.inbound && c.plain && !c.has('call.ivr') && c.count('call.queued') === 1 && c.has('call.hold') && c.has('call.wrapup'),
    prefer: (c) => c.has('call.survey'),
  },
  {
    key: 'ivr-abandon',
    title: 'Abandoned in the IVR',
    intro:
      'The caller hangs up in the IVR before reaching a queue: `call.abandoned` with `stage: ivr` and no `queue`, then `call.ended` by the caller. No queue counts it (it was never offered to one); the volume report counts it as an IVR call that was not contained. A caller who hangs up after self-service gave them what they called for (a balance, an outage notice) was served: send only `call.ended`, no abandon.',
    match: (c) => c.all('call.abandoned').some((a) => a.stage === 'ivr'),
  },
  {
    key: 'queue-abandon',
    title: 'Abandoned in the queue',
    intro:
      'The caller gives up while waiting, before any agent rang: `call.abandoned` with `stage: queue` and the `queue` closes the visit, then `call.ended` by the caller. The wait (queued → abandoned) decides whether it is a short abandon (wait < S, left out of the service level and the abandon rate by default).',
    match: (c) => c.inbound && !c.has('call.ivr') && c.count('call.queued') === 1 && !c.has('call.ringing') && c.all('call.abandoned').some((a) => a.stage === 'queue'),
  },
  {
    key: 'ringing-abandon',
    title: 'Abandoned while ringing',
    intro:
      'The caller hangs up while an agent\'s phone rings: `call.abandoned` with `stage: ringing` and the `queue`, then `call.ended`. The ringing agent goes back to `available` with its own `agent.state`. For the queue it is an abandon like any other (its wait runs from `call.queued`, ringing included); the abandon report shows the stage.',
    match: (c) => c.inbound && !c.has('call.ivr') && c.count('call.queued') === 1 && !c.has('call.ring_noanswer') && c.all('call.abandoned').some((a) => a.stage === 'ringing'),
  },
  {
    key: 'ring-no-answer',
    title: 'Ring-no-answer, then answered by another agent',
    intro:
      'The first agent does not pick up before the ring timeout: `call.ring_noanswer` (with `queue` and `agent`), and that agent goes `not_ready` with reason `ring_noanswer` (a state the PBX sends; callboard does not assume it). The call stays in its queue visit (no new `call.queued`: it is back at the head of the queue and its wait runs on), rings a second agent and is answered. The ring-no-answer counts for the first agent; the answer and the handle time for the second.',
    match: (c) => c.inbound && !c.has('call.ivr') && c.count('call.queued') === 1 && c.count('call.ring_noanswer') === 1 && c.count('call.answered') === 1 && !c.has('call.transferred') && !c.has('call.overflow') && c.has('call.wrapup') &&
      c.find('call.ring_noanswer')?.agent !== c.find('call.answered')?.agent,
  },
  {
    key: 'blind-transfer',
    title: 'Blind transfer',
    intro:
      'The agent sends the caller to another queue without talking to anyone there first: `call.transferred` with `kind: blind` and `to_queue`, then `call.queued` in that queue: a new offer there, with its own wait, answered by an agent of that queue. **The call id stays the same across the transfer**: one call, two queue visits, two agent legs. The first agent\'s handle time ends at the transfer; it goes to `acw` and sends its own `call.wrapup`.',
    notes:
      'The first queue keeps the call as answered (its figures stay with the first queue); the transfer target counts a new offer with its own wait, answered or abandoned there. The caller view counts the call once, answered in the first queue.',
    match: (c) => c.inbound && !c.has('call.ivr') && c.all('call.transferred').some((t) => t.kind === 'blind') && c.count('call.transferred') === 1 && c.count('call.queued') === 2 && c.count('call.answered') === 2 && !c.has('call.overflow') && !c.has('call.ring_noanswer'),
  },
  {
    key: 'attended-transfer',
    title: 'Attended transfer',
    intro:
      'The agent puts the caller on hold and consults a colleague first: `call.hold`, the consulted agent goes `on_call` (its own `agent.state`; the consultation itself is not a call event), then `call.unhold`, `call.transferred` with `kind: attended` and `to_agent`, and `call.answered` by the consulted agent **without a `queue`**: no new queue visit, so the queue figures stay with the queue that first answered the call. The call id stays the same.',
    notes:
      'The first agent\'s leg ends at the transfer (its hold includes the consultation); the second agent\'s leg runs from its `call.answered` to the end and belongs to the first queue\'s visit, so the queue\'s handle time is the sum of both legs.',
    match: (c) => c.inbound && !c.has('call.ivr') && c.all('call.transferred').some((t) => t.kind === 'attended') && c.count('call.transferred') === 1 && c.count('call.queued') === 1 && !c.has('call.ring_noanswer'),
  },
  {
    key: 'overflow-queue',
    title: 'Overflow to another queue',
    intro:
      'Nobody in the first queue was free within its overflow time: `call.overflow` (`from_queue`, `to_queue`) closes the visit as **flowed out**, and `call.queued` in the target opens a new one, where the call is answered. The first queue counts an offer that was neither answered nor abandoned (offered = answered + abandoned + flowed out + waiting); the target counts an offer with its own wait, which starts at its `call.queued`.',
    notes: 'The caller view counts the call once, from its first `call.queued` to the answer in the second queue: the wait the caller felt.',
    match: (c) => c.inbound && !c.has('call.ivr') && c.overflowTo('same_site') && c.count('call.queued') === 2 && c.count('call.answered') === 1 && !c.has('call.transferred') && !c.has('call.ring_noanswer'),
  },
  {
    key: 'overflow-site',
    title: 'Overflow to another site',
    intro:
      'The same as an overflow between queues, to a queue of another site: the events after the overflow carry the new `site`, and the visit there counts for that site (and, in the caller view, for the site of the first queue).',
    match: (c) => c.inbound && !c.has('call.ivr') && c.overflowTo('other_site') && c.count('call.queued') === 2 && c.count('call.answered') === 1 && !c.has('call.transferred') && !c.has('call.ring_noanswer'),
  },
  {
    key: 'voicemail',
    title: 'Voicemail flow-out',
    intro:
      'The call waited past the queue\'s maximum wait and the caller is sent to voicemail: `call.overflow` with `to_queue: "voicemail"` closes the visit (flowed out, not abandoned), then an optional `call.ivr` step, then `call.ended` by the caller after leaving the message. The simulator names its flow-outs out of the queues `voicemail`, `callback` and `closed` (the center closes); callboard treats any `to_queue` alike: the visit closes as flowed out, and a later `call.queued` opens the next visit, if any.',
    match: (c) => c.inbound && c.all('call.ivr').every((i) => i.node.startsWith('max_wait')) && c.overflowTo('voicemail') && c.count('call.queued') === 1,
  },
  {
    key: 'callback',
    title: 'Callback flow-out',
    intro:
      'The caller waited past the maximum wait and accepts a callback: `call.overflow` with `to_queue: "callback"` closes the visit (flowed out), then an optional `call.ivr` step and `call.ended` by the system. The callback itself is a **new call** with its own id, placed later (next section): the contract has no field linking the two; the outbound call\'s `to` is the number the customer called from.',
    match: (c) => c.inbound && c.overflowTo('callback') && c.count('call.queued') === 1,
  },
  {
    key: 'outbound',
    title: 'Outbound call (the callback)',
    intro:
      'The center calls the customer back: `call.offered` with `direction: outbound` and `to` (the customer\'s number), queued in the callback queue with a higher `priority`, ringing an agent, answered when the agent takes it. An outbound call that goes through a queue counts in that queue like an inbound one; it is the call the previous section\'s callback request led to (its `to` is that call\'s `from`).',
    match: (c) => !c.inbound && c.count('call.queued') === 1 && c.has('call.answered') && c.plain && c.has('call.wrapup'),
  },
];

/** Whether `events` (one call's events, agent states allowed) take `path`; `queueSites`: the site of each queue. */
export function takesPath(path: PathSpec, events: readonly Event[], queueSites: ReadonlyMap<string, string>): boolean {
  const callEvents = events.filter((e) => e.type !== 'agent.state');
  const first = callEvents[0];
  if (first === undefined || !('call' in first) || typeof first.call !== 'string') return false;
  const record: CallRecord = { call: first.call, events: callEvents.map((event, index) => ({ index, event })) };
  return path.match(new CallView(record, queueSites));
}

/** The site of every queue of the guide's scenario. */
export function queueSitesOf(scenario: Scenario): Map<string, string> {
  return new Map(scenario.queues.map((q) => [q.name, q.site ?? '']));
}

/** What the guide needs from a run: the calls, the agent state changes and the queues' sites. */
export interface GuideRun {
  events: Event[];
  scenario: Scenario;
}

/** Runs the guide's scenario with its fixed seed and start; ids get the short source prefix. */
export function runGuideScenario(seed?: string): GuideRun {
  const scenario = loadScenario(resolve(ROOT, SCENARIO_FILE));
  const sink = new ArraySink();
  const start = Date.parse(START);
  const sim = new Simulation(scenario, { startMs: start, sink, ...(seed === undefined ? {} : { seed }) });
  sim.runUntil(start + SIM_HOURS * 3_600_000);
  sim.finish();
  const events = sink.events.map((e) => shortenIds(e, sim.runId));
  return { events, scenario };
}

function shortenIds(e: Event, runId: string): Event {
  const out: Record<string, unknown> = { ...e };
  for (const k of ['id', 'call'] as const) {
    const v = out[k];
    if (typeof v === 'string' && v.startsWith(`${runId}-`)) out[k] = SOURCE_PREFIX + v.slice(runId.length + 1);
  }
  return out as Event;
}

/** An example of the guide: its events, in the order they were emitted. */
export interface Example {
  path: PathSpec;
  call: string;
  events: Event[];
  /** the callback request names the outbound call it led to, and the reverse */
  related?: string;
  /** agents who took other calls between their sign-in and this call (those are left out) */
  busyBefore: string[];
}

interface Extracted {
  events: Emitted[];
  /** false when an agent's state before the call cannot be shown by its sign-in, or a state change of the call's time belongs elsewhere */
  usable: boolean;
  /** agents who took other calls between their sign-in and this call (left out of the example) */
  busyBefore: string[];
}

/** Event types after which the agent is still ringing or connected. */
const STILL_ON_CALL: ReadonlySet<string> = new Set(['call.ringing', 'call.answered', 'call.hold', 'call.unhold']);

const agentsOf = (events: readonly Emitted[]): string[] => {
  const out: string[] = [];
  for (const { event: e } of events) {
    const names: string[] = [];
    if ('agent' in e && typeof e.agent === 'string' && e.type !== 'agent.state') names.push(e.agent);
    if (e.type === 'call.transferred' && e.to_agent !== undefined) names.push(e.to_agent);
    for (const n of names) if (!out.includes(n)) out.push(n);
  }
  return out;
};

/**
 * A call's events and, for each agent on it, its state in force when the call began and its
 * state changes that belong to the call (same millisecond as one of the call's events, up to the
 * first change after the agent's last event on the call).
 */
function extract(record: CallRecord, statesByAgent: ReadonlyMap<string, Emitted[]>): Extracted {
  const callEvents = record.events;
  const first = callEvents[0] as Emitted;
  const callTs = new Set(callEvents.map((e) => Number(e.event.ts)));
  const end = callEvents.find((e) => e.event.type === 'call.abandoned' || e.event.type === 'call.ended');
  /** The agent's last event on the call; for an agent still ringing or talking then, the call's end. */
  const lastIndexOf = (agent: string): number => {
    let last = first.index;
    let lastType = '';
    for (const { index, event: ev } of callEvents) {
      if (('agent' in ev && ev.agent === agent) || (ev.type === 'call.transferred' && ev.to_agent === agent)) {
        last = index;
        lastType = ev.type;
      }
    }
    if (STILL_ON_CALL.has(lastType) && end !== undefined) last = Math.max(last, end.index);
    return last;
  };
  const picked: Emitted[] = [...callEvents];
  const busyBefore: string[] = [];
  let usable = true;
  for (const agent of agentsOf(callEvents)) {
    const states = statesByAgent.get(agent) ?? [];
    const before = states.filter((s) => s.index < first.index);
    const context = before[before.length - 1];
    const signIn = before.findLast((s) => s.event.type === 'agent.state' && s.event.queues !== undefined);
    if (context === undefined || signIn === undefined || context.event.type !== 'agent.state') {
      usable = false;
      continue;
    }
    // The state in force when the call begins is the sign-in itself, or `available` again after other calls.
    picked.push(signIn);
    if (context !== signIn) {
      if (context.event.state !== 'available') usable = false;
      busyBefore.push(agent);
    }
    const last = lastIndexOf(agent);
    const stop = states.find((s) => s.index > last);
    const stopIndex = stop?.index ?? last;
    for (const s of states) {
      if (s.index < first.index || s.index > stopIndex) continue;
      if (callTs.has(Number(s.event.ts))) picked.push(s);
      else usable = false;
    }
  }
  picked.sort((a, b) => a.index - b.index);
  return { events: picked, usable, busyBefore };
}

/** The errors and warnings the feed checker (`auditFeed`) finds in an example (empty: it passes). */
export function checkExample(events: readonly Event[]): string[] {
  const audit = auditFeed(events);
  return audit.problems.filter((p) => p.severity !== 'info').flatMap((p) => p.examples.map((e) => `${p.code}: ${e.message}`));
}

/** Sorts the run into calls and picks one clean example per path. */
export function pickExamples(run: GuideRun): Example[] {
  const sites = queueSitesOf(run.scenario);
  const calls = new Map<string, CallRecord>();
  const statesByAgent = new Map<string, Emitted[]>();
  run.events.forEach((event, index) => {
    if (event.type === 'agent.state') {
      let list = statesByAgent.get(event.agent);
      if (!list) statesByAgent.set(event.agent, (list = []));
      list.push({ index, event });
      return;
    }
    if (!('call' in event) || typeof event.call !== 'string') return;
    let rec = calls.get(event.call);
    if (!rec) calls.set(event.call, (rec = { call: event.call, events: [] }));
    rec.events.push({ index, event });
  });
  const views = [...calls.values()].map((r) => new CallView(r, sites)).filter((v) => v.ended && v.has('call.offered'));
  const chosen = new Map<string, { view: CallView; events: Event[]; busyBefore: string[] }>();
  /** Picks `view` for `path` if it makes a sound example; `fresh`: only when its agents took no call before. */
  const tryPick = (path: PathSpec, view: CallView, fresh: boolean): boolean => {
    const ex = extract(view.record, statesByAgent);
    if (!ex.usable || (fresh && ex.busyBefore.length > 0)) return false;
    const events = ex.events.map((e) => e.event);
    if (checkExample(events).length > 0) return false;
    chosen.set(path.key, { view, events, busyBefore: ex.busyBefore });
    return true;
  };
  const pickFirst = (path: PathSpec, candidates: readonly CallView[]): boolean => {
    const preferred = path.prefer ? candidates.filter((v) => path.prefer?.(v)) : [];
    for (const fresh of [true, false]) {
      if (preferred.some((v) => tryPick(path, v, fresh)) || candidates.some((v) => tryPick(path, v, fresh))) return true;
    }
    return false;
  };
  const callbackPath = PATHS.find((p) => p.key === 'callback') as PathSpec;
  const outboundPath = PATHS.find((p) => p.key === 'outbound') as PathSpec;
  for (const path of PATHS) {
    if (path === callbackPath || path === outboundPath) continue;
    if (!pickFirst(path, views.filter((v) => path.match(v)))) throw new Error(`lifecycle guide: no clean call for path "${path.key}" in ${SCENARIO_FILE} (seed and start fixed): change the scenario so it produces one`);
  }
  // The callback example is a request whose outbound call is the outbound example.
  const requests = views.filter((v) => callbackPath.match(v));
  const outbound = views.filter((v) => outboundPath.match(v));
  let pair: { request: CallView; back: CallView } | null = null;
  for (const fresh of [true, false]) {
    for (const request of requests) {
      const from = request.find('call.offered')?.from;
      const endIndex = (request.record.events[request.record.events.length - 1] as Emitted).index;
      const back = outbound.find((o) => o.find('call.offered')?.to === from && (o.record.events[0] as Emitted).index > endIndex);
      if (from === undefined || back === undefined) continue;
      if (tryPick(callbackPath, request, fresh) && tryPick(outboundPath, back, fresh)) {
        pair = { request, back };
        break;
      }
    }
    if (pair) break;
  }
  if (!pair) throw new Error(`lifecycle guide: no callback request with a clean outbound callback in ${SCENARIO_FILE}`);
  return PATHS.map((path) => {
    const c = chosen.get(path.key) as { view: CallView; events: Event[]; busyBefore: string[] };
    const ex: Example = { path, call: c.view.record.call, events: c.events, busyBefore: c.busyBefore };
    if (path === callbackPath) ex.related = pair.back.record.call;
    if (path === outboundPath) ex.related = pair.request.record.call;
    return ex;
  });
}

// ---- the hand-written example ------------------------------------------------------------

/**
 * An outbound call an agent dials directly, without a queue: the simulator only places outbound
 * calls through a queue (callbacks), so this one is written by hand. The test checks it against
 * the contract and the feed checker like the generated ones.
 */
export const DIRECT_OUTBOUND: readonly Event[] = [
  { id: 'pbx1-7001', type: 'agent.state', ts: '2026-03-02T14:00:00.000+01:00', site: 'berlin', agent: 'bln-x1', state: 'available', queues: ['billing'] },
  { id: 'pbx1-7002', type: 'call.offered', ts: '2026-03-02T14:05:10.000+01:00', site: 'berlin', call: 'pbx1-c-77', direction: 'outbound', to: '+4930555123' },
  { id: 'pbx1-7003', type: 'agent.state', ts: '2026-03-02T14:05:10.000+01:00', site: 'berlin', agent: 'bln-x1', state: 'on_call' },
  { id: 'pbx1-7004', type: 'call.answered', ts: '2026-03-02T14:05:18.500+01:00', site: 'berlin', call: 'pbx1-c-77', agent: 'bln-x1' },
  { id: 'pbx1-7005', type: 'call.ended', ts: '2026-03-02T14:08:02.250+01:00', site: 'berlin', call: 'pbx1-c-77', by: 'agent' },
  { id: 'pbx1-7006', type: 'agent.state', ts: '2026-03-02T14:08:02.250+01:00', site: 'berlin', agent: 'bln-x1', state: 'acw' },
  { id: 'pbx1-7007', type: 'call.wrapup', ts: '2026-03-02T14:08:40.000+01:00', site: 'berlin', call: 'pbx1-c-77', agent: 'bln-x1', code: 'sale' },
  { id: 'pbx1-7008', type: 'agent.state', ts: '2026-03-02T14:08:40.000+01:00', site: 'berlin', agent: 'bln-x1', state: 'available' },
];

// ---- rendering ---------------------------------------------------------------------------

const tsOf = (e: Event): number => (typeof e.ts === 'number' ? e.ts : Date.parse(e.ts));

/** Local wall-clock time with milliseconds, e.g. `09:14:03.250`. */
function localTime(t: number): string {
  return new Date(t + zoneOffsetMs(TIME_ZONE, t)).toISOString().slice(11, 23);
}

function offsetText(t: number): string {
  const off = zoneOffsetMs(TIME_ZONE, t) / 60_000;
  const abs = Math.abs(off);
  return `${off < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const code = (s: string): string => `\`${s}\``;

/** What one event says, in words, for the timeline. */
function describe(e: Event): string {
  switch (e.type) {
    case 'agent.state': {
      const q = e.queues ? `, signed in to ${e.queues.map(code).join(', ')}` : '';
      const r = e.reason ? ` (reason ${code(e.reason)})` : '';
      return `${code(e.agent)} is ${code(e.state)}${r}${q}`;
    }
    case 'agent.help':
      return `${code(e.agent)} asks a supervisor for help`;
    case 'call.offered':
      return e.direction === 'inbound' ? `a call comes in${e.from ? ` from ${e.from}` : ''}` : `the center dials out${e.to ? ` to ${e.to}` : ''}`;
    case 'call.ivr':
      return `IVR step ${code(e.node)}${e.input !== undefined ? `, input ${code(e.input)}` : ''}`;
    case 'call.queued':
      return `queued in ${code(e.queue)}${e.priority !== undefined ? ` with priority ${e.priority}` : ''}: a queue visit opens`;
    case 'call.ringing':
      return `rings ${code(e.agent)}`;
    case 'call.ring_noanswer':
      return `${code(e.agent)} does not answer; the call stays in ${code(e.queue)}`;
    case 'call.answered':
      return e.queue !== undefined ? `${code(e.agent)} answers: the visit of ${code(e.queue)} closes as answered` : `${code(e.agent)} is connected (no queue visit)`;
    case 'call.hold':
      return `${code(e.agent)} puts the caller on hold`;
    case 'call.unhold':
      return `${code(e.agent)} takes the caller off hold`;
    case 'call.transferred':
      return e.kind === 'blind' ? `${code(e.agent)} transfers blind to queue ${code(e.to_queue ?? '?')}` : `${code(e.agent)} hands the caller to ${code(e.to_agent ?? '?')} (attended)`;
    case 'call.overflow':
      return `leaves ${code(e.from_queue)} for ${code(e.to_queue)}: the visit closes as flowed out`;
    case 'call.abandoned':
      return e.stage === 'ivr' ? 'the caller hangs up in the IVR' : `the caller hangs up (stage ${code(e.stage)}): the visit of ${code(e.queue ?? '?')} closes as abandoned`;
    case 'call.ended':
      return `the call ends, released by the ${e.by}`;
    case 'call.wrapup':
      return `${code(e.agent)} finishes after-call work${e.code !== undefined ? `, disposition ${code(e.code)}` : ''}`;
    case 'call.survey':
      return `survey: score ${e.score}${e.resolved !== undefined ? `, resolved ${e.resolved ? 'yes' : 'no'}` : ''}`;
  }
}

function timeline(events: readonly Event[]): string {
  const offered = events.find((e) => e.type === 'call.offered');
  const t0 = offered ? tsOf(offered) : tsOf(events[0] as Event);
  const rows = [`| time (${offsetText(t0)}) | since offered | event | what it says |`, '| --- | ---: | --- | --- |'];
  let previousCall: string | null = null;
  for (const e of events) {
    const t = tsOf(e);
    const call = 'call' in e && typeof e.call === 'string' && e.type !== 'agent.help' ? e.call : null;
    if (call !== null && previousCall !== null && call !== previousCall) rows.push('| | | | *another call* |');
    if (call !== null) previousCall = call;
    const since = t >= t0 ? `+${seconds(t - t0)}` : '';
    rows.push(`| ${localTime(t)} | ${since} | ${code(e.type)} | ${describe(e)} |`);
  }
  return rows.join('\n');
}

/** What the metric module derives from the example: the same code as the board and the reports. */
function counts(events: readonly Event[]): string[] {
  const byCall = new Map<string, Event[]>();
  for (const e of events) {
    if (e.type === 'agent.state' || e.type === 'agent.help') continue;
    const list = byCall.get(e.call) ?? [];
    list.push(e);
    byCall.set(e.call, list);
  }
  const { slThresholdS: t, shortAbandonS: s } = DEFAULT_QUEUE_SETTINGS;
  const lines: string[] = [];
  for (const [call, list] of byCall) {
    const facts = deriveCall(
      list.map((e) => {
        const r = validateEvent(e, SIMULATED_TIME_LIMITS);
        if (!r.ok) throw new Error(`example event ${e.id} is invalid: ${r.error}`);
        return callEventOf(r.event);
      }),
    );
    const prefix = byCall.size > 1 ? `${code(call)}: ` : '';
    for (const v of facts.visits) lines.push(`${prefix}${visitLine(v, t, s)}`);
    if (facts.caller && facts.visits.length > 1) {
      const c = facts.caller;
      const how = c.outcome === 'answered' ? `answered in ${code(c.answeredQueue ?? '?')}` : c.outcome.replace('_', ' ');
      lines.push(`${prefix}caller view (counted once, in ${code(c.queue)}, the first queue): ${how} after ${seconds(c.waitMs ?? 0)} from the first \`call.queued\``);
    }
    for (const leg of facts.legs) lines.push(`${prefix}${legLine(leg)}`);
    for (const r of facts.ringNoAnswers) lines.push(`${prefix}agent ${code(r.agent)}: one ring-no-answer`);
    lines.push(`${prefix}${detailLine(facts)}`);
  }
  return lines;
}

function visitLine(v: CallFacts['visits'][number], t: number, s: number): string {
  const wait = v.waitMs ?? 0;
  const head = `queue ${code(v.queue)}${v.site ? ` (site ${code(v.site)})` : ''}: offered 1`;
  switch (v.outcome) {
    case 'answered':
      return `${head}, answered by ${code(v.agent ?? '?')} after a wait of ${seconds(wait)} (${wait <= t * 1000 ? `within T = ${t} s` : `over T = ${t} s`})`;
    case 'abandoned':
      return `${head}, abandoned (${v.abandonStage}) after ${seconds(wait)}${wait < s * 1000 ? `: a short abandon (< S = ${s} s)` : ` (not short: S = ${s} s)`}`;
    case 'flowed_out':
      return `${head}, flowed out to ${code(v.flowedTo ?? '?')} after ${seconds(wait)}: neither answered nor abandoned, left out of the service level by default`;
    case 'waiting':
      return `${head}, still waiting`;
  }
}

function legLine(leg: CallFacts['legs'][number]): string {
  const end = leg.endReason === 'transfer' ? 'until the transfer' : 'until the end';
  const acw = leg.wrapupAt === null ? 'no wrap-up yet' : `after-call work ${seconds(leg.acwMs)}`;
  const hangup = leg.hungUp ? '; an agent hang-up' : '';
  const queue = leg.queue === null ? 'no queue' : `handle time counted for ${code(leg.queue)}`;
  return `agent ${code(leg.agent)}: answered 1, talk ${seconds(leg.talkMs ?? 0)}, hold ${seconds(leg.holdMs)} (${end}), ${acw}${hangup}; ${queue}`;
}

function detailLine(f: CallFacts): string {
  const parts = [`outcome ${code(callOutcome(f))}`];
  if (f.endedBy) parts.push(`ended by ${f.endedBy}`);
  const disposition = f.legs.map((l) => l.code).filter((c): c is string => c !== null);
  if (disposition.length > 0) parts.push(`disposition ${code(disposition[disposition.length - 1] as string)}`);
  if (f.transfers > 0) parts.push(`${f.transfers} transfer`);
  if (f.survey) parts.push(`survey ${f.survey.score}${f.survey.resolved === null ? '' : f.survey.resolved ? ' (resolved)' : ' (not resolved)'}`);
  parts.push(f.complete ? 'complete (ended and every leg wrapped up)' : 'not complete');
  return `call list and volume reports: ${parts.join(', ')}`;
}

/** GitHub's heading anchor. */
function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

const ndjson = (events: readonly Event[]): string => ['```ndjson', ...events.map((e) => JSON.stringify(e)), '```'].join('\n');

function exampleSection(n: number, title: string, intro: string, events: readonly Event[], extra: string[], notes?: string): string {
  const out = [`### ${n}. ${title}`, '', intro, '', ndjson(events), '', timeline(events), ''];
  out.push(...extra);
  out.push('**What callboard counts** (derived by `deriveCall`, the definition the live board and the reports share; default T and S):', '');
  for (const line of counts(events)) out.push(`- ${line}`);
  if (notes) out.push('', notes);
  out.push('');
  return out.join('\n');
}

/** The whole guide, as Markdown. */
export function renderGuide(examples: readonly Example[]): string {
  const pathTitles = examples.map((e, i) => `${i + 1}. ${e.path.title}`);
  const directTitle = `${examples.length + 1}. ${DIRECT_TITLE}`;
  const out: string[] = [HEADER, '', '## Contents', ''];
  out.push(`- [How to read the examples](#${slug('How to read the examples')})`);
  out.push(`- [Call paths](#${slug('Call paths')})`);
  for (const t of [...pathTitles, directTitle]) out.push(`  - [${t.replace(/^\d+\. /, '')}](#${slug(t)})`);
  for (const [title] of PROSE) out.push(`- [${title}](#${slug(title)})`);
  out.push('', READING, '', '## Call paths', '');
  examples.forEach((ex, i) => {
    const extra: string[] = [];
    if (ex.busyBefore.length > 0) {
      extra.push(
        `${ex.busyBefore.map(code).join(' and ')} took other calls between the sign-in shown and this call; those events are left out (the agent was \`available\` again when this call began).`,
        '',
      );
    }
    if (ex.related !== undefined) {
      extra.push(ex.path.key === 'callback' ? `The callback this request led to is call ${code(ex.related)}, the next example.` : `This is the callback of call ${code(ex.related)} (previous example).`, '');
    }
    out.push(exampleSection(i + 1, ex.path.title, ex.path.intro.replace(/\n/g, ' '), ex.events, extra, ex.path.notes));
  });
  out.push(exampleSection(examples.length + 1, DIRECT_TITLE, DIRECT_INTRO, DIRECT_OUTBOUND, [], DIRECT_NOTES));
  for (const [title, body] of PROSE) out.push(`## ${title}`, '', body.trim(), '');
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** Runs the scenario and renders the guide. */
export function buildGuide(): { markdown: string; examples: Example[]; run: GuideRun } {
  const run = runGuideScenario();
  const examples = pickExamples(run);
  return { markdown: renderGuide(examples), examples, run };
}

// ---- template text -----------------------------------------------------------------------

const HEADER = `# The event lifecycle: what to send, call by call

callboard is only as right as the events a PBX sends it. This guide shows, for every call path, a
complete event sequence that callboard counts correctly, then says which agent states you must
send, what each field means, which events each board and report needs, and what happens when
events come late, out of order or twice. The wire format (endpoints, acks, limits) is in the
README's [Sending events](../README.md#sending-events-wire-contract-v1); the JSON Schema of every
event type is in [\`schemas/json/\`](../schemas/json/).

*Generated* by \`npm run docs:lifecycle\` (\`scripts/lifecycle-guide.ts\`) from what the ACD simulator
emits: it runs [\`${SCENARIO_FILE}\`](../${SCENARIO_FILE}) with its fixed seed from ${START}, takes
one real call per path, and derives the figures below each example with the metric module the live
board and the reports use. \`npm run docs:lifecycle -- --check\` fails when this file differs from
what the simulator and the metric module produce now; \`test/lifecycle-guide.test.ts\` checks every
example against the contract and the feed checker. Do not edit this file by hand: change the
template text in the script.`;

const READING = `## How to read the examples

- Each example is NDJSON, one event per line, exactly as the simulator sent it (only the
  simulator's run prefix of ids is shortened to \`${SOURCE_PREFIX}\`). You can send a block as it is to
  \`POST /v1/events\`; the whole block passes the feed checker with no problem.
- A block holds one call's events **and** the \`agent.state\` changes of the agents on it, in the
  order they were emitted. Each agent's sign-in (\`available\` with \`queues\`) is shown as its state
  before the call, so the block is a complete feed on its own.
- \`ts\` is epoch milliseconds, the simulator's form; the table under each block gives the local time
  (${TIME_ZONE}, ${offsetText(Date.parse(START))} on ${START.slice(0, 10)}) and the time since \`call.offered\`. ISO-8601 with an offset is just as
  good (the hand-written example uses it).
- Events of one millisecond are in causal order (queued before ringing, ended before acw). callboard
  does not depend on that: it orders each call's events itself (see
  [Late, out-of-order and repeated events](#late-out-of-order-and-repeated-events)).
- "What callboard counts" is computed from the block by \`deriveCall\`
  (\`server/contact-metrics/call-facts.ts\`) with callboard's default thresholds (T = ${DEFAULT_QUEUE_SETTINGS.slThresholdS} s,
  S = ${DEFAULT_QUEUE_SETTINGS.shortAbandonS} s): the same code the live board and the reports run.`;

/** The title of the hand-written example's section. */
export const DIRECT_TITLE = 'Outbound call dialled by an agent (hand-written)';

const DIRECT_INTRO = `**Hand-written, checked by the feed checker**: the simulator places outbound calls only through a
queue (the callback above), so this direct dial is written by hand in the generator and checked
against the contract and the feed checker by \`test/lifecycle-guide.test.ts\` like the generated
ones. It uses ISO-8601 timestamps with an offset. The agent dials (\`call.offered\` with
\`direction: outbound\` and \`to\`; the agent is \`on_call\` from the moment it dials), the customer picks
up (\`call.answered\` **without** \`queue\`: no queue visit), the agent hangs up and wraps up.`;

const DIRECT_NOTES = `No queue counts a call without \`call.queued\`: it shows in the agent's figures (answered, talk,
after-call work, the hang-up) and in the call list as outbound. Talk time starts at \`call.answered\`,
so the dialling time before it is on_call time (occupancy) but not talk.`;

const PROSE: readonly (readonly [string, string])[] = [
  [
    'Agents: which states to send, which are derived',
    `Send every change of an agent's state as \`agent.state\`. callboard never derives an agent's state
from call events: the board shows the state of the agent's latest \`agent.state\` (by \`ts\`), and
occupancy, utilization, logged-in time, sign-ins, sign-outs, breaks and not-ready time are derived
from these events alone. An agent for whom only call events arrive stays \`logged_out\` on the board.

| state | send it when | notes |
| --- | --- | --- |
| \`available\` | the agent signs in, and whenever it is free again (after wrap-up, a break, a missed call) | the sign-in carries \`queues\` |
| \`ringing\` | a call is offered to the agent's phone | with \`call.ringing\` |
| \`on_call\` | the agent answers, dials out, or is consulted in an attended transfer | with \`call.answered\` (a consultation has no call event) |
| \`acw\` | the conversation ended (or the agent transferred the call) and after-call work begins | with \`call.ended\` / \`call.transferred\`; until \`call.wrapup\` |
| \`not_ready\` | a break, a manual busy, a missed call (ring-no-answer) | with \`reason\` |
| \`logged_out\` | the agent signs out | |

The usual order is \`logged_out → available → ringing → on_call → acw → available\`; \`not_ready\` can
follow any state but \`logged_out\`, and any state can go to \`logged_out\`. A PBX without after-call
work sends \`available\` straight after \`on_call\`; one without ringing sends \`on_call\` straight after
\`available\`.

**Derived, do not send**: the call and queue an agent is on (from \`call.ringing\` / \`call.answered\`
and the call's later events), answered calls, talk, hold and after-call-work time (from the call
events of the agent's leg: \`call.answered\` → \`call.transferred\` or \`call.ended\`, \`call.hold\` →
\`call.unhold\`, end → \`call.wrapup\`), ring-no-answers (\`call.ring_noanswer\`), agent hang-ups
(\`call.ended\` with \`by: agent\` while the agent is on the call), transfers and help requests
(\`agent.help\`). The agent counts per queue on the board (available, on a call, …) are the agent's
state counted in every queue of its latest sign-in.`,
  ],
  [
    'What call.wrapup marks',
    `\`call.wrapup\` (\`call\`, \`agent\`, \`code\`?) marks the **end of one agent's after-call work for one
call**: the agent's after-call-work time is its leg's end (\`call.ended\`, or its \`call.transferred\`)
→ its \`call.wrapup\`, and handle time = talk + hold + after-call work. \`code\` is the disposition: the
call list shows it and the volume report counts calls per code (call reasons). Send one per agent
leg, after that leg ended (in a transfer both agents send one), with the agent's \`agent.state\`
leaving \`acw\` at the same moment.

Without a \`call.wrapup\` the leg's after-call work counts as 0 and the live engine keeps the call
open for late events a while longer (30 minutes instead of 5). A PBX without after-call work may
leave it out, or send it with \`code\` at the moment of the end to record the disposition.`,
  ],
  [
    'What site, queues, reason and priority mean',
    `- **\`site\`** (any event, optional): on call events the site handling the call at that moment (the
  site the call came in at, then the site of the queue it is queued in: after an overflow to another
  site the events carry the new site); on agent events the agent's site. A queue visit belongs to
  the site of its \`call.queued\`; the call (call list, caller view) to the first site its events
  name; a queue takes the site of its first \`call.queued\` unless an admin set one. Sites decide
  the time zone of "today" and of report intervals. A site seen for the first time is created
  with defaults.
- **\`queues\`** (\`agent.state\`, on sign-in): the queues the agent serves from now on. The board
  counts the agent, by state, in each of them until the next sign-in with \`queues\`; without it,
  the queues set for the agent in the directory are used, and without those the agent counts in
  no queue. Send it with every \`available\` that follows \`logged_out\`, and again when the agent's
  queues change.
- **\`reason\`** (\`agent.state\` with \`not_ready\`): why the agent is not ready. \`break\` counts as a
  break in the agent report (\`breaks\`, \`break_s\`); every not-ready period, breaks included, counts
  in \`not_ready_count\` and \`not_ready_s\`. A change of reason while not ready starts a new period.
  Other codes are free text (the simulator uses \`manual_busy\` and \`ring_noanswer\`).
- **\`priority\`** (\`call.queued\`, 0–100, higher is served first): the routing priority the PBX gave
  the call in that queue. callboard stores it with the event; no figure depends on it.`,
  ],
  [
    'What the live board and each report need',
    `| figure | events it is made of |
| --- | --- |
| waiting calls, longest wait (board) | \`call.queued\` opens a wait; \`call.answered\` / \`call.abandoned\` / \`call.overflow\` with the same queue (or \`call.ended\`) closes it |
| offered, answered, abandoned, flowed out, service level, ASA, max wait, abandon rate (board "today", queue report) | \`call.queued\` with \`queue\`, closed by \`call.answered\` with \`queue\`, \`call.abandoned\` with \`queue\` and \`stage\`, or \`call.overflow\` with \`from_queue\`; waits are measured from \`call.queued\` |
| caller view (site and center) | the call's first \`call.queued\` and its first answer anywhere |
| AHT, talk, hold, after-call work (board, queue report, staffing) | \`call.answered\`, \`call.hold\` / \`call.unhold\`, \`call.transferred\`, \`call.ended\`, \`call.wrapup\`; a call counts as handled once \`call.ended\` arrived |
| agents by state per queue, agent tiles (board) | \`agent.state\` with \`queues\` on sign-in; the current call from \`call.ringing\` / \`call.answered\` |
| agent report: sign-ins, sign-outs, breaks, not ready, logged-in time, occupancy, utilization | \`agent.state\` with \`reason\` (the state before the period is taken into account) |
| agent report: answered, talk, hold, acw, handle, ring-no-answer, hang-ups, help requests | the agent's \`call.answered\`, hold/unhold, transfer, \`call.ended\` (with \`by\`), \`call.wrapup\`, \`call.ring_noanswer\`, \`agent.help\` |
| call list (access detail) | \`call.offered\` (\`direction\`, \`from\`, \`to\`), \`call.ivr\` (IVR path), the queue visits and agent legs, \`call.wrapup\` \`code\`, \`call.survey\`, \`call.ended\` |
| volume report | calls offered; self-service = ended in the IVR without a queue and without \`call.abandoned\`; IVR containment; surveys; calls per wrap-up \`code\` and per IVR \`node\` |
| abandon report | \`call.abandoned\` \`stage\` and the wait from \`call.queued\` |
| heatmap, staffing | calls by start time; calls and AHT per interval |

Queue figures count in the interval in which the call entered the queue, handle times in the
interval in which the call ended, agent answers and ring-no-answers at their own event, state
times split at interval edges (DESIGN.md, "Metric definitions").`,
  ],
  [
    'Late, out-of-order and repeated events',
    `callboard does not need events in order, and the same event sent twice counts once.

- **Calls**: the live engine and the history deriver both derive a call from **all** its events
  each time one arrives (\`deriveCall\`): the events are de-duplicated by \`id\` and ordered by \`ts\`,
  then, within one millisecond, by a causal rank of the type (offered, ivr, overflow, transferred,
  queued, ringing, ring_noanswer, answered, hold, unhold, abandoned, ended, wrapup, survey), then
  by \`id\` (shorter first, then character order, so counters such as \`pbx1-9\` < \`pbx1-a\` <
  \`pbx1-10\` keep their order). A late event corrects the call: the board moves the call's
  contribution between its counters, the reports write the difference. Arrival order never changes
  a figure.
- **Agents**: a late \`agent.state\` is inserted at its \`ts\` and the day's state times are
  recomputed; reports walk the stored states in \`ts\` order. Within one millisecond the \`id\`
  decides, so give a sender's events ids that grow with time.
- **How late**: the board keeps a call for 5 minutes after it is complete (ended and every leg
  wrapped up), 30 minutes while a wrap-up is missing, and 4 hours without events for a call that
  never ended; a later event for a call it has let go of is dropped from the board (counted in the
  engine's \`lateDropped\`) but still reaches the reports, which derive the call again from its stored
  events (those within 2 hours of the new events and of the call's earlier figures). On restart the
  board is rebuilt from today's stored events.
- **Incomplete calls**: a visit never closed is closed by \`call.ended\` (as abandoned when the
  caller ended the call, else as flowed out), an answer closes any other open visit as flowed out;
  a call without \`call.ended\` stays on the board as waiting or talking until its events stop for
  4 hours. Close every visit yourself: these rules keep figures sane, not exact.`,
  ],
  [
    'Ids and de-duplication',
    `- Every event has an \`id\` (1–64 characters), **unique per source** (the API key's name): prefix it
  with your source (\`pbx1-…\`) and use a counter or a UUID. A resent event (same source and \`id\`) is
  acknowledged and stored once, so resending after a lost ack is always safe.
- Never use one \`id\` for two different events: the store keeps the first and the second is lost.
- A \`call\` id names one call from \`call.offered\` to its last \`call.survey\`: keep it across queues,
  overflows and transfers (blind and attended); a new call, such as a callback, gets a new id.
  Call ids and event ids are separate name spaces, but keeping them distinct (\`acd-c-…\` against
  \`acd-…\`) makes logs easier to read.
- Agent ids are the ids the PBX uses for people (not extensions shared by several people): the
  agent on two calls at once is an error the feed checker reports.`,
  ],
  [
    'Timestamps',
    `- \`ts\` is when it happened at the source: **integer epoch milliseconds** (\`1772438400250\`) or
  **ISO-8601 with an offset** (\`2026-03-02T09:00:00.250+01:00\`, or \`Z\`). A timestamp without an
  offset is rejected; milliseconds are kept exactly, finer digits are not.
- Epoch **seconds** are a common mistake: \`1772438400\` read as milliseconds is in January 1970 and
  is rejected (the earliest accepted \`ts\` is 2000-01-01). Multiply by 1000.
- The latest accepted \`ts\` is the server's clock + \`MAX_FUTURE_SKEW_MS\`; keep the PBX clocks on
  NTP, or waits and handle times between events from different sources are off by the skew.
- Waits and durations are differences of \`ts\`: the wait is \`call.queued\` → \`call.answered\` /
  \`call.abandoned\`, talk is \`call.answered\` → \`call.ended\` less hold. Send the moment the thing
  happened, not the moment you send the event.`,
  ],
];

// ---- command line ------------------------------------------------------------------------

function main(): void {
  const check = process.argv.includes('--check');
  const { markdown } = buildGuide();
  if (check) {
    let current = '';
    try {
      current = readFileSync(GUIDE_PATH, 'utf8');
    } catch {
      current = '';
    }
    if (current !== markdown) {
      console.error('docs/lifecycle.md is out of date: run `npm run docs:lifecycle` and commit the result');
      process.exit(1);
    }
    console.log('docs/lifecycle.md is up to date');
    return;
  }
  mkdirSync(dirname(GUIDE_PATH), { recursive: true });
  writeFileSync(GUIDE_PATH, markdown);
  console.log(`wrote ${GUIDE_PATH}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
