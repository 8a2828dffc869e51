import type { Store } from '../../../../platform/store/store.ts';
import { TABLES } from '../../../../schemas/tables.ts';

export interface AssignmentRow {
  rule: string;
  week: string;
  agent: string;
  call: string;
  assigned_to: string;
  assigned_at: number | string;
}

const SQL = `
SELECT rule, toString(week) AS week, agent, call, assigned_to, toUnixTimestamp64Milli(assigned_at) AS assigned_at
FROM ${TABLES.qaAssignments} FINAL
WHERE has({rules:Array(String)}, rule)
ORDER BY rule, week, assigned_at, agent, call`;

/**
 * Every assignment of `rules` (all weeks: a call sampled once is never sampled again by the
 * same rule). ReplacingMergeTree(assigned_at) on (rule, week, agent, call): FINAL keeps one row.
 */
export function listAssignments(store: Store, rules: readonly string[]): Promise<AssignmentRow[]> {
  if (rules.length === 0) return Promise.resolve([]);
  return store.query<AssignmentRow>(SQL, { rules });
}
