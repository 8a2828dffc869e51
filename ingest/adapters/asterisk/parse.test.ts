import { describe, expect, it } from 'vitest';
import { agentIdOf, parseLine } from './parse.ts';

describe('parseLine', () => {
  it('reads the documented example line', () => {
    const r = parseLine('1366720340|1366720340.303267|MYQUEUE|SIP/8007|RINGNOANSWER|1000');
    expect(r).toEqual({
      ok: true,
      line: { epoch: 1366720340, call: '1366720340.303267', queue: 'MYQUEUE', agentRaw: 'SIP/8007', event: 'RINGNOANSWER', data: ['1000'] },
    });
  });

  it('treats NONE, REALTIME and empty fields as absent, and strips a CR', () => {
    const r = parseLine('1717397259|1717397243.239826|1501|NONE|ENTERQUEUE||9031396745|1\r');
    expect(r.ok && r.line).toMatchObject({ call: '1717397243.239826', queue: '1501', agentRaw: null, data: ['', '9031396745', '1'] });
    const m = parseLine('1717397259|REALTIME|q1|SIP/1|ADDMEMBER|');
    expect(m.ok && m.line.call).toBeNull();
  });

  it('accepts the data-less forms Asterisk writes ("…|PAUSE|", no data at all)', () => {
    expect(parseLine('1717397259|NONE|q1|SIP/1|PAUSE|').ok).toBe(true);
    expect(parseLine('1717397259|NONE|q1|SIP/1|UNPAUSE').ok).toBe(true);
    expect(parseLine('1717397259|NONE|NONE|SIP/1|PAUSEALL|Lunch').ok).toBe(true);
  });

  it('accepts older Asterisk versions with fewer data fields', () => {
    expect(parseLine('1100000000|c1|q|SIP/1|CONNECT|5|c2').ok).toBe(true);
    expect(parseLine('1100000000|c1|q|NONE|EXITWITHTIMEOUT|3').ok).toBe(true);
    expect(parseLine('1100000000|c1|q|NONE|ENTERQUEUE||100').ok).toBe(true);
  });

  it('reports malformed lines with a reason', () => {
    const reason = (l: string): string => {
      const r = parseLine(l);
      if (r.ok || r.ignored) throw new Error(`not malformed: ${l}`);
      return r.reason;
    };
    expect(reason('1717397259|c|q')).toMatch(/3 fields, at least 5/);
    expect(reason('yesterday|c|q|SIP/1|CONNECT|1|x|1')).toMatch(/epoch is not a number/);
    expect(reason('1717397259.5|c|q|SIP/1|CONNECT|1|x|1')).toMatch(/epoch is not a number/);
    expect(reason('86400|c|q|SIP/1|CONNECT|1|x|1')).toMatch(/not between 2000 and 2100/);
    expect(reason('1717397259|c|q|SIP/1|TELEPORT|1')).toMatch(/unknown event "TELEPORT"/);
    expect(reason('1717397259|c|q|SIP/1|CONNECT|soon|x|1')).toMatch(/CONNECT data field 1 is not a number/);
    expect(reason('1717397259|c|q|NONE|ABANDON|1|1')).toMatch(/ABANDON has 2 data fields, at least 3/);
    expect(reason('1717397259|NONE|q|NONE|ENTERQUEUE||1|1')).toMatch(/without a callid/);
    expect(reason('1717397259|c|NONE|NONE|ENTERQUEUE||1|1')).toMatch(/without a queue/);
    expect(reason('1717397259|c|q|NONE|CONNECT|1|x|1')).toMatch(/without an agent/);
  });

  it('ignores blank lines and events without contract meaning', () => {
    expect(parseLine('')).toEqual({ ok: false, ignored: true, event: '' });
    expect(parseLine('  \r')).toEqual({ ok: false, ignored: true, event: '' });
    expect(parseLine('1717397259|NONE|NONE|NONE|QUEUESTART|')).toEqual({ ok: false, ignored: true, event: 'QUEUESTART' });
    expect(parseLine('1717397259|NONE|NONE|NONE|CONFIGRELOAD|')).toMatchObject({ ignored: true });
  });
});

describe('agentIdOf', () => {
  it('drops the technology and the context', () => {
    expect(agentIdOf('PJSIP/1001')).toBe('1001');
    expect(agentIdOf('SIP/8007')).toBe('8007');
    expect(agentIdOf('IAX2/1001')).toBe('1001');
    expect(agentIdOf('Agent/3001')).toBe('3001');
    expect(agentIdOf('Local/1001@from-queue/n')).toBe('1001');
    expect(agentIdOf('Local/1001@from-queue/n;1')).toBe('1001');
  });
  it('keeps member names and says absent for NONE', () => {
    expect(agentIdOf('John Smith')).toBe('John Smith');
    expect(agentIdOf(' 1001 ')).toBe('1001');
    expect(agentIdOf('NONE')).toBeNull();
    expect(agentIdOf('')).toBeNull();
    expect(agentIdOf('x'.repeat(300))).toHaveLength(128);
  });
});
