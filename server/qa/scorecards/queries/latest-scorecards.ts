import type { Store } from '../../../../platform/store/store.ts';
import { TABLES } from '../../../../schemas/tables.ts';

/** A qa_scorecards row as read (UInt64 and DateTime64 arrive as strings or numbers). */
export interface ScorecardRow {
  id: string;
  name: string;
  description: string;
  /** JSON of Section[] */
  sections: string;
  pass_mark: number;
  archived: number | string;
  version: number | string;
  updated_at: number | string;
  updated_by: string;
}

export const SCORECARD_COLUMNS = 'id, name, description, sections, pass_mark, archived, version, toUnixTimestamp64Milli(updated_at) AS updated_at, updated_by';

const LATEST = `SELECT ${SCORECARD_COLUMNS} FROM ${TABLES.qaScorecards} ORDER BY id, version DESC LIMIT 1 BY id`;

/** The current version of every scorecard (archived ones included). */
export function latestScorecards(store: Store): Promise<ScorecardRow[]> {
  return store.query<ScorecardRow>(LATEST);
}
