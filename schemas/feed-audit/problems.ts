/**
 * The problems the feed audit can report: a stable machine-readable code, how bad it is,
 * and what the sender should change. The CLI, the dry run, the feed-health view and the
 * README all read this one table.
 */

export type Severity = 'error' | 'warning' | 'info';

export const PROBLEM_CODES = [
  'invalid_event',
  'duplicate_id',
  'id_conflict',
  'timestamps_in_seconds',
  'clock_skew',
  'call_without_offer',
  'call_offered_twice',
  'call_never_ended',
  'call_ended_twice',
  'events_after_end',
  'queued_never_closed',
  'queued_open_at_feed_end',
  'answered_without_queue',
  'queue_event_without_visit',
  'agent_not_on_call',
  'agent_on_two_calls',
  'illegal_state_transition',
  'state_gap',
  'out_of_order',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface ProblemInfo {
  severity: Severity;
  /** what it means, one line */
  title: string;
  /** what the sender should change, one or two sentences */
  advice: string;
}

/** Severity, title and fix advice of every problem code. */
export const PROBLEMS: Readonly<Record<ProblemCode, ProblemInfo>> = {
  invalid_event: {
    severity: 'error',
    title: 'event does not match contract v1 (the ingest rejects it)',
    advice: 'Fix the field named in the message; see schemas/json/ for the JSON Schema of each event type.',
  },
  duplicate_id: {
    severity: 'info',
    title: 'the same event (same id, same content) was sent more than once',
    advice: 'Harmless: the store keeps one copy. Expected after a resend; many duplicates mean acks are being lost or ignored.',
  },
  id_conflict: {
    severity: 'error',
    title: 'one id was used for two different events',
    advice: 'Ids must be unique per source: the store keeps only the first event with an id, so the second one is lost. Derive ids from something unique (call id + event counter, a UUID).',
  },
  timestamps_in_seconds: {
    severity: 'error',
    title: 'ts looks like epoch seconds, not milliseconds',
    advice: 'Send ts as epoch milliseconds (seconds × 1000) or as ISO-8601 with an offset, e.g. 2026-03-02T09:15:00.250+08:00.',
  },
  clock_skew: {
    severity: 'warning',
    title: 'a source\u2019s clock is off: its timestamps lead the server or disagree with another source on the same call',
    advice: 'Synchronise the PBX clocks with NTP. Durations and waits across sources are wrong by the offset; events from the future are refused past MAX_FUTURE_SKEW_MS.',
  },
  call_without_offer: {
    severity: 'error',
    title: 'call events without a call.offered',
    advice: 'Send call.offered (direction inbound or outbound) as the first event of every call, with the same call id as the later events.',
  },
  call_offered_twice: {
    severity: 'error',
    title: 'call.offered sent twice for one call id',
    advice: 'A call id names one call: reuse it across queues and transfers, but send call.offered only once. A new call needs a new id.',
  },
  call_never_ended: {
    severity: 'warning',
    title: 'call offered but no call.ended in the feed',
    advice: 'Send call.ended (by caller, agent or system) when every call is released; without it the call stays on the board and its handle time is never counted. Calls still in progress when the feed was cut are expected.',
  },
  call_ended_twice: {
    severity: 'error',
    title: 'call.ended sent twice for one call',
    advice: 'Send call.ended once, when the last party leaves; a transfer keeps the call id and does not end the call.',
  },
  events_after_end: {
    severity: 'error',
    title: 'call events after the call\u2019s call.ended',
    advice: 'Only call.wrapup and call.survey may follow call.ended. Check that call.ended is sent last and that call ids are not reused.',
  },
  queued_never_closed: {
    severity: 'error',
    title: 'call ended while a queue visit was still open',
    advice: 'Close every call.queued with exactly one of: call.answered (queue set), call.abandoned (stage queue or ringing, queue set) or call.overflow (from_queue set) before call.ended or the next call.queued; otherwise the queue\u2019s offered ≠ answered + abandoned + flowed out.',
  },
  queued_open_at_feed_end: {
    severity: 'info',
    title: 'queue visit still open where the feed ends',
    advice: 'Fine when the feed was cut while callers were waiting; if the calls really ended, their closing event (answered, abandoned or overflow) is missing.',
  },
  answered_without_queue: {
    severity: 'error',
    title: 'call.answered names a queue the call was not queued in',
    advice: 'Send call.queued for a queue before answering (or abandoning) in it, and use the same queue name in both; answer without queue only for direct and transferred calls.',
  },
  queue_event_without_visit: {
    severity: 'error',
    title: 'a queue event (ringing, abandon, overflow, transfer) that does not fit the call\u2019s open queue visit',
    advice: 'Use the queue of the open call.queued in ringing, ring_noanswer, abandoned and overflow (from_queue); abandon in the IVR only before call.queued; transfer only after the answer.',
  },
  agent_not_on_call: {
    severity: 'warning',
    title: 'an agent acts on a call it is not connected to',
    advice: 'Send hold, unhold, transfer and ring_noanswer with the agent that answered (or is ringing); send call.answered for an agent who takes the call.',
  },
  agent_on_two_calls: {
    severity: 'error',
    title: 'an agent is connected to two calls at once',
    advice: 'End, transfer or ring-no-answer the first call before the agent rings or answers another one; check that the agent id is the agent\u2019s, not the extension\u2019s shared by several people.',
  },
  illegal_state_transition: {
    severity: 'error',
    title: 'agent state change that cannot happen (e.g. answering while logged out)',
    advice: 'Sign agents in with agent.state available (with queues) before they take calls; states go logged_out → available → ringing → on_call → acw → available / not_ready → logged_out.',
  },
  state_gap: {
    severity: 'warning',
    title: 'agent state events missing around a call',
    advice: 'Send agent.state on_call when an agent answers and a state out of on_call (acw, available, not_ready) after the call; occupancy and utilization are computed from these state events, never derived from call events.',
  },
  out_of_order: {
    severity: 'info',
    title: 'a call\u2019s or agent\u2019s events arrived with ts going backwards',
    advice: 'Nothing to fix: callboard orders each call and agent by ts, so late events correct the board. Many of them usually mean buffering between sources.',
  },
};

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };
