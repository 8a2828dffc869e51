/**
 * Boards (saved wallboard layouts): the TypeBox schema of the contract's Board shape and its
 * validation, with errors that name the path (`pages[0].widgets[3].metric: …`), plus the
 * default board made on first run.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';

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
export const CHARTS = ['offered_answered_15m', 'service_level_today'] as const;
const AGENT_STATES = ['logged_out', 'available', 'not_ready', 'ringing', 'on_call', 'acw'] as const;

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Id = Type.String({ minLength: 1, maxLength: 64 });
const Metric = literals(BOARD_METRICS);
const Scope = Type.Object(
  { queue: Type.Optional(Id), site: Type.Optional(Id), team: Type.Optional(Id) },
  { additionalProperties: false },
);
const Thresholds = Type.Object({
  warn: Type.Number(),
  alert: Type.Number(),
  direction: literals(['above', 'below'] as const),
});

const WidgetBase = {
  id: Id,
  x: Type.Integer({ minimum: 0, maximum: GRID_COLUMNS - 1 }),
  y: Type.Integer({ minimum: 0, maximum: MAX_GRID_ROW }),
  w: Type.Integer({ minimum: 1, maximum: GRID_COLUMNS }),
  h: Type.Integer({ minimum: 1, maximum: MAX_WIDGET_HEIGHT }),
};

/** Per kind; extra fields are kept (the app may add some), the listed ones are checked. */
const WIDGETS = {
  tile: Type.Object({
    ...WidgetBase,
    kind: Type.Literal('tile'),
    metric: Metric,
    scope: Scope,
    label: Type.Optional(Type.String({ maxLength: 100 })),
    thresholds: Type.Optional(Type.Union([Thresholds, Type.Null()])),
    flash: Type.Optional(Type.Boolean()),
    sound: Type.Optional(Type.Boolean()),
  }),
  queue_table: Type.Object({ ...WidgetBase, kind: Type.Literal('queue_table'), columns: Type.Array(Metric, { minItems: 1, maxItems: 30 }) }),
  agent_grid: Type.Object({
    ...WidgetBase,
    kind: Type.Literal('agent_grid'),
    hide_logged_out: Type.Optional(Type.Boolean()),
    time_thresholds: Type.Optional(
      Type.Object(Object.fromEntries(AGENT_STATES.map((s) => [s, Type.Optional(Type.Number({ minimum: 0 }))])), { additionalProperties: false }),
    ),
  }),
  chart: Type.Object({ ...WidgetBase, kind: Type.Literal('chart'), chart: literals(CHARTS), scope: Type.Optional(Scope) }),
  help_alerts: Type.Object({ ...WidgetBase, kind: Type.Literal('help_alerts') }),
  ticker: Type.Object({ ...WidgetBase, kind: Type.Literal('ticker') }),
} satisfies Record<(typeof WIDGET_KINDS)[number], TSchema>;

/** A board as sent by the app (POST, PUT): the Board shape without id and metadata. */
export const BoardInput = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  filter: Type.Optional(
    Type.Object({
      sites: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
      queues: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
      teams: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
    }),
  ),
  rotate_s: Type.Optional(Type.Integer({ minimum: 5, maximum: 3600 })),
  pages: Type.Array(
    Type.Object({
      title: Type.String({ maxLength: 100 }),
      // each widget is checked by its kind below; here only that it is an object with a known kind
      widgets: Type.Array(Type.Object({ kind: literals(WIDGET_KINDS) }), { maxItems: 100 }),
    }),
    { minItems: 1, maxItems: 20 },
  ),
  ticker: Type.Optional(Type.String({ maxLength: 1000 })),
});

export type Widget = Static<(typeof WIDGETS)[keyof typeof WIDGETS]>;

/** The stored layout of a board (everything but id, name and metadata), complete. */
export type BoardLayout = {
  filter: { sites: string[]; queues: string[]; teams: string[] };
  rotate_s: number;
  pages: { title: string; widgets: Widget[] }[];
  ticker: string;
};

// type aliases (not interfaces), so a Board fits the push layer's open `LiveBoard` shape
export type Board = BoardLayout & {
  id: string;
  name: string;
  version: number;
  updated_by: string;
  /** epoch ms */
  updated_at: number;
};

const inputCheck = TypeCompiler.Compile(BoardInput);
const widgetChecks = Object.fromEntries(Object.entries(WIDGETS).map(([k, s]) => [k, TypeCompiler.Compile(s)])) as Record<string, TypeCheck<TSchema>>;

/** A board body that is not valid; the message names the path. */
export class BoardValidationError extends Error {}

/** `/pages/0/widgets/3/metric` → `pages[0].widgets[3].metric` */
export function jsonPath(pointer: string, prefix = ''): string {
  let out = prefix;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out === '' ? key : `.${key}`;
  }
  return out || '(board)';
}

