/**
 * Scenario files: the simulated center (sites, queues, agents with skills,
 * shifts and breaks), its traffic (arrival rates by hour, handle times, caller
 * patience, IVR choices, surveys) and how people behave. `parseScenario` checks
 * untrusted JSON and reports every problem with its JSON path.
 *
 * The file format is the TypeBox schema in ../schemas/scenario.ts (published as
 * acd/schemas/scenario.schema.json); what a schema cannot say (references between
 * sites, queues, shifts and flows, with "did you mean" hints) is in scenario-checks.ts.
 *
 * The minimal form is an M/M/c(+M) queue: no sites, no IVR, no ringing, no
 * after-call work, handle time = the agent's whole busy time.
 */
import type { AgentConfig, QueueConfig } from '../core/model.ts';
import { parseIvrFlow, IvrFlowError, type IvrFlow } from '../ivr/flow.ts';
import { at, compile, ConfigError, Issues, objectOf, type ConfigIssue } from '../schemas/check.ts';
import { ScenarioSchema, type DistJson, type HandleTimeJson, type ScenarioJson, type ShiftJson } from '../schemas/scenario.ts';
import { parseClock, parseDay, WEEKDAYS, type Weekday } from '../time.ts';
import type { Dist } from './dist.ts';
import { checkScenarioReferences, expandAgentIds } from './scenario-checks.ts';

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
export class ScenarioError extends ConfigError {
  constructor(issues: readonly ConfigIssue[]) {
    super(issues, 'scenario', 'scenario: ');
    this.name = 'ScenarioError';
  }
}

const check = compile(ScenarioSchema);
const NO_DAYS: ReadonlySet<number> = new Set();

/** Checks a parsed scenario document. @throws ScenarioError naming every bad path. */
export function parseScenario(json: unknown): Scenario {
  const issues = new Issues('(scenario)');
  issues.schema(check, json);
  const flows = readFlows(json, issues);
  checkScenarioReferences(json, flows, issues);
  issues.sortBy(json);
  issues.throwIfAny((list) => new ScenarioError(list));
  return scenarioFrom(json as ScenarioJson, flows);
}

/** The scenario's IVR flows that are valid; the problems of the others go to `issues` under `ivr.NAME`. */
function readFlows(json: unknown, issues: Issues): Map<string, IvrFlow> {
  const flows = new Map<string, IvrFlow>();
  for (const [name, value] of Object.entries(objectOf(objectOf(json)?.['ivr']) ?? {})) {
    const path = at('ivr', name);
    try {
      flows.set(name, parseIvrFlow(value));
    } catch (err) {
      if (!(err instanceof IvrFlowError)) throw err;
      for (const issue of err.issues) issues.add(issue.path === '(flow)' ? path : at(path, issue.path), issue.reason);
    }
  }
  return flows;
}

// ---- conversion of a checked document ---------------------------------------------------

