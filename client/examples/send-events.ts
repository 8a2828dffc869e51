/**
 * Sends one realistic inbound call and the answering agent's states to callboard over the
 * WebSocket ingest, then prints what the server did with them.
 *
 *   npx tsx client/examples/send-events.ts --url ws://localhost:8080/v1/ingest --key <INGEST_KEY>
 *
 * Options: --start <ISO-8601 or epoch ms> (when the agent logs in; default: 10 minutes ago,
 * to the minute). Event ids are derived from the start, so sending the same start again
 * stores nothing new: the server counts the events as duplicates.
 * Exit code: 0 all stored, 1 events rejected, 2 a batch refused for good or a bad argument.
 */
import { parseArgs } from 'node:util';
import type { CallboardEvent } from '../../schemas/events.ts';
import { IngestClient } from '../ingest-client.ts';

/** Login, one call answered with a hold, after-call work, ready again: the events a PBX sends for it. */
function exampleCall(startMs: number, site = 'berlin'): CallboardEvent[] {
  const call = `example-call-${startMs}`;
  const agent = 'agent-1042';
  const queue = 'support';
  const at = (seconds: number) => startMs + seconds * 1000;
  let n = 0;
  // Ids must be unique per source and stable: a resend of the same event carries the same id.
  const id = () => `${call}-${++n}`;
  return [
    { id: id(), site, type: 'agent.state', ts: at(0), agent, state: 'available', queues: [queue] },
    { id: id(), site, type: 'call.offered', ts: at(60), call, direction: 'inbound', from: '+4930901820', to: '+498001234567' },
    { id: id(), site, type: 'call.ivr', ts: at(62), call, node: 'main-menu', input: '2' },
    { id: id(), site, type: 'call.queued', ts: at(70), call, queue, priority: 0 },
    { id: id(), site, type: 'call.ringing', ts: at(95), call, queue, agent },
    { id: id(), site, type: 'agent.state', ts: at(95), agent, state: 'ringing' },
    { id: id(), site, type: 'call.answered', ts: at(101), call, queue, agent },
    { id: id(), site, type: 'agent.state', ts: at(101), agent, state: 'on_call' },
    { id: id(), site, type: 'call.hold', ts: at(160), call, agent },
    { id: id(), site, type: 'call.unhold', ts: at(205), call, agent },
    { id: id(), site, type: 'call.ended', ts: at(340), call, by: 'caller' },
    { id: id(), site, type: 'agent.state', ts: at(340), agent, state: 'acw' },
    { id: id(), site, type: 'call.wrapup', ts: at(385), call, agent, code: 'resolved' },
    { id: id(), site, type: 'agent.state', ts: at(385), agent, state: 'available' },
  ];
}

function parseStart(value: string | undefined): number {
  if (value === undefined) return Math.floor((Date.now() - 10 * 60_000) / 60_000) * 60_000;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`--start: must be ISO-8601 or epoch milliseconds (got ${JSON.stringify(value)})`);
  return ms;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { url: { type: 'string' }, key: { type: 'string' }, start: { type: 'string' } } });
  if (!values.url || !values.key) throw new Error('usage: send-events.ts --url ws://HOST:PORT/v1/ingest --key INGEST_KEY [--start ISO-8601]');
  const events = exampleCall(parseStart(values.start));

  const client = new IngestClient<CallboardEvent>({
    url: values.url,
    key: values.key,
    onRejected: (rejected) => {
      for (const r of rejected) console.log(`rejected ${r.id} (${r.code}): ${r.error}`);
    },
    onFailure: (f) => console.log(`batch ${f.batch} refused for good (${f.code}): ${f.error}; ${f.events.length} events not stored`),
    onRetry: (r) => console.log(`server busy (${r.code}): resending in ${r.delayMs} ms`),
  });
  await client.send(events);
  const stats = await client.close();
  console.log(`sent ${events.length} events: accepted ${stats.accepted}, duplicates ${stats.duplicates}, conflicts ${stats.conflicts}, rejected ${stats.rejected}, failed ${stats.failed}`);
  if (stats.failed > 0) return 2;
  return stats.rejected > 0 ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
  },
);
