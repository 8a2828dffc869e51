/**
 * The shapes of the live and directory APIs, as the app reads them. They are defined once in
 * schemas/ (schemas/live.ts, schemas/settings.ts) and imported as types only, so nothing
 * of schemas/ (TypeBox) reaches the bundle; this module gives them the app's names.
 */
import type { AgentStateName } from '../../../schemas/events.ts';
import type { LiveFigures, LiveHistoryPoint, LiveHistoryResponse, LiveSnapshot, RollingFigures } from '../../../schemas/live.ts';
import type { Agent, Board as StoredBoard, BoardMetric, DisplayToken, Queue, Site, Team, Versioned } from '../../../schemas/settings.ts';

export type {
  AgentsByState,
  HelpRequest,
  LiveAgent,
  LiveFrame,
  LiveGroup,
  LiveQueue,
  LiveSite,
  LiveTeam,
} from '../../../schemas/live.ts';
export type {
  AgentGridWidget,
  BoardFilter,
  BoardPage,
  ChartKind,
  ChartWidget,
  HelpAlertsWidget,
  QueueTableWidget,
  Scope,
  SlFlowouts,
  SlFormula,
  Thresholds,
  TickerWidget,
  TileWidget,
  TimeThresholds,
  Widget,
  WidgetKind,
} from '../../../schemas/settings.ts';

export type AgentState = AgentStateName;
/** Display order of agent states (grids, legends). */
export const AGENT_STATES: readonly AgentState[] = ['available', 'ringing', 'on_call', 'acw', 'not_ready', 'logged_out'];

/** Queue figures of a queue, site or the center (today or a rolling window). */
export type Figures = LiveFigures;
export type Rolling = RollingFigures;
export type Snapshot = LiveSnapshot;
export type MetricId = BoardMetric;

/** A board as the app edits it: a new one has no metadata until the server saved it. */
export type Board = Omit<StoredBoard, keyof BoardMeta> & Partial<BoardMeta>;
type BoardMeta = Pick<StoredBoard, 'version' | 'updated_by' | 'updated_at'>;

export type History = LiveHistoryResponse;
/** A point of either series of a history (last week's have no service level). */
export type HistoryPoint = LiveHistoryPoint & { service_level?: number | null };

/** Directory rows as listed; forms build them without the version metadata. */
export type SiteRow = Pick<Site, 'id' | 'name' | 'time_zone'> & Partial<Versioned>;
export type QueueRow = Omit<Queue, keyof Versioned>;
export type TeamRow = Pick<Team, 'id' | 'name' | 'site'>;
export type AgentRow = Pick<Agent, 'id' | 'name' | 'team' | 'site'>;
export type DisplayTokenRow = DisplayToken;

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
