/** Test audio made with ffmpeg's lavfi sources (the same binary the server uses). */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const req = createRequire(import.meta.url);
export const FFMPEG: string = process.env.FFMPEG_PATH || (req('@ffmpeg-installer/ffmpeg') as { path: string }).path;

export function ffmpeg(args: string[]): string {
  const r = spawnSync(FFMPEG, ['-nostdin', '-hide_banner', '-v', 'error', '-y', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
  return r.stderr;
}

/**
 * A stereo file of `total` seconds: left a 440 Hz tone over [a0, a1), right white noise over
 * [c0, c1), digital silence elsewhere. `codec` e.g. pcm_s16le, pcm_mulaw.
 */
export function toneAndNoise(out: string, o: { total: number; left: [number, number]; right: [number, number]; codec?: string; rate?: number; freq?: number }): void {
  const rate = o.rate ?? 8000;
  const len = Math.round(o.total * rate);
  const [a0, a1] = o.left;
  const [c0, c1] = o.right;
  ffmpeg([
    '-f', 'lavfi', '-i', `sine=f=${o.freq ?? 440}:r=${rate}:d=${a1 - a0},adelay=${a0 * 1000},apad=whole_len=${len},atrim=end_sample=${len}`,
    '-f', 'lavfi', '-i', `anoisesrc=r=${rate}:d=${c1 - c0}:a=0.5:seed=7,adelay=${c0 * 1000},apad=whole_len=${len},atrim=end_sample=${len}`,
    '-filter_complex', '[0][1]amerge=inputs=2', '-c:a', o.codec ?? 'pcm_s16le', out,
  ]);
}

/** The duration ffmpeg reads from a file's header, and its audio stream line. */
export function probeFile(file: string): { duration: number; stream: string } {
  const r = spawnSync(FFMPEG, ['-hide_banner', '-i', file], { encoding: 'utf8' });
  const d = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(r.stderr);
  return { duration: d ? Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]) : NaN, stream: /Audio: .*/.exec(r.stderr)?.[0] ?? '' };
}

/** Seconds of audio ffmpeg decodes from a file (decoding it whole). */
export function decodedSeconds(file: string, extra: string[] = []): number {
  const r = spawnSync(FFMPEG, ['-nostdin', '-v', 'error', ...extra, '-i', file, '-ac', '1', '-ar', '8000', '-f', 's16le', 'pipe:1'], { maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`decode failed: ${r.stderr.toString()}`);
  return r.stdout.length / 16000;
}
