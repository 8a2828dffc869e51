import type { NormalizedEvent } from '../schemas/validate.ts';

/** Bytes of a LEB128 varint length prefix. */
function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n >>>= 7;
    size++;
  }
  return size;
}

class RowBinaryWriter {
  offset = 0;
  constructor(readonly buf: Buffer) {}

  string(s: string, byteLength: number): void {
    let n = byteLength;
    while (n >= 0x80) {
      this.buf[this.offset++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.offset++] = n;
    this.offset += this.buf.write(s, this.offset, byteLength, 'utf8');
  }

  int64(ms: number): void {
    this.buf.writeBigInt64LE(BigInt(ms), this.offset);
    this.offset += 8;
  }
}

/**
 * Encodes accepted events as RowBinary rows in the column order of EVENT_COLUMNS
 * (schemas/tables.ts): id, type, ts, site, call, agent, queue, payload, received, source.
 */
export function encodeEventRows(events: readonly NormalizedEvent[], received: number, source: string): Buffer {
  const sourceLen = Buffer.byteLength(source);
  const lengths = new Int32Array(events.length * 7);
  let size = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const fields = [e.id, e.type, e.site, e.call, e.agent, e.queue, e.payload];
    for (let f = 0; f < 7; f++) {
      const len = Buffer.byteLength(fields[f]!);
      lengths[i * 7 + f] = len;
      size += varintSize(len) + len;
    }
    size += 16 + varintSize(sourceLen) + sourceLen;
  }
  const w = new RowBinaryWriter(Buffer.allocUnsafe(size));
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const l = i * 7;
    w.string(e.id, lengths[l]!);
    w.string(e.type, lengths[l + 1]!);
    w.int64(e.ts);
    w.string(e.site, lengths[l + 2]!);
    w.string(e.call, lengths[l + 3]!);
    w.string(e.agent, lengths[l + 4]!);
    w.string(e.queue, lengths[l + 5]!);
    w.string(e.payload, lengths[l + 6]!);
    w.int64(received);
    w.string(source, sourceLen);
  }
  return w.buf;
}
