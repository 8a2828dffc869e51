/**
 * One process of board sockets for `npm run bench:live` (run by live.bench.ts, over IPC):
 * opens `sockets` WebSockets to `/v1/live`, subscribes each to its view, and records for
 * every delta frame the latency of each probe stamp it carries (`"reason":"p<send ms>"`,
 * set by the sender on probe agents), the frame count and bytes, and gaps between frames
 * of one socket shorter than 100 ms. Frames are scanned as bytes, not parsed: the clients
 * share the machine's cores with the server (hence a minimal client on a raw socket).
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface BoardClientConfig {
  url: string;
  cookie: string;
  client: number;
  sockets: number;
  /** subscribe message of socket i = views[(offset + i) % views.length] */
  views: Record<string, string[]>[];
  offset: number;
}

export type ToBoardClient = { kind: 'config'; config: BoardClientConfig } | { kind: 'measure'; from: number; to: number } | { kind: 'report' };

export interface BoardClientReport {
  client: number;
  /** latency histogram, 1 ms buckets (last bucket: ≥ its index) */
  hist: number[];
  /** delivery: the delta's `now` (server time when its flush began) → received, 1 ms buckets */
  delivery: number[];
  /** probe stamp → the `now` of the delta carrying it (send → flush start), 1 ms buckets */
  toFlush: number[];
  samples: number;
  frames: number;
  deltaBytes: number;
  snapshots: number;
  heartbeats: number;
  /** consecutive frames of one socket less than 95 ms apart */
  fastGaps: number;
  closed: number;
  errors: string[];
  /** this process's CPU time from the start of the measure to the report, ms */
  cpuMs: number;
}

export type FromBoardClient = { kind: 'ready'; opened: number; snapshotBytes: number } | { kind: 'report'; report: BoardClientReport };

const HIST_MS = 5000;
const MARK = Buffer.from('"reason":"p');
const NOW = Buffer.from('"now":');

let cfg: BoardClientConfig;
let measureFrom = Infinity;
let measureTo = -Infinity;
let cpuAtMeasure: NodeJS.CpuUsage | undefined;
const report: BoardClientReport = { client: 0, hist: new Array<number>(HIST_MS + 1).fill(0), delivery: new Array<number>(HIST_MS + 1).fill(0), toFlush: new Array<number>(HIST_MS + 1).fill(0), samples: 0, frames: 0, deltaBytes: 0, snapshots: 0, heartbeats: 0, fastGaps: 0, closed: 0, errors: [], cpuMs: 0 };
const sockets: Socket[] = [];

/** Counts each stamp once per socket (its first frame): an agent shown again for another reason keeps its old stamp. */
function scan(buf: Buffer, now: number, flushAt: number, seen: Set<number>): void {
  let at = buf.indexOf(MARK);
  while (at >= 0) {
    let i = at + MARK.length;
    let stamp = 0;
    for (; i < buf.length; i++) {
      const c = buf[i]!;
      if (c < 48 || c > 57) break;
      stamp = stamp * 10 + (c - 48);
    }
    if (stamp >= measureFrom && stamp <= measureTo && !seen.has(stamp)) {
      seen.add(stamp);
      if (seen.size > 2000) {
        for (const x of seen) if (x < now - 10_000) seen.delete(x);
      }
      const ms = Math.max(0, Math.min(HIST_MS, now - stamp));
      report.hist[ms]!++;
      report.samples++;
      if (flushAt > 0) report.toFlush[Math.max(0, Math.min(HIST_MS, flushAt - stamp))]!++;
    }
    at = buf.indexOf(MARK, i);
  }
}

/**
 * A minimal WebSocket client on a raw TCP socket: the handshake with the session cookie,
 * unmasked server frames parsed in place (no copy per message, unlike a general client),
 * masked client frames for the subscribe message and pongs.
 */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 255]);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([head, mask, body]);
}

