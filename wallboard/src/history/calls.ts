/** The call list's outcomes (the API's `outcome` values) with their icon and tone: text plus icon, never colour alone. */
import type { IconName } from '$ui/Icon.svelte';

/** schemas/reports.ts CallReportRow.outcome (server/reports/calls-report.ts CALL_OUTCOMES) */
export const OUTCOMES = ['answered', 'abandoned', 'flowed_out', 'waiting', 'ivr_abandoned', 'self_service', 'outbound', 'in_progress'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const LOOK: Record<Outcome, { icon: IconName; tone: string }> = {
  answered: { icon: 'check', tone: 'ok' },
  abandoned: { icon: 'warn', tone: 'alert' },
  flowed_out: { icon: 'next', tone: '' },
  waiting: { icon: 'clock', tone: 'warn' },
  ivr_abandoned: { icon: 'warn', tone: 'alert' },
  self_service: { icon: 'keyboard', tone: 'ok' },
  outbound: { icon: 'phone', tone: '' },
  in_progress: { icon: 'clock', tone: '' },
};

export const isOutcome = (o: string): o is Outcome => (OUTCOMES as readonly string[]).includes(o);
export const outcomeIcon = (o: string): IconName => (isOutcome(o) ? LOOK[o].icon : 'flag');
export const outcomeTone = (o: string): string => (isOutcome(o) ? LOOK[o].tone : '');

/** Where an abandoned call gave up (AbandonReport stages) and the wait buckets in order. */
export const STAGES = ['queue', 'ringing', 'ivr'] as const;
export const WAIT_BUCKETS = ['0-10', '10-20', '20-30', '30-60', '60-120', '120-300', '300+', ''] as const;

/** "x–y of total" bounds of a page. */
export function pageBounds(offset: number, shown: number, total: number): { first: number; last: number; total: number } {
  if (shown === 0) return { first: 0, last: 0, total };
  return { first: offset + 1, last: offset + shown, total: Math.max(total, offset + shown) };
}
