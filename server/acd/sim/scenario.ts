/**
 * Scenario files: the simulated center (sites, queues, agents with skills,
 * shifts and breaks), its traffic (arrival rates by hour, handle times, caller
 * patience, IVR choices, surveys) and how people behave. `parseScenario` checks
 * untrusted JSON and reports every problem with its JSON path.
 *
 * The minimal form is an M/M/c(+M) queue: no sites, no IVR, no ringing, no
 * after-call work, handle time = the agent's whole busy time.
 */
import { FLOW_OUT, STRATEGIES, type AgentConfig, type QueueConfig, type Strategy } from '../core/model.ts';
import { parseIvrFlow, IvrFlowError, type IvrFlow } from '../ivr/flow.ts';
import { at, closest, describe, Issues, type JsonObject } from '../ivr/issues.ts';
import { DIST_NAMES, type Dist } from './dist.ts';
import { DAY_MS, parseClock, Zone } from './time.ts';

/** ISO weekday names, Monday first (index 0 = Monday). */
export const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export interface SiteSpec {
  name: string;
  timezone: string;
  /** local days (days since 1970-01-01 in the site's zone) on which the site's shifts do not run */
  holidays: ReadonlySet<number>;
}

export interface ShiftSpec {
  /** minutes after local midnight; `end` may be below `start` (a shift past midnight) */
  start: number;
  end: number;
  /** working weekdays, 1 = Monday … 7 = Sunday */
  days: ReadonlySet<number>;
  /**
   * `at` (minutes after local midnight) is when the first agent of a group takes the break;
   * with `spreadMin` the group's agents take it one after another across that many minutes.
   */
  breaks: readonly { at: number; minutes: number; reason: string; spreadMin: number }[];
  /** each sign-in, sign-out and break moves by a uniform ± this many minutes */
  jitterMin: number;
}

export interface AgentSpec {
  config: AgentConfig;
  timezone: string;
  /** no shift: signed in for the whole run */
  shift: ShiftSpec | null;
  /** the site's holidays (local day numbers): no shift starts on them */
  holidays: ReadonlySet<number>;
  /** place of the agent in its group (an `agents` entry with `count`), 0 ≤ slot < 1: staggers its breaks */
  slot: number;
}

/** Poisson arrivals whose rate is piecewise constant per local hour. */
export interface ArrivalSpec {
  /** target: a queue, or an IVR flow by name */
  queue?: string;
  ivr?: string;
  site?: string;
  /** calling numbers of this stream start with this prefix instead of `callers.prefix` (another region) */
  callerPrefix?: string;
  priority: number;
  /** calls per hour for each local hour 0-23 */
  perHour: readonly number[];
  /** multiplier per ISO weekday (index 0 = Monday) */
  weekdayFactor: readonly number[];
  /** holidays of the entry site (local day numbers): they run at the Sunday factor */
  holidays?: ReadonlySet<number>;
  timezone: string;
}

export interface HandleTimeSpec {
  total: Dist;
  /** chance that a call has a hold, and the share of its handle time spent on hold */
  holdProb: number;
  holdShare: number;
  /** share of handle time spent in after-call work */
  acwShare: number;
}

export interface TransferSpec {
  prob: number;
  attendedShare: number;
  consult: Dist;
  /** source queue → target queues (one is picked at random) */
  targets: ReadonlyMap<string, readonly string[]>;
}

export interface Scenario {
  name: string;
  seed: string | number;
  /** seconds; absent: the CLI decides (open-ended when paced, one day at max speed) */
  durationS?: number;
  start?: string;
  timezone: string;
  sites: readonly SiteSpec[];
  queues: readonly QueueConfig[];
  queueHandleTime: ReadonlyMap<string, HandleTimeSpec>;
  agents: readonly AgentSpec[];
  arrivals: readonly ArrivalSpec[];
  handleTime: HandleTimeSpec;
  patience: Dist;
  routing: {
    ringTimeoutS: number | null;
    answerDelay: Dist;
    noAnswerProb: number;
    rnaRecover: Dist;
    acwTimeoutS: number | null;
    callbackDelayS: number;
    callbackPriority: number;
  };
  nightMode?: { site: string; from: number; to: number; timezone: string };
  ivr: ReadonlyMap<string, IvrFlow>;
  ivrBehavior: {
    think: Dist;
    /** flow → node → input (or `timeout` / `hangup`) → weight */
    choices: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, number>>>;
  };
  callers?: { prefix: string; pool: number };
  surveys?: { prob: number; delayS: number; scoreWeights: readonly number[]; resolvedProb: number };
  behavior: {
    agentHangupShare: number;
    helpProb: number;
    manualBusy?: { perHour: number; duration: Dist };
    transfer?: TransferSpec;
  };
}

