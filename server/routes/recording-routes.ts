/**
 * Reading recordings (`recordings` scope: admin, supervisor, qa, manager; `own` scope: an
 * agent, only the calls they answered a leg of, others are 404): metadata and speech
 * figures, the playback rendition with HTTP Range, and the waveform peaks. Every served path
 * comes from the recording's row (content-addressed), never from the request.
 */
import { open } from 'node:fs/promises';
import type { TemplatedApp } from 'uWebSockets.js';
import { PEAK_LEVELS } from '../../ingest/recordings/analysis.ts';
import { RENDITION_TYPE, type Rendition } from '../../ingest/recordings/pipeline.ts';
import type { RecordingRow, RecordingService } from '../../ingest/recordings/service.ts';
import type { Authenticator, Principal } from '../../platform/auth.ts';
import { sendError, sendJson, type Reply } from '../../platform/http/uws.ts';
import type { Logger } from '../../platform/log.ts';
import { callAgents } from '../qa/queries/call-agents.ts';
import { registerRoute } from './route-kit.ts';

const CHUNK = 64 * 1024;

export function registerRecordingRoutes(app: TemplatedApp, auth: Authenticator, recordings: RecordingService, log: Logger): void {
  const route = registerRoute.bind(null, app, auth, log);
  const opts = { scope: ['recordings', 'own'] as const, params: ['call'], noDisplay: true };
  /** The call's recording if the caller may read it: every call with `recordings`, else (`own`) only calls they handled. */
  const readable = async (who: Principal, call: string): Promise<RecordingRow | null> => {
    if (!who.scopes.has('recordings')) {
      const handled = (await callAgents(recordings.opts.store, [call])).get(call);
      if (who.kind !== 'user' || !handled?.agents.includes(who.name)) return null;
    }
    return recordings.get(call);
  };

  route('get', '/v1/recordings/:call', opts, async ({ reply, params, who }) => {
    const row = await readable(who, params[0]!);
    if (!row) return sendError(reply, 404, `call: no recording for ${JSON.stringify(params[0])}`);
    sendJson(reply, 200, view(row));
  });

  route('get', '/v1/recordings/:call/media', opts, async ({ reply, params, info, who }) => {
    const row = await readable(who, params[0]!);
    if (!row) return sendError(reply, 404, `call: no recording for ${JSON.stringify(params[0])}`);
    if (row.status !== 'ready') return sendError(reply, 409, `recording is ${row.status}: no playable audio`);
    const size = await recordings.size(row.media_path);
    if (size === null) return sendError(reply, 404, 'recording audio is missing');
    await serveFile(reply, recordings.abs(row.media_path), size, info.range, mediaType(row.media_path), { ETag: `"${row.sha256}"`, 'Cache-Control': 'private, max-age=3600' });
  });

  route('get', '/v1/recordings/:call/peaks', opts, async ({ reply, params, info, who }) => {
    const raw = info.query.get('pps') ?? String(PEAK_LEVELS[0]);
    const pps = Number(raw);
    if (!(PEAK_LEVELS as readonly number[]).includes(pps)) return sendError(reply, 400, `pps: must be one of ${PEAK_LEVELS.join(', ')} (got ${JSON.stringify(raw)})`);
    const row = await readable(who, params[0]!);
    if (!row) return sendError(reply, 404, `call: no recording for ${JSON.stringify(params[0])}`);
    if (row.status !== 'ready') return sendError(reply, 409, `recording is ${row.status}: no peaks`);
    const rel = recordings.peaksFile(row, pps);
    const size = rel === null ? null : await recordings.size(rel);
    if (rel === null || size === null) return sendError(reply, 404, 'recording peaks are missing');
    await serveFile(reply, recordings.abs(rel), size, '', 'application/json', { 'Cache-Control': 'private, max-age=3600' });
  });
}

function mediaType(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1);
  const r = (Object.keys(RENDITION_TYPE) as Rendition[]).find((k) => (k === 'opus' ? 'webm' : k) === ext);
  return r ? RENDITION_TYPE[r] : 'application/octet-stream';
}

