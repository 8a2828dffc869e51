/**
 * What report the History view shows: tab, period (preset or days), interval, time zone,
 * site/queue filters, comparison and the staffing targets. Kept in the route's query
 * (`#/history?tab=queues&preset=last_week&from=…&to=…&interval=1d&tz=…&compare=1`) so a reload
 * or a shared link shows the same report: the days are written too, and a link whose preset
 * now means other days opens on the days it was made for.
 */
import type { ReportInterval } from '../../../schemas/reports.ts';
import { directory } from '../lib/directory.svelte.ts';
import { INTERVALS, pickInterval, PRESETS, presetPeriod, periodDays, previousPeriod, todayIn, weekOf, type Period, type Preset } from './periods.ts';
import { addDays, browserZone, commonZone, isoWithOffset, isZone, parseYmd, startOfDate, ymdString, type Ymd } from './zone-time.ts';

export { qs } from './zone-time.ts';

export const TABS = ['queues', 'caller', 'agents', 'calls', 'volume', 'abandons', 'heatmap', 'staffing'] as const;
export type Tab = (typeof TABS)[number];

export interface StaffingTargets {
  target_s: number;
  /** fraction */
  target_sl: number;
  /** fraction */
  shrinkage: number;
  patience_s: number | null;
}

/** The call list's filters (the Calls tab); `offset` pages by CALL_PAGE. */
export interface CallFilters {
  outcome: string;
  caller: string;
  disposition: string;
  offset: number;
}

/** Rows per page of the call lists. */
export const CALL_PAGE = 100;

const DEFAULT_TARGETS: StaffingTargets = { target_s: 20, target_sl: 0.8, shrinkage: 0.3, patience_s: null };

