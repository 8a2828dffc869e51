/**
 * The directory (sites, queues, teams, agents) for names, filters and pickers. Loaded once
 * per page and refreshed after edits; a display token has no access to it, so every name
 * falls back to the live data's names and then the id.
 */
import { get } from '$ui/api.ts';
import type { AgentRow, QueueRow, SiteRow, TeamRow } from './contract.ts';

function list<T>(r: unknown, key: string): T[] {
  if (Array.isArray(r)) return r as T[];
  const v = (r as Record<string, unknown> | null)?.[key];
  return Array.isArray(v) ? (v as T[]) : [];
}

export class Directory {
  sites = $state.raw<SiteRow[]>([]);
  queues = $state.raw<QueueRow[]>([]);
  teams = $state.raw<TeamRow[]>([]);
  agents = $state.raw<AgentRow[]>([]);
  loaded = $state(false);
  #loading: Promise<void> | null = null;

  load(force = false): Promise<void> {
    if (this.#loading && !force) return this.#loading;
    this.#loading = (async () => {
      const [s, q, t, a] = await Promise.allSettled([get('/v1/sites'), get('/v1/queues'), get('/v1/teams'), get('/v1/agents')]);
      if (s.status === 'fulfilled') this.sites = list<SiteRow>(s.value, 'sites');
      if (q.status === 'fulfilled') this.queues = list<QueueRow>(q.value, 'queues');
      if (t.status === 'fulfilled') this.teams = list<TeamRow>(t.value, 'teams');
      if (a.status === 'fulfilled') this.agents = list<AgentRow>(a.value, 'agents');
      this.loaded = true;
    })();
    return this.#loading;
  }

  siteName(id: string): string {
    return this.sites.find((s) => s.id === id)?.name || id;
  }
  queueName(id: string): string {
    return this.queues.find((q) => q.id === id)?.name || id;
  }
  teamName(id: string): string {
    return this.teams.find((t) => t.id === id)?.name || id;
  }
  siteZone(id: string): string | undefined {
    return this.sites.find((s) => s.id === id)?.time_zone;
  }
}

export const directory = new Directory();
