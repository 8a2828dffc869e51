import type { Store } from '../../../platform/store/store.ts';
import { TABLES } from '../../../schemas/tables.ts';
import { latestVersionSql, type VersionedRow } from './latest.ts';

export interface BoardRow extends VersionedRow {
  name: string;
  /** JSON: filter, rotate_s, pages, ticker */
  layout: string;
}

const SQL = latestVersionSql(TABLES.boards, 'id, name, layout, deleted');

/** The current version of every board (deleted ones included: the caller drops them). */
export function listBoards(store: Store): Promise<BoardRow[]> {
  return store.query<BoardRow>(SQL);
}
