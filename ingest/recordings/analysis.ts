/**
 * Waveform peaks and speech figures from a stream of interleaved s16le PCM, in one pass and
 * bounded memory: per channel it keeps only the finest peaks (min/max per bucket) and one
 * energy value per 20 ms frame (a 60-minute call: 2 × 720k peak pairs and 2 × 180k frames),
 * never the decoded audio. Pure: no I/O.
 */

/** Analysis sample rate: ffmpeg resamples to this (telephony audio has nothing above 4 kHz that matters here). */
export const ANALYSIS_RATE = 8000;
/** Zoom levels of the peaks, in buckets (pixels) per second of audio. */
export const PEAK_LEVELS = [10, 50, 200] as const;
const FINEST = 200;
const SAMPLES_PER_BUCKET = ANALYSIS_RATE / FINEST; // 40
export const FRAME_MS = 20;
const SAMPLES_PER_FRAME = (ANALYSIS_RATE * FRAME_MS) / 1000; // 160
/** A frame is speech when its energy is this far above the channel's noise floor (10th percentile of frame energies)… */
const ABOVE_FLOOR_DB = 15;
/** …clamped into this range (dBFS): never below -50 (line noise), never above -30 (quiet speech still counts). */
const MIN_THRESHOLD_DB = -50;
const MAX_THRESHOLD_DB = -30;
/** Hangover: pauses shorter than this inside speech count as speech (syllable and word gaps). */
const HANGOVER_FRAMES = 15; // 300 ms
/** Bursts shorter than this are not speech (clicks, line noise). */
const MIN_BURST_FRAMES = 2; // 40 ms

class GrowInt8 {
  buf = new Int8Array(4096);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Int8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  view(): Int8Array {
    return this.buf.subarray(0, this.length);
  }
}

class GrowFloat32 {
  buf = new Float32Array(4096);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  view(): Float32Array {
    return this.buf.subarray(0, this.length);
  }
}

interface ChannelState {
  /** finest-level peaks: min,max interleaved, 8-bit */
  peaks: GrowInt8;
  /** dBFS of each 20 ms frame */
  frames: GrowFloat32;
  bucketMin: number;
  bucketMax: number;
  frameSumSq: number;
}

export interface Peaks {
  /** buckets per second */
  pps: number;
  /** buckets per channel */
  length: number;
  /** per channel: min, max, min, max, … (−128…127; 127 = full scale) */
  data: Int8Array[];
}

export interface SpeechFigures {
  /** seconds of speech per channel, in channel order */
  talk_s: number[];
  /** share of the call where no channel speaks (0–1) */
  silence_ratio: number;
  longest_silence_s: number;
  /** seconds where two channels speak at once (0 for mono) */
  talk_over_s: number;
  /** the speech threshold used per channel, dBFS */
  threshold_db: number[];
}

export interface Analysis {
  duration_s: number;
  peaks: Peaks[];
  speech: SpeechFigures;
}

export class PcmAnalyser {
  private readonly ch: ChannelState[];
  private carry: Buffer | null = null;
  /** samples per channel seen */
  private samples = 0;

  constructor(readonly channels: number) {
    this.ch = Array.from({ length: channels }, () => ({
      peaks: new GrowInt8(),
      frames: new GrowFloat32(),
      bucketMin: 0,
      bucketMax: 0,
      frameSumSq: 0,
    }));
  }

