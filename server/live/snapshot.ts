/**
 * JSON shapes of the live engine's read side. `LiveSnapshot` is the body of
 * `GET /v1/live/snapshot` (issue 8): its `queues[]` and `agents[]` carry the fields the
 * issue lists, plus extra fields; `sites`, `teams`, `center` and `help` are additions.
 * Ratios are fractions 0–1 (4 decimals), durations seconds (0.1 s), instants epoch ms.
 */
import type { AgentStateName } from '../../schemas/events.ts';
import type { AgentFigures, QueueFigures } from '../contact-metrics/figures.ts';
import type { SlFormula } from '../contact-metrics/settings.ts';

/** Logged-in agents by state (an agent counts in every queue it serves, once in any total). */
export interface AgentsByState {
  available: number;
  not_ready: number;
  ringing: number;
  on_call: number;
  acw: number;
}

/** Queue figures plus the service level by every formula (same counters). */
export interface LiveFigures extends QueueFigures {
  service_level_by_formula: Record<SlFormula, number | null>;
}

/** Rolling windows keyed `"15m"`, `"30m"`, `"60m"` (the engine's windows). */
export type RollingFigures = Record<string, LiveFigures>;

export interface WaitingCall {
  call: string;
  /** `call.queued` ts, epoch ms */
  since: number;
}

export interface LiveQueue {
  queue: string;
  name: string;
  site: string;
  /** calls waiting now */
  waiting: number;
  /** age of the oldest waiting call at the snapshot's `now`, s (0 when none) */
  longest_wait_s: number;
  /** enter time of the oldest waiting call (epoch ms), so a client can tick `longest_wait_s` itself */
  oldest_waiting_since: number | null;
  waiting_calls: WaitingCall[];
  agents: AgentsByState;
  /** today in the site's time zone (queue view) */
  today: LiveFigures;
  rolling: RollingFigures;
  sl_threshold_s: number;
  short_abandon_s: number;
  sl_formula: SlFormula;
  sl_flowouts: 'exclude' | 'include';
  version: number;
}

export interface LiveAgent {
  agent: string;
  name: string;
  team: string | null;
  site: string;
  state: AgentStateName;
  reason: string | null;
  /** when the current state began, epoch ms; null when no state was seen */
  since: number | null;
  /** queue of the current call */
  queue: string | null;
  /** current call (ringing, talking or in after-call work) */
  call: string | null;
  /** queues served (from the login event) */
  queues: string[];
  /** today in the agent's site time zone */
  today: AgentFigures;
  version: number;
}

/** Queue view and caller view of a group of queues, with its agents. */
export interface LiveGroup {
  waiting: number;
  longest_wait_s: number;
  oldest_waiting_since: number | null;
  agents: AgentsByState;
  /** queue view: the sum of its queues' visits */
  today: LiveFigures;
  rolling: RollingFigures;
  /**
   * caller view: each call once, from its first `call.queued` to the answer anywhere,
   * counted at the site of its first queue (T and S of that queue)
   */
  caller_view: { today: LiveFigures; rolling: RollingFigures };
  /** the group's agents' figures (answered, handle, occupancy, …) */
  agent_today: AgentFigures;
  version: number;
}

export interface LiveSite extends LiveGroup {
  site: string;
  name: string;
  time_zone: string;
  /** today's local date */
  day: string;
  /** today's first and next day's first instant, epoch ms (23, 24 or 25 h apart) */
  day_start: number;
  day_end: number;
}

export interface LiveTeam {
  team: string;
  agents: AgentsByState;
  today: AgentFigures;
  version: number;
}

export interface HelpRequest {
  id: string;
  agent: string;
  call: string | null;
  ts: number;
}

export interface LiveSnapshot {
  /** engine version at the snapshot; pass to `changedSince` */
  version: number;
  now: number;
  queues: LiveQueue[];
  agents: LiveAgent[];
  teams: LiveTeam[];
  sites: LiveSite[];
  center: LiveGroup;
  /** the latest help requests (at most the engine's `recentHelp`), newest first; acknowledging them is the app's business */
  help: HelpRequest[];
}

/** Entities changed since a version (see `LiveEngine.changedSince`). */
export interface LiveChanges {
  version: number;
  queues: string[];
  agents: string[];
  teams: string[];
  sites: string[];
  center: boolean;
  help: boolean;
}