function num(q: URLSearchParams, k: string): number | null {
  const v = q.get(k);
  if (v === null || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export class HistoryQuery {
  tab = $state<Tab>('queues');
  preset = $state<Preset>('last_week');
  /** the days of a custom period (or the day a 'week' period was picked from), last day inclusive */
  customFrom = $state<Ymd>(todayIn(browserZone()));
  customLast = $state<Ymd>(todayIn(browserZone()));
  /** the chosen interval; `interval` is the one the period allows */
  chosenInterval = $state<ReportInterval | null>(null);
  /** '' = the sites' zone */
  tzChoice = $state('');
  site = $state('');
  queue = $state('');
  /** the agent report's team filter */
  team = $state('');
  compare = $state(false);
  targets = $state<StaffingTargets>({ ...DEFAULT_TARGETS });
  /** the Calls tab's filters and page */
  calls = $state<CallFilters>({ outcome: '', caller: '', disposition: '', offset: 0 });
  /** the page of the Abandons tab's list */
  abandonOffset = $state(0);
  /** days from the URL that the preset must still match (resolved once the zone is known) */
  #linkDays: { from: Ymd; last: Ymd } | null = null;

  constructor(q: URLSearchParams) {
    const tab = q.get('tab');
    if (tab && (TABS as readonly string[]).includes(tab)) this.tab = tab as Tab;
    const preset = q.get('preset');
    if (preset && (PRESETS as readonly string[]).includes(preset)) this.preset = preset as Preset;
    const from = parseYmd(q.get('from'));
    const last = parseYmd(q.get('to'));
    if (from && last && ymdString(last) >= ymdString(from)) {
      this.customFrom = from;
      this.customLast = last;
      if (this.preset !== 'custom' && this.preset !== 'week') this.#linkDays = { from, last };
    } else if (this.preset === 'custom' || this.preset === 'week') this.preset = 'last_week';
    const interval = q.get('interval');
    if (interval && (INTERVALS as readonly string[]).includes(interval)) this.chosenInterval = interval as ReportInterval;
    const tz = q.get('tz');
    if (tz && isZone(tz)) this.tzChoice = tz;
    this.site = q.get('site') ?? '';
    this.queue = q.get('queue') ?? '';
    this.team = q.get('team') ?? '';
    this.compare = q.get('compare') === '1';
    const off = num(q, 'offset');
    this.calls = { outcome: q.get('outcome') ?? '', caller: q.get('caller') ?? '', disposition: q.get('disposition') ?? '', offset: off !== null && off > 0 ? Math.floor(off / CALL_PAGE) * CALL_PAGE : 0 };
    if (this.tab === 'abandons') [this.abandonOffset, this.calls.offset] = [this.calls.offset, 0];
    const ts = num(q, 't_s');
    const sl = num(q, 'sl');
    const sh = num(q, 'shrink');
    const pa = num(q, 'patience');
    this.targets = {
      target_s: ts !== null && ts >= 0 && ts <= 3600 ? ts : DEFAULT_TARGETS.target_s,
      target_sl: sl !== null && sl > 0 && sl < 100 ? sl / 100 : DEFAULT_TARGETS.target_sl,
      shrinkage: sh !== null && sh >= 0 && sh < 100 ? sh / 100 : DEFAULT_TARGETS.shrinkage,
      patience_s: pa !== null && pa > 0 ? pa : null,
    };
  }

  /** The report's zone: the chosen one, else the filtered site's, else the one every site shares (else the first site's), else the browser's. */
  get zone(): string {
    return this.tzChoice || this.autoZone;
  }

  /** The zone when none is chosen. */
  get autoZone(): string {
    const sites = directory.sites;
    const own = this.site ? sites.find((s) => s.id === this.site)?.time_zone : undefined;
    if (own && isZone(own)) return own;
    return commonZone(sites.map((s) => s.time_zone)) || browserZone();
  }

  /** Once the zone is known: a link's days that its preset no longer gives open as a custom period. */
  settle(): void {
    const link = this.#linkDays;
    this.#linkDays = null;
    if (!link || this.preset === 'custom' || this.preset === 'week') return;
    const p = this.period;
    if (ymdString(p.from) !== ymdString(link.from) || ymdString(addDays(p.to, -1)) !== ymdString(link.last)) {
      this.preset = 'custom';
      this.customFrom = link.from;
      this.customLast = link.last;
    }
  }

  get period(): Period {
    if (this.preset === 'custom') return { from: this.customFrom, to: addDays(this.customLast, 1) };
    if (this.preset === 'week') return weekOf(this.customFrom);
    return presetPeriod(this.preset, todayIn(this.zone));
  }

  get previous(): Period {
    return previousPeriod(this.period);
  }

  get days(): number {
    return periodDays(this.period);
  }

  get interval(): ReportInterval {
    return pickInterval(this.chosenInterval, this.days);
  }

  /** Picks a preset; custom and week periods start from the days shown now. */
  setPreset(p: Preset): void {
    if (p === 'custom' || p === 'week') {
      const cur = this.period;
      this.customFrom = cur.from;
      this.customLast = addDays(cur.to, -1);
    }
    this.preset = p;
  }

  /** The API's period parameters for `p` (this period by default). */
  periodParams(p: Period = this.period): Record<string, string> {
    const zone = this.zone;
    const out: Record<string, string> = {
      from: isoWithOffset(startOfDate(zone, p.from), zone),
      to: isoWithOffset(startOfDate(zone, p.to), zone),
      tz: zone,
      interval: this.interval,
    };
    if (this.site) out.site = this.site;
    if (this.queue) out.queue = this.queue;
    return out;
  }

  /** The agent report's parameters: period and site, team instead of queue. */
  agentParams(p: Period = this.period): Record<string, string> {
    const { queue: _queue, ...out } = this.periodParams(p);
    return this.team ? { ...out, team: this.team } : out;
  }

  /** Logged-in time for the staffing chart: the agents of the site, every team. */
  loggedInParams(p: Period = this.period): Record<string, string> {
    const { queue: _queue, ...out } = this.periodParams(p);
    return out;
  }

  staffingParams(p: Period = this.period): Record<string, string> {
    const t = this.targets;
    const out = { ...this.periodParams(p), target_s: String(t.target_s), target_sl: String(t.target_sl), shrinkage: String(t.shrinkage) };
    return t.patience_s ? { ...out, patience_s: String(t.patience_s) } : out;
  }

  /** A call list's parameters: period, site and queue, the filters and the page (`csv`: every row the server gives at once). */
  callParams(f: CallFilters, csv = false): Record<string, string> {
    const { interval: _interval, ...out } = this.periodParams();
    if (f.outcome) out.outcome = f.outcome;
    if (f.caller.trim()) out.caller = f.caller.trim();
    if (f.disposition) out.disposition = f.disposition;
    out.limit = String(csv ? 10_000 : CALL_PAGE);
    if (!csv && f.offset > 0) out.offset = String(f.offset);
    return out;
  }

  /** The Abandons tab's list: the abandoned calls to call back. */
  get abandonFilters(): CallFilters {
    return { outcome: 'abandoned,ivr_abandoned', caller: '', disposition: '', offset: this.abandonOffset };
  }

  /** The route query that reproduces this report. */
  urlQuery(): Record<string, string | null> {
    const p = this.period;
    const t = this.targets;
    const staffing = this.tab === 'staffing';
    const calls = this.tab === 'calls';
    const c = this.calls;
    const offset = calls ? c.offset : this.tab === 'abandons' ? this.abandonOffset : 0;
    return {
      tab: this.tab,
      preset: this.preset,
      from: ymdString(p.from),
      to: ymdString(addDays(p.to, -1)),
      interval: this.interval,
      tz: this.tzChoice || null,
      site: this.site || null,
      queue: this.queue || null,
      team: this.team || null,
      compare: this.compare ? '1' : null,
      t_s: staffing ? String(t.target_s) : null,
      sl: staffing ? String(Math.round(t.target_sl * 1000) / 10) : null,
      shrink: staffing ? String(Math.round(t.shrinkage * 1000) / 10) : null,
      patience: staffing && t.patience_s ? String(t.patience_s) : null,
      outcome: calls && c.outcome ? c.outcome : null,
      caller: calls && c.caller ? c.caller : null,
      disposition: calls && c.disposition ? c.disposition : null,
      offset: offset > 0 ? String(offset) : null,
    };
  }
}