function scenarioFrom(doc: ScenarioJson, ivr: Map<string, IvrFlow>): Scenario {
  const timezone = doc.timezone ?? 'UTC';
  const sites: SiteSpec[] = (doc.sites ?? []).map((s) => ({ name: s.name, timezone: s.timezone ?? timezone, holidays: new Set((s.holidays ?? []).map(day)) }));
  const siteOf = new Map(sites.map((s) => [s.name, s]));
  const handleTime = doc.handle_time ? handleTimeFrom(doc.handle_time) : { total: { dist: 'fixed', mean: 180 } as Dist, holdProb: 0, holdShare: 0, acwShare: 0 };
  const queueHandleTime = new Map<string, HandleTimeSpec>();
  for (const q of doc.queues) if (q.handle_time) queueHandleTime.set(q.name, handleTimeFrom(q.handle_time));
  const hasAcw = [handleTime, ...queueHandleTime.values()].some((h) => h.acwShare > 0);
  const shifts = new Map(Object.entries(doc.shifts ?? {}).map(([name, shift]) => [name, shiftFrom(shift)]));

  const scenario: Scenario = {
    name: doc.name ?? 'scenario',
    seed: doc.seed ?? 1,
    timezone,
    sites,
    queues: doc.queues.map((q) => {
      const config: QueueConfig = { name: q.name, skills: q.skills ?? [], slThresholdS: q.sl_threshold_s ?? 20, shortAbandonS: q.short_abandon_s ?? 5, strategy: q.strategy ?? 'longest_idle' };
      if (q.site !== undefined) config.site = q.site;
      if (q.service !== undefined) config.service = q.service;
      if (q.overflow) config.overflow = { afterS: q.overflow.after_s, to: q.overflow.to };
      if (q.max_wait) config.maxWait = { afterS: q.max_wait.after_s, action: q.max_wait.action, ...(q.max_wait.queue === undefined ? {} : { queue: q.max_wait.queue }) };
      return config;
    }),
    queueHandleTime,
    agents: doc.agents.flatMap((a) => {
      const site = a.site === undefined ? undefined : siteOf.get(a.site);
      const shift = a.shift === undefined ? null : typeof a.shift === 'string' ? (shifts.get(a.shift) ?? null) : shiftFrom(a.shift);
      const ids = expandAgentIds(a.id, a.count ?? 1);
      return ids.map((id, n): AgentSpec => {
        const config: AgentConfig = { id, skills: a.skills ?? {} };
        if (a.site !== undefined) config.site = a.site;
        if (a.queues !== undefined) config.queues = a.queues;
        return { config, timezone: site?.timezone ?? timezone, shift, holidays: site?.holidays ?? NO_DAYS, slot: n / ids.length };
      });
    }),
    arrivals: doc.arrivals.map((a) => {
      const site = a.site === undefined ? undefined : siteOf.get(a.site);
      const factors = WEEKDAYS.map((d) => a.weekday_factor?.[d] ?? 1);
      const spec: ArrivalSpec = {
        priority: a.priority ?? 0,
        perHour: typeof a.per_hour === 'number' ? new Array<number>(24).fill(a.per_hour) : a.per_hour,
        weekdayFactor: factors,
        timezone: site?.timezone ?? timezone,
      };
      if (a.queue !== undefined) spec.queue = a.queue;
      if (a.ivr !== undefined) spec.ivr = a.ivr;
      if (a.site !== undefined) spec.site = a.site;
      if (site && site.holidays.size > 0) spec.holidays = site.holidays;
      if (a.caller_prefix !== undefined) spec.callerPrefix = a.caller_prefix;
      return spec;
    }),
    handleTime,
    patience: doc.patience ? distFrom(doc.patience) : { dist: 'infinite' },
    routing: {
      ringTimeoutS: doc.routing?.ring_timeout_s ?? null,
      answerDelay: doc.routing?.answer_delay ? distFrom(doc.routing.answer_delay) : { dist: 'fixed', mean: 3 },
      noAnswerProb: doc.routing?.no_answer_prob ?? 0,
      rnaRecover: doc.routing?.rna_recover ? distFrom(doc.routing.rna_recover) : { dist: 'exponential', mean: 60 },
      acwTimeoutS: doc.routing?.acw_timeout_s ?? (hasAcw ? 300 : null),
      callbackDelayS: doc.routing?.callback_delay_s ?? 900,
      callbackPriority: doc.routing?.callback_priority ?? 0,
    },
    ivr,
    ivrBehavior: {
      think: doc.ivr_behavior?.think ? distFrom(doc.ivr_behavior.think) : { dist: 'exponential', mean: 2 },
      choices: new Map(
        Object.entries(doc.ivr_behavior?.choices ?? {}).map(([flow, nodes]) => [flow, new Map(Object.entries(nodes).map(([node, weights]) => [node, new Map(Object.entries(weights))]))]),
      ),
    },
    behavior: behaviorFrom(doc.agent_behavior),
  };
  if (doc.duration_s !== undefined) scenario.durationS = doc.duration_s;
  if (doc.start !== undefined) scenario.start = doc.start;
  if (doc.night_mode) {
    const { site, from, to } = doc.night_mode;
    scenario.nightMode = { site, from: clock(from), to: clock(to), timezone: siteOf.get(site)?.timezone ?? 'UTC' };
  }
  if (doc.callers) scenario.callers = { prefix: doc.callers.prefix ?? '+1555', pool: doc.callers.pool ?? 100_000 };
  else if (ivr.size > 0) scenario.callers = { prefix: '+1555', pool: 100_000 };
  if (doc.surveys) {
    const s = doc.surveys;
    scenario.surveys = { prob: s.prob, delayS: s.delay_s ?? 20, scoreWeights: s.score_weights ?? [5, 5, 10, 30, 50], resolvedProb: s.resolved_prob ?? 0.8 };
  }
  return scenario;
}

function behaviorFrom(b: ScenarioJson['agent_behavior']): Scenario['behavior'] {
  const out: Scenario['behavior'] = { agentHangupShare: b?.hangup_share ?? 0, helpProb: b?.help_prob ?? 0 };
  if (b?.manual_busy) out.manualBusy = { perHour: b.manual_busy.per_hour, duration: b.manual_busy.duration ? distFrom(b.manual_busy.duration) : { dist: 'exponential', mean: 120 } };
  if (b?.transfer) {
    const t = b.transfer;
    out.transfer = {
      prob: t.prob,
      attendedShare: t.attended_share ?? 0.3,
      consult: t.consult ? distFrom(t.consult) : { dist: 'exponential', mean: 30 },
      targets: new Map(Object.entries(t.targets ?? {})),
    };
  }
  return out;
}

function distFrom(d: DistJson): Dist {
  switch (d.dist) {
    case 'infinite':
      return { dist: 'infinite' };
    case 'uniform':
      return { dist: 'uniform', min: d.min_s, max: d.max_s };
    case 'lognormal':
      return { dist: 'lognormal', mean: d.mean_s, sd: d.sd_s };
    default:
      return { dist: d.dist, mean: d.mean_s };
  }
}

function handleTimeFrom(h: HandleTimeJson): HandleTimeSpec {
  return { total: distFrom(h), holdProb: h.hold_prob ?? 0, holdShare: h.hold_share ?? 0, acwShare: h.acw_share ?? 0 };
}

function shiftFrom(s: ShiftJson): ShiftSpec {
  return {
    start: clock(s.start),
    end: clock(s.end),
    days: new Set(s.days === undefined ? [1, 2, 3, 4, 5, 6, 7] : s.days.map((d: Weekday) => WEEKDAYS.indexOf(d) + 1)),
    breaks: (s.breaks ?? []).map((b) => ({ at: clock(b.at), minutes: b.minutes, reason: b.reason ?? 'break', spreadMin: b.spread_min ?? 0 })),
    jitterMin: s.jitter_min ?? 0,
  };
}

/** Minutes of a checked "HH:MM". */
function clock(text: string): number {
  return parseClock(text) as number;
}

/** Day number of a checked "YYYY-MM-DD". */
function day(text: string): number {
  return parseDay(text) as number;
}
