/**
 * Which part of the live data a widget shows: its own scope (a queue, site or team) when it
 * has one, otherwise the center narrowed by the viewer's filter (one site, queue or team).
 * Every figure comes whole from the server (a queue's, a site's, the center's): the app
 * never recomputes a rate from parts.
 */
import type { LiveAgent, LiveQueue, Scope } from './contract.ts';
import type { LiveStore } from './live.svelte.ts';
import type { Subject } from './metrics.ts';

export interface ViewFilter {
  site: string | null;
  queue: string | null;
  team: string | null;
}

export const NO_FILTER: ViewFilter = { site: null, queue: null, team: null };

export function subjectOf(live: LiveStore, scope: Scope | undefined, filter: ViewFilter, agentMetric: boolean): Subject {
  const s = scope ?? {};
  const queueId = s.queue ?? (!s.site && !s.team ? filter.queue : null);
  if (queueId) {
    const q = live.queues.find((x) => x.queue === queueId);
    return q ? { kind: 'group', group: q } : { kind: 'missing' };
  }
  const teamId = s.team ?? (!s.site && agentMetric ? filter.team : null);
  if (teamId) {
    const t = live.teams.find((x) => x.team === teamId);
    return t ? { kind: 'team', team: t } : { kind: 'missing' };
  }
  const siteId = s.site ?? filter.site;
  if (siteId) {
    const site = live.sites.find((x) => x.site === siteId);
    return site ? { kind: 'group', group: site, callerView: site.caller_view } : { kind: 'missing' };
  }
  return live.center ? { kind: 'group', group: live.center, callerView: live.center.caller_view } : { kind: 'missing' };
}

export function filterQueues(queues: readonly LiveQueue[], f: ViewFilter): LiveQueue[] {
  return queues.filter((q) => (!f.site || q.site === f.site) && (!f.queue || q.queue === f.queue));
}

export function filterAgents(agents: readonly LiveAgent[], f: ViewFilter): LiveAgent[] {
  return agents.filter(
    (a) =>
      (!f.site || a.site === f.site) &&
      (!f.team || a.team === f.team) &&
      (!f.queue || a.queue === f.queue || (a.queues ?? []).includes(f.queue)),
  );
}

/** The time zone "today" is counted in for a filter: the chosen site's, or the only site's. */
export function zoneFor(live: LiveStore, f: ViewFilter): string | undefined {
  const site = f.site ?? (f.queue ? live.queues.find((q) => q.queue === f.queue)?.site : null);
  if (site) return live.sites.find((s) => s.site === site)?.time_zone;
  return live.sites.length === 1 ? live.sites[0]?.time_zone : undefined;
}

const AGENT_METRICS = new Set(['agents_available', 'agents_on_call', 'agents_not_ready', 'agents_acw']);
export const isAgentMetric = (m: string) => AGENT_METRICS.has(m);
