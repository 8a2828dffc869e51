/** The ffmpeg binary (FFMPEG_PATH, else @ffmpeg-installer/ffmpeg), checked once at start, and a runner. */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

export interface Ffmpeg {
  path: string;
  /** first line of `ffmpeg -version` */
  version: string;
  /** the matroska/webm muxer can reserve room for the cues at the front (`-reserve_index_space`) */
  reserveIndexSpace: boolean;
  /** the matroska/webm muxer writes the cues at the front itself (`-cues_to_front`, ffmpeg ≥ 5.1) */
  cuesToFront: boolean;
  hasLibopus: boolean;
}

export class FfmpegUnavailableError extends Error {}

/** Finds ffmpeg and checks that it runs and has what the pipeline needs; throws FfmpegUnavailableError naming the problem. */
export function resolveFfmpeg(explicitPath?: string): Ffmpeg {
  let path = explicitPath;
  if (!path) {
    try {
      const req = createRequire(import.meta.url);
      path = (req('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    } catch (err) {
      throw new FfmpegUnavailableError(`no ffmpeg: set FFMPEG_PATH or install @ffmpeg-installer/ffmpeg (${(err as Error).message})`);
    }
  }
  const v = spawnSync(path, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 10_000 });
  if (v.error || v.status !== 0) throw new FfmpegUnavailableError(`ffmpeg at ${path} does not run: ${v.error?.message ?? v.stderr.slice(0, 300)}`);
  const version = v.stdout.split('\n')[0] ?? 'ffmpeg';
  const mux = spawnSync(path, ['-hide_banner', '-h', 'muxer=webm'], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '';
  const enc = spawnSync(path, ['-hide_banner', '-encoders'], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '';
  return {
    path,
    version,
    reserveIndexSpace: mux.includes('reserve_index_space'),
    cuesToFront: mux.includes('cues_to_front'),
    hasLibopus: /\blibopus\b/.test(enc),
  };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** the last 8 KB of stderr */
  stderr: string;
}

/** Runs ffmpeg; stdout chunks go to `onStdout` (awaited: the pipe is paused meanwhile); killed after `timeoutMs`. */
export function runFfmpeg(
  ff: Ffmpeg,
  args: readonly string[],
  opts: { timeoutMs: number; onStdout?: (chunk: Buffer) => void },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(ff.path, ['-nostdin', '-hide_banner', ...args], { stdio: ['ignore', opts.onStdout ? 'pipe' : 'ignore', 'pipe'] });
    let stderr = '';
    let failed: Error | null = null;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      stderr += d;
      if (stderr.length > 16_384) stderr = stderr.slice(-8192);
    });
    if (opts.onStdout) {
      const onStdout = opts.onStdout;
      child.stdout!.on('data', (chunk: Buffer) => {
        if (failed) return;
        try {
          onStdout(chunk);
        } catch (err) {
          failed = err as Error;
          child.kill('SIGKILL');
        }
      });
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (failed) return reject(failed);
      resolve({ code, signal, stderr: stderr.slice(-8192) });
    });
  });
}

/** The meaningful lines of ffmpeg's stderr, shortened: what went wrong, in ffmpeg's words. */
export function summariseStderr(stderr: string, max = 300): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(Input #|Output #|Stream #|Duration:|Metadata:|encoder|Stream mapping|Press \[q\]|size=|video:|[a-z_]+\s+:)/.test(l))
    .map((l) => l.replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/, ''));
  const uniq = [...new Set(lines)];
  const text = uniq.slice(-3).join('; ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text || 'ffmpeg failed without a message';
}
