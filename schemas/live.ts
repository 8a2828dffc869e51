/**
 * JSON shapes of the live read side: the body of `GET /v1/live/snapshot` and the
 * frames of the `/v1/live` WebSocket. The server's live engine builds them
 * (server/live/), the apps read them; types only, nothing here exists at run time.
 * Ratios are fractions 0–1 (4 decimals), durations seconds (0.1 s), instants epoch ms.
 */
import type { AgentStateName } from './events.ts';
import type { Board, SlFlowouts, SlFormula } from './settings.ts';

/** Logged-in agents by state (an agent counts in every queue it serves, once in any total). */
export interface AgentsByState {
  available: number;
  not_ready: number;
  ringing: number;
  on_call: number;
  acw: number;
}

/** Queue figures (report and board field names; computed by server/contact-metrics/). */
export interface QueueFigures {
  offered: number;
  answered: number;
  abandoned: number;
  short_abandoned: number;
  flowed_out: number;
  answered_within_sl: number;
  abandoned_within_sl: number;
  handled: number;
  /** by the queue's formula and flow-out setting */
  service_level: number | null;
  asa_s: number | null;
  aht_s: number | null;
  avg_talk_s: number | null;
  avg_hold_s: number | null;
  avg_acw_s: number | null;
  avg_abandon_s: number | null;
  max_wait_s: number | null;
  abandon_rate: number | null;
  /** agent legs of handled calls ended by a transfer */
  transfers: number;
}

/** Agent figures (report field names; break figures need the state log and are left to the reports). */
export interface AgentFigures {
  answered: number;
  handled: number;
  talk_s: number;
  hold_s: number;
  acw_s: number;
  handle_s: number;
  aht_s: number | null;
  ring_noanswer: number;
  agent_hangups: number;
  transfers: number;
  help_requests: number;
  logged_in_s: number;
  not_ready_s: number;
  occupancy: number | null;
  utilization: number | null;
}

/** Queue figures plus the service level by every formula (same counters). */
export interface LiveFigures extends QueueFigures {
  service_level_by_formula: Record<SlFormula, number | null>;
}

/** Rolling windows keyed `"15m"`, `"30m"`, `"60m"` (the engine's windows, configurable: any may be missing). */
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
  sl_flowouts: SlFlowouts;
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
  /** who acknowledged it; the push layer overlays it, absent while nobody has */
  acked_by?: string;
}

/** Body of `GET /v1/live/snapshot` and `data` of a snapshot frame (a board's view of it on `/v1/live`). */
export interface LiveSnapshot {
  /** engine version at the snapshot */
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

/** A quarter hour of a `GET /v1/live/history` series. */
export interface LiveHistoryPoint {
  /** epoch ms of the interval's start */
  start: number;
  offered: number;
  answered: number;
}

export interface LiveHistoryInterval extends LiveHistoryPoint {
  /** by the queue's formula (several queues: the default formula), 0–1 or null */
  service_level: number | null;
}

/** Body of `GET /v1/live/history`: today per 15 minutes in the scope's zone, and the same weekday a week ago. */
export interface LiveHistoryResponse {
  time_zone: string;
  day: string;
  intervals: LiveHistoryInterval[];
  last_week_day: string;
  last_week: LiveHistoryPoint[];
}

/** Frames of `GET /v1/live` (server → client). */
export interface LiveSnapshotFrame {
  type: 'snapshot';
  version: number;
  data: LiveSnapshot;
  /** the subscribed board, when subscribed by board */
  board?: Board;
  /** the engine is still rebuilding today from the store: figures are partial */
  rebuilding?: true;
}

/** What changed since the previous frame of the view; entities are sent whole, group aggregates at most every `groupMinFrameMs`. */
export interface LiveDeltaFrame {
  type: 'delta';
  version: number;
  now: number;
  queues: LiveQueue[];
  agents: LiveAgent[];
  /** agents that left the view */
  removed_agents: string[];
  sites: LiveSite[];
  teams: LiveTeam[];
  center?: LiveGroup;
  /** the view's help requests, whole, when they changed */
  help?: HelpRequest[];
}

/** The subscribed board was edited. */
export interface LiveBoardFrame {
  type: 'board';
  board: Board;
}

/** The subscription was refused or ended (unknown or deleted board, …). */
export interface LiveErrorFrame {
  type: 'error';
  error: string;
}

/** Sent when a view had no other frame for `heartbeatMs`. */
export interface LiveHeartbeatFrame {
  type: 'heartbeat';
  now: number;
}

export type LiveFrame = LiveSnapshotFrame | LiveDeltaFrame | LiveBoardFrame | LiveErrorFrame | LiveHeartbeatFrame;
