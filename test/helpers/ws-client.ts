import WebSocket from 'ws';
import type { IngestAck, IngestNack } from '../../schemas/events.ts';

/** A bare WebSocket ingest connection: send a batch, await its reply. */
export class TestIngestSocket {
  private waiting = new Map<string | null, (reply: IngestAck | IngestNack) => void>();
  /** the close code once the server (or the client) closed the connection */
  readonly closed: Promise<number>;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const reply = JSON.parse(data.toString()) as IngestAck | IngestNack;
      const id = 'ack' in reply ? reply.ack : reply.nack;
      this.waiting.get(id)?.(reply);
      this.waiting.delete(id);
    });
    this.closed = new Promise((resolve) => ws.once('close', (code: number) => resolve(code)));
  }

  static open(url: string, key: string, via: 'header' | 'query' = 'header'): Promise<TestIngestSocket> {
    const ws =
      via === 'header'
        ? new WebSocket(url, { headers: { Authorization: `Bearer ${key}` } })
        : new WebSocket(`${url}?key=${encodeURIComponent(key)}`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestIngestSocket(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Sends `payload` (a string or Buffer as is, else as JSON) and awaits the reply for `batch` (null: an unreadable batch id). */
  send(batch: string | null, payload: unknown): Promise<IngestAck | IngestNack> {
    return new Promise((resolve) => {
      this.waiting.set(batch, resolve);
      this.ws.send(typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload));
    });
  }

  batch(id: string, events: unknown[]): Promise<IngestAck | IngestNack> {
    return this.send(id, { batch: id, events });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  close(): void {
    this.ws.close();
  }
}
