/**
 * One recording through ffmpeg: probe, then a single decode that writes the playback
 * rendition and streams 8 kHz s16le PCM to the analyser (peaks and speech figures).
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { ANALYSIS_RATE, PcmAnalyser, type Analysis, type Peaks } from './analysis.ts';
import { runFfmpeg, summariseStderr, type Ffmpeg } from './ffmpeg.ts';

/** A recording that can never be processed (corrupt, truncated, unsupported, wrong channel count): not retried. */
export class RecordingInputError extends Error {}

export type Rendition = 'wav' | 'opus';
export const RENDITIONS: readonly Rendition[] = ['wav', 'opus'];
export const RENDITION_EXT: Record<Rendition, string> = { wav: 'wav', opus: 'webm' };
export const RENDITION_TYPE: Record<Rendition, string> = { wav: 'audio/wav', opus: 'audio/webm' };

export interface Probe {
  /** e.g. "wav pcm_mulaw" */
  format: string;
  codec: string;
  sample_rate: number;
  channels: number;
  /** the container's declared duration, when it states one */
  declared_s: number | null;
}

const PROBE_TIMEOUT_MS = 30_000;

/** `ffmpeg -i` (ffmpeg-installer ships no ffprobe): the first audio stream's codec, rate and channels. */
export async function probe(ff: Ffmpeg, file: string): Promise<Probe> {
  const r = await runFfmpeg(ff, ['-i', file], { timeoutMs: PROBE_TIMEOUT_MS });
  if (r.signal) throw new Error(`ffmpeg probe killed by ${r.signal}`);
  const err = r.stderr.split(file).join('file');
  const input = /Input #0, ([^,]+(?:,[^,\s]+)*), from/.exec(err);
  const stream = /Stream #0:\d+[^:]*: Audio: ([^,\s]+)[^,]*, (\d+) Hz, ([^,]+),/.exec(err);
  if (!input || !stream) {
    throw new RecordingInputError(`not a supported audio file: ${summariseStderr(err.replace(/At least one output file must be specified/, ''))}`);
  }
  const layout = stream[3]!.trim();
  const channels = layout === 'mono' ? 1 : layout === 'stereo' ? 2 : Number(/^(\d+) channels/.exec(layout)?.[1] ?? 0) || 99;
  const d = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(err);
  return {
    format: `${input[1]!.split(',')[0]} ${stream[1]}`,
    codec: stream[1]!,
    sample_rate: Number(stream[2]),
    channels,
    declared_s: d ? Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]) : null,
  };
}

export interface ProcessResult {
  probe: Probe;
  analysis: Analysis;
}

/**
 * Writes `<out>.<ext>` (the rendition) and `<out>.peaks-<pps>.json` for each level, each
 * through a temporary name renamed into place; throws RecordingInputError for bad input.
 */
