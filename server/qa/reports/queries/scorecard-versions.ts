import type { Store } from '../../../../platform/store/store.ts';
import { TABLES } from '../../../../schemas/tables.ts';

export interface ScorecardVersionRow {
  id: string;
  version: number | string;
  sections: string;
}

const SQL = `
SELECT id, version, sections
FROM ${TABLES.qaScorecards}
WHERE has({ids:Array(String)}, id)`;

/** Every version of the given scorecards (evaluations keep the version they were scored on). */
export function scorecardVersions(store: Store, ids: readonly string[]): Promise<ScorecardVersionRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return store.query<ScorecardVersionRow>(SQL, { ids: [...new Set(ids)] });
}
