/**
 * The player's first paint: when the page is opened on a call (`#/calls/:call`), its coarsest
 * waveform peaks and its call view are requested at once, in parallel with the session check,
 * instead of one after the other once the app has rendered. The peaks carry the duration and
 * the channel count, so the waveform is drawn as soon as they arrive (see provisionalRecording),
 * before the call view. The player takes the requests from here (once); a failed prefetch is
 * simply requested again by the player.
 */
import { get, parseError } from '$ui/api.ts';
import type { CallDetail } from '../../../schemas/qa.ts';
import type { PeaksFile, RecordingView } from './qa-api.ts';

/** The recordings API's coarsest peaks level (the player's choice for calls over a few minutes). */
export const FIRST_PEAKS_PPS = 10;

export const defaultPeaksPath = (call: string) => `/v1/recordings/${encodeURIComponent(call)}/peaks?pps=${FIRST_PEAKS_PPS}`;

interface Prefetched {
  detail: Promise<CallDetail>;
  peaks: Promise<PeaksFile>;
}

const pending = new Map<string, Prefetched>();

const quiet = <T>(p: Promise<T>): Promise<T> => {
  p.catch(() => undefined);
  return p;
};

/** A response's JSON, or the API's error (as the API client would throw it). */
async function json<T>(r: Promise<Response>): Promise<T> {
  const res = await r;
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) throw parseError(res.status, body && typeof body === 'object' && 'error' in body ? String((body as { error: unknown }).error) : `${res.status}`);
  return body as T;
}

/** Takes over the requests index.html's inline script started before the app loaded. */
export function adoptEarlyPrefetch(): void {
  const early = (globalThis as { __qaPrefetch?: { call: string; peaks: Promise<Response>; detail: Promise<Response> } }).__qaPrefetch;
  if (!early || pending.has(early.call)) return;
  delete (globalThis as { __qaPrefetch?: unknown }).__qaPrefetch;
  pending.set(early.call, { peaks: quiet(json<PeaksFile>(early.peaks)), detail: quiet(json<CallDetail>(early.detail)) });
}

/** Starts both requests for `call` (a no-op when already started). */
export function prefetchCall(call: string): void {
  if (pending.has(call)) return;
  pending.set(call, {
    // the peaks first: one store query, where the call view takes several (the server answers them in turn)
    peaks: quiet(get<PeaksFile>(defaultPeaksPath(call))),
    detail: quiet(get<CallDetail>(`/v1/qa/calls/${encodeURIComponent(call)}`)),
  });
}

/**
 * The recording as the peaks alone describe it, to draw before the call view arrives: the
 * contract's default mapping (stereo = agent, customer; mono = mixed) and media path. The
 * player redraws if the call view's recording says otherwise.
 */
export function provisionalRecording(call: string, peaks: PeaksFile): RecordingView {
  return {
    status: 'ready',
    duration_s: peaks.duration_s,
    channels: peaks.data.length >= 2 ? ['agent', 'customer'] : ['mixed'],
    media_url: `/v1/recordings/${encodeURIComponent(call)}/media`,
    peaks_url: defaultPeaksPath(call),
    peaks_levels: [FIRST_PEAKS_PPS, 50, 200],
  };
}

/** The prefetched requests of `call`, handed out once. */
export function takePrefetch(call: string): Prefetched | null {
  const p = pending.get(call) ?? null;
  pending.delete(call);
  return p;
}

/** Starts the prefetch when the page's hash opens a call. */
export function prefetchFromHash(hash: string): void {
  adoptEarlyPrefetch();
  const m = /^#\/calls\/([^/?]+)/.exec(hash);
  if (!m) return;
  try {
    prefetchCall(decodeURIComponent(m[1]!));
  } catch {
    // a malformed hash: the router shows "not found"
  }
}