export async function processRecording(
  ff: Ffmpeg,
  original: string,
  out: string,
  opts: { channels: number | null; rendition: Rendition; timeoutMs: number },
): Promise<ProcessResult> {
  const info = await probe(ff, original);
  if (info.channels > 2) throw new RecordingInputError(`the file has ${info.channels} channels; recordings must be mono or stereo`);
  if (opts.channels !== null && info.channels !== opts.channels) {
    throw new RecordingInputError(
      opts.channels === 2
        ? `channels: agent,customer / customer,agent need a stereo file; this one is mono (send channels=mixed)`
        : `channels: mixed needs a mono file; this one is stereo (send channels=agent,customer or customer,agent)`,
    );
  }
  const ext = RENDITION_EXT[opts.rendition];
  // unique temporary names: two calls with the same audio may be processed at once
  const tmpMedia = `${out}.${ext}.${randomBytes(6).toString('hex')}.tmp`;
  // Telephony audio stays at its rate (≤ 16 kHz); wideband sources become 16 kHz (WAV) or 48 kHz (Opus's own rate).
  const renditionArgs =
    opts.rendition === 'wav'
      ? ['-c:a', 'pcm_s16le', '-ar', String(Math.min(info.sample_rate, 16000)), '-f', 'wav']
      : [
          '-c:a', 'libopus', '-b:a', info.channels === 2 ? '32k' : '24k', '-frame_duration', '60', '-compression_level', '0',
          ...(info.sample_rate > 16000 ? ['-ar', '48000'] : info.sample_rate > 8000 ? ['-ar', '16000'] : []),
          // ffmpeg 4.x writes no cues for audio-only WebM except in DASH mode; reserved room puts them before the first cluster
          ...(ff.cuesToFront ? ['-cues_to_front', '1'] : ['-dash', '1', '-reserve_index_space', String(reserveFor(info.declared_s))]),
          '-f', 'webm',
        ];
  const analyser = new PcmAnalyser(info.channels);
  try {
    const r = await runFfmpeg(
      ff,
      [
        '-v', 'error', '-i', original,
        '-map', '0:a:0', '-map_metadata', '-1', ...renditionArgs, '-y', tmpMedia,
        '-map', '0:a:0', '-ac', String(info.channels), '-ar', String(ANALYSIS_RATE), '-c:a', 'pcm_s16le', '-f', 's16le', 'pipe:1',
      ],
      { timeoutMs: opts.timeoutMs, onStdout: (chunk) => analyser.push(chunk) },
    );
    if (r.signal) throw new Error(`ffmpeg killed by ${r.signal} (timeout ${opts.timeoutMs} ms or out of memory)`);
    const analysis = analyser.finish();
    if (r.code !== 0) throw new RecordingInputError(`cannot decode: ${summariseStderr(r.stderr.split(original).join('file'))}`);
    if (analysis.duration_s < 0.1) throw new RecordingInputError(`no audio: the file decodes to ${analysis.duration_s.toFixed(2)} s`);
    // A cut-off file: the header promises more than the data holds (WAV, FLAC). MP3 states no length of its own.
    if (info.declared_s !== null && info.declared_s - analysis.duration_s > Math.max(1, info.declared_s * 0.02) && !/mp3/.test(info.format)) {
      throw new RecordingInputError(
        `truncated: the file holds ${analysis.duration_s.toFixed(1)} s of the ${info.declared_s.toFixed(1)} s its header declares`,
      );
    }
    for (const p of analysis.peaks) await writeAtomic(`${out}.peaks-${p.pps}.json`, peaksJson(p, analysis.duration_s));
    await rename(tmpMedia, `${out}.${ext}`);
    return { probe: info, analysis };
  } finally {
    await rm(tmpMedia, { force: true });
  }
}

/** Room for the cues at the front: ~20 bytes per cluster, a cluster per ~1 s at most, with margin. */
function reserveFor(declared: number | null): number {
  const s = declared ?? 4 * 3600;
  return Math.ceil(4096 + Math.max(s, 60) * 40);
}

/** ASCII of each 8-bit value, -128…127. */
const DIGITS = Array.from({ length: 256 }, (_, i) => Buffer.from(String(i - 128)));

/** The peaks of one level as served: `{"pps","length","duration_s","bits":8,"data":[[min,max,…] per channel]}`, encoded straight to bytes. */
export function peaksJson(p: Peaks, durationS: number): Buffer {
  const head = Buffer.from(`{"pps":${p.pps},"length":${p.length},"duration_s":${durationS},"bits":8,"data":[`);
  let size = head.length + 2;
  for (const d of p.data) size += d.length * 5 + 3;
  const out = Buffer.allocUnsafe(size);
  let o = head.copy(out, 0);
  p.data.forEach((d, c) => {
    if (c > 0) out[o++] = 0x2c;
    out[o++] = 0x5b;
    for (let i = 0; i < d.length; i++) {
      if (i > 0) out[o++] = 0x2c;
      o += DIGITS[d[i]! + 128]!.copy(out, o);
    }
    out[o++] = 0x5d;
  });
  out[o++] = 0x5d;
  out[o++] = 0x7d;
  return out.subarray(0, o);
}

async function writeAtomic(path: string, text: Buffer): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}