const fin = (x: number) => (Number.isFinite(x) ? x : null);

/** The API shape of a recording. */
export function view(row: RecordingRow) {
  const base = `/v1/recordings/${encodeURIComponent(row.call)}`;
  const ready = row.status === 'ready';
  return {
    call: row.call,
    status: row.status,
    ...(row.error ? { error: row.error } : {}),
    duration_s: ready || row.status === 'expired' ? row.duration_s : null,
    channels: row.channels,
    sample_rate: row.sample_rate || null,
    original_format: row.original_format || null,
    original_bytes: row.original_bytes,
    sha256: row.sha256,
    uploaded_at: new Date(row.uploaded_at).toISOString(),
    source: row.source,
    media_url: ready ? `${base}/media` : null,
    media_type: ready ? mediaType(row.media_path) : null,
    peaks_url: ready ? `${base}/peaks?pps=${PEAK_LEVELS[0]}` : null,
    peaks_levels: PEAK_LEVELS,
    speech: {
      agent_talk_s: fin(row.agent_talk_s),
      customer_talk_s: fin(row.customer_talk_s),
      silence_ratio: fin(row.silence_ratio),
      longest_silence_s: fin(row.longest_silence_s),
      talk_over_s: fin(row.talk_over_s),
      agent_talk_ratio: fin(row.agent_talk_ratio),
    },
  };
}

/** One `bytes=` range of a file of `size` bytes: [start, end] inclusive, 'unsatisfiable', or null to send it whole (absent, malformed, several ranges). */
export function parseRange(header: string, size: number): [number, number] | 'unsatisfiable' | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(0, size - n), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return [start, end];
}

/** Streams a file (or one range of it: 206, or 416) with backpressure; Content-Length from uWS's tryEnd. */
async function serveFile(reply: Reply, path: string, size: number, rangeHeader: string, contentType: string, headers: Record<string, string>): Promise<void> {
  const range = rangeHeader ? parseRange(rangeHeader, size) : null;
  if (range === 'unsatisfiable') return sendError(reply, 416, `range not satisfiable (size ${size})`, { 'Content-Range': `bytes */${size}` });
  const [start, end] = range ?? [0, size - 1];
  const total = size === 0 ? 0 : end - start + 1;
  const fh = await open(path, 'r');
  try {
    const { res } = reply;
    if (reply.aborted) return;
    res.cork(() => {
      res.writeStatus(range ? '206 Partial Content' : '200 OK');
      res.writeHeader('Content-Type', contentType);
      res.writeHeader('Accept-Ranges', 'bytes');
      if (range) res.writeHeader('Content-Range', `bytes ${start}-${end}/${size}`);
      for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
    });
    if (total === 0) {
      reply.aborted = true;
      res.cork(() => res.end());
      return;
    }
    let sent = 0;
    while (sent < total && !reply.aborted) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, total - sent));
      const { bytesRead } = await fh.read(buf, 0, buf.length, start + sent);
      if (bytesRead === 0) throw new Error(`file shrank while served: ${path}`);
      const chunk = buf.subarray(0, bytesRead);
      if (reply.aborted) return;
      let ok = false;
      let done = false;
      let base = 0;
      res.cork(() => {
        base = res.getWriteOffset();
        [ok, done] = res.tryEnd(chunk, total);
      });
      if (done) {
        reply.aborted = true; // finished: nothing more may touch res
        return;
      }
      if (!ok) {
        await new Promise<void>((resolve) => {
          res.onAborted(() => {
            reply.aborted = true;
            resolve();
          });
          res.onWritable((offset) => {
            const [ok2, done2] = res.tryEnd(chunk.subarray(offset - base), total);
            if (done2) reply.aborted = true;
            if (ok2 || done2) resolve();
            return ok2;
          });
        });
      }
      sent += bytesRead;
    }
  } finally {
    await fh.close();
  }
}
