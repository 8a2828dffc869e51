import { describe, expect, it } from 'vitest';
import { validateBatch } from '../schemas/validate.ts';
import { ByteSink, encodeEventRows } from './rowbinary.ts';

/** Reads back what encodeEventRows wrote, independently of it. */
function decode(buf: Buffer) {
  let o = 0;
  const str = () => {
    let len = 0;
    let shift = 0;
    for (;;) {
      const b = buf[o++]!;
      len |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) break;
    }
    const s = buf.toString('utf8', o, o + len);
    o += len;
    return s;
  };
  const i64 = () => {
    const v = Number(buf.readBigInt64LE(o));
    o += 8;
    return v;
  };
  const rows = [];
  while (o < buf.length) {
    rows.push({ id: str(), type: str(), ts: i64(), site: str(), call: str(), agent: str(), queue: str(), payload: str(), received: i64(), source: str() });
  }
  return rows;
}

describe('encodeEventRows', () => {
  it('writes every column, with multi-byte lengths and non-ASCII text, and appends across calls', () => {
    const { accepted } = validateBatch([
      { id: 'a', type: 'call.ivr', ts: 0, call: 'c', node: 'n'.repeat(127) },
      { id: 'b', type: 'call.ivr', ts: 2 ** 41 + 123, call: 'ç-😀', node: 'é'.repeat(64), site: 'zürich' },
      { id: 'c'.repeat(64), type: 'call.survey', ts: 1795489135862, call: 'x', score: 5, note: 'ü'.repeat(20_000) },
    ], { minTs: 0, maxTs: 2 ** 42 });
    expect(accepted).toHaveLength(3);
    const sink = new ByteSink(16);
    encodeEventRows(accepted.slice(0, 2), 1795489135999, 'key-ü', sink);
    encodeEventRows(accepted.slice(2), 7, 'k2', sink);
    const rows = decode(sink.bytes());
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c'.repeat(64)]);
    expect(rows[1]).toMatchObject({ ts: 2 ** 41 + 123, call: 'ç-😀', site: 'zürich', received: 1795489135999, source: 'key-ü' });
    expect(JSON.parse(rows[0]!.payload).node).toHaveLength(127);
    expect(JSON.parse(rows[2]!.payload).note).toBe('ü'.repeat(20_000));
    expect(rows[2]).toMatchObject({ ts: 1795489135862, received: 7, source: 'k2', type: 'call.survey' });
  });
});
