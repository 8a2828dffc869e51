import type { Store } from '../../../platform/store/store.ts';
import { TABLES } from '../../../schemas/tables.ts';

export interface HelpAckRow {
  help_id: string;
  acked_by: string;
  /** epoch ms */
  at: number | string;
}

const SQL = `
SELECT help_id, acked_by, toUnixTimestamp64Milli(at) AS at
FROM ${TABLES.helpAcks}
WHERE at >= fromUnixTimestamp64Milli({since:Int64})
ORDER BY help_id, at
LIMIT 1 BY help_id`;

/** The first acknowledgement of each help request acknowledged since `sinceMs`. */
export function recentHelpAcks(store: Store, sinceMs: number): Promise<HelpAckRow[]> {
  return store.query<HelpAckRow>(SQL, { since: sinceMs });
}