  /** Feeds interleaved s16le PCM at ANALYSIS_RATE; chunks may split samples anywhere. */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    const stride = 2 * this.channels;
    const whole = buf.length - (buf.length % stride);
    if (whole < buf.length) this.carry = Buffer.from(buf.subarray(whole));
    const n = whole / stride;
    const C = this.channels;
    const pcm =
      buf.byteOffset % 2 === 0
        ? new Int16Array(buf.buffer, buf.byteOffset, whole / 2)
        : new Int16Array(Uint8Array.prototype.slice.call(buf, 0, whole).buffer);
    const start = this.samples;
    for (let c = 0; c < C; c++) {
      const st = this.ch[c]!;
      let inBucket = start % SAMPLES_PER_BUCKET;
      let inFrame = start % SAMPLES_PER_FRAME;
      let mn = st.bucketMin;
      let mx = st.bucketMax;
      let sumSq = st.frameSumSq;
      for (let i = c, end = n * C; i < end; i += C) {
        const s = pcm[i]!;
        if (inBucket === 0) {
          mn = s;
          mx = s;
        } else if (s < mn) mn = s;
        else if (s > mx) mx = s;
        sumSq += s * s;
        if (++inBucket === SAMPLES_PER_BUCKET) {
          st.bucketMin = mn;
          st.bucketMax = mx;
          this.closeBucket(st);
          inBucket = 0;
        }
        if (++inFrame === SAMPLES_PER_FRAME) {
          st.frameSumSq = sumSq;
          this.closeFrame(st, SAMPLES_PER_FRAME);
          sumSq = 0;
          inFrame = 0;
        }
      }
      st.bucketMin = mn;
      st.bucketMax = mx;
      st.frameSumSq = sumSq;
    }
    this.samples += n;
  }

  private closeBucket(st: ChannelState): void {
    st.peaks.push(Math.max(-128, Math.round(st.bucketMin / 256)));
    st.peaks.push(Math.min(127, Math.round(st.bucketMax / 256)));
  }

  private closeFrame(st: ChannelState, n: number): void {
    const meanSq = st.frameSumSq / n / (32768 * 32768);
    st.frames.push(meanSq > 1e-10 ? 10 * Math.log10(meanSq) : -100);
    st.frameSumSq = 0;
  }

  finish(): Analysis {
    // partial last bucket and frame
    const inBucket = this.samples % SAMPLES_PER_BUCKET;
    const inFrame = this.samples % SAMPLES_PER_FRAME;
    for (const st of this.ch) {
      if (inBucket !== 0) this.closeBucket(st);
      if (inFrame !== 0) this.closeFrame(st, inFrame);
    }
    const finest = this.ch.map((st) => st.peaks.view());
    const peaks: Peaks[] = PEAK_LEVELS.map((pps) => {
      const factor = FINEST / pps;
      const data = finest.map((f) => (factor === 1 ? f : coarsen(f, factor)));
      return { pps, length: (data[0]?.length ?? 0) / 2, data };
    });
    return { duration_s: this.samples / ANALYSIS_RATE, peaks, speech: speechFigures(this.ch.map((st) => st.frames.view())) };
  }
}

/** min of mins and max of maxes over `factor` finest buckets. */
function coarsen(fine: Int8Array, factor: number): Int8Array {
  const buckets = fine.length / 2;
  const out = new Int8Array(Math.ceil(buckets / factor) * 2);
  for (let b = 0; b < buckets; b++) {
    const o = Math.floor(b / factor) * 2;
    const mn = fine[b * 2]!;
    const mx = fine[b * 2 + 1]!;
    if (b % factor === 0 || mn < out[o]!) out[o] = mn;
    if (b % factor === 0 || mx > out[o + 1]!) out[o + 1] = mx;
  }
  return out;
}

/** The speech threshold of one channel: its noise floor (10th percentile of frame energies) + 15 dB, clamped. */
export function speechThreshold(frames: Float32Array): number {
  if (frames.length === 0) return MIN_THRESHOLD_DB;
  const sorted = Float32Array.from(frames).sort();
  const floor = sorted[Math.floor(sorted.length * 0.1)]!;
  return Math.min(MAX_THRESHOLD_DB, Math.max(MIN_THRESHOLD_DB, floor + ABOVE_FLOOR_DB));
}

/** Speech (1) or not (0) per frame: above the threshold, bursts under 40 ms dropped, pauses under 300 ms bridged. */
export function voiceActivity(frames: Float32Array, threshold: number): Uint8Array {
  const n = frames.length;
  const v = new Uint8Array(n);
  for (let i = 0; i < n; i++) v[i] = frames[i]! > threshold ? 1 : 0;
  // drop short bursts
  for (let i = 0; i < n; ) {
    if (!v[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && v[j]) j++;
    if (j - i < MIN_BURST_FRAMES) v.fill(0, i, j);
    i = j;
  }
  // bridge short pauses between speech (hangover that is taken back when speech does not resume)
  let lastOn = -1;
  for (let i = 0; i < n; i++) {
    if (!v[i]) continue;
    if (lastOn >= 0 && i - lastOn - 1 > 0 && i - lastOn - 1 < HANGOVER_FRAMES) v.fill(1, lastOn + 1, i);
    lastOn = i;
  }
  return v;
}

export function speechFigures(framesPerChannel: Float32Array[]): SpeechFigures {
  const thresholds = framesPerChannel.map(speechThreshold);
  const activity = framesPerChannel.map((f, c) => voiceActivity(f, thresholds[c]!));
  const n = Math.max(0, ...activity.map((a) => a.length));
  const sec = FRAME_MS / 1000;
  const talk = activity.map((a) => a.reduce((s, x) => s + x, 0) * sec);
  let silent = 0;
  let over = 0;
  let run = 0;
  let longest = 0;
  for (let i = 0; i < n; i++) {
    let speaking = 0;
    for (const a of activity) speaking += a[i] ?? 0;
    if (speaking === 0) {
      silent++;
      run++;
      if (run > longest) longest = run;
    } else run = 0;
    if (speaking >= 2) over++;
  }
  return {
    talk_s: talk.map(round3),
    silence_ratio: n ? round3(silent / n) : 0,
    longest_silence_s: round3(longest * sec),
    talk_over_s: round3(over * sec),
    threshold_db: thresholds.map((t) => Math.round(t * 10) / 10),
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
