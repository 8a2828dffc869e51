import type { Store } from '../../../platform/store/store.ts';
import { TABLES } from '../../../schemas/tables.ts';
import { latestVersionSql, type VersionedRow } from './latest.ts';

export interface QueueRow extends VersionedRow {
  name: string;
  site: string;
  sl_threshold_s: number;
  short_abandon_s: number;
  sl_formula: string;
  sl_flowouts: string;
  /** JSON */
  targets: string;
}

const SQL = latestVersionSql(TABLES.queues, 'id, name, site, sl_threshold_s, short_abandon_s, sl_formula, sl_flowouts, targets, deleted');

/** The current version of every queue. */
export function listQueues(store: Store): Promise<QueueRow[]> {
  return store.query<QueueRow>(SQL);
}
