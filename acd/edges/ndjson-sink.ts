/**
 * NDJSON output: one contract event per line, written in large chunks (one
 * `write` per ~1 MB) so serialising, not system calls, bounds a max-speed run.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { CallboardEvent } from '../../schemas/events.ts';
import type { EventSink } from '../sim/sink.ts';

const CHUNK_CHARS = 1 << 20;

export class NdjsonSink implements EventSink {
  private buffer = '';
  private readonly stream: Writable;
  private readonly ownsStream: boolean;
  /** Events written so far. */
  count = 0;

  /** @param target a file path (`-` for stdout) or an open writable stream */
  constructor(target: string | Writable) {
    if (typeof target === 'string') {
      this.ownsStream = target !== '-';
      this.stream = target === '-' ? process.stdout : createWriteStream(target, { highWaterMark: 4 * CHUNK_CHARS });
    } else {
      this.ownsStream = false;
      this.stream = target;
    }
  }

  write(event: CallboardEvent): void {
    this.buffer += `${JSON.stringify(event)}\n`;
    this.count++;
    if (this.buffer.length >= CHUNK_CHARS) this.push();
  }

  get backlogged(): boolean {
    return this.stream.writableNeedDrain;
  }

  async drain(): Promise<void> {
    this.push();
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
  }

  async flush(): Promise<void> {
    await this.drain();
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.ownsStream) {
      const ws = this.stream as WriteStream;
      await new Promise<void>((resolve, reject) => ws.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
  }

  private push(): void {
    if (this.buffer.length === 0) return;
    this.stream.write(this.buffer);
    this.buffer = '';
  }
}
