/**
 * The metrics a tile or queue-table column can show: how to read each from the live data,
 * how to format it, and its default thresholds (UX.md 1.4). Values are what the server's
 * metric module computed; the app only picks and formats them (longest wait ticks between
 * frames from `oldest_waiting_since`).
 */
import type { AgentsByState, Figures, LiveGroup, LiveQueue, LiveTeam, MetricId, Rolling, Thresholds } from './contract.ts';

export type MetricKind = 'count' | 'duration' | 'percent';

export interface MetricDef {
  id: MetricId;
  kind: MetricKind;
  /** hero digits on TV (calls waiting, longest wait) */
  hero?: boolean;
  defaults?: Thresholds;
}

const SL_DEFAULT: Thresholds = { warn: 0.8, alert: 0.7, direction: 'below' };

export const METRICS: Record<MetricId, MetricDef> = {
  waiting: { id: 'waiting', kind: 'count', hero: true },
  longest_wait_s: { id: 'longest_wait_s', kind: 'duration', hero: true, defaults: { warn: 60, alert: 120, direction: 'above' } },
  service_level: { id: 'service_level', kind: 'percent', defaults: SL_DEFAULT },
  asa_s: { id: 'asa_s', kind: 'duration' },
  aht_s: { id: 'aht_s', kind: 'duration' },
  abandon_rate: { id: 'abandon_rate', kind: 'percent', defaults: { warn: 0.05, alert: 0.08, direction: 'above' } },
  offered: { id: 'offered', kind: 'count' },
  answered: { id: 'answered', kind: 'count' },
  abandoned: { id: 'abandoned', kind: 'count' },
  flowed_out: { id: 'flowed_out', kind: 'count' },
  agents_available: { id: 'agents_available', kind: 'count' },
  agents_on_call: { id: 'agents_on_call', kind: 'count' },
  agents_not_ready: { id: 'agents_not_ready', kind: 'count' },
  agents_acw: { id: 'agents_acw', kind: 'count' },
  caller_service_level: { id: 'caller_service_level', kind: 'percent', defaults: SL_DEFAULT },
  sl_15m: { id: 'sl_15m', kind: 'percent', defaults: SL_DEFAULT },
  sl_30m: { id: 'sl_30m', kind: 'percent', defaults: SL_DEFAULT },
  sl_60m: { id: 'sl_60m', kind: 'percent', defaults: SL_DEFAULT },
};

export const METRIC_IDS = Object.keys(METRICS) as MetricId[];

/** A queue, site or the center (all have queue figures), or a team (agent counts only). */
export type Subject =
  | { kind: 'group'; group: LiveGroup | LiveQueue; callerView?: LiveGroup['caller_view'] }
  | { kind: 'team'; team: LiveTeam }
  | { kind: 'missing' };

const agentsOf = (s: Subject): AgentsByState | null => (s.kind === 'group' ? s.group.agents : s.kind === 'team' ? s.team.agents : null);
const todayOf = (s: Subject): Figures | null => (s.kind === 'group' ? s.group.today : null);
const rollingSl = (r: Rolling | undefined, k: '15m' | '30m' | '60m') => r?.[k]?.service_level ?? null;

/**
 * The value of `metric` for `subject` at server time `now` (ms); null when it does not
 * apply or is undefined (a rate with a zero denominator), which shows as "—".
 */
export function metricValue(metric: MetricId, subject: Subject, now: number): number | null {
  const today = todayOf(subject);
  const agents = agentsOf(subject);
  const group = subject.kind === 'group' ? subject.group : null;
  switch (metric) {
    case 'waiting':
      return group ? group.waiting : null;
    case 'longest_wait_s': {
      if (!group) return null;
      if (group.waiting === 0) return 0;
      const since = group.oldest_waiting_since;
      return since ? Math.max(group.longest_wait_s, (now - since) / 1000) : group.longest_wait_s;
    }
    case 'service_level':
    case 'asa_s':
    case 'aht_s':
    case 'abandon_rate':
      return today ? (today[metric] ?? null) : null;
    case 'offered':
    case 'answered':
    case 'abandoned':
    case 'flowed_out':
      return today ? (today[metric] ?? 0) : null;
    case 'agents_available':
      return agents ? agents.available : null;
    case 'agents_on_call':
      return agents ? agents.on_call : null;
    case 'agents_not_ready':
      return agents ? agents.not_ready : null;
    case 'agents_acw':
      return agents ? agents.acw : null;
    case 'caller_service_level':
      return subject.kind === 'group' ? (subject.callerView?.today.service_level ?? null) : null;
    case 'sl_15m':
      return group ? rollingSl(group.rolling, '15m') : null;
    case 'sl_30m':
      return group ? rollingSl(group.rolling, '30m') : null;
    case 'sl_60m':
      return group ? rollingSl(group.rolling, '60m') : null;
  }
}

export type Level = 'none' | 'ok' | 'warn' | 'alert';

/** ok / warn / alert for a value against thresholds; an undefined value is never evaluated. */
export function levelOf(value: number | null, th: Thresholds | null | undefined): Level {
  if (value === null || !th) return 'none';
  if (th.direction === 'below') {
    if (value < th.alert) return 'alert';
    if (value < th.warn) return 'warn';
    return 'ok';
  }
  if (value >= th.alert) return 'alert';
  if (value >= th.warn) return 'warn';
  return 'ok';
}

/**
 * A threshold pair is consistent when warn comes before alert in the direction the metric
 * worsens (UX.md 6): above → warn < alert, below → warn > alert.
 */
export function thresholdsValid(th: Thresholds): boolean {
  return th.direction === 'above' ? th.warn < th.alert : th.warn > th.alert;
}
