import type { Store } from '../../../platform/store/store.ts';
import { TABLES } from '../../../schemas/tables.ts';
import { latestVersionSql, type VersionedRow } from './latest.ts';

export interface TeamRow extends VersionedRow {
  name: string;
  site: string;
}

const SQL = latestVersionSql(TABLES.teams, 'id, name, site, deleted');

/** The current version of every team (deleted ones included: the caller drops them). */
export function listTeams(store: Store): Promise<TeamRow[]> {
  return store.query<TeamRow>(SQL);
}
