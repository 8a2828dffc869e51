/** Call events read back from the store, projected to what `deriveCall` reads (history charts, the history deriver). */
import type { EventType } from '../../schemas/events.ts';
import type { CallEvent } from './call-facts.ts';

/** The SELECT list of a query over `events` whose rows are `StoredCallEventRow`s. */
export const STORED_CALL_EVENT_COLUMNS = `id, type, toUnixTimestamp64Milli(ts) AS t, site, call, agent, queue,
       JSONExtractString(payload, 'to_queue') AS to_queue,
       JSONExtractString(payload, 'to_agent') AS to_agent,
       JSONExtractString(payload, 'stage') AS stage,
       JSONExtractString(payload, 'by') AS by`;

export interface StoredCallEventRow {
  id: string;
  type: string;
  /** epoch ms (Int64: a string in JSONEachRow) */
  t: number | string;
  site: string;
  call: string;
  agent: string;
  queue: string;
  to_queue: string;
  to_agent: string;
  stage: string;
  by: string;
}

export function callEventFromRow(r: StoredCallEventRow): CallEvent {
  const e: CallEvent = { id: r.id, type: r.type as EventType, ts: Number(r.t), site: r.site, call: r.call, agent: r.agent, queue: r.queue };
  if (r.to_queue !== '') e.toQueue = r.to_queue;
  if (r.to_agent !== '') e.toAgent = r.to_agent;
  if (r.stage === 'ivr' || r.stage === 'queue' || r.stage === 'ringing') e.stage = r.stage;
  if (r.by === 'caller' || r.by === 'agent' || r.by === 'system') e.by = r.by;
  return e;
}
