import { describe, expect, it } from 'vitest';
import { defaultBoard, jsonPath, validateBoard } from './board-schema.ts';

const board = () => {
  const d = defaultBoard();
  return JSON.parse(JSON.stringify({ name: d.name, ...d.layout })) as Record<string, any>;
};
const errorOf = (value: unknown) => {
  try {
    validateBoard(value);
  } catch (err) {
    return (err as Error).message;
  }
  return null;
};

describe('board validation', () => {
  it('accepts the default board and fills optional fields', () => {
    expect(errorOf(board())).toBeNull();
    const { layout } = validateBoard({ name: 'x', pages: [{ title: 'p', widgets: [] }] });
    expect(layout).toEqual({ filter: { sites: [], queues: [], teams: [] }, rotate_s: 30, pages: [{ title: 'p', widgets: [] }], ticker: '' });
  });

  it('names the path of the bad field', () => {
    const b = board();
    b.pages[0].widgets[3].metric = 'happiness';
    expect(errorOf(b)).toMatch(/^pages\[0\]\.widgets\[3\]\.metric: must be one of waiting, longest_wait_s, .* \(got "happiness"\)$/);

    const kind = board();
    kind.pages[0].widgets[1].kind = 'clock';
    expect(errorOf(kind)).toMatch(/^pages\[0\]\.widgets\[1\]\.kind: must be one of tile, queue_table, agent_grid, chart, help_alerts, ticker/);

    const col = board();
    col.pages[0].widgets[7].columns = ['waiting', 'nope'];
    expect(errorOf(col)).toMatch(/^pages\[0\]\.widgets\[7\]\.columns\[1\]: must be one of/);

    const chart = board();
    chart.pages[2].widgets[6].chart = 'pie';
    expect(errorOf(chart)).toMatch(/^pages\[2\]\.widgets\[6\]\.chart: must be one of offered_answered_15m, service_level_today/);

    const thresholds = board();
    thresholds.pages[0].widgets[0].thresholds.direction = 'sideways';
    expect(errorOf(thresholds)).toMatch(/^pages\[0\]\.widgets\[0\]\.thresholds/);
  });

  it('keeps widgets inside the 24-column grid', () => {
    const wide = board();
    wide.pages[0].widgets[2].x = 22; // w 3
    expect(errorOf(wide)).toBe('pages[0].widgets[2].w: x + w must be at most 24 (got x 22, w 3)');
    const neg = board();
    neg.pages[0].widgets[4].y = -1;
    expect(errorOf(neg)).toMatch(/^pages\[0\]\.widgets\[4\]\.y: /);
    const frac = board();
    frac.pages[0].widgets[4].w = 2.5;
    expect(errorOf(frac)).toMatch(/^pages\[0\]\.widgets\[4\]\.w: expected integer/);
    const big = board();
    big.pages[0].widgets[7].w = 25;
    expect(errorOf(big)).toMatch(/^pages\[0\]\.widgets\[7\]\.w: /);
  });

  it('refuses duplicate widget ids, several scopes, a missing name or no pages', () => {
    const dup = board();
    dup.pages[0].widgets[1].id = dup.pages[0].widgets[0].id;
    expect(errorOf(dup)).toBe('pages[0].widgets[1].id: another widget of this page has the id "queues-waiting"');
    const scope = board();
    scope.pages[0].widgets[0].scope = { queue: 'billing', site: 'berlin' };
    expect(errorOf(scope)).toBe('pages[0].widgets[0].scope: at most one of queue, site, team (got queue, site)');
    expect(errorOf({ pages: [] })).toBe('name: is required');
    expect(errorOf({ name: 'x', pages: [] })).toMatch(/^pages: /);
    expect(errorOf({ name: 'x', pages: [{ title: 't', widgets: [{ kind: 'tile', id: 'a', x: 0, y: 0, w: 1, h: 1, metric: 'waiting' }] }] })).toBe(
      'pages[0].widgets[0].scope: is required',
    );
  });

  it('formats JSON pointers as paths', () => {
    expect(jsonPath('/pages/0/widgets/3/metric')).toBe('pages[0].widgets[3].metric');
    expect(jsonPath('/scope/queue', 'pages[1].widgets[0]')).toBe('pages[1].widgets[0].scope.queue');
    expect(jsonPath('')).toBe('(board)');
  });
});
