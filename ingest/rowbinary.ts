import { LATEST_STORABLE_TS, type NormalizedEvent } from '../schemas/validate.ts';

const TWO_32 = 2 ** 32;

/** A growable byte buffer that rows are appended to, so a flush needs no concatenation. */
export class ByteSink {
  buf: Buffer;
  length = 0;
  constructor(initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }
  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  /** The bytes written so far (a view, not a copy). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/**
 * Writes a RowBinary String: LEB128 length, then UTF-8. Room must be reserved for the worst
 * case (3 bytes per UTF-16 unit + 5); the bytes are written first, behind a one-byte prefix,
 * and moved only when the length needs a longer prefix (rare: ≥ 128 bytes).
 */
function writeString(sink: ByteSink, s: string): void {
  const buf = sink.buf;
  const start = sink.length;
  const n = buf.write(s, start + 1);
  if (n < 0x80) {
    buf[start] = n;
    sink.length = start + 1 + n;
    return;
  }
  let prefix = 1;
  for (let v = n >>> 7; v > 0; v >>>= 7) prefix++;
  buf.copyWithin(start + prefix, start + 1, start + 1 + n);
  let v = n;
  let o = start;
  while (v >= 0x80) {
    buf[o++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[o] = v;
  sink.length = start + prefix + n;
}

/** Writes a DateTime64(3) (Int64 little-endian) from non-negative epoch milliseconds. */
function writeMillis(sink: ByteSink, ms: number): void {
  sink.buf.writeUInt32LE(ms % TWO_32, sink.length);
  sink.buf.writeUInt32LE(Math.floor(ms / TWO_32), sink.length + 4);
  sink.length += 8;
}

const worst = (s: string) => s.length * 3 + 5;

/**
 * Appends one accepted event as a RowBinary row in the column order of EVENT_COLUMNS
 * (schemas/tables.ts): id, type, ts, site, call, agent, queue, payload, received, source.
 * All or nothing: if the row cannot be encoded, the sink is left as it was and the error thrown.
 */
export function encodeEventRow(e: NormalizedEvent, received: number, source: string, sink: ByteSink): void {
  if (!(e.ts >= 0 && e.ts <= LATEST_STORABLE_TS) || !(received >= 0 && received <= LATEST_STORABLE_TS)) {
    throw new RangeError(`ts ${e.ts} is outside the storable range`);
  }
  sink.reserve(
    worst(e.id) + worst(e.type) + worst(e.site) + worst(e.call) + worst(e.agent) + worst(e.queue) + worst(e.payload) + worst(source) + 16,
  );
  const start = sink.length;
  try {
    writeString(sink, e.id);
    writeString(sink, e.type);
    writeMillis(sink, e.ts);
    writeString(sink, e.site);
    writeString(sink, e.call);
    writeString(sink, e.agent);
    writeString(sink, e.queue);
    writeString(sink, e.payload);
    writeMillis(sink, received);
    writeString(sink, source);
  } catch (err) {
    sink.length = start;
    throw err;
  }
}

/** Appends accepted events as RowBinary rows (see encodeEventRow). */
export function encodeEventRows(events: readonly NormalizedEvent[], received: number, source: string, sink = new ByteSink()): ByteSink {
  for (const e of events) encodeEventRow(e, received, source, sink);
  return sink;
}
