/** Boards API (`/v1/boards`), plus the defaults a new board and new widgets start from. */
import { del, get, post, put, seg, type ApiOptions } from '$ui/api.ts';
import type { AgentGridWidget, Board, MetricId, Widget, WidgetKind } from './contract.ts';

export { clampWidget, GRID_COLUMNS, nextRow, pushDown } from './layout.ts';

export async function listBoards(opts?: ApiOptions): Promise<Board[]> {
  const r = await get<{ boards: Board[] } | Board[]>('/v1/boards', opts);
  return Array.isArray(r) ? r : r.boards;
}
export const getBoard = (id: string, opts?: ApiOptions) => get<Board>(`/v1/boards/${seg(id)}`, opts);
export const createBoard = (b: Omit<Board, 'id'>) => post<{ id: string }>('/v1/boards', b);
export const saveBoard = (b: Board) => put<Board | { id: string }>(`/v1/boards/${seg(b.id)}`, b);
export const deleteBoard = (id: string) => del<unknown>(`/v1/boards/${seg(id)}`);

/** A short random id for widgets. */
export function widgetId(): string {
  return 'w' + Math.random().toString(36).slice(2, 9);
}

export const DEFAULT_TIME_THRESHOLDS: AgentGridWidget['time_thresholds'] = { ringing: 30, acw: 120, not_ready: 900, on_call: 900 };

/** A new widget of `kind` with sensible size and settings, placed at (x, y). */
export function newWidget(kind: WidgetKind, x: number, y: number): Widget {
  const id = widgetId();
  switch (kind) {
    case 'tile':
      return { id, kind, x, y, w: 4, h: 3, metric: 'waiting', scope: {}, flash: true, sound: false };
    case 'queue_table':
      return { id, kind, x, y, w: 24, h: 6, columns: ['waiting', 'longest_wait_s', 'service_level', 'asa_s', 'abandon_rate', 'agents_available'] };
    case 'agent_grid':
      return { id, kind, x, y, w: 24, h: 8, hide_logged_out: true, time_thresholds: { ...DEFAULT_TIME_THRESHOLDS } };
    case 'chart':
      return { id, kind, x, y, w: 12, h: 6, chart: 'offered_answered_15m', scope: {} };
    case 'help_alerts':
      return { id, kind, x, y, w: 24, h: 2 };
    case 'ticker':
      return { id, kind, x, y, w: 24, h: 1 };
  }
}

/** A new board: one page with the KPI strip of UX.md 1.2 and the agent grid. */
export function blankBoard(name: string, pageTitle: string): Omit<Board, 'id'> {
  const tile = (metric: MetricId, x: number, w: number): Widget => ({
    id: widgetId(),
    kind: 'tile',
    x,
    y: 0,
    w,
    h: 3,
    metric,
    scope: {},
    flash: true,
    sound: false,
  });
  return {
    name,
    filter: { sites: [], queues: [], teams: [] },
    rotate_s: 30,
    ticker: '',
    pages: [
      {
        title: pageTitle,
        widgets: [
          tile('waiting', 0, 6),
          tile('longest_wait_s', 6, 6),
          tile('service_level', 12, 3),
          tile('asa_s', 15, 3),
          tile('aht_s', 18, 3),
          tile('abandon_rate', 21, 3),
          { id: widgetId(), kind: 'agent_grid', x: 0, y: 3, w: 24, h: 9, hide_logged_out: true, time_thresholds: { ...DEFAULT_TIME_THRESHOLDS } },
        ],
      },
    ],
  };
}