/** Thrown by `parseScenario`; the message lists each problem as `path: reason`. */
export class ScenarioError extends Error {
  constructor(readonly issues: readonly { path: string; reason: string }[]) {
    const lines = issues.map((i) => `${i.path}: ${i.reason}`);
    super(lines.length === 1 ? `scenario: ${lines[0]}` : `${lines.length} problems in scenario:\n  ${lines.join('\n  ')}`);
    this.name = 'ScenarioError';
  }
}

const TOP_KEYS = [
  '$schema', 'name', 'description', 'seed', 'duration_s', 'start', 'timezone', 'sites', 'queues', 'agents', 'shifts', 'arrivals',
  'handle_time', 'patience', 'routing', 'night_mode', 'ivr', 'ivr_behavior', 'callers', 'surveys', 'agent_behavior',
];
const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const NAME_HINT = 'must be 1-64 letters, digits, "_", ".", ":" or "-"';
const NO_DAYS: ReadonlySet<number> = new Set();
const CALLER_PREFIX = /^\+?[0-9]{1,10}$/;
const CALLER_PREFIX_HINT = 'must be digits, optionally after "+"';
/** Queue names the ACD uses as flow-out targets of `call.overflow` (core/acd.ts FLOW_OUT). */
const RESERVED_QUEUES: ReadonlySet<string> = new Set(Object.values(FLOW_OUT));

/** Day number (days since 1970-01-01) of a calendar date "YYYY-MM-DD", or undefined if it is not a real date. */
function localDay(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === text ? ms / DAY_MS : undefined;
}

/** Checks a parsed scenario document. @throws ScenarioError naming every bad path. */
export function parseScenario(json: unknown): Scenario {
  const p = new ScenarioReader();
  const scenario = p.read(json);
  if (p.issues.list.length > 0 || scenario === undefined) throw new ScenarioError(p.issues.list);
  return scenario;
}

class ScenarioReader {
  readonly issues = new Issues();
  private queueNames = new Set<string>();
  private siteNames = new Map<string, string>();
  private siteHolidays = new Map<string, ReadonlySet<number>>();

  read(json: unknown): Scenario | undefined {
    const is = this.issues;
    const root = is.object(json, '');
    if (!root) return undefined;
    is.onlyKeys(root, '', TOP_KEYS);
    const timezone = this.zone(root, 'timezone', '') ?? 'UTC';
    const seedValue = root['seed'];
    let seed: string | number = 1;
    if (typeof seedValue === 'number' || (typeof seedValue === 'string' && seedValue !== '')) seed = seedValue;
    else if (seedValue !== undefined) is.add('seed', `must be a number or a string (got ${describe(seedValue)})`);
    const start = is.string(root, 'start', '', { optional: true });
    if (start !== undefined && Number.isNaN(Date.parse(start))) is.add('start', `${JSON.stringify(start)} is not an ISO-8601 date-time`);

    const sites = this.sites(root, timezone);
    const queues = this.queues(root);
    const shifts = this.shiftTemplates(root);
    const agents = this.agents(root, timezone, shifts);
    const ivr = this.ivrFlows(root);
    const arrivals = this.arrivals(root, timezone, ivr);
    const handleTime = this.handleTime(root, 'handle_time', '') ?? { total: { dist: 'fixed', mean: 180 }, holdProb: 0, holdShare: 0, acwShare: 0 };
    const queueHandleTime = new Map<string, HandleTimeSpec>();
    const queuesJson = Array.isArray(root['queues']) ? (root['queues'] as unknown[]) : [];
    queuesJson.forEach((q, i) => {
      if (typeof q === 'object' && q !== null && 'handle_time' in q && typeof (q as JsonObject)['name'] === 'string') {
        const ht = this.handleTime(q as JsonObject, 'handle_time', at('queues', i));
        if (ht) queueHandleTime.set((q as JsonObject)['name'] as string, ht);
      }
    });
    const patience = root['patience'] === undefined ? ({ dist: 'infinite' } as Dist) : this.dist(root['patience'], 'patience', true);
    const routing = this.routing(root, [handleTime, ...queueHandleTime.values()].some((h) => h.acwShare > 0));
    const nightMode = this.nightMode(root, sites);
    const durationS = is.number(root, 'duration_s', '', { optional: true, min: 1 });

    const scenario: Scenario = {
      name: is.string(root, 'name', '', { optional: true }) ?? 'scenario',
      seed,
      timezone,
      sites,
      queues,
      queueHandleTime,
      agents,
      arrivals,
      handleTime,
      patience: patience ?? { dist: 'infinite' },
      routing,
      ivr,
      ivrBehavior: this.ivrBehavior(root, ivr),
      behavior: this.behavior(root),
    };
    if (durationS !== undefined) scenario.durationS = durationS;
    if (start !== undefined) scenario.start = start;
    if (nightMode) scenario.nightMode = nightMode;
    const callers = this.callers(root, ivr.size > 0);
    if (callers) scenario.callers = callers;
    const surveys = this.surveys(root);
    if (surveys) scenario.surveys = surveys;
    return scenario;
  }

