import WebSocket from 'ws';

export interface LiveFrame {
  type: string;
  version?: number;
  [k: string]: unknown;
}

/** A `/v1/live` subscriber that records every frame with its arrival time. */
export class LiveClient {
  readonly frames: { at: number; frame: LiveFrame; bytes: number }[] = [];
  closeCode: number | null = null;
  private waiters: { pred: (f: LiveFrame) => boolean; resolve: (f: LiveFrame) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as LiveFrame;
      this.frames.push({ at: Date.now(), frame, bytes: data.length });
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    ws.on('close', (code) => (this.closeCode = code));
  }

  static open(baseUrl: string, opts: { cookie?: string; token?: string } = {}): Promise<LiveClient> {
    const url = `${baseUrl.replace('http', 'ws')}/v1/live${opts.token ? `?token=${encodeURIComponent(opts.token)}` : ''}`;
    const ws = new WebSocket(url, { headers: opts.cookie ? { cookie: opts.cookie } : {} });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new LiveClient(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  subscribe(sub: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ subscribe: sub }));
  }

  /** The next frame (already received or to come after `since` frames) matching `pred`. */
  next(pred: (f: LiveFrame) => boolean, timeoutMs = 5000, since = 0): Promise<LiveFrame> {
    const seen = this.frames.slice(since).find((f) => pred(f.frame));
    if (seen) return Promise.resolve(seen.frame);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${this.frames.map((f) => f.frame.type).join(',')}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(t);
          resolve(f);
        },
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}
