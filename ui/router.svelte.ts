/**
 * A hash router (`#/path?query`): routes survive reloads, need no server routes, and the
 * landing URLs of the contract (`/wallboard/#/settings`) work as they are.
 */

import { parseHash, queryString } from './url.ts';

export interface Location {
  path: string;
  query: URLSearchParams;
}

const parse = (hash: string): Location => parseHash(hash);

export class Router {
  current = $state<Location>(parse(globalThis.location?.hash ?? ''));

  constructor() {
    globalThis.addEventListener?.('hashchange', () => {
      this.current = parse(location.hash);
    });
  }

  get path(): string {
    return this.current.path;
  }

  /** Path segments (`/boards/x/edit` → ['boards', 'x', 'edit']), decoded. */
  get segments(): string[] {
    return this.current.path.split('/').filter(Boolean).map(decodeURIComponent);
  }

  href(path: string, query?: Record<string, string | null | undefined>): string {
    return '#' + path + queryString(query ?? {});
  }

  go(path: string, query?: Record<string, string | null | undefined>, replace = false): void {
    const url = this.href(path, query);
    if (replace) history.replaceState(history.state, '', url);
    else history.pushState(history.state, '', url);
    this.current = parse(url);
  }

  /** Changes the query of the current route in place (filters), without a history entry. */
  setQuery(query: Record<string, string | null | undefined>): void {
    this.go(this.current.path, { ...Object.fromEntries(this.current.query), ...query }, true);
  }
}

export const router = new Router();
