import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IvrFlowError, parseIvrFlow } from './flow.ts';

/** A small valid flow; tests break one thing at a time. */
function baseFlow(): Record<string, any> {
  return {
    name: 'test',
    start: 'main',
    nodes: {
      main: {
        type: 'menu',
        prompt: 'Press 1 for billing, 2 for sales.',
        prompt_s: 4,
        options: { '1': 'billing', '2': 'sales' },
        timeout_s: 5,
        retries: 2,
        fallback: 'bye',
      },
      billing: { type: 'queue', queue: 'billing', priority: 5 },
      sales: { type: 'queue', queue: 'sales' },
      bye: { type: 'hangup' },
    },
  };
}

function errorOf(json: unknown): IvrFlowError {
  try {
    parseIvrFlow(json);
  } catch (e) {
    if (e instanceof IvrFlowError) return e;
    throw e;
  }
  throw new Error('expected parseIvrFlow to throw');
}

describe('parseIvrFlow', () => {
  it('accepts a valid flow and converts fields', () => {
    const flow = parseIvrFlow(baseFlow());
    expect(flow.start).toBe('main');
    expect(flow.nodes.get('main')).toMatchObject({ type: 'menu', promptS: 4, timeoutS: 5, retries: 2, fallback: 'bye' });
    expect(flow.nodes.get('sales')).toMatchObject({ type: 'queue', priority: 0, afterHours: false });
  });

  it('accepts the shipped utility flow', () => {
    const json: unknown = JSON.parse(readFileSync(new URL('./flows/utility.json', import.meta.url), 'utf8'));
    const flow = parseIvrFlow(json);
    expect(flow.name).toBe('utility');
    expect(flow.nodes.get('hours')).toMatchObject({ type: 'hours', open: 'main', closed: 'closed_menu' });
  });

  it('names the path of a menu option whose target does not exist, with a suggestion', () => {
    const json = baseFlow();
    json.nodes.main.options['3'] = 'billng';
    const err = errorOf(json);
    expect(err.message).toBe('nodes.main.options.3: target "billng" is not a node (did you mean "billing"?)');
    expect(err.issues).toEqual([{ path: 'nodes.main.options.3', reason: 'target "billng" is not a node (did you mean "billing"?)' }]);
  });

  it('reports every problem at once, each with its path', () => {
    const json = baseFlow();
    json.start = 'nowhere';
    json.nodes.main.retires = 3;
    json.nodes.main.options['x'] = 'sales';
    json.nodes.sales.priority = 101;
    json.nodes.bye = { type: 'hangpu' };
    const err = errorOf(json);
    const paths = err.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['nodes.main.retires', 'nodes.main.options.x', 'nodes.sales.priority', 'nodes.bye.type']),
    );
    expect(err.message).toMatch(/^\d+ problems in IVR flow:/);
    expect(err.message).toContain('nodes.main.retires: unknown field');
    expect(err.message).toContain('nodes.main.options.x: is not a DTMF key (0-9, *, #)');
    expect(err.message).toContain('nodes.sales.priority: must be between 0 and 100 (got 101)');
    expect(err.message).toContain('nodes.bye.type: must be one of menu, digits, play, hours, lookup, queue, voicemail, callback, transfer, hangup (got "hangpu")');
  });

  it('reports a missing start node once the nodes are valid', () => {
    const json = baseFlow();
    json.start = 'mian';
    expect(errorOf(json).message).toBe('start: target "mian" is not a node (did you mean "main"?)');
  });

  it.each([
    [(j: any) => (j.nodes.main.fallback = undefined), 'nodes.main.fallback: is required'],
    [(j: any) => (j.nodes.main.timeout_s = '5'), 'nodes.main.timeout_s: must be a number (got "5")'],
    [(j: any) => (j.nodes.main.retries = 1.5), 'nodes.main.retries: must be a whole number (got 1.5)'],
    [(j: any) => (j.nodes.main.options = {}), 'nodes.main.options: must offer at least one key'],
    [(j: any) => (j.nodes.main.options['1'] = 7), 'nodes.main.options.1: must be the id of the target node (got 7)'],
    [(j: any) => (j.nodes['a.b'] = { type: 'hangup' }), 'nodes.a.b: node ids are 1-64 letters, digits, "_" or "-"'],
    [(j: any) => (j.nodes.bye = 'hangup'), 'nodes.bye: must be an object (got "hangup")'],
    [(j: any) => (j.nodes = []), 'nodes: must be an object (got an array)'],
    [(j: any) => (j.name = undefined), 'name: is required'],
    [(j: any) => (j.nodes.x = { type: 'transfer', to: 'elsewhere' }), 'nodes.x.to: "elsewhere" must be a phone number ("+4930123456"), "site:NAME" or "flow:NAME"'],
    [(j: any) => (j.nodes.x = { type: 'play', duration_s: -1, next: 'main' }), 'nodes.x.duration_s: must be between 0 and 3600 (got -1)'],
    [(j: any) => (j.nodes.x = { type: 'digits', max_digits: 4, min_digits: 6, store: 'acct', fallback: 'bye', next: 'main' }), 'nodes.x.min_digits: must not exceed max_digits (6 > 4)'],
    [(j: any) => (j.nodes.x = { type: 'digits', max_digits: 4, store: 'caller', fallback: 'bye', next: 'main' }), 'nodes.x.store: "caller" is reserved for the calling number'],
  ])('rejects a bad field with path and reason (%#)', (mutate, message) => {
    const json = baseFlow();
    mutate(json);
    expect(errorOf(json).message).toBe(message);
  });

  it('rejects a document that is not an object', () => {
    expect(errorOf([]).message).toBe('(flow): must be an object (got an array)');
    expect(errorOf(null).message).toBe('(flow): must be an object (got null)');
  });

  describe('business hours', () => {
    const hoursFlow = (hours: Record<string, unknown>) => {
      const json = baseFlow();
      json.start = 'hours';
      json.nodes.hours = { type: 'hours', timezone: 'Europe/Berlin', weekly: { mon: ['08:00-20:00'] }, open: 'main', closed: 'bye', ...hours };
      return json;
    };

    it('names a bad time zone, day, range and holiday', () => {
      const err = errorOf(
        hoursFlow({
          timezone: 'Europe/Berln',
          weekly: { mon: ['08:00-20:00', '19:00-21:00'], tue: ['20:00-08:00'], wed: ['8-12'], fun: [] },
          holidays: ['2025-02-30', '2025-12-25'],
        }),
      );
      expect(err.issues).toEqual([
        { path: 'nodes.hours.timezone', reason: '"Europe/Berln" is not an IANA time zone (e.g. "Europe/Berlin")' },
        { path: 'nodes.hours.weekly.mon', reason: 'ranges overlap (08:00-20:00 and 19:00-21:00)' },
        { path: 'nodes.hours.weekly.tue.0', reason: '"20:00-08:00" ends before it starts (split ranges that cross midnight over two days)' },
        { path: 'nodes.hours.weekly.wed.0', reason: 'must be a range "HH:MM-HH:MM" (got "8-12")' },
        { path: 'nodes.hours.weekly.fun', reason: 'unknown day (expected mon, tue, wed, thu, fri, sat, sun)' },
        { path: 'nodes.hours.holidays.0', reason: 'must be a date "YYYY-MM-DD" (got "2025-02-30")' },
      ]);
    });

    it('accepts 24:00 as the end of the day', () => {
      expect(() => parseIvrFlow(hoursFlow({ weekly: { sun: ['00:00-24:00'] } }))).not.toThrow();
      expect(errorOf(hoursFlow({ weekly: { sun: ['24:00-24:00'] } })).message).toBe(
        'nodes.hours.weekly.sun.0: "24:00-24:00" is not a valid time of day',
      );
    });

    it('rejects a closed branch that reaches an agent queue, naming the route', () => {
      const json = hoursFlow({ open: 'bye', closed: 'main' });
      expect(errorOf(json).message).toBe(
        'nodes.hours.closed: outside business hours the caller reaches queue node "billing" (main → billing); ' +
          'closed hours allow self-service only (set "after_hours": true on the queue node for an emergency line)',
      );
    });

    it('allows a closed branch to reach a queue marked after_hours', () => {
      const json = hoursFlow({ open: 'bye', closed: 'main' });
      json.nodes.billing.after_hours = true;
      json.nodes.sales.after_hours = true;
      expect(() => parseIvrFlow(json)).not.toThrow();
    });

    it('does not follow the closed branch past another hours node', () => {
      const json = hoursFlow({ open: 'bye', closed: 'hours2' });
      json.nodes.hours2 = { type: 'hours', timezone: 'Europe/Berlin', weekly: { sun: ['00:00-24:00'] }, open: 'main', closed: 'bye' };
      expect(() => parseIvrFlow(json)).not.toThrow();
    });
  });

  it('rejects a loop of nodes that never wait for the caller', () => {
    const json = baseFlow();
    json.start = 'look';
    json.nodes.look = { type: 'lookup', kind: 'balance', key: 'caller', next: 'look2' };
    json.nodes.look2 = { type: 'lookup', kind: 'bill', key: 'caller', next: 'look' };
    expect(errorOf(json).message).toBe('nodes.look: loop without caller interaction: look → look2 → look (add a play or menu node to it)');
  });

  it('rejects variables no node sets, in lookup keys and prompts', () => {
    const json = baseFlow();
    json.nodes.acct = { type: 'digits', max_digits: 8, store: 'account', fallback: 'bye', next: 'look' };
    json.nodes.look = { type: 'lookup', kind: 'balance', key: 'acount', next: 'say' };
    json.nodes.say = { type: 'play', prompt: 'Your balance is {balnce}.', duration_s: 3, next: 'main' };
    const err = errorOf(json);
    expect(err.issues).toEqual([
      { path: 'nodes.look.key', reason: 'unknown variable "acount" (known: "caller", "account", "balance")' },
      { path: 'nodes.say.prompt', reason: 'unknown variable {balnce} (known: "caller", "account", "balance")' },
    ]);
  });
});
