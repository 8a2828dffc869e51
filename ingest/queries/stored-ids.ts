import { TABLES } from '../../schemas/tables.ts';
import type { Store } from '../../platform/store/store.ts';

/** Which of `ids`, sent by `source` with `lo ≤ ts ≤ hi` (epoch ms), are already stored. */
export async function storedIds(store: Store, params: { source: string; ids: string[]; lo: number; hi: number }): Promise<Set<string>> {
  const rows = await store.query<{ id: string }>(
    `SELECT id FROM ${TABLES.events}
     WHERE ts >= fromUnixTimestamp64Milli({lo:Int64}) AND ts <= fromUnixTimestamp64Milli({hi:Int64})
       AND source = {source:String} AND id IN {ids:Array(String)}`,
    params,
  );
  return new Set(rows.map((r) => r.id));
}
