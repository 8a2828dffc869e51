/**
 * Parses one line of an Asterisk app_queue `queue_log` file:
 * `epoch|callid|queue|agent|EVENT|data1|data2|…` (Asterisk main/logger.c `ast_queue_log`;
 * the data fields of each event per the Asterisk "Queue Logs" page and apps/app_queue.c).
 * Pure; never throws: a line that cannot be read is `{ ok: false, reason }`.
 */

/** Events this adapter maps to contract events. */
export const MAPPED_EVENTS = [
  'ENTERQUEUE',
  'CONNECT',
  'COMPLETEAGENT',
  'COMPLETECALLER',
  'ABANDON',
  'EXITWITHTIMEOUT',
  'EXITWITHKEY',
  'EXITEMPTY',
  'RINGNOANSWER',
  'RINGCANCELED',
  'BLINDTRANSFER',
  'ATTENDEDTRANSFER',
  'TRANSFER',
  'AGENTLOGIN',
  'AGENTLOGOFF',
  'AGENTCALLBACKLOGIN',
  'AGENTCALLBACKLOGOFF',
  'ADDMEMBER',
  'REMOVEMEMBER',
  'PAUSE',
  'UNPAUSE',
  'PAUSEALL',
  'UNPAUSEALL',
  'DID',
] as const;
export type MappedEvent = (typeof MAPPED_EVENTS)[number];

/** Events Asterisk (or FreePBX) writes that carry nothing for the contract: read, counted, skipped. */
export const IGNORED_EVENTS: ReadonlySet<string> = new Set([
  'QUEUESTART',
  'CONFIGRELOAD',
  'INFO',
  'SYSCOMPAT',
  'AGENTDUMP',
  'JOINEMPTY',
  'JOINUNAVAIL',
  'LEAVEEMPTY',
  'LEAVEUNAVAIL',
  'FULL',
]);

const MAPPED: ReadonlySet<string> = new Set(MAPPED_EVENTS);

/** Data fields an event must have (fewer is a malformed line); older Asterisk versions write fewer than today. */
const MIN_DATA: Readonly<Record<MappedEvent, number>> = {
  ENTERQUEUE: 2, // url|callerid[|origposition[|calleridname]]
  CONNECT: 1, // holdtime[|bridgedchanneluniqueid[|ringtime]]
  COMPLETEAGENT: 2, // holdtime|calltime[|origposition]
  COMPLETECALLER: 2,
  ABANDON: 3, // position|origposition|waittime
  EXITWITHTIMEOUT: 1, // position[|origposition|waittime]
  EXITWITHKEY: 1, // key[|position|origposition|waittime]
  EXITEMPTY: 1, // position[|origposition|waittime]
  RINGNOANSWER: 1, // ringtime (ms)
  RINGCANCELED: 0, // [ringtime]
  BLINDTRANSFER: 2, // extension|context[|holdtime|calltime|origposition]
  TRANSFER: 2, // extension|context[|holdtime|calltime|origposition] (before Asterisk 12)
  ATTENDEDTRANSFER: 1, // method|method-data…|holdtime|calltime|origposition
  AGENTLOGIN: 0, // channel
  AGENTLOGOFF: 0, // channel|logintime
  AGENTCALLBACKLOGIN: 0,
  AGENTCALLBACKLOGOFF: 0,
  ADDMEMBER: 0, // [PAUSED]
  REMOVEMEMBER: 0,
  PAUSE: 0, // [reason]
  UNPAUSE: 0,
  PAUSEALL: 0,
  UNPAUSEALL: 0,
  DID: 0, // FreePBX: the dialled number
};

/** Numeric data fields to check, by index (seconds or ms as Asterisk logs them). */
const NUMERIC: Partial<Record<MappedEvent, number[]>> = {
  CONNECT: [0],
  COMPLETEAGENT: [0, 1],
  COMPLETECALLER: [0, 1],
  ABANDON: [0, 1, 2],
  RINGNOANSWER: [0],
};

/** Which of callid / queue / agent an event needs (`NONE` or empty is missing). */
const NEEDS: Readonly<Record<MappedEvent, { call?: true; queue?: true; agent?: true }>> = {
  ENTERQUEUE: { call: true, queue: true },
  CONNECT: { call: true, queue: true, agent: true },
  COMPLETEAGENT: { call: true },
  COMPLETECALLER: { call: true },
  ABANDON: { call: true, queue: true },
  EXITWITHTIMEOUT: { call: true, queue: true },
  EXITWITHKEY: { call: true, queue: true },
  EXITEMPTY: { call: true, queue: true },
  RINGNOANSWER: { call: true, queue: true, agent: true },
  RINGCANCELED: { call: true },
  BLINDTRANSFER: { call: true, agent: true },
  TRANSFER: { call: true, agent: true },
  ATTENDEDTRANSFER: { call: true, agent: true },
  AGENTLOGIN: { agent: true },
  AGENTLOGOFF: { agent: true },
  AGENTCALLBACKLOGIN: { agent: true },
  AGENTCALLBACKLOGOFF: { agent: true },
  ADDMEMBER: { queue: true, agent: true },
  REMOVEMEMBER: { queue: true, agent: true },
  PAUSE: { agent: true },
  UNPAUSE: { agent: true },
  PAUSEALL: { agent: true },
  UNPAUSEALL: { agent: true },
  DID: { call: true },
};

