import { TABLES } from '../../schemas/tables.ts';
import type { Store } from '../../platform/store/store.ts';

/**
 * Which of `ids`, sent by `source` with `lo ≤ ts ≤ hi` (epoch ms), are already stored, with the
 * payload stored for each (the first one, should an id be stored twice).
 */
export async function storedIds(store: Store, params: { source: string; ids: string[]; lo: number; hi: number }): Promise<Map<string, string>> {
  const rows = await store.query<{ id: string; payload: string }>(
    `SELECT id, any(payload) AS payload FROM ${TABLES.events}
     WHERE ts >= fromUnixTimestamp64Milli({lo:Int64}) AND ts <= fromUnixTimestamp64Milli({hi:Int64})
       AND source = {source:String} AND id IN {ids:Array(String)}
     GROUP BY id`,
    params,
  );
  return new Map(rows.map((r) => [r.id, r.payload]));
}
