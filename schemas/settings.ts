/**
 * JSON shapes of the settings and directory API: sites, queues, teams, agents,
 * boards and display tokens, and the per-queue metric settings they carry. Boards are TypeBox
 * schemas (the server validates board bodies with them, server/directory/board-schema.ts);
 * the rest are types only. Apps import types only from here (`import type`), so TypeBox
 * never reaches their bundles. Instants are epoch ms; `version` orders the versions of one
 * id (higher = newer).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

// ---- per-queue metric settings ----

/**
 * Service-level formulas (T = the queue's `sl_threshold_s`; "within T" means wait ≤ T):
 * - `default`: answered within T ÷ (answered + abandoned − short-abandoned)
 * - `answered_only`: answered within T ÷ answered (Asterisk, Wazo)
 * - `abandon_positive`: (answered within T + abandoned within T) ÷ offered (Cisco)
 * - `abandon_negative`: answered within T ÷ offered (Cisco)
 */
export const SL_FORMULAS = ['default', 'answered_only', 'abandon_positive', 'abandon_negative'] as const;
export type SlFormula = (typeof SL_FORMULAS)[number];

/**
 * How flow-outs (calls that left the queue unanswered through `call.overflow`) enter
 * the service level: `exclude` (default, as Genesys) leaves them out of the denominator;
 * `include` counts them as missed (in the denominator, never in the numerator).
 */
export const SL_FLOWOUTS = ['exclude', 'include'] as const;
export type SlFlowouts = (typeof SL_FLOWOUTS)[number];

// ---- directory rows ----

/** Metadata of every versioned row. */
export interface Versioned {
  version: number;
  /** epoch ms */
  updated_at: number;
  updated_by: string;
}

export interface Site extends Versioned {
  id: string;
  name: string;
  /** IANA zone */
  time_zone: string;
}

/** Tile targets of a queue; null = none. Ratios 0–1, durations seconds. */
export interface QueueTargets {
  service_level: number | null;
  asa_s: number | null;
  abandon_rate: number | null;
  longest_wait_s: number | null;
}

export interface Queue extends Versioned {
  id: string;
  name: string;
  /** '' = not known yet */
  site: string;
  sl_threshold_s: number;
  short_abandon_s: number;
  sl_formula: SlFormula;
  sl_flowouts: SlFlowouts;
  targets: QueueTargets;
}

export interface Team extends Versioned {
  id: string;
  name: string;
  site: string;
}

export interface Agent extends Versioned {
  id: string;
  name: string;
  team: string | null;
  site: string;
}

/** A wall display's token as listed by `GET /v1/display-tokens` (the secret is shown once, at creation). */
export interface DisplayToken {
  id: string;
  name: string;
  /** boards it may show */
  boards: string[];
  created_by: string;
  /** epoch ms */
  created_at: number;
  revoked: boolean;
}

// ---- boards ----

/** Columns of the board grid; rows have a fixed height. */
export const GRID_COLUMNS = 24;
export const MAX_GRID_ROW = 200;
export const MAX_WIDGET_HEIGHT = 40;

/** Figures a tile or a queue-table column can show (names of the live snapshot). */
export const BOARD_METRICS = [
  'waiting',
  'longest_wait_s',
  'service_level',
  'asa_s',
  'aht_s',
  'abandon_rate',
  'offered',
  'answered',
  'abandoned',
  'flowed_out',
  'agents_available',
  'agents_on_call',
  'agents_not_ready',
  'agents_acw',
  'caller_service_level',
  'sl_15m',
  'sl_30m',
  'sl_60m',
] as const;
export type BoardMetric = (typeof BOARD_METRICS)[number];

export const WIDGET_KINDS = ['tile', 'queue_table', 'agent_grid', 'chart', 'help_alerts', 'ticker'] as const;
export type WidgetKind = (typeof WIDGET_KINDS)[number];
export const CHARTS = ['offered_answered_15m', 'service_level_today'] as const;
export type ChartKind = (typeof CHARTS)[number];

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Id = Type.String({ minLength: 1, maxLength: 64 });
const Metric = literals(BOARD_METRICS);

/** What a widget shows: one queue, site or team, or (empty) the board's whole view. */
export const ScopeSchema = Type.Object({ queue: Type.Optional(Id), site: Type.Optional(Id), team: Type.Optional(Id) }, { additionalProperties: false });
export type Scope = Static<typeof ScopeSchema>;

export const ThresholdsSchema = Type.Object({
  warn: Type.Number(),
  alert: Type.Number(),
  direction: literals(['above', 'below'] as const),
});
export type Thresholds = Static<typeof ThresholdsSchema>;

const Seconds = Type.Optional(Type.Number({ minimum: 0 }));
/** Seconds in a state after which an agent's card is flagged, per agent state. */
export const TimeThresholdsSchema = Type.Object(
  { logged_out: Seconds, available: Seconds, not_ready: Seconds, ringing: Seconds, on_call: Seconds, acw: Seconds },
  { additionalProperties: false },
);
export type TimeThresholds = Static<typeof TimeThresholdsSchema>;