export interface QueueLogLine {
  /** the line's epoch seconds (UTC) */
  epoch: number;
  /** null for NONE / REALTIME / empty */
  call: string | null;
  /** null for NONE / empty */
  queue: string | null;
  /** the agent field as logged (interface or member name); null for NONE / empty */
  agentRaw: string | null;
  event: MappedEvent;
  data: string[];
}

export type ParseResult =
  | { ok: true; line: QueueLogLine }
  | { ok: false; ignored: true; event: string }
  | { ok: false; ignored?: false; reason: string };

const EPOCH = /^\d{1,12}$/;
const NUMBER = /^-?\d+$/;
/** 2000-01-01 and 2100-01-01 in epoch seconds: outside is not a queue_log timestamp. */
const MIN_EPOCH = 946_684_800;
const MAX_EPOCH = 4_102_444_800;

const absent = (s: string): boolean => s === '' || s === 'NONE' || s === 'REALTIME';

/** Parses one line (without its line break). Blank lines are `ignored` with event ''. */
export function parseLine(text: string): ParseResult {
  const line = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (line.trim() === '') return { ok: false, ignored: true, event: '' };
  const f = line.split('|');
  if (f.length < 5) return { ok: false, reason: `${f.length} fields, at least 5 expected (epoch|callid|queue|agent|event)` };
  const [epochText, callText, queueText, agentText, eventText] = f as [string, string, string, string, string];
  if (!EPOCH.test(epochText)) return { ok: false, reason: `epoch is not a number of seconds: ${JSON.stringify(epochText.slice(0, 40))}` };
  const epoch = Number(epochText);
  if (epoch < MIN_EPOCH || epoch >= MAX_EPOCH) return { ok: false, reason: `epoch ${epochText} is not between 2000 and 2100` };
  const event = eventText.trim();
  if (IGNORED_EVENTS.has(event)) return { ok: false, ignored: true, event };
  if (!MAPPED.has(event)) return { ok: false, reason: `unknown event ${JSON.stringify(event.slice(0, 40))}` };
  const ev = event as MappedEvent;
  const data = f.slice(5);
  // A trailing empty data field is how Asterisk logs "no data" ("…|PAUSE|"): not a field.
  const present = data.length > 0 && data.every((d) => d === '') ? 0 : data.length;
  if (present < MIN_DATA[ev]) {
    return { ok: false, reason: `${ev} has ${present} data fields, at least ${MIN_DATA[ev]} expected` };
  }
  for (const i of NUMERIC[ev] ?? []) {
    const v = (data[i] ?? '').trim();
    if (!NUMBER.test(v)) return { ok: false, reason: `${ev} data field ${i + 1} is not a number: ${JSON.stringify(v.slice(0, 40))}` };
  }
  const needs = NEEDS[ev];
  const call = absent(callText.trim()) ? null : callText.trim();
  const queue = absent(queueText.trim()) ? null : queueText.trim();
  const agentRaw = absent(agentText.trim()) ? null : agentText.trim();
  if (needs.call && call === null) return { ok: false, reason: `${ev} without a callid` };
  if (needs.queue && queue === null) return { ok: false, reason: `${ev} without a queue` };
  if (needs.agent && agentRaw === null) return { ok: false, reason: `${ev} without an agent` };
  return { ok: true, line: { epoch, call, queue, agentRaw, event: ev, data } };
}

/**
 * The agent id of a queue member as logged in the agent field: the technology prefix is
 * dropped and, for `Local/` (and any `…@context`), everything from the `@`:
 * `PJSIP/1001`, `SIP/1001`, `IAX2/1001`, `Agent/1001`, `Local/1001@from-queue/n` → `1001`.
 * A name without a technology (a member name, `log_membername_as_agent`) is kept as is.
 * So the same extension logged through different channel types is one agent.
 */
export function agentIdOf(raw: string): string | null {
  let s = raw.trim();
  if (absent(s)) return null;
  const m = /^([A-Za-z][A-Za-z0-9_]*)\/(.+)$/.exec(s);
  if (m) {
    s = (m[2] as string).split('@')[0] as string;
    s = (s.split(';')[0] as string).trim();
    if (s === '') s = raw.trim();
  }
  return s.slice(0, 128);
}
