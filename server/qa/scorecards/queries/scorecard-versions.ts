import type { Store } from '../../../../platform/store/store.ts';
import { TABLES } from '../../../../schemas/tables.ts';
import { SCORECARD_COLUMNS, type ScorecardRow } from './latest-scorecards.ts';

const VERSIONS = `SELECT ${SCORECARD_COLUMNS} FROM ${TABLES.qaScorecards} WHERE id IN {ids:Array(String)} ORDER BY id, version`;

/** Every version of the scorecards `ids`, oldest first. */
export function scorecardVersions(store: Store, ids: readonly string[]): Promise<ScorecardRow[]> {
  return store.query<ScorecardRow>(VERSIONS, { ids: [...ids] });
}
