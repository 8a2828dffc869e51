import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CallboardEvent } from '../../../schemas/events.ts';
import { SIMULATED_TIME_LIMITS, validateEvent } from '../../../schemas/validate.ts';
import { QueueLogMapper, type MapperOptions } from './mapping.ts';
import { parseLine } from './parse.ts';

/** The 8 real lines of asterisk/asterisk issue #759 (FreePBX, 2024-06-03), verbatim. */
const ISSUE_759 = `1717397259|1717397243.239826|1501|NONE|DID|4957877871
1717397259|1717397243.239826|1501|NONE|ENTERQUEUE||9031396745|1
1717397271|1717397243.239826|1501|PJSIP/7009|CONNECT|12|1717397259.239827|11
1717397390|1717397390.239830|1509|NONE|DID|
1717397390|1717397390.239830|1509|NONE|ENTERQUEUE||7009|1
1717397391|1717397390.239830|1501|PJSIP/7009|ATTENDEDTRANSFER|APP|Queue|12|120|1
1717397397|1717397243.239826|1509|PJSIP/7051|CONNECT|7|1717397390.239831|6
1717397570|1717397243.239826|1509|PJSIP/7051|COMPLETEAGENT|7|173|1`;

const NORMAL_DAY = readFileSync(new URL('../../../test/fixtures/queue_log/normal-day.queue_log', import.meta.url), 'utf8');

type Ev = CallboardEvent & Record<string, unknown>;

function mapAll(text: string, opts: MapperOptions = {}, mapper = new QueueLogMapper(opts)): Ev[] {
  const out: Ev[] = [];
  for (const l of text.split('\n')) {
    const p = parseLine(l);
    if (p.ok) out.push(...(mapper.map(p.line, l) as Ev[]));
  }
  return out;
}

const brief = (e: Ev): string => {
  const parts = [e.type, e.call, e.queue ?? e.from_queue, e.agent, e.state, e.by, e.stage, e.to_queue, e.kind, e.reason].filter((x) => x !== undefined);
  return parts.join(' ');
};

describe('QueueLogMapper on the real issue-759 lines', () => {
  const events = mapAll(ISSUE_759);

  it('maps the attended transfer from queue 1501 into 1509 onto the caller’s call', () => {
    expect(events.map(brief)).toEqual([
      'call.offered 1717397243.239826',
      'call.queued 1717397243.239826 1501',
      'call.answered 1717397243.239826 1501 7009',
      'agent.state 7009 on_call',
      'call.offered 1717397390.239830',
      'call.queued 1717397390.239830 1509',
      'call.transferred 1717397243.239826 7009 1509 attended',
      'call.wrapup 1717397243.239826 7009',
      'agent.state 7009 available',
      'call.queued 1717397243.239826 1509',
      'call.ended 1717397390.239830 system',
      'call.answered 1717397243.239826 1509 7051',
      'agent.state 7051 on_call',
      'call.ended 1717397243.239826 agent',
      'call.wrapup 1717397243.239826 7051',
      'agent.state 7051 available',
    ]);
    expect(events[0]).toMatchObject({ from: '9031396745', to: '4957877871', direction: 'inbound', ts: 1717397259_001 });
    expect(events[2]).toMatchObject({ ts: 1717397271_000 });
  });

  it('makes valid contract events with unique ids', () => {
    for (const e of events) expect(validateEvent(e, SIMULATED_TIME_LIMITS)).toMatchObject({ ok: true });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    for (const e of events) expect(e.id).toMatch(/^ql-[A-Za-z0-9_-]{22}-[a-z]{1,2}$/);
  });

  it('gives the same ids on every read, and a resumed mapper maps the rest exactly like one pass', () => {
    expect(mapAll(ISSUE_759).map((e) => e.id)).toEqual(events.map((e) => e.id));
    const lines = ISSUE_759.split('\n');
    for (let cut = 0; cut <= lines.length; cut++) {
      const first = new QueueLogMapper();
      const a = mapAll(lines.slice(0, cut).join('\n'), {}, first);
      const resumed = new QueueLogMapper({}, JSON.parse(JSON.stringify(first.snapshot())));
      const b = mapAll(lines.slice(cut).join('\n'), {}, resumed);
      expect([...a, ...b]).toEqual(events);
    }
  });

  it('sets site and the id prefix', () => {
    const e = mapAll(ISSUE_759, { site: 'berlin', idPrefix: 'pbx1' });
    expect(e.every((x) => x.site === 'berlin' && x.id.startsWith('pbx1-'))).toBe(true);
  });
});