function open(i: number): Promise<number> {
  const url = new URL(`${cfg.url}/v1/live`);
  const sock = connect({ host: url.hostname, port: Number(url.port) });
  sockets.push(sock);
  let last = 0;
  const seen = new Set<number>();
  let upgraded = false;
  let buf: Buffer = Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    const onMessage = (data: Buffer) => {
      const now = Date.now();
      // frame type: {"type":"delta" | "snapshot" | "heartbeat" …
      const t = data[9];
      if (t === 0x64 /* d */) {
        report.frames++;
        report.deltaBytes += data.length;
        if (last > 0 && now - last < 95 && now >= measureFrom) report.fastGaps++;
        last = now;
        const n = data.indexOf(NOW);
        let sent = 0;
        if (n >= 0) {
          for (let i = n + NOW.length; i < data.length; i++) {
            const c = data[i]!;
            if (c < 48 || c > 57) break;
            sent = sent * 10 + (c - 48);
          }
          if (now >= measureFrom) report.delivery[Math.max(0, Math.min(HIST_MS, now - sent))]!++;
        }
        scan(data, now, sent, seen);
      } else if (t === 0x73 /* s */) {
        report.snapshots++;
        last = now;
        resolve(data.length);
      } else if (t === 0x68 /* h */) report.heartbeats++;
      else if (report.errors.length < 5) report.errors.push(data.toString().slice(0, 200));
    };
    sock.on('connect', () => {
      sock.setNoDelay(true);
      sock.write(
        `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nCookie: ${cfg.cookie}\r\n\r\n`,
      );
    });
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString();
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
        upgraded = true;
        buf = buf.subarray(end + 4);
        sock.write(clientFrame(1, Buffer.from(JSON.stringify({ subscribe: cfg.views[(cfg.offset + i) % cfg.views.length] }))));
      }
      let at = 0;
      for (;;) {
        if (buf.length - at < 2) break;
        const op = buf[at]! & 0x0f;
        let len = buf[at + 1]! & 0x7f;
        let off = at + 2;
        if (len === 126) {
          if (buf.length - at < 4) break;
          len = buf.readUInt16BE(at + 2);
          off = at + 4;
        } else if (len === 127) {
          if (buf.length - at < 10) break;
          len = Number(buf.readBigUInt64BE(at + 2));
          off = at + 10;
        }
        if (buf.length < off + len) break;
        const payload = buf.subarray(off, off + len);
        if (op === 1 || op === 2) onMessage(payload);
        else if (op === 9) sock.write(clientFrame(10, Buffer.from(payload)));
        else if (op === 8) report.closed++;
        at = off + len;
      }
      buf = at === buf.length ? Buffer.alloc(0) : buf.subarray(at);
    });
    sock.once('error', (err) => {
      if (report.errors.length < 5) report.errors.push(String(err));
      reject(err);
    });
  });
}

process.on('message', (msg: ToBoardClient) => {
  if (msg.kind === 'config') {
    cfg = msg.config;
    report.client = cfg.client;
    void (async () => {
      let bytes = 0;
      // In slices, so the server is not asked for hundreds of snapshots in one go.
      for (let i = 0; i < cfg.sockets; i += 25) {
        const sizes = await Promise.all(Array.from({ length: Math.min(25, cfg.sockets - i) }, (_, k) => open(i + k)));
        bytes += sizes.reduce((s, n) => s + n, 0);
      }
      process.send!({ kind: 'ready', opened: sockets.length, snapshotBytes: bytes } satisfies FromBoardClient);
    })().catch((err: unknown) => {
      report.errors.push(String(err));
      process.send!({ kind: 'ready', opened: sockets.length, snapshotBytes: 0 } satisfies FromBoardClient);
    });
  } else if (msg.kind === 'measure') {
    measureFrom = msg.from;
    measureTo = msg.to;
    cpuAtMeasure = process.cpuUsage();
  } else {
    const u = process.cpuUsage(cpuAtMeasure);
    report.cpuMs = (u.user + u.system) / 1000;
    process.send!({ kind: 'report', report } satisfies FromBoardClient, () => {
      for (const s of sockets) s.destroy();
      process.exit(0);
    });
  }
});
