/**
 * One report request at a time: the report and (when comparing) the previous period's, fetched
 * together; a newer request aborts the older one. The last result stays while the next one
 * runs (the view dims it under a progress bar); a refused query keeps the server's message.
 */
import { ApiError, get } from '$ui/api.ts';

export class ReportLoader<T> {
  data = $state.raw<T | null>(null);
  previous = $state.raw<T | null>(null);
  loading = $state(false);
  /** when the running request started, epoch ms */
  startedAt = $state(0);
  error = $state<string | null>(null);
  /** the URL of the data shown */
  url = $state('');
  #ctl: AbortController | null = null;

  async run(url: string, previousUrl: string | null): Promise<void> {
    this.#ctl?.abort();
    const ctl = (this.#ctl = new AbortController());
    this.loading = true;
    this.startedAt = Date.now();
    try {
      const [cur, prev] = await Promise.all([get<T>(url, { signal: ctl.signal }), previousUrl ? get<T>(previousUrl, { signal: ctl.signal }) : Promise.resolve(null)]);
      if (ctl.signal.aborted) return;
      this.data = cur;
      this.previous = prev;
      this.url = url;
      this.error = null;
    } catch (err) {
      if (ctl.signal.aborted || (err as Error).name === 'AbortError') return;
      this.error = err instanceof ApiError ? err.message : String(err);
    } finally {
      if (this.#ctl === ctl) {
        this.loading = false;
        this.#ctl = null;
      }
    }
  }

  abort(): void {
    this.#ctl?.abort();
    this.#ctl = null;
    this.loading = false;
  }
}
