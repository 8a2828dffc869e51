import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateBatch } from '../schemas/validate.ts';
import {
  batchResult,
  MAX_REJECTION_ERROR_CHARS,
  MAX_REPORTED_REJECTIONS,
  parseEventsBody,
  quotableId,
  TooManyEventsError,
  truncateError,
  type Rejection,
} from './parse-body.ts';

describe('parseEventsBody', () => {
  it('reads a JSON array and NDJSON alike', () => {
    expect(parseEventsBody('[{"a":1},{"a":2}]')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseEventsBody('{"a":1}\n\n{"a":2}\r\n')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseEventsBody('  ')).toEqual([]);
  });
  it('names the bad line of NDJSON', () => {
    expect(() => parseEventsBody('{"a":1}\n{"a":\n')).toThrow(/^line 2 is not valid JSON/);
    expect(() => parseEventsBody('\n\n{"a":1}\n\nnope')).toThrow(/^line 5 is not valid JSON/);
  });
  it('refuses a JSON value that is not an array', () => {
    expect(() => parseEventsBody('[1,')).toThrow(/body is not valid JSON/);
  });
  it('refuses more events than the limit, for both forms, and takes exactly the limit', () => {
    expect(() => parseEventsBody('[1,2,3]', 2)).toThrow(TooManyEventsError);
    expect(() => parseEventsBody('1\n2\n3', 2)).toThrow(/more than 2 events \(MAX_BATCH_EVENTS\)/);
    expect(parseEventsBody('[1,2]', 2)).toEqual([1, 2]);
    expect(parseEventsBody('1\n\n2\n\n', 2)).toEqual([1, 2]);
  });
  it('stops reading NDJSON at the limit: a bad line past it is never parsed', () => {
    expect(() => parseEventsBody(`1\n2\n${'x'.repeat(10)}`, 2)).toThrow(TooManyEventsError);
  });
});

describe('batchResult', () => {
  it('lists the first rejections in full and counts all of them', () => {
    const rejected = Array.from({ length: 250 }, (_, i): Rejection => ({ index: i * 2, code: i % 5 === 0 ? 'id_conflict' : 'invalid_event', error: `e${i}`, id: `id-${i}` }));
    const r = batchResult({ accepted: 7, duplicates: 2 }, rejected);
    expect(r.accepted).toBe(7);
    expect(r.duplicates).toBe(2);
    expect(r.conflicts).toBe(50);
    expect(r.rejected_count).toBe(250);
    expect(r.rejected).toEqual(rejected.slice(0, MAX_REPORTED_REJECTIONS));
    expect(batchResult({ accepted: 3, duplicates: 0 }, [])).toEqual({ accepted: 3, duplicates: 0, conflicts: 0, rejected: [], rejected_count: 0 });
  });
  it('quotes an id only when it has the form of a contract id', () => {
    expect(quotableId({ id: 'e-1' })).toBe('e-1');
    expect(quotableId({ id: 'x'.repeat(65) })).toBeUndefined();
    expect(quotableId({ id: 7 })).toBeUndefined();
    expect(quotableId('e-1')).toBeUndefined();
  });
  it('cuts a long error, never inside a surrogate pair', () => {
    expect(truncateError('abc', 3)).toBe('abc');
    expect(truncateError('abcd', 3)).toBe('ab…');
    // '😀' is two code units; a cut that would split it drops the whole pair
    expect(truncateError('a😀bc', 3)).toBe('a…');
    expect(truncateError('ab😀c', 4)).toBe('ab…');
  });
});

/** Bodies a careless or hostile sender may post, with the event limit to parse them under. */
const hostileBody: fc.Arbitrary<{ body: string; max: number }> = fc.record({
  max: fc.integer({ min: 1, max: 300 }),
  body: fc.oneof(
    // JSON arrays of random values (unicode strings, nesting)
    fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 400 }).map((a) => JSON.stringify(a)),
    // NDJSON with bad lines, CRLF, blank lines and unicode garbage
    fc
      .array(fc.oneof(fc.json({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constant(''), fc.constant('\r')), { maxLength: 400 })
      .map((lines) => lines.join('\n')),
    // huge arrays of invalid items
    fc.tuple(fc.integer({ min: 0, max: 20_000 }), fc.constantFrom('1', 'null', '"x"', '[]', '{}')).map(([n, v]) => `[${new Array<string>(n).fill(v).join(',')}]`),
    // anything at all, including lone surrogates and stray brackets
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }).map((s) => `[${s}`),
  ),
});

