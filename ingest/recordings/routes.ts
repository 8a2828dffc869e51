/**
 * `PUT /v1/recordings/:call?channels=agent,customer|customer,agent|mixed`: an API key with the
 * `ingest` scope uploads a call's recording. The body streams to a temporary file under
 * DATA_DIR (hashed as it arrives, never held in memory, reading paused while the disk is
 * behind); 202 once it is stored and queued.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { TemplatedApp } from 'uWebSockets.js';
import type { Authenticator } from '../../platform/auth.ts';
import { authorize } from '../../platform/http/authorize.ts';
import { requestInfo, sendError, sendJson, type Reply } from '../../platform/http/uws.ts';
import type { Logger } from '../../platform/log.ts';
import { StoreError } from '../../platform/store/store.ts';
import { CHANNEL_LAYOUTS, QueueFullError, type ChannelLayout, type RecordingService } from './service.ts';

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Body bytes held in memory while the caller is being authenticated, beyond which reading pauses. */
const EARLY_LIMIT = 1024 * 1024;

/** A call id as events carry it: 1–128 characters, well-formed Unicode. */
export function checkCallId(call: string): string | null {
  if (call.length < 1 || call.length > 128) return 'call: must be 1 to 128 characters';
  if (LONE_SURROGATE.test(call)) return 'call: must be well-formed Unicode (has a lone surrogate)';
  return null;
}

/** The `channels` query value, `null` when absent (decided from the file: stereo = agent,customer, mono = mixed), or an error. */
export function parseChannels(raw: string | null): { layout: ChannelLayout | null } | { error: string } {
  if (raw === null || raw === '') return { layout: null };
  if (!(CHANNEL_LAYOUTS as readonly string[]).includes(raw)) return { error: `channels: must be one of ${CHANNEL_LAYOUTS.join(', ')} (got ${JSON.stringify(raw)})` };
  return { layout: raw as ChannelLayout };
}

export function registerRecordingUpload(app: TemplatedApp, deps: { auth: Authenticator; recordings: RecordingService; log: Logger }): void {
  const { recordings, log } = deps;
  const maxBytes = recordings.opts.maxBytes;

  app.put('/v1/recordings/:call', (res, req) => {
    const info = requestInfo(req, res);
    const rawCall = req.getParameter(0) ?? '';
    const declared = Number(req.getHeader('content-length') || NaN);
    let state: 'auth' | 'writing' | 'done' = 'auth';
    let admitted = false;
    let file: WriteStream | null = null;
    let temp = '';
    let hash: Hash | null = null;
    let bytes = 0;
    let early: Buffer[] = [];
    let earlyBytes = 0;
    let lastSeen = false;
    let finish: (() => void) | null = null;
    let paused = false;
    const resume = () => {
      if (!paused) return;
      paused = false;
      if (!reply.aborted) res.resume();
    };

    const cleanup = () => {
      state = 'done';
      resume();
      finish?.();
      early = [];
      file?.destroy();
      if (temp) void rm(temp, { force: true });
      if (admitted) {
        admitted = false;
        recordings.release();
      }
    };
    const reply: Reply = { res, aborted: false };
    res.onAborted(() => {
      reply.aborted = true;
      if (state !== 'done') cleanup();
    });
    const refuse = (status: number, error: string, headers: Record<string, string> = {}) => {
      cleanup();
      sendError(reply, status, error, headers);
    };

    const take = (chunk: Buffer, isLast: boolean) => {
      bytes += chunk.length;
      if (bytes > maxBytes) return refuse(413, `body exceeds RECORDINGS_MAX_BYTES (${maxBytes} bytes)`);
      hash!.update(chunk);
      // The disk is behind: stop reading the socket until it drains (never left paused: the connection may carry the next request).
      if (!file!.write(chunk) && !isLast && !paused && !reply.aborted) {
        paused = true;
        res.pause();
        file!.once('drain', resume);
      }
      if (isLast) {
        lastSeen = true;
        finish?.();
      }
    };

    // Until the caller is known (an in-memory key check, well under a millisecond), chunks wait in memory.
    res.onData((ab, isLast) => {
      if (state === 'done') return;
      const chunk = Buffer.from(new Uint8Array(ab).slice());
      if (state === 'auth') {
        early.push(chunk);
        earlyBytes += chunk.length;
        if (isLast) lastSeen = true;
        // a fast sender while the caller is not yet known: stop reading until it is
        else if (earlyBytes > EARLY_LIMIT && !paused) {
          paused = true;
          res.pause();
        }
        return;
      }
      take(chunk, isLast);
    });

    void (async () => {
      const principal = await authorize(reply, deps.auth, info, 'ingest');
      if (!principal) return cleanup();
      let call: string;
      try {
        call = decodeURIComponent(rawCall);
      } catch {
        return refuse(400, 'call: malformed percent-encoding in the path');
      }
      const bad = checkCallId(call);
      if (bad) return refuse(400, bad);
      const channels = parseChannels(info.query.get('channels'));
      if ('error' in channels) return refuse(400, channels.error);
      if (declared > maxBytes) return refuse(413, `body exceeds RECORDINGS_MAX_BYTES (${maxBytes} bytes)`);
      try {
        recordings.admit();
        admitted = true;
      } catch (err) {
        if (err instanceof QueueFullError) return refuse(429, err.message, { 'Retry-After': String(err.retryAfterS) });
        throw err;
      }
      temp = recordings.tempFile();
      file = createWriteStream(temp, { flags: 'wx', highWaterMark: 1024 * 1024 });
      const opened = new Promise<void>((resolve, reject) => {
        file!.once('open', () => resolve());
        file!.once('error', reject);
      });
      // a write that fails later (disk full): refuse the upload rather than wait for a body that goes nowhere
      file.on('error', (err) => {
        if (state !== 'writing') return;
        log('error', 'recording upload not stored', { error: String(err) });
        refuse(507, `cannot store the upload (${(err as NodeJS.ErrnoException).code ?? 'write error'}), retry later`, { 'Retry-After': '60' });
      });
      hash = createHash('sha256');
      const complete = new Promise<void>((resolve) => (finish = resolve));
      state = 'writing';
      const held = early;
      early = [];
      const wasLast = lastSeen;
      lastSeen = false;
      for (const [i, c] of held.entries()) take(c, wasLast && i === held.length - 1);
      if (wasLast && held.length === 0) take(Buffer.alloc(0), true);
      if (state !== 'writing') return;
      if (earlyBytes > EARLY_LIMIT) resume();
      await opened;
      await complete;
      if (state !== 'writing' || reply.aborted) return;
      const out = file;
      await new Promise<void>((resolve, reject) => {
        out.once('error', reject);
        out.end(() => resolve());
      });
      if (state !== 'writing' || reply.aborted) return;
      if (bytes === 0) return refuse(400, 'body: empty; send the audio file');
      resume();
      state = 'done';
      admitted = false; // accept takes the place over
      const sha256 = hash.digest('hex');
      const r = await recordings.accept({ call, channels: channels.layout, tempFile: temp, sha256, bytes, source: principal.name });
      if (r.duplicate) sendJson(reply, 200, { call, status: r.status, sha256, duplicate: true });
      else sendJson(reply, 202, { call, status: r.status, sha256 });
    })().catch((err: unknown) => {
      cleanup();
      if (err instanceof StoreError) {
        log('warn', 'recording upload refused: store unavailable', { error: String(err) });
        return sendError(reply, 503, 'store unavailable, retry', { 'Retry-After': '2' });
      }
      log('error', 'recording upload failed', { error: String(err) });
      sendError(reply, 500, 'internal error');
    });
  });
}
