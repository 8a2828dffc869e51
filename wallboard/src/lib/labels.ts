/** Human names for scopes and queues, from the live data (which carries names) then the directory. */
import type { Scope } from './contract.ts';
import { directory } from './directory.svelte.ts';
import type { LiveStore } from './live.svelte.ts';

export function queueName(live: LiveStore, id: string): string {
  return live.queues.find((q) => q.queue === id)?.name || directory.queueName(id);
}
export function siteName(live: LiveStore, id: string): string {
  return live.sites.find((s) => s.site === id)?.name || directory.siteName(id);
}
export function teamName(id: string): string {
  return directory.teamName(id);
}
export function agentName(live: LiveStore, id: string): string {
  return live.agents.find((a) => a.agent === id)?.name || directory.agents.find((a) => a.id === id)?.name || id;
}

/** "Billing", "Berlin" … for a widget's own scope; empty for the center. */
export function scopeLabel(scope: Scope | undefined, live: LiveStore): string {
  if (!scope) return '';
  if (scope.queue) return queueName(live, scope.queue);
  if (scope.site) return siteName(live, scope.site);
  if (scope.team) return teamName(scope.team);
  return '';
}
