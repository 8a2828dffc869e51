/**
 * Turns agents' weekly shifts into dated sign-ins, breaks and sign-outs, one
 * planning window at a time, so open-ended runs repeat the week for ever.
 */
import type { Rng } from './rng.ts';
import type { AgentSpec } from './scenario.ts';
import { Zone } from '../time.ts';

export const ShiftAction = { login: 0, logout: 1, break: 2 } as const;

export interface PlannedAction {
  at: number;
  action: (typeof ShiftAction)[keyof typeof ShiftAction];
  /** index into the shift's breaks for a break */
  breakIndex: number;
}

/**
 * Actions of shifts that start in [from, to). With `catchUp`, a shift already
 * running at `from` is joined: sign-in at `from`, and its remaining breaks.
 * No shift starts on one of the agent's site's holidays. Every returned time is at least `from`.
 */
export function planShifts(agent: AgentSpec, zone: Zone, from: number, to: number, rng: Rng, catchUp: boolean): PlannedAction[] {
  const shift = agent.shift;
  if (!shift) return [];
  const out: PlannedAction[] = [];
  const jitter = (): number => (shift.jitterMin > 0 ? (rng.next() * 2 - 1) * shift.jitterMin * 60_000 : 0);
  const firstDay = zone.dayNumber(from) - 1;
  const lastDay = zone.dayNumber(to) + 1;
  for (let day = firstDay; day <= lastDay; day++) {
    if (!shift.days.has(Zone.weekday(day)) || agent.holidays.has(day)) continue;
    const start = zone.instant(day, shift.start);
    const endDay = shift.end <= shift.start ? day + 1 : day;
    const end = zone.instant(endDay, shift.end);
    const starts = start >= from && start < to;
    const running = catchUp && start < from && end > from;
    if (!starts && !running) continue;
    const login = starts ? Math.max(from, start + jitter()) : from;
    const logout = Math.max(login + 60_000, end + jitter());
    out.push({ at: login, action: ShiftAction.login, breakIndex: -1 });
    shift.breaks.forEach((b, i) => {
      const bDay = b.at < shift.start ? day + 1 : day;
      // Staggered: agent k of a group of n takes it k/n of the way through the spread.
      const at = zone.instant(bDay, b.at) + b.spreadMin * 60_000 * agent.slot + jitter();
      if (at > login && at < logout) out.push({ at, action: ShiftAction.break, breakIndex: i });
    });
    out.push({ at: logout, action: ShiftAction.logout, breakIndex: -1 });
  }
  return out;
}
