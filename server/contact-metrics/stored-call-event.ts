/** Call events read back from the store, projected to what `deriveCall` reads (history charts, the history deriver). */
import type { EventType } from '../../schemas/events.ts';
import type { CallEvent } from './call-facts.ts';

/** The SELECT list of a query over `events` whose rows are `StoredCallEventRow`s. */
export const STORED_CALL_EVENT_COLUMNS = `id, type, toUnixTimestamp64Milli(ts) AS t, site, call, agent, queue,
       JSONExtractString(payload, 'to_queue') AS to_queue,
       JSONExtractString(payload, 'to_agent') AS to_agent,
       JSONExtractString(payload, 'stage') AS stage,
       JSONExtractString(payload, 'by') AS by,
       JSONExtractString(payload, 'direction') AS direction,
       JSONExtractString(payload, 'code') AS code,
       JSONExtractInt(payload, 'score') AS score,
       JSONExtractString(payload, 'resolved') AS resolved,
       JSONExtractString(payload, 'from') AS from_number,
       JSONExtractString(payload, 'to') AS to_number,
       JSONExtractString(payload, 'node') AS node`;

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
  direction: string;
  code: string;
  /** 0 when absent */
  score: number | string;
  /** 'true' | 'false' | '' */
  resolved: string;
  from_number: string;
  to_number: string;
  /** IVR node of call.ivr */
  node: string;
}

export function callEventFromRow(r: StoredCallEventRow): CallEvent {
  const e: CallEvent = { id: r.id, type: r.type as EventType, ts: Number(r.t), site: r.site, call: r.call, agent: r.agent, queue: r.queue };
  if (r.to_queue !== '') e.toQueue = r.to_queue;
  if (r.to_agent !== '') e.toAgent = r.to_agent;
  if (r.stage === 'ivr' || r.stage === 'queue' || r.stage === 'ringing') e.stage = r.stage;
  if (r.by === 'caller' || r.by === 'agent' || r.by === 'system') e.by = r.by;
  if (r.direction === 'inbound' || r.direction === 'outbound') e.direction = r.direction;
  if (r.code !== '') e.code = r.code;
  if (r.type === 'call.survey') {
    e.score = Number(r.score);
    if (r.resolved === 'true' || r.resolved === 'false') e.resolved = r.resolved === 'true';
  }
  return e;
}