describe('QueueLogMapper on a day written from the documented format', () => {
  const events = mapAll(NORMAL_DAY, { graceMs: 60_000 });
  const of = (call: string): string[] => events.filter((e) => e.call === call).map(brief);
  const states = (agent: string): string[] =>
    events.filter((e) => e.type === 'agent.state' && e.agent === agent).map((e) => `${e.state}${e.reason ? `:${e.reason}` : ''} [${(e.queues as string[]).join(',')}]`);

  it('all events are valid and ids unique, identical lines included', () => {
    for (const e of events) expect(validateEvent(e, SIMULATED_TIME_LIMITS)).toMatchObject({ ok: true });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const rna = events.filter((e) => e.type === 'call.ring_noanswer' && e.call === '1795421100.61');
    expect(rna).toHaveLength(2);
    expect(rna[1]!.ts).toBe((rna[0]!.ts as number) + 1);
  });

  it('answered, completed by the agent, after a ring-no-answer', () => {
    expect(of('1795420100.21')).toEqual([
      'call.offered 1795420100.21',
      'call.queued 1795420100.21 sales',
      'call.ring_noanswer 1795420100.21 sales 1002',
      'call.answered 1795420100.21 sales 1001',
      'call.ended 1795420100.21 agent',
      'call.wrapup 1795420100.21 1001',
    ]);
  });

  it('abandoned in queue, and while ringing (RINGCANCELED)', () => {
    expect(of('1795420400.31')).toContain('call.abandoned 1795420400.31 support queue');
    expect(of('1795420500.41')).toContain('call.abandoned 1795420500.41 sales ringing');
  });

  it('blind transfer to a queue: a new visit there, no end in between', () => {
    expect(of('1795420600.51')).toEqual([
      'call.offered 1795420600.51',
      'call.queued 1795420600.51 sales',
      'call.answered 1795420600.51 sales 1002',
      'call.transferred 1795420600.51 1002 support blind',
      'call.wrapup 1795420600.51 1002',
      'call.queued 1795420600.51 support',
      'call.answered 1795420600.51 support 1003',
      'call.ended 1795420600.51 caller',
      'call.wrapup 1795420600.51 1003',
    ]);
  });

  it('exits are flow-outs, ended by the system after the grace', () => {
    expect(of('1795421100.61').slice(-2)).toEqual(['call.overflow 1795421100.61 support exit:timeout', 'call.ended 1795421100.61 system']);
    expect(of('1795421500.71').slice(-2)).toEqual(['call.overflow 1795421500.71 sales exit:empty', 'call.ended 1795421500.71 system']);
    expect(of('1795421600.81').slice(-2)).toEqual(['call.overflow 1795421600.81 support exit:key:5', 'call.ended 1795421600.81 system']);
    const ended = events.find((e) => e.type === 'call.ended' && e.call === '1795421100.61')!;
    const exit = events.find((e) => e.type === 'call.overflow' && e.call === '1795421100.61')!;
    expect(ended.ts).toBe(exit.ts);
  });

  it('transfers out of the queues end the call after the grace', () => {
    expect(of('1795421700.91').slice(-3)).toEqual(['call.transferred 1795421700.91 1004 blind', 'call.wrapup 1795421700.91 1004', 'call.ended 1795421700.91 system']);
    expect(of('1795423700.101').slice(-3)).toEqual(['call.transferred 1795423700.101 1001 attended', 'call.wrapup 1795423700.101 1001', 'call.ended 1795423700.101 system']);
  });

  it('agent states: members, pauses (one not_ready for PAUSEALL + its PAUSE lines), calls, logoff', () => {
    expect(states('1001')).toEqual([
      'available [sales]',
      'available [sales,support]',
      'on_call [sales,support]',
      'available [sales,support]',
      'not_ready:Lunch [sales,support]',
      'available [sales,support]',
      'on_call [sales,support]',
      'available [sales,support]',
    ]);
    // paused during the call: not ready when it ends; removed from its only queue: logged out
    expect(states('1002')).toEqual(['available [sales]', 'on_call [sales]', 'not_ready:Training [sales]', 'logged_out []']);
    expect(states('1003')).toEqual(['not_ready [support]', 'available [support]', 'on_call [support]', 'available [support]']);
    expect(states('1004')).toEqual(['available []', 'on_call [support]', 'available [support]', 'logged_out [support]']);
  });

  it('a call that comes back within the grace is not ended; one that does not is ended at its exit time', () => {
    const log = [
      '1795420000|c1|q1|NONE|ENTERQUEUE||100|1',
      '1795420030|c1|q1|NONE|EXITWITHTIMEOUT|1|1|30',
      '1795420031|c1|q2|NONE|ENTERQUEUE||100|1',
      '1795420040|c1|q2|SIP/7|CONNECT|9|c2|2',
      '1795420100|c1|q2|SIP/7|COMPLETECALLER|9|60|1',
      '1795420200|c3|q1|NONE|ENTERQUEUE||200|1',
      '1795420210|c3|q1|NONE|EXITEMPTY|1|1|10',
      '1795420300|NONE|NONE|SIP/7|PAUSEALL|',
    ].join('\n');
    const ev = mapAll(log, { graceMs: 60_000 });
    expect(ev.filter((e) => e.call === 'c1').map(brief)).toEqual([
      'call.offered c1',
      'call.queued c1 q1',
      'call.overflow c1 q1 exit:timeout',
      'call.queued c1 q2',
      'call.answered c1 q2 7',
      'call.ended c1 caller',
      'call.wrapup c1 7',
    ]);
    const end = ev.find((e) => e.call === 'c3' && e.type === 'call.ended')!;
    expect(end).toMatchObject({ by: 'system', ts: 1795420210_000 });
    // emitted when the later line showed the grace had passed
    expect(ev.indexOf(end)).toBeLessThan(ev.findIndex((e) => e.type === 'agent.state' && e.state === 'not_ready'));
  });

  it('flushDue ends calls whose grace passed by the wall clock', () => {
    const m = new QueueLogMapper({ graceMs: 60_000 });
    mapAll('1795420000|c1|q1|NONE|ENTERQUEUE||100|1\n1795420030|c1|q1|NONE|EXITWITHTIMEOUT|1|1|30', {}, m);
    expect(m.pendingEnds).toBe(1);
    expect(m.flushDue(1795420030_000 + 59_000)).toEqual([]);
    expect(m.flushDue(1795420030_000 + 60_000)).toMatchObject([{ type: 'call.ended', call: 'c1', by: 'system' }]);
    expect(m.pendingEnds).toBe(0);
  });

  it('a CONNECT without its ENTERQUEUE (log starting mid-wait) offers and queues the call at ts − holdtime', () => {
    const ev = mapAll('1795420040|c9|q2|PJSIP/7|CONNECT|9|c2|2');
    expect(ev.map(brief)).toEqual(['call.offered c9', 'call.queued c9 q2', 'call.answered c9 q2 7', 'agent.state 7 on_call']);
    expect(ev[1]!.ts).toBe(1795420031_000);
  });

  it('an ABANDON or EXIT of a call the log did not see enter offers and queues it at ts − waittime', () => {
    const ev = mapAll('1795420040|c8|q2|NONE|ABANDON|1|1|25\n1795420050|c7|q2|NONE|EXITWITHKEY|9|1|1|5');
    expect(ev.map(brief)).toEqual([
      'call.offered c8',
      'call.queued c8 q2',
      'call.abandoned c8 q2 queue',
      'call.ended c8 caller',
      'call.offered c7',
      'call.queued c7 q2',
      'call.overflow c7 q2 exit:key:9',
    ]);
    expect([ev[1]!.ts, ev[5]!.ts]).toEqual([1795420015_000, 1795420045_000]);
  });

  it('partial pauses: not ready only when paused in every queue', () => {
    const ev = mapAll(
      [
        '1795420000|NONE|q1|SIP/7|ADDMEMBER|',
        '1795420000|NONE|q2|SIP/7|ADDMEMBER|',
        '1795420010|NONE|q1|SIP/7|PAUSE|break',
        '1795420020|NONE|q2|SIP/7|PAUSE|break',
        '1795420030|NONE|q1|SIP/7|UNPAUSE|',
      ].join('\n'),
    );
    expect(ev.map(brief)).toEqual(['agent.state 7 available', 'agent.state 7 available', 'agent.state 7 not_ready break', 'agent.state 7 available']);
  });
});
