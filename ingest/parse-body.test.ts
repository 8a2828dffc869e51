import { describe, expect, it } from 'vitest';
import { parseEventsBody } from './parse-body.ts';

describe('parseEventsBody', () => {
  it('reads a JSON array and NDJSON alike', () => {
    expect(parseEventsBody('[{"a":1},{"a":2}]')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseEventsBody('{"a":1}\n\n{"a":2}\r\n')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseEventsBody('  ')).toEqual([]);
  });
  it('names the bad line of NDJSON', () => {
    expect(() => parseEventsBody('{"a":1}\n{"a":\n')).toThrow(/^line 2 is not valid JSON/);
  });
  it('refuses a JSON value that is not an array', () => {
    expect(() => parseEventsBody('[1,')).toThrow(/body is not valid JSON/);
  });
});
