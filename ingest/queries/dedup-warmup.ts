import { TABLES } from '../../schemas/tables.ts';
import type { Store } from '../../platform/store/store.ts';

export interface NewestStoredRow {
  n: number | string;
  newest: number | string;
}

/** How many events are stored with `ts` up to `ceiling` (epoch ms), and the newest such `ts`. */
export async function newestStored(store: Store, params: { ceiling: number }): Promise<{ count: number; newest: number }> {
  const [row] = await store.query<NewestStoredRow>(
    `SELECT count() AS n, toUnixTimestamp64Milli(max(ts)) AS newest FROM ${TABLES.events}
     WHERE ts <= fromUnixTimestamp64Milli({ceiling:Int64})`,
    params,
  );
  return { count: Number(row?.n ?? 0), newest: Number(row?.newest ?? 0) };
}

export interface StoredIdRow {
  id: string;
  source: string;
  t: number | string;
  /** CRC32 of the payload's UTF-8 (UInt32): the writer's contentHash, as unsigned */
  hash: number | string;
}

/** The (source, id, ts, payload hash) of stored events with `from ≤ ts ≤ ceiling`, newest first, at most `cap`. */
export function storedIdsInWindow(store: Store, params: { from: number; ceiling: number; cap: number }): Promise<StoredIdRow[]> {
  return store.query<StoredIdRow>(
    `SELECT id, source, toUnixTimestamp64Milli(ts) AS t, CRC32(payload) AS hash FROM ${TABLES.events}
     WHERE ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts <= fromUnixTimestamp64Milli({ceiling:Int64})
     ORDER BY ts DESC LIMIT {cap:UInt64}`,
    params,
  );
}
