import type { Store } from '../../../platform/store/store.ts';
import { TABLES } from '../../../schemas/tables.ts';

/** Who handled a call, for QA: the agent an evaluation is about and whose own-scope may see it. */
export interface CallAgents {
  call: string;
  /** every agent who answered a leg of the call, in answer order */
  agents: string[];
  /** the last agent who answered (the one a QA evaluation is about by default); '' if never answered */
  agent: string;
  /** the queue of that answer ('' if none) */
  queue: string;
  /** the call's first event (epoch ms) */
  started_at: number;
}

const SQL = `
SELECT call,
       arrayMap(x -> x.2, arraySort(x -> x.1, groupArrayIf((toUnixTimestamp64Milli(ts), agent), type = 'call.answered'))) AS agents,
       argMaxIf(queue, ts, type = 'call.answered') AS queue,
       toUnixTimestamp64Milli(min(ts)) AS started_at
FROM ${TABLES.events}
WHERE call IN {calls:Array(String)}
GROUP BY call`;

/** The agents of each of `calls` that has events (others are absent from the map). */
export async function callAgents(store: Store, calls: readonly string[]): Promise<Map<string, CallAgents>> {
  const out = new Map<string, CallAgents>();
  if (calls.length === 0) return out;
  const rows = await store.query<{ call: string; agents: string[]; queue: string; started_at: number | string }>(SQL, { calls: [...new Set(calls)] });
  for (const r of rows) {
    const agents = r.agents.filter((a, i) => a !== '' && r.agents.indexOf(a) === i);
    out.set(r.call, { call: r.call, agents, agent: r.agents.filter((a) => a !== '').at(-1) ?? '', queue: r.queue, started_at: Number(r.started_at) });
  }
  return out;
}