  private zone(obj: JsonObject, key: string, path: string): string | undefined {
    const tz = this.issues.string(obj, key, path, { optional: true });
    if (tz === undefined) return undefined;
    try {
      Zone.check(tz);
      return tz;
    } catch (err) {
      this.issues.add(at(path, key), (err as Error).message);
      return undefined;
    }
  }

  private name(obj: JsonObject, key: string, path: string, optional = false): string | undefined {
    return this.issues.string(obj, key, path, { optional, pattern: NAME, hint: NAME_HINT });
  }

  private knownQueue(value: unknown, path: string): string | undefined {
    if (typeof value !== 'string' || !this.queueNames.has(value)) {
      const hint = typeof value === 'string' ? closest(value, this.queueNames) : undefined;
      this.issues.add(path, `unknown queue ${describe(value)}${hint ? ` (did you mean "${hint}"?)` : ''}`);
      return undefined;
    }
    return value;
  }

  private knownSite(value: string | undefined, path: string): void {
    if (value !== undefined && !this.siteNames.has(value)) {
      const hint = closest(value, this.siteNames.keys());
      this.issues.add(path, `unknown site ${JSON.stringify(value)}${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
  }

  private sites(root: JsonObject, timezone: string): SiteSpec[] {
    const out: SiteSpec[] = [];
    (this.issues.array(root, 'sites', '', { optional: true }) ?? []).forEach((v, i) => {
      const path = at('sites', i);
      const o = this.issues.object(v, path);
      if (!o) return;
      this.issues.onlyKeys(o, path, ['name', 'timezone', 'description', 'holidays']);
      const name = this.name(o, 'name', path);
      const tz = this.zone(o, 'timezone', path) ?? timezone;
      const holidays = new Set<number>();
      (this.issues.array(o, 'holidays', path, { optional: true }) ?? []).forEach((d, k) => {
        const day = typeof d === 'string' ? localDay(d) : undefined;
        if (day === undefined) this.issues.add(at(at(path, 'holidays'), k), `must be a date "YYYY-MM-DD" (got ${describe(d)})`);
        else holidays.add(day);
      });
      if (name === undefined) return;
      if (this.siteNames.has(name)) this.issues.add(at(path, 'name'), `site ${JSON.stringify(name)} is defined twice`);
      this.siteNames.set(name, tz);
      this.siteHolidays.set(name, holidays);
      out.push({ name, timezone: tz, holidays });
    });
    return out;
  }

  private queues(root: JsonObject): QueueConfig[] {
    const is = this.issues;
    const list = is.array(root, 'queues', '') ?? [];
    if (Array.isArray(root['queues']) && list.length === 0) is.add('queues', 'must list at least one queue');
    for (const v of list) {
      if (typeof v === 'object' && v !== null && typeof (v as JsonObject)['name'] === 'string') {
        const name = (v as JsonObject)['name'] as string;
        if (this.queueNames.has(name)) is.add('queues', `queue ${JSON.stringify(name)} is defined twice`);
        this.queueNames.add(name);
      }
    }
    const out: QueueConfig[] = [];
    list.forEach((v, i) => {
      const path = at('queues', i);
      const o = is.object(v, path);
      if (!o) return;
      is.onlyKeys(o, path, ['name', 'description', 'site', 'service', 'skills', 'sl_threshold_s', 'short_abandon_s', 'strategy', 'overflow', 'max_wait', 'handle_time']);
      const name = this.name(o, 'name', path);
      if (name !== undefined && RESERVED_QUEUES.has(name)) {
        is.add(at(path, 'name'), `${JSON.stringify(name)} is reserved: max wait and closing report a call leaving its queue as call.overflow to "${name}"`);
      }
      const site = this.name(o, 'site', path, true);
      this.knownSite(site, at(path, 'site'));
      const service = this.name(o, 'service', path, true);
      const skills = this.stringList(o, 'skills', path) ?? [];
      const strategy = (is.string(o, 'strategy', path, { optional: true }) ?? 'longest_idle') as Strategy;
      if (!STRATEGIES.includes(strategy)) is.add(at(path, 'strategy'), `must be one of ${STRATEGIES.join(', ')} (got ${JSON.stringify(strategy)})`);
      const q: QueueConfig = {
        name: name ?? '',
        skills,
        slThresholdS: is.number(o, 'sl_threshold_s', path, { optional: true, min: 0 }) ?? 20,
        shortAbandonS: is.number(o, 'short_abandon_s', path, { optional: true, min: 0 }) ?? 5,
        strategy,
      };
      if (site !== undefined) q.site = site;
      if (service !== undefined) q.service = service;
      const overflow = o['overflow'] === undefined ? undefined : is.object(o['overflow'], at(path, 'overflow'));
      if (overflow) {
        const op = at(path, 'overflow');
        is.onlyKeys(overflow, op, ['after_s', 'to']);
        const afterS = is.number(overflow, 'after_s', op, { min: 0 });
        const to = this.knownQueue(overflow['to'], at(op, 'to'));
        if (to === name) is.add(at(op, 'to'), 'a queue cannot overflow to itself');
        if (afterS !== undefined && to !== undefined) q.overflow = { afterS, to };
      }
      const maxWait = o['max_wait'] === undefined ? undefined : is.object(o['max_wait'], at(path, 'max_wait'));
      if (maxWait) {
        const mp = at(path, 'max_wait');
        is.onlyKeys(maxWait, mp, ['after_s', 'action', 'queue']);
        const afterS = is.number(maxWait, 'after_s', mp, { min: 0 });
        const action = is.string(maxWait, 'action', mp);
        if (action !== undefined && action !== 'callback' && action !== 'voicemail') is.add(at(mp, 'action'), `must be callback or voicemail (got ${JSON.stringify(action)})`);
        const cbQueue = maxWait['queue'] === undefined ? undefined : this.knownQueue(maxWait['queue'], at(mp, 'queue'));
        if (afterS !== undefined && (action === 'callback' || action === 'voicemail')) {
          q.maxWait = { afterS, action };
          if (cbQueue !== undefined) q.maxWait.queue = cbQueue;
        }
      }
      out.push(q);
    });
    return out;
  }

  private stringList(o: JsonObject, key: string, path: string): string[] | undefined {
    const arr = this.issues.array(o, key, path, { optional: true });
    if (!arr) return undefined;
    const out: string[] = [];
    arr.forEach((v, i) => {
      if (typeof v === 'string' && NAME.test(v)) out.push(v);
      else this.issues.add(at(at(path, key), i), `${NAME_HINT} (got ${describe(v)})`);
    });
    return out;
  }

  private shiftTemplates(root: JsonObject): Map<string, ShiftSpec> {
    const out = new Map<string, ShiftSpec>();
    const obj = root['shifts'] === undefined ? undefined : this.issues.object(root['shifts'], 'shifts');
    for (const [name, v] of Object.entries(obj ?? {})) {
      const s = this.shift(v, at('shifts', name));
      if (s) out.set(name, s);
    }
    return out;
  }

  private shift(v: unknown, path: string): ShiftSpec | undefined {
    const is = this.issues;
    const o = is.object(v, path);
    if (!o) return undefined;
    is.onlyKeys(o, path, ['start', 'end', 'days', 'breaks', 'jitter_min']);
    const start = this.clock(o, 'start', path);
    const end = this.clock(o, 'end', path);
    const days = new Set<number>();
    const daysJson = is.array(o, 'days', path, { optional: true });
    if (daysJson === undefined) for (let d = 1; d <= 7; d++) days.add(d);
    daysJson?.forEach((d, i) => {
      const idx = WEEKDAY_NAMES.indexOf(d as (typeof WEEKDAY_NAMES)[number]);
      if (idx < 0) is.add(at(at(path, 'days'), i), `must be one of ${WEEKDAY_NAMES.join(', ')} (got ${describe(d)})`);
      else days.add(idx + 1);
    });
    const breaks: ShiftSpec['breaks'][number][] = [];
    (is.array(o, 'breaks', path, { optional: true }) ?? []).forEach((b, i) => {
      const bp = at(at(path, 'breaks'), i);
      const bo = is.object(b, bp);
      if (!bo) return;
      is.onlyKeys(bo, bp, ['at', 'minutes', 'reason', 'spread_min']);
      const atMin = this.clock(bo, 'at', bp);
      const minutes = is.number(bo, 'minutes', bp, { min: 1, max: 600 });
      const reason = this.name(bo, 'reason', bp, true) ?? 'break';
      const spreadMin = is.number(bo, 'spread_min', bp, { optional: true, min: 0, max: 600 }) ?? 0;
      if (atMin !== undefined && minutes !== undefined) breaks.push({ at: atMin, minutes, reason, spreadMin });
    });
    const jitterMin = is.number(o, 'jitter_min', path, { optional: true, min: 0, max: 120 }) ?? 0;
    if (start === undefined || end === undefined) return undefined;
    if (start === end) is.add(at(path, 'end'), 'must differ from start');
    return { start, end, days, breaks, jitterMin };
  }

  private clock(o: JsonObject, key: string, path: string): number | undefined {
    const text = this.issues.string(o, key, path);
    if (text === undefined) return undefined;
    const m = parseClock(text);
    if (m === undefined) this.issues.add(at(path, key), `must be a local time "HH:MM" (got ${JSON.stringify(text)})`);
    return m;
  }

  private agents(root: JsonObject, timezone: string, shifts: Map<string, ShiftSpec>): AgentSpec[] {
    const is = this.issues;
    const out: AgentSpec[] = [];
    const ids = new Set<string>();
    const list = is.array(root, 'agents', '') ?? [];
    if (Array.isArray(root['agents']) && list.length === 0) is.add('agents', 'must list at least one agent');
    list.forEach((v, i) => {
      const path = at('agents', i);
      const o = is.object(v, path);
      if (!o) return;
      is.onlyKeys(o, path, ['id', 'count', 'site', 'skills', 'queues', 'shift']);
      const id = is.string(o, 'id', path);
      const count = is.number(o, 'count', path, { optional: true, min: 1, max: 10_000, integer: true }) ?? 1;
      if (id !== undefined && count > 1 && !id.includes('{n}')) is.add(at(path, 'id'), 'with "count", the id must contain "{n}" (e.g. "agent-{n}")');
      const site = this.name(o, 'site', path, true);
      this.knownSite(site, at(path, 'site'));
      const skills: Record<string, number> = {};
      const skillsJson = o['skills'] === undefined ? undefined : is.object(o['skills'], at(path, 'skills'));
      for (const [skill, level] of Object.entries(skillsJson ?? {})) {
        if (typeof level !== 'number' || !(level >= 1 && level <= 10)) is.add(at(at(path, 'skills'), skill), `proficiency must be a number from 1 to 10 (got ${describe(level)})`);
        else skills[skill] = level;
      }
      const queues = o['queues'] === undefined ? undefined : (is.array(o, 'queues', path) ?? []).map((q, k) => this.knownQueue(q, at(at(path, 'queues'), k)));
      if (queues === undefined && skillsJson === undefined) is.add(path, 'needs "queues" or "skills"');
      let shift: ShiftSpec | null = null;
      const shiftJson = o['shift'];
      if (typeof shiftJson === 'string') {
        shift = shifts.get(shiftJson) ?? null;
        if (!shift) {
          const hint = closest(shiftJson, shifts.keys());
          is.add(at(path, 'shift'), `unknown shift ${JSON.stringify(shiftJson)}${hint ? ` (did you mean "${hint}"?)` : ''}`);
        }
      } else if (shiftJson !== undefined) {
        shift = this.shift(shiftJson, at(path, 'shift')) ?? null;
      }
      if (id === undefined) return;
      for (let n = 1; n <= count; n++) {
        const agentId = id.replace('{n}', String(n).padStart(String(count).length, '0'));
        if (!NAME.test(agentId)) {
          is.add(at(path, 'id'), `${JSON.stringify(agentId)} ${NAME_HINT}`);
          return;
        }
        if (ids.has(agentId)) {
          is.add(at(path, 'id'), `agent ${JSON.stringify(agentId)} is defined twice`);
          return;
        }
        ids.add(agentId);
        const config: AgentConfig = { id: agentId, skills };
        if (site !== undefined) config.site = site;
        if (queues !== undefined) config.queues = queues.filter((q): q is string => q !== undefined);
        const holidays = (site !== undefined ? this.siteHolidays.get(site) : undefined) ?? NO_DAYS;
        out.push({ config, timezone: (site !== undefined ? this.siteNames.get(site) : undefined) ?? timezone, shift, holidays, slot: (n - 1) / count });
      }
    });
    return out;
  }

  private ivrFlows(root: JsonObject): Map<string, IvrFlow> {
    const out = new Map<string, IvrFlow>();
    const obj = root['ivr'] === undefined ? undefined : this.issues.object(root['ivr'], 'ivr');
    for (const [name, v] of Object.entries(obj ?? {})) {
      const path = at('ivr', name);
      try {
        const flow = parseIvrFlow(v);
        out.set(name, flow);
        for (const node of flow.nodes.values()) {
          if (node.type === 'queue' || node.type === 'callback') this.knownQueue(node.queue, at(at(at(path, 'nodes'), node.id), 'queue'));
        }
      } catch (err) {
        if (!(err instanceof IvrFlowError)) throw err;
        for (const issue of err.issues) this.issues.add(issue.path === '(flow)' ? path : at(path, issue.path), issue.reason);
      }
    }
    return out;
  }

  private arrivals(root: JsonObject, timezone: string, ivr: Map<string, IvrFlow>): ArrivalSpec[] {
    const is = this.issues;
    const out: ArrivalSpec[] = [];
    const list = is.array(root, 'arrivals', '') ?? [];
    list.forEach((v, i) => {
      const path = at('arrivals', i);
      const o = is.object(v, path);
      if (!o) return;
      is.onlyKeys(o, path, ['queue', 'ivr', 'site', 'caller_prefix', 'priority', 'per_hour', 'weekday_factor']);
      const spec: ArrivalSpec = { priority: 0, perHour: [], weekdayFactor: [1, 1, 1, 1, 1, 1, 1], timezone };
      if ((o['queue'] === undefined) === (o['ivr'] === undefined)) is.add(path, 'needs exactly one of "queue" or "ivr"');
      if (o['queue'] !== undefined) {
        const q = this.knownQueue(o['queue'], at(path, 'queue'));
        if (q !== undefined) spec.queue = q;
      }
      if (o['ivr'] !== undefined) {
        const name = is.string(o, 'ivr', path);
        if (name !== undefined && !ivr.has(name) && !is.list.some((x) => x.path.startsWith(at('ivr', name)))) {
          is.add(at(path, 'ivr'), `unknown IVR flow ${JSON.stringify(name)} (flows: ${[...ivr.keys()].join(', ') || 'none'})`);
        }
        if (name !== undefined) spec.ivr = name;
      }
      const site = this.name(o, 'site', path, true);
      this.knownSite(site, at(path, 'site'));
      if (site !== undefined) {
        spec.site = site;
        spec.timezone = this.siteNames.get(site) ?? timezone;
        const holidays = this.siteHolidays.get(site);
        if (holidays !== undefined && holidays.size > 0) spec.holidays = holidays;
      }
      const callerPrefix = is.string(o, 'caller_prefix', path, { optional: true, pattern: CALLER_PREFIX, hint: CALLER_PREFIX_HINT });
      if (callerPrefix !== undefined) spec.callerPrefix = callerPrefix;
      spec.priority = is.number(o, 'priority', path, { optional: true, min: 0, max: 100, integer: true }) ?? 0;
      const rate = o['per_hour'];
      if (typeof rate === 'number') {
        if (!(rate >= 0 && Number.isFinite(rate))) is.add(at(path, 'per_hour'), `must be a rate of at least 0 (got ${rate})`);
        spec.perHour = new Array<number>(24).fill(rate);
      } else if (Array.isArray(rate) && rate.length === 24 && rate.every((r) => typeof r === 'number' && r >= 0 && Number.isFinite(r))) {
        spec.perHour = rate as number[];
      } else {
        is.add(at(path, 'per_hour'), `must be calls per hour: a number, or 24 numbers (one per local hour) (got ${describe(rate)})`);
      }
      const wf = o['weekday_factor'] === undefined ? undefined : is.object(o['weekday_factor'], at(path, 'weekday_factor'));
      if (wf) {
        const factors = [1, 1, 1, 1, 1, 1, 1];
        for (const [day, f] of Object.entries(wf)) {
          const idx = WEEKDAY_NAMES.indexOf(day as (typeof WEEKDAY_NAMES)[number]);
          if (idx < 0) is.add(at(at(path, 'weekday_factor'), day), `not a weekday (use ${WEEKDAY_NAMES.join(', ')})`);
          else if (typeof f !== 'number' || f < 0) is.add(at(at(path, 'weekday_factor'), day), `must be a factor of at least 0 (got ${describe(f)})`);
          else factors[idx] = f;
        }
        spec.weekdayFactor = factors;
      }
      out.push(spec);
    });
    return out;
  }

  /** A distribution object `{dist, mean_s, sd_s?, min_s?, max_s?}`. */
  dist(v: unknown, path: string, allowInfinite = false): Dist | undefined {
    const is = this.issues;
    const o = is.object(v, path);
    if (!o) return undefined;
    const name = is.string(o, 'dist', path);
    const allowed = DIST_NAMES.filter((d) => allowInfinite || d !== 'infinite');
    if (name === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(name)) {
      is.add(at(path, 'dist'), `must be one of ${allowed.join(', ')} (got ${JSON.stringify(name)})`);
      return undefined;
    }
    switch (name) {
      case 'infinite':
        is.onlyKeys(o, path, ['dist']);
        return { dist: 'infinite' };
      case 'uniform': {
        is.onlyKeys(o, path, ['dist', 'min_s', 'max_s']);
        const min = is.number(o, 'min_s', path, { min: 0 });
        const max = is.number(o, 'max_s', path, { min: 0 });
        if (min === undefined || max === undefined) return undefined;
        if (max < min) is.add(at(path, 'max_s'), 'must be at least min_s');
        return { dist: 'uniform', min, max };
      }
      case 'lognormal': {
        is.onlyKeys(o, path, ['dist', 'mean_s', 'sd_s']);
        const mean = is.number(o, 'mean_s', path, { min: 0.001 });
        const sd = is.number(o, 'sd_s', path, { min: 0.001 });
        return mean === undefined || sd === undefined ? undefined : { dist: 'lognormal', mean, sd };
      }
      default: {
        is.onlyKeys(o, path, ['dist', 'mean_s']);
        const mean = is.number(o, 'mean_s', path, { min: name === 'fixed' ? 0 : 0.001 });
        return mean === undefined ? undefined : { dist: name as 'exponential' | 'fixed', mean };
      }
    }
  }

  private optionalDist(o: JsonObject, key: string, path: string, fallback: Dist): Dist {
    return o[key] === undefined ? fallback : (this.dist(o[key], at(path, key)) ?? fallback);
  }

  private handleTime(o: JsonObject, key: string, path: string): HandleTimeSpec | undefined {
    const is = this.issues;
    const p = at(path, key);
    const v = o[key];
    if (v === undefined) return undefined;
    const ho = is.object(v, p);
    if (!ho) return undefined;
    const { hold_prob: holdProb, hold_share: holdShare, acw_share: acwShare, ...distPart } = ho;
    const total = this.dist(distPart, p);
    const split = { hold_prob: holdProb, hold_share: holdShare, acw_share: acwShare };
    const hp = is.number(split, 'hold_prob', p, { optional: true, min: 0, max: 1 }) ?? 0;
    const hs = is.number(split, 'hold_share', p, { optional: true, min: 0, max: 0.9 }) ?? 0;
    const as = is.number(split, 'acw_share', p, { optional: true, min: 0, max: 0.9 }) ?? 0;
    if (hs + as > 0.95) is.add(p, 'hold_share + acw_share must leave time to talk (at most 0.95)');
    return total ? { total, holdProb: hp, holdShare: hs, acwShare: as } : undefined;
  }

  private routing(root: JsonObject, hasAcw: boolean): Scenario['routing'] {
    const is = this.issues;
    const o = root['routing'] === undefined ? {} : (is.object(root['routing'], 'routing') ?? {});
    is.onlyKeys(o, 'routing', ['ring_timeout_s', 'answer_delay', 'no_answer_prob', 'rna_recover', 'acw_timeout_s', 'callback_delay_s', 'callback_priority']);
    const ringTimeoutS = is.number(o, 'ring_timeout_s', 'routing', { optional: true, min: 1 }) ?? null;
    const acwTimeoutS = is.number(o, 'acw_timeout_s', 'routing', { optional: true, min: 1 }) ?? (hasAcw ? 300 : null);
    if (ringTimeoutS === null && (o['answer_delay'] !== undefined || o['no_answer_prob'] !== undefined)) {
      is.add('routing.ring_timeout_s', 'is required with answer_delay or no_answer_prob (without it calls connect at once)');
    }
    return {
      ringTimeoutS,
      answerDelay: this.optionalDist(o, 'answer_delay', 'routing', { dist: 'fixed', mean: 3 }),
      noAnswerProb: is.number(o, 'no_answer_prob', 'routing', { optional: true, min: 0, max: 1 }) ?? 0,
      rnaRecover: this.optionalDist(o, 'rna_recover', 'routing', { dist: 'exponential', mean: 60 }),
      acwTimeoutS,
      callbackDelayS: is.number(o, 'callback_delay_s', 'routing', { optional: true, min: 0 }) ?? 900,
      callbackPriority: is.number(o, 'callback_priority', 'routing', { optional: true, min: 0, max: 100, integer: true }) ?? 0,
    };
  }

  private nightMode(root: JsonObject, sites: SiteSpec[]): Scenario['nightMode'] {
    const is = this.issues;
    if (root['night_mode'] === undefined) return undefined;
    const o = is.object(root['night_mode'], 'night_mode');
    if (!o) return undefined;
    is.onlyKeys(o, 'night_mode', ['site', 'from', 'to']);
    const site = this.name(o, 'site', 'night_mode');
    this.knownSite(site, 'night_mode.site');
    const from = this.clock(o, 'from', 'night_mode');
    const to = this.clock(o, 'to', 'night_mode');
    if (site === undefined || from === undefined || to === undefined) return undefined;
    return { site, from, to, timezone: sites.find((s) => s.name === site)?.timezone ?? 'UTC' };
  }

  private ivrBehavior(root: JsonObject, flows: Map<string, IvrFlow>): Scenario['ivrBehavior'] {
    const is = this.issues;
    const o = root['ivr_behavior'] === undefined ? {} : (is.object(root['ivr_behavior'], 'ivr_behavior') ?? {});
    is.onlyKeys(o, 'ivr_behavior', ['think', 'choices']);
    const choices = new Map<string, Map<string, Map<string, number>>>();
    const cj = o['choices'] === undefined ? {} : (is.object(o['choices'], 'ivr_behavior.choices') ?? {});
    for (const [flowName, nodesJson] of Object.entries(cj)) {
      const fp = at('ivr_behavior.choices', flowName);
      const flow = flows.get(flowName);
      if (!flow) {
        is.add(fp, `unknown IVR flow (flows: ${[...flows.keys()].join(', ') || 'none'})`);
        continue;
      }
      const perNode = new Map<string, Map<string, number>>();
      for (const [nodeId, weightsJson] of Object.entries(is.object(nodesJson, fp) ?? {})) {
        const np = at(fp, nodeId);
        const node = flow.nodes.get(nodeId);
        if (!node || (node.type !== 'menu' && node.type !== 'digits')) {
          is.add(np, `not a menu or digits node of flow ${flowName}`);
          continue;
        }
        const weights = new Map<string, number>();
        for (const [input, w] of Object.entries(is.object(weightsJson, np) ?? {})) {
          const valid = input === 'timeout' || input === 'hangup' || input === 'digits' || (node.type === 'menu' ? Object.hasOwn(node.options, input) : false);
          if (!valid) is.add(at(np, input), node.type === 'menu' ? `not an option of the menu (options: ${Object.keys(node.options).join(', ')}, timeout, hangup)` : 'a digits node takes digits, timeout or hangup');
          else if (typeof w !== 'number' || w < 0) is.add(at(np, input), `weight must be a number of at least 0 (got ${describe(w)})`);
          else weights.set(input, w);
        }
        perNode.set(nodeId, weights);
      }
      choices.set(flowName, perNode);
    }
    return { think: this.optionalDist(o, 'think', 'ivr_behavior', { dist: 'exponential', mean: 2 }), choices };
  }

  private callers(root: JsonObject, hasIvr: boolean): Scenario['callers'] {
    const is = this.issues;
    if (root['callers'] === undefined) return hasIvr ? { prefix: '+1555', pool: 100_000 } : undefined;
    const o = is.object(root['callers'], 'callers');
    if (!o) return undefined;
    is.onlyKeys(o, 'callers', ['prefix', 'pool']);
    const prefix = is.string(o, 'prefix', 'callers', { optional: true, pattern: CALLER_PREFIX, hint: CALLER_PREFIX_HINT }) ?? '+1555';
    const pool = is.number(o, 'pool', 'callers', { optional: true, min: 1, max: 1e9, integer: true }) ?? 100_000;
    return { prefix, pool };
  }

  private surveys(root: JsonObject): Scenario['surveys'] {
    const is = this.issues;
    if (root['surveys'] === undefined) return undefined;
    const o = is.object(root['surveys'], 'surveys');
    if (!o) return undefined;
    is.onlyKeys(o, 'surveys', ['prob', 'delay_s', 'score_weights', 'resolved_prob']);
    const weights = o['score_weights'] ?? [5, 5, 10, 30, 50];
    if (!Array.isArray(weights) || weights.length !== 5 || !weights.every((w) => typeof w === 'number' && w >= 0) || weights.every((w) => w === 0)) {
      is.add('surveys.score_weights', 'must be 5 weights (for scores 1-5), at least one above 0');
    }
    return {
      prob: is.number(o, 'prob', 'surveys', { min: 0, max: 1 }) ?? 0,
      delayS: is.number(o, 'delay_s', 'surveys', { optional: true, min: 0 }) ?? 20,
      scoreWeights: weights as number[],
      resolvedProb: is.number(o, 'resolved_prob', 'surveys', { optional: true, min: 0, max: 1 }) ?? 0.8,
    };
  }

  private behavior(root: JsonObject): Scenario['behavior'] {
    const is = this.issues;
    const o = root['agent_behavior'] === undefined ? {} : (is.object(root['agent_behavior'], 'agent_behavior') ?? {});
    const path = 'agent_behavior';
    is.onlyKeys(o, path, ['hangup_share', 'help_prob', 'manual_busy', 'transfer']);
    const out: Scenario['behavior'] = {
      agentHangupShare: is.number(o, 'hangup_share', path, { optional: true, min: 0, max: 1 }) ?? 0,
      helpProb: is.number(o, 'help_prob', path, { optional: true, min: 0, max: 1 }) ?? 0,
    };
    const mb = o['manual_busy'] === undefined ? undefined : is.object(o['manual_busy'], at(path, 'manual_busy'));
    if (mb) {
      const mp = at(path, 'manual_busy');
      is.onlyKeys(mb, mp, ['per_hour', 'duration']);
      const perHour = is.number(mb, 'per_hour', mp, { min: 0 });
      const duration = mb['duration'] === undefined ? ({ dist: 'exponential', mean: 120 } as Dist) : this.dist(mb['duration'], at(mp, 'duration'));
      if (perHour !== undefined && duration) out.manualBusy = { perHour, duration };
    }
    const tr = o['transfer'] === undefined ? undefined : is.object(o['transfer'], at(path, 'transfer'));
    if (tr) {
      const tp = at(path, 'transfer');
      is.onlyKeys(tr, tp, ['prob', 'attended_share', 'consult', 'targets']);
      const targets = new Map<string, string[]>();
      const tj = is.object(tr['targets'] ?? {}, at(tp, 'targets')) ?? {};
      for (const [from, to] of Object.entries(tj)) {
        const fp = at(at(tp, 'targets'), from);
        this.knownQueue(from, fp);
        if (!Array.isArray(to) || to.length === 0) {
          is.add(fp, 'must list at least one target queue');
          continue;
        }
        targets.set(from, to.map((q, k) => this.knownQueue(q, at(fp, k))).filter((q): q is string => q !== undefined));
      }
      out.transfer = {
        prob: is.number(tr, 'prob', tp, { min: 0, max: 1 }) ?? 0,
        attendedShare: is.number(tr, 'attended_share', tp, { optional: true, min: 0, max: 1 }) ?? 0.3,
        consult: this.optionalDist(tr, 'consult', tp, { dist: 'exponential', mean: 30 }),
        targets,
      };
    }
    return out;
  }
}
