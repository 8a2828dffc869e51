import type { Store } from '../../../platform/store/store.ts';
import { TABLES } from '../../../schemas/tables.ts';
import { latestVersionSql, type VersionedRow } from './latest.ts';

export interface SiteRow extends VersionedRow {
  name: string;
  time_zone: string;
}

const SQL = latestVersionSql(TABLES.sites, 'id, name, time_zone, deleted');

/** The current version of every site (deleted ones included: the caller drops them). */
export function listSites(store: Store): Promise<SiteRow[]> {
  return store.query<SiteRow>(SQL);
}
