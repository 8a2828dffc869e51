/**
 * The push hub with stand-in sockets (no network): a delta is built once per view and
 * published on its topic; a slow socket leaves its topic and gets a fresh snapshot when it
 * drains; frames are at most one per 100 ms. The engine and the service are the real ones.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../schemas/validate.ts';
import { validateEvent } from '../schemas/validate.ts';
import { EMPTY_DIRECTORY } from '../server/live/index.ts';
import { InProcessLiveBus } from '../server/push/bus.ts';
import { LiveHub } from '../server/push/hub.ts';
import { LiveService } from '../server/push/live-service.ts';
import type { Store } from '../platform/store/store.ts';

const emptyStore = { query: () => Promise.resolve([]) } as unknown as Store;
const quiet = () => undefined;
const stops: (() => void)[] = [];
afterEach(() => stops.splice(0).forEach((s) => s()));

function event(e: Record<string, unknown>): NormalizedEvent {
  const r = validateEvent({ ts: Date.now(), ...e });
  if (!r.ok) throw new Error(r.error);
  return r.event;
}

class FakeSocket {
  readonly sent: string[] = [];
  readonly topics = new Set<string>();
  buffered = 0;
  private readonly data = { principal: { kind: 'user' as const, name: 'sup', scopes: new Set(['live' as const]) }, creds: { authorization: '', cookie: '' }, topic: null, board: null, stale: false, closed: false, seq: 0 };
  getUserData() {
    return this.data;
  }
  send(m: string) {
    this.sent.push(m);
    return 1;
  }
  subscribe(t: string) {
    this.topics.add(t);
    return true;
  }
  unsubscribe(t: string) {
    return this.topics.delete(t);
  }
  getBufferedAmount() {
    return this.buffered;
  }
  end() {}
  frames(type: string) {
    return this.sent.map((s) => JSON.parse(s) as { type: string; [k: string]: unknown }).filter((f) => f.type === type);
  }
}

async function setup() {
  const bus = new InProcessLiveBus();
  const live = new LiveService({ store: emptyStore, bus, directory: EMPTY_DIRECTORY, log: quiet });
  await live.start();
  const published: { topic: string; frame: string; at: number }[] = [];
  const sockets: FakeSocket[] = [];
  const app = {
    publish: (topic: string, frame: string) => {
      published.push({ topic, frame, at: Date.now() });
      for (const s of sockets) if (s.topics.has(topic)) s.send(frame);
      return true;
    },
  };
  const hub = new LiveHub(app as never, live, EMPTY_DIRECTORY, { authenticate: () => Promise.resolve(null) }, quiet, { slowBytes: 1000 });
  stops.push(() => live.stop(), () => hub.stop());
  const connect = (sub: Record<string, unknown>) => {
    const s = new FakeSocket();
    sockets.push(s);
    hub.opened(s as never);
    hub.message(s as never, new TextEncoder().encode(JSON.stringify({ subscribe: sub })).buffer as ArrayBuffer);
    return s;
  };
  return { bus, hub, published, connect };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LiveHub', () => {
  it('publishes one delta per view, to the sockets of that view only', async () => {
    const { bus, published, connect } = await setup();
    const center = [connect({}), connect({})];
    const paris = connect({ sites: ['paris'] });
    const rome = connect({ queues: ['q-rome'] });
    for (const s of [...center, paris, rome]) expect(s.frames('snapshot')).toHaveLength(1);
    bus.publish([event({ id: 'e1', type: 'call.queued', call: 'c1', queue: 'q-paris', site: 'paris' })], 'k');
    await sleep(150);
    // every view shows the center figures, so each gets a frame; the queue goes where it belongs
    expect(published.map((p) => p.topic).sort()).toEqual(['center', 'queue:q-rome', 'site:paris']);
    expect(center[0]!.frames('delta')).toHaveLength(1);
    expect(center[1]!.frames('delta')).toHaveLength(1);
    expect(paris.frames('delta')[0]!.queues).toMatchObject([{ queue: 'q-paris', waiting: 1 }]);
    expect(rome.frames('delta')[0]).toMatchObject({ queues: [], agents: [], sites: [], center: { waiting: 1 } });
  });

  it('sends at most one frame per 100 ms per topic under a burst', async () => {
    const { bus, published, connect } = await setup();
    connect({});
    for (let i = 0; i < 40; i++) {
      bus.publish([event({ id: `b${i}`, type: 'call.queued', call: `c${i}`, queue: 'q', site: 's' })], 'k');
      await sleep(10);
    }
    await sleep(150);
    const at = published.filter((p) => p.topic === 'center').map((p) => p.at);
    expect(at.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(99);
  });

  it('takes a slow socket off its topic and sends it a fresh snapshot when it drains', async () => {
    const { bus, hub, connect } = await setup();
    const slow = connect({});
    const fast = connect({});
    slow.buffered = 5000; // more than slowBytes unsent
    bus.publish([event({ id: 's1', type: 'call.queued', call: 'c1', queue: 'q', site: 's' })], 'k');
    await sleep(150);
    expect(slow.topics.has('center')).toBe(false);
    bus.publish([event({ id: 's2', type: 'call.queued', call: 'c2', queue: 'q', site: 's' })], 'k');
    await sleep(150);
    expect(fast.frames('delta')).toHaveLength(2);
    expect(slow.frames('delta')).toHaveLength(1); // the one that found it slow; none since
    hub.drained(slow as never); // still behind: nothing
    expect(slow.frames('snapshot')).toHaveLength(1);
    slow.buffered = 0;
    hub.drained(slow as never);
    const snaps = slow.frames('snapshot');
    expect(snaps).toHaveLength(2);
    expect((snaps[1]!.data as { queues: { waiting: number }[] }).queues[0]!.waiting).toBe(2);
    expect(slow.topics.has('center')).toBe(true);
  });

  it('tells removed agents to a filtered view when an agent leaves it', async () => {
    const { bus, connect } = await setup();
    bus.publish([event({ id: 'l1', type: 'agent.state', agent: 'a1', state: 'available', queues: ['q1'], site: 's' })], 'k');
    const q1 = connect({ queues: ['q1'] });
    expect((q1.frames('snapshot')[0]!.data as { agents: { agent: string }[] }).agents.map((a) => a.agent)).toEqual(['a1']);
    bus.publish([event({ id: 'l2', type: 'agent.state', agent: 'a1', state: 'available', queues: ['q2'], site: 's' })], 'k');
    await sleep(150);
    expect(q1.frames('delta')[0]!.removed_agents).toEqual(['a1']);
  });
});
