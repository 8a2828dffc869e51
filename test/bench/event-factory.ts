/**
 * Realistic contract-v1 traffic for the ingest benchmark: whole call lifecycles (offered →
 * IVR → queued → ringing [→ ring-no-answer → ringing] → answered [→ hold/unhold] → ended →
 * wrap-up, some abandons, transfers, surveys) interleaved with agent state changes, each
 * event with a unique id and `ts` = now.
 *
 * Events are written straight to JSON text with template literals: every value below is a
 * plain identifier that needs no escaping, and the sending processes share the server's two
 * cores, so their own cost must stay small.
 */

const SITES = ['lyon', 'porto', 'leeds'] as const;
const QUEUES = ['billing', 'tech_support', 'sales', 'retention', 'moving_home', 'outage_line', 'vip', 'collections'] as const;
const IVR_NODES = ['welcome', 'language', 'main_menu', 'billing_menu', 'account_lookup', 'outage_check', 'callback_offer'] as const;
const WRAPUP_CODES = ['resolved', 'follow_up', 'escalated', 'payment_plan', 'info_only', 'sale'] as const;
const NOT_READY_REASONS = ['break', 'lunch', 'training', 'manual_busy', 'coaching'] as const;
const AGENTS = 240;

/** Deterministic xorshift32, so runs are comparable. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

export type TsFormat = 'iso' | 'ms';

export interface EventFactoryOptions {
  /** distinguishes this generator's ids from every other generator's (run tag + client number) */
  tag: string;
  seed: number;
  ts: TsFormat;
}

export class EventFactory {
  private readonly rand: () => number;
  private readonly queue: string[] = [];
  private eventSeq = 0;
  private callSeq = 0;
  private readonly tag: string;
  private readonly tsFormat: TsFormat;
  /** per-call ts string, refreshed once per millisecond */
  private tsText = '';
  private tsAt = -1;
  private readonly agentIds: string[];

  constructor(opts: EventFactoryOptions) {
    this.rand = rng(opts.seed);
    this.tag = opts.tag;
    this.tsFormat = opts.ts;
    this.agentIds = Array.from({ length: AGENTS }, (_, i) => `agent-${String(1000 + i)}`);
  }

  /** `n` events as JSON texts. */
  take(n: number): string[] {
    const out: string[] = [];
    while (out.length < n) {
      if (this.queue.length === 0) this.refill();
      out.push(this.queue.shift()!);
    }
    return out;
  }

  /** A WebSocket ingest message `{"batch": id, "events": [...]}` of `n` events. */
  message(batchId: string, n: number): string {
    return `{"batch":"${batchId}","events":[${this.take(n).join(',')}]}`;
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }

  private ts(): string {
    const now = Date.now();
    if (now !== this.tsAt) {
      this.tsAt = now;
      this.tsText = this.tsFormat === 'ms' ? String(now) : `"${new Date(now).toISOString()}"`;
    }
    return this.tsText;
  }

  private head(type: string, site: string): string {
    return `{"id":"evt_${this.tag}_${(this.eventSeq++).toString(36).padStart(7, '0')}","type":"${type}","ts":${this.ts()},"site":"${site}"`;
  }

  private agentState(agent: string, site: string, state: string, reason?: string): string {
    return `${this.head('agent.state', site)},"agent":"${agent}","state":"${state}"${reason ? `,"reason":"${reason}"` : ''}}`;
  }

  /** One call's lifecycle plus the agent's state changes around it (≈ 10-16 events). */
  private refill(): void {
    const q = this.queue;
    const site = this.pick(SITES);
    const call = `${site}-${this.tag}-${(this.callSeq++).toString(36).padStart(6, '0')}`;
    const queue = this.pick(QUEUES);
    const agent = this.pick(this.agentIds);
    const from = `+4420${String(Math.floor(10_000_000 + this.rand() * 89_999_999))}`;

    q.push(`${this.head('call.offered', site)},"call":"${call}","direction":"inbound","from":"${from}","to":"+442030001234"}`);
    const ivrSteps = 1 + Math.floor(this.rand() * 3);
    for (let i = 0; i < ivrSteps; i++) {
      const input = this.rand() < 0.7 ? `,"input":"${1 + Math.floor(this.rand() * 9)}"` : '';
      q.push(`${this.head('call.ivr', site)},"call":"${call}","node":"${this.pick(IVR_NODES)}"${input}}`);
    }
    const fate = this.rand();
    if (fate < 0.04) {
      q.push(`${this.head('call.abandoned', site)},"call":"${call}","stage":"ivr"}`);
      return;
    }
    q.push(`${this.head('call.queued', site)},"call":"${call}","queue":"${queue}","priority":${Math.floor(this.rand() * 10)}}`);
    if (fate < 0.12) {
      q.push(`${this.head('call.abandoned', site)},"call":"${call}","queue":"${queue}","stage":"queue"}`);
      return;
    }
    if (this.rand() < 0.1) {
      const other = this.pick(this.agentIds);
      q.push(`${this.head('call.ringing', site)},"call":"${call}","queue":"${queue}","agent":"${other}"}`);
      q.push(`${this.head('call.ring_noanswer', site)},"call":"${call}","queue":"${queue}","agent":"${other}"}`);
      q.push(this.agentState(other, site, 'not_ready', 'manual_busy'));
    }
    q.push(this.agentState(agent, site, 'ringing'));
    q.push(`${this.head('call.ringing', site)},"call":"${call}","queue":"${queue}","agent":"${agent}"}`);
    q.push(`${this.head('call.answered', site)},"call":"${call}","queue":"${queue}","agent":"${agent}"}`);
    q.push(this.agentState(agent, site, 'on_call'));
    if (this.rand() < 0.25) {
      q.push(`${this.head('call.hold', site)},"call":"${call}","agent":"${agent}"}`);
      q.push(`${this.head('call.unhold', site)},"call":"${call}","agent":"${agent}"}`);
    }
    if (this.rand() < 0.06) {
      q.push(`${this.head('call.transferred', site)},"call":"${call}","agent":"${agent}","to_queue":"${this.pick(QUEUES)}","kind":"blind"}`);
    }
    q.push(`${this.head('call.ended', site)},"call":"${call}","by":"${this.rand() < 0.7 ? 'caller' : 'agent'}"}`);
    q.push(this.agentState(agent, site, 'acw'));
    q.push(`${this.head('call.wrapup', site)},"call":"${call}","agent":"${agent}","code":"${this.pick(WRAPUP_CODES)}"}`);
    if (this.rand() < 0.15) {
      q.push(`${this.head('call.survey', site)},"call":"${call}","score":${1 + Math.floor(this.rand() * 5)},"resolved":${this.rand() < 0.8}}`);
    }
    if (this.rand() < 0.08) q.push(this.agentState(agent, site, 'not_ready', this.pick(NOT_READY_REASONS)));
    else q.push(this.agentState(agent, site, 'available'));
  }
}
