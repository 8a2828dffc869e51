/** Agent-state presentation (UX.md 2): icon per state, reason labels, desktop severity order. */
import { t, i18n } from '$ui/i18n.svelte.ts';
import type { AgentState, LiveAgent } from './contract.ts';
import type { IconName } from '$ui/Icon.svelte';

export const STATE_ICON: Record<AgentState, IconName> = {
  logged_out: 'power',
  available: 'check',
  not_ready: 'pause',
  ringing: 'bell',
  on_call: 'phone',
  acw: 'pencil',
};

/** A known not-ready reason in the UI language; an unknown one (the PBX's own code) as sent. */
export function reasonLabel(reason: string): string {
  const key = `reason.${reason}`;
  return i18n.has(key) ? t(key) : reason.replace(/_/g, ' ');
}

const ORDER: Record<AgentState, number> = { ringing: 2, on_call: 3, acw: 4, not_ready: 5, available: 6, logged_out: 7 };

/** Desktop severity (UX.md 3): open help request, then over limit, then ringing, on call, ACW, not ready, available. */
export function severity(a: LiveAgent, help: boolean, overLimit: boolean): number {
  if (help) return 0;
  if (overLimit) return 1;
  return ORDER[a.state];
}