function describe(err: ValueError, prefix = ''): string {
  const path = jsonPath(err.path, prefix);
  const schema = err.schema as { anyOf?: { const?: unknown }[]; minimum?: number; maximum?: number };
  switch (err.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return `${path}: is required`;
    case ValueErrorType.ObjectAdditionalProperties:
      return `${path}: unknown field`;
    case ValueErrorType.Union:
      if (schema.anyOf?.every((s) => s.const !== undefined)) {
        return `${path}: must be one of ${schema.anyOf.map((s) => String(s.const)).join(', ')} (got ${JSON.stringify(err.value)?.slice(0, 60)})`;
      }
      return `${path}: ${err.message}`;
    default:
      return `${path}: ${err.message.toLowerCase()} (got ${JSON.stringify(err.value)?.slice(0, 60)})`;
  }
}

/** Checks a board body and returns its complete layout and name; throws BoardValidationError naming the path. */
export function validateBoard(value: unknown): { name: string; layout: BoardLayout } {
  if (!inputCheck.Check(value)) {
    const first = inputCheck.Errors(value).First();
    throw new BoardValidationError(first ? describe(first) : 'body: not a board');
  }
  const pages = value.pages.map((page, p) => {
    const ids = new Set<string>();
    const widgets = page.widgets.map((raw, i) => {
      const prefix = `pages[${p}].widgets[${i}]`;
      const check = widgetChecks[raw.kind]!;
      if (!check.Check(raw)) {
        const first = check.Errors(raw).First();
        throw new BoardValidationError(first ? describe(first, prefix) : `${prefix}: invalid widget`);
      }
      const w = raw as unknown as Widget;
      if (w.x + w.w > GRID_COLUMNS) throw new BoardValidationError(`${prefix}.w: x + w must be at most ${GRID_COLUMNS} (got x ${w.x}, w ${w.w})`);
      if (ids.has(w.id)) throw new BoardValidationError(`${prefix}.id: another widget of this page has the id ${JSON.stringify(w.id)}`);
      ids.add(w.id);
      const scope = (w as { scope?: Record<string, unknown> }).scope;
      if (scope && Object.keys(scope).length > 1) throw new BoardValidationError(`${prefix}.scope: at most one of queue, site, team (got ${Object.keys(scope).join(', ')})`);
      return w;
    });
    return { title: page.title, widgets };
  });
  return {
    name: value.name,
    layout: {
      filter: { sites: value.filter?.sites ?? [], queues: value.filter?.queues ?? [], teams: value.filter?.teams ?? [] },
      rotate_s: value.rotate_s ?? 30,
      pages,
      ticker: value.ticker ?? '',
    },
  };
}

export const DEFAULT_BOARD_ID = 'center';

/** The board made on first run: the center's KPI strip, help alerts, every queue, every agent, and the two charts. */
export function defaultBoard(): { id: string; name: string; layout: BoardLayout } {
  const tile = (id: string, metric: BoardMetric, x: number, thresholds: { warn: number; alert: number; direction: 'above' | 'below' } | null): Widget => ({
    id,
    kind: 'tile',
    x,
    y: 0,
    w: 4,
    h: 3,
    metric,
    scope: {},
    thresholds,
    flash: thresholds !== null,
    sound: false,
  });
  return {
    id: DEFAULT_BOARD_ID,
    name: 'Center',
    layout: {
      filter: { sites: [], queues: [], teams: [] },
      rotate_s: 30,
      ticker: '',
      pages: [
        {
          title: 'Center',
          widgets: [
            tile('waiting', 'waiting', 0, { warn: 5, alert: 10, direction: 'above' }),
            tile('longest-wait', 'longest_wait_s', 4, { warn: 60, alert: 120, direction: 'above' }),
            tile('service-level', 'service_level', 8, { warn: 0.8, alert: 0.7, direction: 'below' }),
            tile('asa', 'asa_s', 12, { warn: 20, alert: 40, direction: 'above' }),
            tile('abandon-rate', 'abandon_rate', 16, { warn: 0.05, alert: 0.1, direction: 'above' }),
            tile('available', 'agents_available', 20, null),
            { id: 'help', kind: 'help_alerts', x: 0, y: 3, w: 24, h: 2 },
            {
              id: 'queues',
              kind: 'queue_table',
              x: 0,
              y: 5,
              w: 24,
              h: 7,
              columns: ['waiting', 'longest_wait_s', 'offered', 'answered', 'abandoned', 'flowed_out', 'service_level', 'asa_s', 'aht_s', 'abandon_rate', 'agents_available', 'agents_on_call'],
            },
            { id: 'agents', kind: 'agent_grid', x: 0, y: 12, w: 24, h: 9, hide_logged_out: true, time_thresholds: { ringing: 30, acw: 120, not_ready: 900, on_call: 900 } },
            { id: 'offered-answered', kind: 'chart', x: 0, y: 21, w: 12, h: 6, chart: 'offered_answered_15m' },
            { id: 'service-level-today', kind: 'chart', x: 12, y: 21, w: 12, h: 6, chart: 'service_level_today' },
          ],
        },
      ],
    },
  };
}
