import type { Store } from '../../../platform/store/store.ts';
import { TABLES } from '../../../schemas/tables.ts';

/** The latest version of every display token (revoked ones included, for the list). */
export interface DisplayTokenRow {
  token_hash: string;
  id: string;
  name: string;
  boards: string[];
  revoked: number | string;
  version: number | string;
  /** epoch ms */
  created_at: number | string;
  created_by: string;
}

const SQL = `
SELECT token_hash, id, name, boards, revoked, version, toUnixTimestamp64Milli(created_at) AS created_at, created_by
FROM ${TABLES.displayTokens}
ORDER BY token_hash, version DESC
LIMIT 1 BY token_hash`;

export function listDisplayTokens(store: Store): Promise<DisplayTokenRow[]> {
  return store.query<DisplayTokenRow>(SQL);
}
