/**
 * One benchmark sender (run as its own process by ingest.bench.ts, talking over IPC):
 * connects to the WebSocket ingest, keeps up to `window` batches un-acked, resends a
 * nacked batch after its `retry_after`, stops sending new batches at `endAt` and waits for
 * the outstanding acks, then reports what was acknowledged.
 */
import WebSocket from 'ws';
import { EventFactory, type TsFormat } from './event-factory.ts';

export interface ClientConfig {
  url: string;
  key: string;
  client: number;
  runTag: string;
  batch: number;
  window: number;
  ts: TsFormat;
  /** give up waiting for outstanding acks this long after endAt */
  drainMs: number;
}

/** Parent → client. */
export type ToClient = { kind: 'config'; config: ClientConfig } | { kind: 'go'; startAt: number; endAt: number };

export interface ClientReport {
  client: number;
  batchesAcked: number;
  eventsAccepted: number;
  eventsRejected: number;
  firstRejection: string | null;
  nacks: number;
  nackErrors: Record<string, number>;
  /** batches sent and never acked (drain timeout or lost connection) */
  unacked: number;
  /** send → ack (ms) of every acked batch, from its first send */
  latenciesMs: number[];
  /** accepted events by the whole second (since startAt) their ack arrived in */
  perSecond: number[];
  firstSendAt: number;
  lastAckAt: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  error: string | null;
}

/** Client → parent. */
export type FromClient = { kind: 'ready' } | { kind: 'report'; report: ClientReport };

interface InFlight {
  message: string;
  firstSentAt: number;
}

function send(msg: FromClient): void {
  process.send!(msg);
}

function run(cfg: ClientConfig, startAt: number, endAt: number, ws: WebSocket): Promise<ClientReport> {
  const factory = new EventFactory({ tag: `${cfg.runTag}${cfg.client}`, seed: 1 + cfg.client * 7919, ts: cfg.ts });
  const inflight = new Map<string, InFlight>();
  const cpu0 = process.cpuUsage();
  const report: ClientReport = {
    client: cfg.client,
    batchesAcked: 0,
    eventsAccepted: 0,
    eventsRejected: 0,
    firstRejection: null,
    nacks: 0,
    nackErrors: {},
    unacked: 0,
    latenciesMs: [],
    perSecond: [],
    firstSendAt: 0,
    lastAckAt: 0,
    cpuUserMs: 0,
    cpuSystemMs: 0,
    error: null,
  };
  let seq = 0;
  let stopping = false;

  return new Promise<ClientReport>((resolve) => {
    let finished = false;
    const finish = (error: string | null) => {
      if (finished) return;
      finished = true;
      clearTimeout(drainTimer);
      const cpu = process.cpuUsage(cpu0);
      report.cpuUserMs = cpu.user / 1000;
      report.cpuSystemMs = cpu.system / 1000;
      report.unacked = inflight.size;
      report.error = error;
      resolve(report);
    };

    const pump = () => {
      while (!stopping && inflight.size < cfg.window) {
        if (Date.now() >= endAt) {
          stopping = true;
          break;
        }
        const id = `${cfg.runTag}-${cfg.client}-${seq++}`;
        const message = factory.message(id, cfg.batch);
        const now = Date.now();
        if (!report.firstSendAt) report.firstSendAt = now;
        inflight.set(id, { message, firstSentAt: now });
        ws.send(message);
      }
      if (stopping && inflight.size === 0) finish(null);
    };

    ws.on('message', (data) => {
      const reply = JSON.parse(String(data)) as
        | { ack: string; accepted: number; rejected: { index: number; error: string }[]; rejected_count: number }
        | { nack: string | null; error: string; retry_after?: number };
      const now = Date.now();
      if ('ack' in reply) {
        const f = inflight.get(reply.ack);
        if (!f) return;
        inflight.delete(reply.ack);
        report.batchesAcked++;
        report.eventsAccepted += reply.accepted;
        report.eventsRejected += reply.rejected_count;
        if (reply.rejected.length && !report.firstRejection) report.firstRejection = JSON.stringify(reply.rejected[0]);
        report.latenciesMs.push(now - f.firstSentAt);
        const sec = Math.max(0, Math.floor((now - startAt) / 1000));
        while (report.perSecond.length <= sec) report.perSecond.push(0);
        report.perSecond[sec]! += reply.accepted;
        report.lastAckAt = now;
        pump();
        return;
      }
      report.nacks++;
      const key = reply.error.replace(/\d+/g, 'N');
      report.nackErrors[key] = (report.nackErrors[key] ?? 0) + 1;
      const f = reply.nack === null ? undefined : inflight.get(reply.nack);
      if (!f) {
        finish(`unexpected nack: ${JSON.stringify(reply)}`);
        return;
      }
      // The batch keeps its window slot until it is acked: a nack slows this sender down.
      setTimeout(() => {
        if (!finished && ws.readyState === WebSocket.OPEN) ws.send(f.message);
      }, (reply.retry_after ?? 1) * 1000);
    });
    ws.on('close', (code, reason) => finish(stopping && inflight.size === 0 ? null : `connection closed (${code} ${String(reason)})`));
    ws.on('error', (err) => finish(`connection error: ${err.message}`));

    const drainTimer = setTimeout(() => finish(`drain timeout: ${inflight.size} batches still un-acked`), endAt - Date.now() + cfg.drainMs);
    setTimeout(pump, Math.max(0, startAt - Date.now()));
  });
}

let config: ClientConfig | null = null;
let socket: WebSocket | null = null;

process.on('message', (msg: ToClient) => {
  if (msg.kind === 'config') {
    config = msg.config;
    const ws = new WebSocket(`${config.url}`, { headers: { Authorization: `Bearer ${config.key}` }, perMessageDeflate: false });
    ws.once('open', () => {
      socket = ws;
      send({ kind: 'ready' });
    });
    ws.once('unexpected-response', (_req, res) => {
      console.error(`client ${config!.client}: upgrade refused with HTTP ${res.statusCode}`);
      process.exit(3);
    });
    ws.once('error', (err) => {
      if (!socket) {
        console.error(`client ${config!.client}: ${err.message}`);
        process.exit(3);
      }
    });
    return;
  }
  if (msg.kind === 'go' && config && socket) {
    const ws = socket;
    void run(config, msg.startAt, msg.endAt, ws).then((report) => {
      ws.close(1000);
      send({ kind: 'report', report });
      process.disconnect?.();
    });
  }
});
