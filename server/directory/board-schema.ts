/**
 * Boards (saved wallboard layouts): validation of a board body against the TypeBox schemas of
 * schemas/settings.ts, with errors that name the path (`pages[0].widgets[3].metric: …`), plus the
 * default board made on first run.
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { BoardInputSchema, GRID_COLUMNS, WidgetSchemas, type BoardLayout, type BoardMetric, type Widget } from '../../schemas/settings.ts';

// The board shapes and their TypeBox schemas live in schemas/settings.ts (one source, shared with the app).
export {
  BOARD_METRICS,
  BoardInputSchema as BoardInput,
  CHARTS,
  GRID_COLUMNS,
  MAX_GRID_ROW,
  MAX_WIDGET_HEIGHT,
  WIDGET_KINDS,
  type Board,
  type BoardLayout,
  type BoardMetric,
  type Widget,
} from '../../schemas/settings.ts';

const inputCheck = TypeCompiler.Compile(BoardInputSchema);
const widgetChecks = Object.fromEntries(Object.entries(WidgetSchemas).map(([k, s]) => [k, TypeCompiler.Compile(s)])) as Record<string, TypeCheck<TSchema>>;

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

/**
 * The board made on first run. UX.md: every page is the pinned KPI strip plus one body, so a
 * wall display reads it at a distance: Queues (help requests and every queue), Agents (every
 * agent), Trends (the two charts). TV mode rotates through the pages; the desktop shows tabs.
 */
export function defaultBoard(): { id: string; name: string; layout: BoardLayout } {
  type Thresholds = { warn: number; alert: number; direction: 'above' | 'below' };
  const tile = (page: string, metric: BoardMetric, x: number, w: number, thresholds: Thresholds | null): Widget => ({
    id: `${page}-${metric}`,
    kind: 'tile',
    x,
    y: 0,
    w,
    h: 3,
    metric,
    scope: {},
    thresholds,
    flash: thresholds !== null,
    sound: false,
  });
  // UX.md 1.2: Waiting 6 + Longest wait 6 + SL 3 + ASA 3 + AHT 3 + Abandon 3; 1.4 default thresholds.
  const strip = (page: string): Widget[] => [
    tile(page, 'waiting', 0, 6, { warn: 5, alert: 10, direction: 'above' }),
    tile(page, 'longest_wait_s', 6, 6, { warn: 60, alert: 120, direction: 'above' }),
    tile(page, 'service_level', 12, 3, { warn: 0.8, alert: 0.7, direction: 'below' }),
    tile(page, 'asa_s', 15, 3, { warn: 20, alert: 40, direction: 'above' }),
    tile(page, 'aht_s', 18, 3, null),
    tile(page, 'abandon_rate', 21, 3, { warn: 0.05, alert: 0.08, direction: 'above' }),
  ];
  return {
    id: DEFAULT_BOARD_ID,
    name: 'Center',
    layout: {
      filter: { sites: [], queues: [], teams: [] },
      rotate_s: 30,
      ticker: '',
      pages: [
        {
          title: 'Queues',
          widgets: [
            ...strip('queues'),
            { id: 'help', kind: 'help_alerts', x: 0, y: 3, w: 24, h: 2 },
            {
              id: 'queues',
              kind: 'queue_table',
              x: 0,
              y: 5,
              w: 24,
              h: 7,
              // eight columns stay readable on a wall display (UX.md 1.2); the editor adds more
              columns: ['waiting', 'longest_wait_s', 'offered', 'answered', 'service_level', 'asa_s', 'abandon_rate', 'agents_available'],
            },
          ],
        },
        {
          title: 'Agents',
          widgets: [
            ...strip('agents'),
            { id: 'agents', kind: 'agent_grid', x: 0, y: 3, w: 24, h: 9, hide_logged_out: true, time_thresholds: { ringing: 30, acw: 120, not_ready: 900, on_call: 900 } },
          ],
        },
        {
          title: 'Trends',
          widgets: [
            ...strip('trends'),
            { id: 'offered-answered', kind: 'chart', x: 0, y: 3, w: 12, h: 9, chart: 'offered_answered_15m' },
            { id: 'service-level-today', kind: 'chart', x: 12, y: 3, w: 12, h: 9, chart: 'service_level_today' },
          ],
        },
      ],
    },
  };
}
