/**
 * Where the live engine reads settings and names: sites (time zone), queues (site, metric
 * settings), agents (display name, team, site). The lead backs it with the settings rows
 * of ClickHouse, cached in memory: every call is synchronous and must be cheap. Anything
 * unknown gets defaults, so events for an id nobody configured still show on the board.
 */
import type { QueueSettings } from '../contact-metrics/settings.ts';

export interface SiteInfo {
  name?: string;
  /** IANA zone; invalid or missing → the engine's default zone */
  timeZone?: string;
}

export interface QueueInfo {
  name?: string;
  site?: string;
  settings?: Partial<QueueSettings>;
}

export interface AgentInfo {
  name?: string;
  team?: string;
  site?: string;
  /** queues served when the login event does not list them */
  queues?: readonly string[];
}

export type DirectoryKind = 'site' | 'queue' | 'agent';

export interface DirectorySource {
  site(id: string): SiteInfo | undefined;
  queue(id: string): QueueInfo | undefined;
  agent(id: string): AgentInfo | undefined;
  /**
   * Optional: told once per engine lifetime when an id first appears in events, so the
   * settings layer can create it with defaults. `site` is the site the event named ('' if none).
   */
  firstSeen?(kind: DirectoryKind, id: string, site: string): void;
}

/** A directory that knows nothing: every id gets defaults. */
export const EMPTY_DIRECTORY: DirectorySource = Object.freeze({
  site: () => undefined,
  queue: () => undefined,
  agent: () => undefined,
});

/** An in-memory directory (tests, small set-ups); mutate its maps, then call `LiveEngine.directoryChanged()`. */
export class StaticDirectory implements DirectorySource {
  readonly sites = new Map<string, SiteInfo>();
  readonly queues = new Map<string, QueueInfo>();
  readonly agents = new Map<string, AgentInfo>();
  /** set to be told of ids first seen in events */
  firstSeen?: (kind: DirectoryKind, id: string, site: string) => void;

  constructor(init?: { sites?: Record<string, SiteInfo>; queues?: Record<string, QueueInfo>; agents?: Record<string, AgentInfo> }) {
    for (const [k, v] of Object.entries(init?.sites ?? {})) this.sites.set(k, v);
    for (const [k, v] of Object.entries(init?.queues ?? {})) this.queues.set(k, v);
    for (const [k, v] of Object.entries(init?.agents ?? {})) this.agents.set(k, v);
  }

  site(id: string): SiteInfo | undefined {
    return this.sites.get(id);
  }

  queue(id: string): QueueInfo | undefined {
    return this.queues.get(id);
  }

  agent(id: string): AgentInfo | undefined {
    return this.agents.get(id);
  }
}
