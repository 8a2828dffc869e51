import type { Store } from '../../../platform/store/store.ts';
import { TABLES } from '../../../schemas/tables.ts';

export interface SiteFromEventsRow {
  id: string;
  first_site: string;
}

// (not aliased `site`: ClickHouse would read the alias in WHERE.) `queue` and `agent` are columns of `events` (the event's queue, or its from_queue; its agent).
const sql = (column: 'queue' | 'agent') => `
SELECT ${column} AS id, argMin(site, ts) AS first_site
FROM ${TABLES.events}
WHERE ts >= fromUnixTimestamp64Milli({since:Int64}) AND ${column} IN {ids:Array(String)} AND site != ''
GROUP BY ${column}`;
const QUEUE_SQL = sql('queue');
const AGENT_SQL = sql('agent');

/**
 * The site of the first event since `sinceMs` that names each of these queues (or agents)
 * with a site: for ids first seen in an event that named no site.
 */
export function sitesFromEvents(store: Store, kind: 'queue' | 'agent', ids: readonly string[], sinceMs: number): Promise<SiteFromEventsRow[]> {
  return store.query<SiteFromEventsRow>(kind === 'queue' ? QUEUE_SQL : AGENT_SQL, { ids, since: sinceMs });
}
