/**
 * The QA API client (`/v1/qa/…`, contract in schemas/qa.ts). Lists are unwrapped whether the
 * server answers a bare array or an object holding it, so a page never depends on the wrapper.
 */
import { del, get, post, put, seg } from '$ui/api.ts';
import { queryString } from '$ui/url.ts';
import type {
  Answer,
  CallComment,
  CallDetail,
  CallSearchResult,
  Calibration,
  CalibrationResult,
  Evaluation,
  EvaluationAction,
  QaReport,
  SamplingRule,
  SamplingRuleInput,
  Scorecard,
  ScorecardInput,
  WorkItem,
} from '../../../schemas/qa.ts';

export type Query = Record<string, string | number | null | undefined>;

/** The array inside an answer: the answer itself, `body[key]`, or the first array property. */
export function listOf<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    if (Array.isArray(o[key])) return o[key] as T[];
    for (const v of Object.values(o)) if (Array.isArray(v)) return v as T[];
  }
  return [];
}

export const searchCalls = (q: Query, signal?: AbortSignal) => get<CallSearchResult>(`/v1/qa/calls${queryString(q)}`, signal ? { signal } : {});
export const callDetail = (call: string) => get<CallDetail>(`/v1/qa/calls/${seg(call)}`);

export const scorecards = async () => listOf<Scorecard>(await get('/v1/qa/scorecards'), 'scorecards');
export const scorecard = (id: string, version?: number) => get<Scorecard>(`/v1/qa/scorecards/${seg(id)}${queryString({ version })}`);
export const createScorecard = (body: ScorecardInput) => post<Scorecard>('/v1/qa/scorecards', body);
export const saveScorecard = (id: string, body: ScorecardInput) => put<Scorecard>(`/v1/qa/scorecards/${seg(id)}`, body);

export const evaluations = async (q: Query) => listOf<Evaluation>(await get(`/v1/qa/evaluations${queryString(q)}`), 'evaluations');
export const evaluation = (id: string) => get<Evaluation>(`/v1/qa/evaluations/${seg(id)}`);
export const startEvaluation = (call: string, card: string, calibration?: string) =>
  post<Evaluation>('/v1/qa/evaluations', calibration ? { call, scorecard: card, calibration } : { call, scorecard: card });
export const saveAnswers = (id: string, answers: Record<string, Answer>, comment: string) => put<Evaluation>(`/v1/qa/evaluations/${seg(id)}`, { answers, comment });
export const evaluationAction = (id: string, action: EvaluationAction, extra: { comment?: string; reviewed?: boolean } = {}) =>
  post<Evaluation>(`/v1/qa/evaluations/${seg(id)}/actions`, { action, ...extra });

export const comments = async (call: string) => listOf<CallComment>(await get(`/v1/qa/calls/${seg(call)}/comments`), 'comments');
export const addComment = (call: string, body: { at_s: number; text: string; visibility: 'public' | 'private'; evaluation?: string; question?: string }) =>
  post<CallComment>(`/v1/qa/calls/${seg(call)}/comments`, body);
export const deleteComment = (id: string) => del<unknown>(`/v1/qa/comments/${seg(id)}`);

export const workQueue = async () => listOf<WorkItem>(await get('/v1/qa/queue'), 'items');

export const samplingRules = async () => listOf<SamplingRule>(await get('/v1/qa/sampling-rules'), 'rules');
export const createSamplingRule = (body: SamplingRuleInput) => post<SamplingRule>('/v1/qa/sampling-rules', body);
export const saveSamplingRule = (id: string, body: SamplingRuleInput) => put<SamplingRule>(`/v1/qa/sampling-rules/${seg(id)}`, body);
export const deleteSamplingRule = (id: string) => del<unknown>(`/v1/qa/sampling-rules/${seg(id)}`);

export const calibrations = async () => listOf<Calibration>(await get('/v1/qa/calibrations'), 'calibrations');
export const createCalibration = (body: { call: string; scorecard: string; reference: string; evaluators: string[]; note?: string }) => post<Calibration>('/v1/qa/calibrations', body);
export const calibration = (id: string) => get<CalibrationResult>(`/v1/qa/calibrations/${seg(id)}`);
export const closeCalibration = (id: string) => post<unknown>(`/v1/qa/calibrations/${seg(id)}/close`, {});

export const report = (q: Query) => get<QaReport>(`/v1/qa/reports${queryString(q)}`);
export const reportCsvUrl = (q: Query) => `/v1/qa/reports${queryString({ ...q, format: 'csv' })}`;

/** The recording view inside a CallDetail (the shape of `GET /v1/recordings/:call`). */
export interface RecordingView {
  status: 'processing' | 'ready' | 'failed' | 'expired';
  error?: string;
  duration_s: number | null;
  /** who is on each channel, in channel order: ['agent','customer'], ['customer','agent'] or ['mixed'] */
  channels: string[];
  media_url: string | null;
  peaks_url: string | null;
  peaks_levels: number[];
}

/** The waveform peaks file: min,max pairs per channel, 8-bit (−128…127). */
export interface PeaksFile {
  pps: number;
  length: number;
  duration_s: number;
  bits: number;
  data: number[][];
}

export function recordingOf(detail: CallDetail): RecordingView | null {
  return recordingView(detail.recording);
}

/** A recording view (`GET /v1/recordings/:call`, or CallDetail.recording) in the player's shape. */
export function recordingView(raw: unknown): RecordingView | null {
  const r = raw as Partial<RecordingView> | null;
  if (!r || typeof r !== 'object') return null;
  return {
    status: r.status ?? 'processing',
    ...(r.error ? { error: r.error } : {}),
    duration_s: typeof r.duration_s === 'number' ? r.duration_s : null,
    channels: Array.isArray(r.channels) && r.channels.length ? r.channels : typeof r.channels === 'string' ? String(r.channels).split(',') : ['mixed'],
    media_url: r.media_url ?? null,
    peaks_url: r.peaks_url ?? null,
    peaks_levels: Array.isArray(r.peaks_levels) ? r.peaks_levels : [10, 50, 200],
  };
}

/** The peaks level giving at least two points per pixel of `width` (the coarsest that does). */
export function pickPeaksLevel(levels: readonly number[], duration: number, width: number): number {
  const sorted = [...levels].sort((a, b) => a - b);
  for (const l of sorted) if (l * duration >= width * 2) return l;
  return sorted[sorted.length - 1] ?? 10;
}

/** `peaks_url` with another `pps`. */
export function peaksUrl(base: string, pps: number): string {
  const u = new URL(base, location.origin);
  u.searchParams.set('pps', String(pps));
  return u.pathname + u.search;
}

export const fetchPeaks = (url: string) => get<PeaksFile>(url);
