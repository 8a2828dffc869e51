/**
 * Prints `{"events": n, "distinct_ids": m}` for the events table of a chDB data directory.
 * Run by ingest.bench.ts in its own process after the server stopped: chDB binds one data
 * directory per process, and the bench process keeps its own for the direct-store measure.
 */
import { ChdbStore } from '../../platform/store/chdb-store.ts';
import { TABLES } from '../../schemas/tables.ts';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: count-events.ts <data-dir>');
  process.exit(2);
}
const store = new ChdbStore(dir);
const [row] = await store.query<{ n: string | number; d: string | number }>(`SELECT count() AS n, uniqExact(id) AS d FROM ${TABLES.events}`);
await store.close();
console.log(JSON.stringify({ events: Number(row?.n ?? 0), distinct_ids: Number(row?.d ?? 0) }));
process.exit(0);
