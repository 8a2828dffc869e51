/**
 * Views: what one board (or filter) shows, and the JSON frames of the push protocol. A view
 * is a filter `{sites, queues, teams}` (empty = all); each distinct view is one uWS topic
 * (`center`, `site:<id>`, `queue:<id>`, `team:<id>`, else `view:<filter>`), so a delta is
 * built once per topic per flush and fanned out by `publish`.
 *
 * Membership: a queue is in a view when its site and id pass the filter; an agent when its
 * site, team and queues (any of them, or its current call's queue) pass; sites are the
 * filter's sites (else the sites of the queues shown); teams the filter's teams
 * (else the teams of the agents shown); `center` is always the whole center; help requests
 * follow their agent.
 */
import type { HelpRequest, LiveAgent, LiveQueue, LiveSite, LiveSnapshot, LiveTeam } from '../live/index.ts';

export interface ViewFilter {
  sites: string[];
  queues: string[];
  teams: string[];
}

const norm = (xs: readonly unknown[] | undefined): string[] =>
  [...new Set((xs ?? []).filter((x): x is string => typeof x === 'string' && x !== ''))].sort();

/** A filter with sorted, unique, non-empty ids. */
export function normalizeFilter(f: { sites?: readonly unknown[]; queues?: readonly unknown[]; teams?: readonly unknown[] } | undefined): ViewFilter {
  return { sites: norm(f?.sites), queues: norm(f?.queues), teams: norm(f?.teams) };
}

/** The uWS topic of a view. */
export function topicOf(f: ViewFilter): string {
  const n = f.sites.length + f.queues.length + f.teams.length;
  if (n === 0) return 'center';
  if (n === 1) {
    if (f.sites.length === 1) return `site:${f.sites[0]}`;
    if (f.queues.length === 1) return `queue:${f.queues[0]}`;
    return `team:${f.teams[0]}`;
  }
  return `view:${JSON.stringify([f.sites, f.queues, f.teams])}`;
}

export const isAll = (f: ViewFilter): boolean => f.sites.length + f.queues.length + f.teams.length === 0;

export function queueInView(f: ViewFilter, q: Pick<LiveQueue, 'queue' | 'site'>): boolean {
  return (f.sites.length === 0 || f.sites.includes(q.site)) && (f.queues.length === 0 || f.queues.includes(q.queue));
}

export function agentInView(f: ViewFilter, a: Pick<LiveAgent, 'site' | 'team' | 'queues' | 'queue'>): boolean {
  if (f.sites.length > 0 && !f.sites.includes(a.site)) return false;
  if (f.teams.length > 0 && (a.team === null || !f.teams.includes(a.team))) return false;
  if (f.queues.length > 0 && !a.queues.some((q) => f.queues.includes(q)) && !(a.queue !== null && f.queues.includes(a.queue))) return false;
  return true;
}

/** The part of an engine snapshot a view shows (`help` with `acked_by` overlaid). */
export function filterSnapshot(s: LiveSnapshot, f: ViewFilter, ackedBy: (id: string) => string | undefined): LiveSnapshot {
  const queues = isAll(f) ? s.queues : s.queues.filter((q) => queueInView(f, q));
  const agents = isAll(f) ? s.agents : s.agents.filter((a) => agentInView(f, a));
  let sites: LiveSite[] = s.sites;
  let teams: LiveTeam[] = s.teams;
  let help: HelpRequest[] = s.help;
  if (!isAll(f)) {
    // The sites of the queues shown (agents of a queue may sit anywhere: their sites are not pulled in).
    const siteIds = new Set(f.sites.length > 0 ? f.sites : queues.map((q) => q.site));
    sites = s.sites.filter((x) => siteIds.has(x.site));
    const teamIds = new Set(f.teams.length > 0 ? f.teams : agents.map((a) => a.team).filter((t): t is string => t !== null));
    teams = s.teams.filter((t) => teamIds.has(t.team));
    const agentIds = new Set(agents.map((a) => a.agent));
    help = s.help.filter((h) => agentIds.has(h.agent));
  }
  return { ...s, queues, agents, sites, teams, help: withAcks(help, ackedBy) };
}

export function withAcks(help: readonly HelpRequest[], ackedBy: (id: string) => string | undefined): HelpRequest[] {
  return help.map((h) => {
    const by = ackedBy(h.id);
    return by === undefined ? h : { ...h, acked_by: by };
  });
}
