/**
 * The server's clock as the page sees it: every timer (time in state, longest wait) ticks
 * from the server's `since`, corrected by the offset between the server's `now` and ours.
 */
export class ServerClock {
  /** server time − local time, ms */
  offset = $state(0);
  /** server time now, updated every second while anyone reads it */
  now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | null = null;
  #frozenAt: number | null = null;

  /** Takes the server's `now` from a frame; latency makes it at most a few ms early. */
  sync(serverNow: number): void {
    if (!Number.isFinite(serverNow)) return;
    this.offset = serverNow - Date.now();
    if (this.#frozenAt === null) this.now = serverNow;
  }

  /** Starts the once-a-second tick (aligned to the second so all timers change together). */
  start(): void {
    if (this.#timer) return;
    const tick = () => {
      if (this.#frozenAt === null) this.now = Date.now() + this.offset;
    };
    tick();
    setTimeout(() => {
      tick();
      this.#timer = setInterval(tick, 1000);
    }, 1000 - (Date.now() % 1000));
  }

  /** Stops timers at an instant (data delayed past 60 s: frozen timers, UX.md 1.6). */
  freeze(at: number | null): void {
    this.#frozenAt = at;
    if (at !== null) this.now = at;
    else this.now = Date.now() + this.offset;
  }

  get frozen(): boolean {
    return this.#frozenAt !== null;
  }
}

export const clock = new ServerClock();
