/**
 * The player's state: position, playing, speed and mute, over one wavesurfer.js instance.
 * Speed is remembered per user (localStorage) and applied with pitch preserved
 * (`setPlaybackRate(rate, true)`, UX.md §4).
 */
import type WaveSurfer from 'wavesurfer.js';

/** 0.5–2× (the issue); UX.md's steps plus half speed for hard-to-follow passages. */
export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2] as const;

const rateKey = (user: string) => `callboard.qa.rate.${user}`;

export class PlayerState {
  time = $state(0);
  duration = $state(0);
  playing = $state(false);
  muted = $state(false);
  rate = $state(1);
  /** the waveform is drawn */
  drawn = $state(false);
  /** a wavesurfer instance is attached */
  ready = $state(false);
  #ws: WaveSurfer | null = null;
  #user = '';

  constructor(user: string) {
    this.#user = user;
    try {
      const r = Number(localStorage.getItem(rateKey(user)));
      if ((SPEEDS as readonly number[]).includes(r)) this.rate = r;
    } catch {
      // no storage: 1×
    }
  }

  attach(ws: WaveSurfer, duration: number): void {
    this.#ws = ws;
    this.ready = true;
    this.duration = duration;
    ws.on('timeupdate', (t) => (this.time = t));
    ws.on('play', () => (this.playing = true));
    ws.on('pause', () => (this.playing = false));
    ws.on('finish', () => (this.playing = false));
    ws.setPlaybackRate(this.rate, true);
    ws.setMuted(this.muted);
  }

  detach(): void {
    this.#ws = null;
    this.ready = false;
    this.playing = false;
    this.drawn = false;
  }

  toggle(): void {
    void this.#ws?.playPause().catch(() => undefined);
  }

  seek(seconds: number): void {
    if (!this.#ws || !this.duration) return;
    const s = Math.min(this.duration, Math.max(0, seconds));
    this.#ws.setTime(s);
    this.time = s;
  }

  skip(delta: number): void {
    this.seek(this.time + delta);
  }

  seekFraction(f: number): void {
    this.seek(f * this.duration);
  }

  setRate(r: number): void {
    this.rate = r;
    this.#ws?.setPlaybackRate(r, true);
    try {
      localStorage.setItem(rateKey(this.#user), String(r));
    } catch {
      // remembered for this page only
    }
  }

  stepRate(dir: 1 | -1): void {
    const i = SPEEDS.indexOf(this.rate as (typeof SPEEDS)[number]);
    const next = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, (i < 0 ? SPEEDS.indexOf(1) : i) + dir))]!;
    this.setRate(next);
  }

  toggleMute(): void {
    this.muted = !this.muted;
    this.#ws?.setMuted(this.muted);
  }
}
