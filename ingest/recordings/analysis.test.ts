import { describe, expect, it } from 'vitest';
import { ANALYSIS_RATE, PcmAnalyser, speechFigures, speechThreshold, voiceActivity } from './analysis.ts';

/** Interleaved s16le: each channel a function of the sample index. */
function pcm(seconds: number, ...channels: ((i: number) => number)[]): Buffer {
  const n = Math.round(seconds * ANALYSIS_RATE);
  const b = Buffer.alloc(n * channels.length * 2);
  for (let i = 0; i < n; i++) channels.forEach((f, c) => b.writeInt16LE(Math.round(f(i)), (i * channels.length + c) * 2));
  return b;
}
const tone = (from: number, to: number, amp = 16000) => (i: number) => {
  const t = i / ANALYSIS_RATE;
  return t >= from && t < to ? amp * Math.sin((2 * Math.PI * 440 * i) / ANALYSIS_RATE) : 0;
};

describe('PcmAnalyser', () => {
  it('gives the same result whatever the chunking (samples split across chunks)', () => {
    const buf = pcm(3, tone(0, 1), tone(1.5, 3));
    const whole = new PcmAnalyser(2);
    whole.push(buf);
    const split = new PcmAnalyser(2);
    for (let o = 0; o < buf.length; o += 777) split.push(buf.subarray(o, o + 777));
    expect(split.finish()).toEqual(whole.finish());
  });

  it('duration, peaks per level and channel, speech figures', () => {
    const a = new PcmAnalyser(2);
    a.push(pcm(5, tone(0, 2), tone(1.5, 4)));
    const r = a.finish();
    expect(r.duration_s).toBe(5);
    expect(r.peaks.map((p) => [p.pps, p.length])).toEqual([[10, 50], [50, 250], [200, 1000]]);
    const ten = r.peaks[0]!;
    expect(ten.data[0]![1]).toBeGreaterThan(60); // agent loud in 0–0.1 s
    expect(ten.data[1]![1]).toBe(0); // customer silent then
    expect(ten.data[0]![2 * 30 + 1]).toBe(0); // agent silent at 3 s
    expect(ten.data[1]![2 * 30 + 1]).toBeGreaterThan(60); // customer loud at 3 s
    expect(r.speech.talk_s).toEqual([2, 2.5]);
    expect(r.speech.talk_over_s).toBe(0.5);
    expect(r.speech.silence_ratio).toBe(0.2);
    expect(r.speech.longest_silence_s).toBe(1);
  });
});

describe('voice activity', () => {
  const frames = (pattern: string) => Float32Array.from([...pattern].map((c) => (c === '#' ? -10 : -90)));
  const on = (v: Uint8Array) => [...v].map((x) => (x ? '#' : '.')).join('');

  it('bridges pauses under 300 ms, not longer ones; drops bursts under 40 ms', () => {
    expect(on(voiceActivity(frames('###' + '.'.repeat(14) + '###'), -40))).toBe('#'.repeat(20));
    expect(on(voiceActivity(frames('###' + '.'.repeat(15) + '###'), -40))).toBe('###' + '.'.repeat(15) + '###');
    expect(on(voiceActivity(frames('....#....##...'), -40))).toBe('.........##...');
  });

  it('threshold: noise floor + 15 dB, clamped to -50…-30 dBFS', () => {
    expect(speechThreshold(new Float32Array(100).fill(-100))).toBe(-50);
    expect(speechThreshold(new Float32Array(100).fill(-60))).toBe(-45);
    expect(speechThreshold(new Float32Array(100).fill(-10))).toBe(-30);
  });

  it('mono: no talk-over', () => {
    const f = speechFigures([Float32Array.from([-10, -10, ...new Array<number>(16).fill(-90), -10, -10])]);
    expect(f.talk_over_s).toBe(0);
    expect(f.talk_s).toEqual([0.08]);
    expect(f.longest_silence_s).toBe(0.32);
  });
});
