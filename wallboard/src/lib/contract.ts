/**
 * The shapes of the live and directory APIs as tmp-scratch/live-contract.md (issue 8)
 * defines them. The app never imports server code, so they are written out here; fields
 * the app does not read are left out.
 */

export type AgentState = 'logged_out' | 'available' | 'not_ready' | 'ringing' | 'on_call' | 'acw';
export const AGENT_STATES: readonly AgentState[] = ['available', 'ringing', 'on_call', 'acw', 'not_ready', 'logged_out'];

export interface AgentsByState {
  available: number;
  not_ready: number;
  ringing: number;
  on_call: number;
  acw: number;
}

export interface Figures {
  offered: number;
  answered: number;
  abandoned: number;
  flowed_out: number;
  short_abandoned?: number;
  service_level: number | null;
  asa_s: number | null;
  aht_s: number | null;
  abandon_rate: number | null;
  max_wait_s?: number | null;
}

export type Rolling = Partial<Record<'15m' | '30m' | '60m', Figures>>;

export interface LiveQueue {
  queue: string;
  name?: string;
  site: string;
  waiting: number;
  longest_wait_s: number;
  oldest_waiting_since?: number | null;
  agents: AgentsByState;
  today: Figures;
  rolling?: Rolling;
}

export interface LiveAgent {
  agent: string;
  name?: string;
  team?: string | null;
  site?: string;
  state: AgentState;
  reason?: string | null;
  since: number | null;
  queue?: string | null;
  call?: string | null;
  queues?: string[];
  direction?: 'inbound' | 'outbound' | null;
  /** the agent's figures today (its site's day) */
  today?: { answered?: number; handled?: number; aht_s?: number | null; occupancy?: number | null };
}

export interface LiveGroup {
  waiting: number;
  longest_wait_s: number;
  oldest_waiting_since?: number | null;
  agents: AgentsByState;
  today: Figures;
  rolling?: Rolling;
  caller_view?: { today: Figures; rolling?: Rolling };
}

export interface LiveSite extends LiveGroup {
  site: string;
  name?: string;
  time_zone: string;
}

export interface LiveTeam {
  team: string;
  agents: AgentsByState;
}

export interface HelpRequest {
  id: string;
  agent: string;
  call: string | null;
  ts: number;
  acked_by?: string | null;
  queue?: string | null;
}

export interface Snapshot {
  now: number;
  queues: LiveQueue[];
  agents: LiveAgent[];
  sites: LiveSite[];
  teams: LiveTeam[];
  center: LiveGroup;
  help: HelpRequest[];
}

export interface Thresholds {
  warn: number;
  alert: number;
  direction: 'above' | 'below';
}

export type MetricId =
  | 'waiting'
  | 'longest_wait_s'
  | 'service_level'
  | 'asa_s'
  | 'aht_s'
  | 'abandon_rate'
  | 'offered'
  | 'answered'
  | 'abandoned'
  | 'flowed_out'
  | 'agents_available'
  | 'agents_on_call'
  | 'agents_not_ready'
  | 'agents_acw'
  | 'caller_service_level'
  | 'sl_15m'
  | 'sl_30m'
  | 'sl_60m';

export interface Scope {
  queue?: string;
  site?: string;
  team?: string;
}

interface WidgetBase {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface TileWidget extends WidgetBase {
  kind: 'tile';
  metric: MetricId;
  scope: Scope;
  label?: string;
  thresholds?: Thresholds | null;
  flash?: boolean;
  sound?: boolean;
}
export interface QueueTableWidget extends WidgetBase {
  kind: 'queue_table';
  columns: MetricId[];
}
export type TimeThresholds = Partial<Record<AgentState, number>>;
export interface AgentGridWidget extends WidgetBase {
  kind: 'agent_grid';
  hide_logged_out?: boolean;
  time_thresholds?: TimeThresholds;
}
export type ChartKind = 'offered_answered_15m' | 'service_level_today';
export interface ChartWidget extends WidgetBase {
  kind: 'chart';
  chart: ChartKind;
  scope?: Scope;
}
export interface HelpAlertsWidget extends WidgetBase {
  kind: 'help_alerts';
}
export interface TickerWidget extends WidgetBase {
  kind: 'ticker';
}
export type Widget = TileWidget | QueueTableWidget | AgentGridWidget | ChartWidget | HelpAlertsWidget | TickerWidget;
export type WidgetKind = Widget['kind'];

export interface BoardPage {
  title: string;
  widgets: Widget[];
}

export interface BoardFilter {
  sites: string[];
  queues: string[];
  teams: string[];
}

export interface Board {
  id: string;
  name: string;
  filter: BoardFilter;
  rotate_s: number;
  pages: BoardPage[];
  ticker: string;
  version?: number;
  updated_by?: string;
  updated_at?: number | string;
}

export interface HistoryPoint {
  start: number;
  offered: number;
  answered: number;
  service_level?: number | null;
}
export interface History {
  intervals: HistoryPoint[];
  last_week: HistoryPoint[];
}

/** Frames of `GET /v1/live` (server → client). */
export type LiveFrame =
  | { type: 'snapshot'; version: number; data: Snapshot; board?: Board; rebuilding?: boolean }
  | { type: 'error'; error: string }
  | {
      type: 'delta';
      version: number;
      now?: number;
      queues?: LiveQueue[];
      agents?: LiveAgent[];
      removed_agents?: string[];
      sites?: LiveSite[];
      teams?: LiveTeam[];
      center?: LiveGroup;
      help?: HelpRequest[];
    }
  | { type: 'board'; board: Board }
  | { type: 'heartbeat'; now: number };

export interface SiteRow {
  id: string;
  name: string;
  time_zone: string;
  version?: number;
  updated_at?: number | string;
  updated_by?: string;
}
export type SlFormula = 'default' | 'answered_only' | 'abandon_positive' | 'abandon_negative';
export interface QueueRow {
  id: string;
  name: string;
  site: string;
  sl_threshold_s: number;
  short_abandon_s: number;
  sl_formula: SlFormula;
  sl_flowouts: 'exclude' | 'include';
  targets: { service_level?: number | null; asa_s?: number | null; abandon_rate?: number | null; longest_wait_s?: number | null };
}
export interface TeamRow {
  id: string;
  name: string;
  site: string;
}
export interface AgentRow {
  id: string;
  name: string;
  team: string | null;
  site: string;
}
export interface UserRow {
  username: string;
  roles: string[];
  role?: string;
  disabled: boolean | number;
  display_name?: string;
}
export interface KeyRow {
  id: string;
  prefix?: string;
  name: string;
  scopes: string[];
  revoked: boolean;
  created_at?: string | number;
  created_by?: string;
}
export interface DisplayTokenRow {
  id: string;
  name: string;
  boards: string[];
  created_by?: string;
  created_at?: string | number;
  revoked: boolean;
}
