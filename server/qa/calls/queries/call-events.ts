import type { Store } from '../../../../platform/store/store.ts';
import { TABLES } from '../../../../schemas/tables.ts';

export interface CallEventRow {
  id: string;
  type: string;
  t: number | string;
  agent: string;
  queue: string;
  payload: string;
}

const SQL = `
SELECT id, type, toUnixTimestamp64Milli(ts) AS t, agent, queue, payload
FROM ${TABLES.events}
WHERE call = {call:String}
ORDER BY ts, id`;

/** Every stored event of one call, in time order. */
export function callEvents(store: Store, call: string): Promise<CallEventRow[]> {
  return store.query<CallEventRow>(SQL, { call });
}
