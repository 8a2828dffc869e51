/** Human names for scopes and queues, from the live data (which carries names) then the directory. */
import { t } from '$ui/i18n.svelte.ts';
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

/**
 * The first-run board is created by the server with English names ("Center", and the pages
 * "Queues", "Agents", "Trends"); while a supervisor has not renamed them, they are shown in
 * the UI's language. Any other name is the supervisor's own text and is shown as written.
 */
const DEFAULT_BOARD_NAMES: Record<string, 'board.default.center' | 'board.default.queues' | 'board.default.agents' | 'board.default.trends'> = {
  Center: 'board.default.center',
  Queues: 'board.default.queues',
  Agents: 'board.default.agents',
  Trends: 'board.default.trends',
};
export function boardText(text: string): string {
  const key = DEFAULT_BOARD_NAMES[text];
  return key ? t(key) : text;
}

/** "Billing", "Berlin" … for a widget's own scope; empty for the center. */
export function scopeLabel(scope: Scope | undefined, live: LiveStore): string {
  if (!scope) return '';
  if (scope.queue) return queueName(live, scope.queue);
  if (scope.site) return siteName(live, scope.site);
  if (scope.team) return teamName(scope.team);
  return '';
}
