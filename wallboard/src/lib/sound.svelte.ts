/**
 * Chimes for new help requests and breaches (UX.md 1.5): off until the user turns them on
 * with a click (browsers block audio without a gesture), ≤ 1 s, a distinct tone for each,
 * re-chimed at most every 60 s and 3 times per unacknowledged alert.
 */
const KEY = 'callboard.sound';
const RECHIME_MS = 60_000;
const MAX_CHIMES = 3;

export type ChimeKind = 'help' | 'breach';

export class Sound {
  enabled = $state(false);
  #ctx: AudioContext | null = null;
  #history: Record<string, { count: number; last: number }> = {};

  constructor() {
    try {
      this.enabled = globalThis.localStorage?.getItem(KEY) === 'on';
    } catch {
      this.enabled = false;
    }
  }

  /** Must run inside a click handler: creates/resumes the audio context. */
  toggle(): void {
    this.enabled = !this.enabled;
    try {
      localStorage.setItem(KEY, this.enabled ? 'on' : 'off');
    } catch {
      // not persisted
    }
    if (this.enabled) {
      this.#ctx ??= new AudioContext();
      void this.#ctx.resume();
      this.#play('help');
    }
  }

  /** Chimes for alert `key` unless it chimed < 60 s ago or 3 times already. */
  chime(key: string, kind: ChimeKind): void {
    if (!this.enabled) return;
    const now = Date.now();
    const h = this.#history[key];
    if (h && (h.count >= MAX_CHIMES || now - h.last < RECHIME_MS)) return;
    this.#history[key] = { count: (h?.count ?? 0) + 1, last: now };
    this.#play(kind);
  }

  /** Forgets an alert (acknowledged or back to normal) so a new one chimes again. */
  clear(key: string): void {
    delete this.#history[key];
  }

  #play(kind: ChimeKind): void {
    try {
      this.#ctx ??= new AudioContext();
      const ctx = this.#ctx;
      if (ctx.state === 'suspended') void ctx.resume();
      // help: rising two-note chime; breach: a single lower tone
      const notes = kind === 'help' ? [660, 880] : [440];
      notes.forEach((f, i) => {
        const t0 = ctx.currentTime + i * 0.22;
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'sine';
        osc.frequency.value = f;
        gain.gain.setValueAtTime(0.0001, t0);
        gain.gain.exponentialRampToValueAtTime(0.3, t0 + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.4);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t0);
        osc.stop(t0 + 0.45);
      });
    } catch {
      // no audio device: the visual alert stays
    }
  }
}

export const sound = new Sound();
