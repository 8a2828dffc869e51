import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientAddressKey, LOGIN_LIMIT_DEFAULTS, LoginLimiter } from './login-limiter.ts';

function clock(start = 1_700_000_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('LoginLimiter', () => {
  it('locks a username after 5 failures in 5 minutes, for a period that grows with each lockout', () => {
    const c = clock();
    const l = new LoginLimiter({ now: c.now });
    for (let i = 0; i < 4; i++) {
      expect(l.lockedFor('alice', '10.0.0.1')).toBe(0);
      expect(l.fail('alice', '10.0.0.1')).toEqual({});
      c.t += 1000;
    }
    expect(l.fail('alice', '10.0.0.1')).toEqual({ user: { failures: 5, lockedMs: 60_000 } });
    expect(l.lockedFor('alice', '10.0.0.9')).toBe(60_000);
    // another username from the same address is not locked (the address is far from its limit)
    expect(l.lockedFor('bob', '10.0.0.1')).toBe(0);
    c.t += 60_000;
    expect(l.lockedFor('alice', '10.0.0.1')).toBe(0);
    for (let i = 0; i < 4; i++) l.fail('alice', '10.0.0.1');
    expect(l.fail('alice', '10.0.0.1').user?.lockedMs).toBe(120_000);
    c.t += 120_000;
    for (let i = 0; i < 4; i++) l.fail('alice', '10.0.0.1');
    expect(l.fail('alice', '10.0.0.1').user?.lockedMs).toBe(240_000);
  });

  it('forgets failures older than the window, and a success clears the username (not the address)', () => {
    const c = clock();
    const l = new LoginLimiter({ now: c.now, addressFailures: 6 });
    for (let i = 0; i < 4; i++) l.fail('alice', 'a');
    c.t += LOGIN_LIMIT_DEFAULTS.windowMs;
    expect(l.fail('alice', 'a').user).toBeUndefined(); // the 4 earlier ones are out of the window
    l.succeed('alice');
    for (let i = 0; i < 4; i++) expect(l.fail('alice', 'b').user).toBeUndefined();
    // address `a`: 5 failures in the window (4 slid out)… `b` has 4
    expect(l.lockedFor(null, 'b')).toBe(0);
    expect(l.fail('carol', 'b')).toEqual({});
    expect(l.fail('dave', 'b').address).toEqual({ failures: 6, lockedMs: 60_000 });
    expect(l.lockedFor('eve', 'b')).toBe(60_000);
    expect(l.lockedFor('eve', 'c')).toBe(0);
  });

  it('keeps at most maxEntries per table, dropping unlocked entries before locked ones', () => {
    const c = clock();
    const l = new LoginLimiter({ now: c.now, maxEntries: 50, userFailures: 2, addressFailures: 1000 });
    l.fail('victim', '');
    l.fail('victim', '');
    expect(l.lockedFor('victim', '')).toBe(60_000);
    for (let i = 0; i < 10_000; i++) l.fail(`spray-${i}`, `10.1.${i >> 8}.${i & 255}`);
    expect(l.size).toBeLessThanOrEqual(100);
    expect(l.lockedFor('victim', '')).toBe(60_000);
  });

  it('property: a username or address gets at most its limit of failed checks within a window between lockouts, and lockouts double', () => {
    const op = fc.record({ user: fc.integer({ min: 0, max: 3 }), addr: fc.integer({ min: 0, max: 3 }), ok: fc.boolean(), dt: fc.nat({ max: 120_000 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const c = clock();
        const limits = { userFailures: 3, addressFailures: 5, windowMs: 300_000, lockMs: 60_000, maxLockMs: 600_000 };
        const l = new LoginLimiter({ ...limits, now: c.now });
        // failures checked since the last lockout (or success, for usernames), per key
        const since = new Map<string, number[]>();
        const lastLock = new Map<string, number>();
        const expectLock = (key: string, limit: number, started: { lockedMs: number } | undefined) => {
          const recent = [...(since.get(key) ?? []), c.t].filter((t) => c.t - t < limits.windowMs);
          if (recent.length > limit) return false;
          if ((recent.length === limit) !== (started !== undefined)) return false;
          if (started) {
            const expected = Math.min(limits.maxLockMs, (lastLock.get(key) ?? limits.lockMs / 2) * 2);
            if (started.lockedMs !== expected) return false;
            lastLock.set(key, expected);
            since.set(key, []);
          } else since.set(key, recent);
          return true;
        };
        for (const o of ops) {
          c.t += o.dt;
          const user = `u${o.user}`;
          const addr = `10.0.0.${o.addr}`;
          if (l.lockedFor(user, addr) > 0) continue; // refused: no password check
          if (o.ok) {
            l.succeed(user);
            since.delete(`user ${user}`);
            lastLock.delete(`user ${user}`);
            continue;
          }
          const started = l.fail(user, addr);
          if (!expectLock(`user ${user}`, limits.userFailures, started.user)) return false;
          if (!expectLock(`addr ${addr}`, limits.addressFailures, started.address)) return false;
          if ((started.user || started.address) && l.lockedFor(user, addr) === 0) return false;
        }
        return l.size <= 8;
      }),
      { numRuns: 300 },
    );
  });
});

describe('clientAddressKey', () => {
  it('counts IPv4 (also IPv4-mapped) per address and IPv6 per /64', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('0000:0000:0000:0000:0000:ffff:7f00:0001')).toBe('127.0.0.1');
    expect(clientAddressKey('::ffff:198.51.100.2')).toBe('198.51.100.2');
    expect(clientAddressKey('2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('0000:0000:0000:0000:0000:0000:0000:0001')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('')).toBe('');
  });

  it('property: never throws, and addresses of one /64 share a key', () => {
    const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16).padStart(4, '0'));
    fc.assert(
      fc.property(fc.string(), (s) => typeof clientAddressKey(s) === 'string'),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), fc.array(group, { minLength: 4, maxLength: 4 }), (a, tail) => {
        fc.pre(!(a.slice(0, 5).every((g) => g === '0000') && a[5] === 'ffff'));
        return clientAddressKey(a.join(':')) === clientAddressKey([...a.slice(0, 4), ...tail].join(':'));
      }),
    );
  });
});