describe('parse-body properties', () => {
  it('returns at most `max` events or throws only SyntaxError / TooManyEventsError', () => {
    fc.assert(
      fc.property(hostileBody, ({ body, max }) => {
        let events: unknown[];
        try {
          events = parseEventsBody(body, max);
        } catch (err) {
          expect(err instanceof SyntaxError || err instanceof TooManyEventsError).toBe(true);
          if (err instanceof TooManyEventsError) expect(err.limit).toBe(max);
          return;
        }
        expect(Array.isArray(events)).toBe(true);
        expect(events.length).toBeLessThanOrEqual(max);
      }),
      { numRuns: 400 },
    );
  });

  it('reads a JSON array exactly as JSON.parse does, and NDJSON line by line', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 50 }), fc.boolean(), (values, ndjson) => {
        const body = ndjson ? values.map((v) => JSON.stringify(v)).join('\r\n') : JSON.stringify(values);
        // an NDJSON line that is itself an array makes the body look like one JSON array
        fc.pre(!ndjson || !Array.isArray(values[0]));
        const expected = JSON.parse(JSON.stringify(values)) as unknown[];
        expect(parseEventsBody(body)).toEqual(expected);
        if (expected.length > 0) expect(() => parseEventsBody(body, expected.length - 1)).toThrow(TooManyEventsError);
      }),
      { numRuns: 300 },
    );
  });

  // Worst case per listed rejection: every code unit of its error and id escaped as \uXXXX (6 bytes), plus the index, code and punctuation.
  const ANSWER_BOUND = 128 + MAX_REPORTED_REJECTIONS * ((MAX_REJECTION_ERROR_CHARS + 64) * 6 + 80);

  it('bounds the answer by a constant, whatever the number and size of the rejections', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.nat(),
        fc.array(fc.string({ unit: 'binary', maxLength: 5_000 }), { minLength: 1, maxLength: 5 }),
        (count, accepted, errors) => {
          const rejected: Rejection[] = Array.from({ length: count }, (_, i) => ({ index: i * 3 + 1, code: 'invalid_event', error: errors[i % errors.length]!, id: 'x'.repeat(64) }));
          const r = batchResult({ accepted, duplicates: 0 }, rejected);
          expect(Buffer.byteLength(JSON.stringify(r))).toBeLessThanOrEqual(ANSWER_BOUND);
          expect(r.rejected_count).toBe(count);
          expect(r.accepted).toBe(accepted);
          expect(r.rejected).toHaveLength(Math.min(count, MAX_REPORTED_REJECTIONS));
          r.rejected.forEach((x, i) => {
            expect(x.index).toBe(rejected[i]!.index);
            expect(x.error.length).toBeLessThanOrEqual(MAX_REJECTION_ERROR_CHARS);
            const original = rejected[i]!.error;
            if (x.error !== original) expect(original.startsWith(x.error.slice(0, -1))).toBe(true);
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('from a hostile body to its answer: every event counted once, the answer bounded', () => {
    fc.assert(
      fc.property(hostileBody, ({ body, max }) => {
        let events: unknown[];
        try {
          events = parseEventsBody(body, max);
        } catch {
          return; // refused whole: 400 / 413 with a one-line error
        }
        const { accepted, rejected } = validateBatch(events);
        const r = batchResult(
          { accepted: accepted.length, duplicates: 0 },
          rejected.map((x): Rejection => ({ index: x.index, code: 'invalid_event', error: x.error })),
        );
        expect(r.accepted + r.duplicates + r.rejected_count).toBe(events.length);
        expect(Buffer.byteLength(JSON.stringify(r))).toBeLessThanOrEqual(ANSWER_BOUND);
        for (let i = 1; i < r.rejected.length; i++) expect(r.rejected[i]!.index).toBeGreaterThan(r.rejected[i - 1]!.index);
      }),
      { numRuns: 300 },
    );
  });
});