const WidgetBase = {
  id: Id,
  x: Type.Integer({ minimum: 0, maximum: GRID_COLUMNS - 1 }),
  y: Type.Integer({ minimum: 0, maximum: MAX_GRID_ROW }),
  w: Type.Integer({ minimum: 1, maximum: GRID_COLUMNS }),
  h: Type.Integer({ minimum: 1, maximum: MAX_WIDGET_HEIGHT }),
};

/** One schema per widget kind; extra fields are kept (the app may add some), the listed ones are checked. */
export const WidgetSchemas = {
  tile: Type.Object({
    ...WidgetBase,
    kind: Type.Literal('tile'),
    metric: Metric,
    scope: ScopeSchema,
    label: Type.Optional(Type.String({ maxLength: 100 })),
    thresholds: Type.Optional(Type.Union([ThresholdsSchema, Type.Null()])),
    flash: Type.Optional(Type.Boolean()),
    sound: Type.Optional(Type.Boolean()),
  }),
  queue_table: Type.Object({ ...WidgetBase, kind: Type.Literal('queue_table'), columns: Type.Array(Metric, { minItems: 1, maxItems: 30 }) }),
  agent_grid: Type.Object({
    ...WidgetBase,
    kind: Type.Literal('agent_grid'),
    hide_logged_out: Type.Optional(Type.Boolean()),
    time_thresholds: Type.Optional(TimeThresholdsSchema),
  }),
  chart: Type.Object({ ...WidgetBase, kind: Type.Literal('chart'), chart: literals(CHARTS), scope: Type.Optional(ScopeSchema) }),
  help_alerts: Type.Object({ ...WidgetBase, kind: Type.Literal('help_alerts') }),
  ticker: Type.Object({ ...WidgetBase, kind: Type.Literal('ticker') }),
} satisfies Record<WidgetKind, TSchema>;

export type TileWidget = Static<typeof WidgetSchemas.tile>;
export type QueueTableWidget = Static<typeof WidgetSchemas.queue_table>;
export type AgentGridWidget = Static<typeof WidgetSchemas.agent_grid>;
export type ChartWidget = Static<typeof WidgetSchemas.chart>;
export type HelpAlertsWidget = Static<typeof WidgetSchemas.help_alerts>;
export type TickerWidget = Static<typeof WidgetSchemas.ticker>;

/** Any widget (checked by its kind's schema in `WidgetSchemas`). */
export const WidgetSchema = Type.Union([
  WidgetSchemas.tile,
  WidgetSchemas.queue_table,
  WidgetSchemas.agent_grid,
  WidgetSchemas.chart,
  WidgetSchemas.help_alerts,
  WidgetSchemas.ticker,
]);
export type Widget = Static<typeof WidgetSchema>;

/** The queues, sites and teams a board shows; empty = all. */
export const BoardFilterSchema = Type.Object({ sites: Type.Array(Id, { maxItems: 1000 }), queues: Type.Array(Id, { maxItems: 1000 }), teams: Type.Array(Id, { maxItems: 1000 }) });
export type BoardFilter = Static<typeof BoardFilterSchema>;

export const BoardPageSchema = Type.Object({ title: Type.String({ maxLength: 100 }), widgets: Type.Array(WidgetSchema, { maxItems: 100 }) });
export type BoardPage = Static<typeof BoardPageSchema>;

const BoardName = Type.String({ minLength: 1, maxLength: 100 });
const RotateS = Type.Integer({ minimum: 5, maximum: 3600 });
const Ticker = Type.String({ maxLength: 1000 });

/** The stored layout of a board (everything but id, name and metadata), complete. */
export const BoardLayoutSchema = Type.Object({
  filter: BoardFilterSchema,
  rotate_s: RotateS,
  pages: Type.Array(BoardPageSchema, { minItems: 1, maxItems: 20 }),
  ticker: Ticker,
});
export type BoardLayout = Static<typeof BoardLayoutSchema>;

/** A board as the API returns it (`GET /v1/boards/:id`, `board` of live frames). */
export const BoardSchema = Type.Object({
  id: Id,
  name: BoardName,
  ...BoardLayoutSchema.properties,
  version: Type.Integer(),
  updated_by: Type.String(),
  /** epoch ms */
  updated_at: Type.Number(),
});
// a type alias (not an interface), so a Board fits the push layer's open `LiveBoard` shape
export type Board = Static<typeof BoardSchema>;

/**
 * A board as sent by the app (POST, PUT): the Board shape without id and metadata, optional
 * parts defaulted. Each widget is checked here only for a known kind: the server checks it by
 * its kind's schema after, so an error names the widget's own bad field.
 */
export const BoardInputSchema = Type.Object({
  name: BoardName,
  filter: Type.Optional(Type.Partial(BoardFilterSchema)),
  rotate_s: Type.Optional(RotateS),
  pages: Type.Array(
    Type.Object({
      title: Type.String({ maxLength: 100 }),
      widgets: Type.Array(Type.Object({ kind: literals(WIDGET_KINDS) }), { maxItems: 100 }),
    }),
    { minItems: 1, maxItems: 20 },
  ),
  ticker: Type.Optional(Ticker),
});
export type BoardInput = Static<typeof BoardInputSchema>;
