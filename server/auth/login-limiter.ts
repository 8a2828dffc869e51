/**
 * Failed sign-ins counted per username and per client address, in memory, with temporary
 * lockouts that grow with each repeated lockout. Memory is bounded: each table keeps at
 * most `maxEntries` entries and drops the least recently failed one (preferring one that is
 * not locked) to make room.
 */
export interface LoginLimitOptions {
  /** failures of one username within `windowMs` that lock it */
  userFailures?: number;
  /** failures from one address (IPv6: one /64) within `windowMs` that lock it */
  addressFailures?: number;
  windowMs?: number;
  /** the first lockout; each further one doubles, up to `maxLockMs` */
  lockMs?: number;
  maxLockMs?: number;
  /** an entry quiet this long starts afresh (its lockouts are forgotten) */
  forgetMs?: number;
  /** entries per table (usernames, addresses) */
  maxEntries?: number;
  now?: () => number;
}

export const LOGIN_LIMIT_DEFAULTS: Required<Omit<LoginLimitOptions, 'now'>> = {
  userFailures: 5,
  addressFailures: 30,
  windowMs: 5 * 60_000,
  lockMs: 60_000,
  maxLockMs: 3600_000,
  forgetMs: 24 * 3600_000,
  maxEntries: 10_000,
};

interface Entry {
  /** times of the latest failures (at most the limit), oldest first: a sliding window */
  failures: number[];
  lockedUntil: number;
  lockouts: number;
  lastFailure: number;
}

/** A lockout that a failure has just started. */
export interface Lockout {
  failures: number;
  lockedMs: number;
}

/** Both tables are checked and fed together; `locked` says which one refuses and for how long. */
export class LoginLimiter {
  private readonly opts: Required<Omit<LoginLimitOptions, 'now'>>;
  private readonly now: () => number;
  private readonly users = new Map<string, Entry>();
  private readonly addresses = new Map<string, Entry>();

  constructor(opts: LoginLimitOptions = {}) {
    const { now, ...rest } = opts;
    this.opts = { ...LOGIN_LIMIT_DEFAULTS, ...stripUndefined(rest) };
    this.now = now ?? Date.now;
  }

  /** Entries held (both tables): bounded by 2 × maxEntries. */
  get size(): number {
    return this.users.size + this.addresses.size;
  }

  /** Milliseconds until sign-ins for this username or from this address are allowed again; 0 when allowed. */
  lockedFor(username: string | null, address: string): number {
    const now = this.now();
    const u = username === null ? 0 : remaining(this.users.get(username), now);
    const a = address ? remaining(this.addresses.get(address), now) : 0;
    return Math.max(u, a);
  }

  /** Records a failed sign-in; returns the lockouts it starts. */
  fail(username: string, address: string): { user?: Lockout; address?: Lockout } {
    const out: { user?: Lockout; address?: Lockout } = {};
    const user = this.record(this.users, username, this.opts.userFailures);
    if (user) out.user = user;
    if (address) {
      const addr = this.record(this.addresses, address, this.opts.addressFailures);
      if (addr) out.address = addr;
    }
    return out;
  }

  /** A successful sign-in clears the username's failures (not the address's: one valid account must not reset a guesser's count). */
  succeed(username: string): void {
    this.users.delete(username);
  }

  private record(table: Map<string, Entry>, key: string, limit: number): Lockout | undefined {
    const now = this.now();
    let e = table.get(key);
    if (e && now - e.lastFailure > this.opts.forgetMs) e = undefined;
    e ??= { failures: [], lockedUntil: 0, lockouts: 0, lastFailure: now };
    e.failures.push(now);
    while (e.failures.length > limit || (e.failures.length > 0 && now - e.failures[0]! >= this.opts.windowMs)) e.failures.shift();
    e.lastFailure = now;
    let started: Lockout | undefined;
    if (e.failures.length >= limit && e.lockedUntil <= now) {
      const lockedMs = Math.min(this.opts.maxLockMs, this.opts.lockMs * 2 ** Math.min(e.lockouts, 30));
      e.lockedUntil = now + lockedMs;
      e.lockouts++;
      started = { failures: e.failures.length, lockedMs };
      // After the lockout it takes `limit` new failures to lock again (for twice as long).
      e.failures = [];
    }
    // Most recently failed last, so the first entries are the ones to drop.
    table.delete(key);
    this.makeRoom(table, now);
    table.set(key, e);
    return started;
  }

  private makeRoom(table: Map<string, Entry>, now: number): void {
    if (table.size < this.opts.maxEntries) return;
    let scanned = 0;
    for (const [k, e] of table) {
      if (e.lockedUntil <= now) {
        table.delete(k);
        return;
      }
      if (++scanned >= 64) break;
    }
    const oldest = table.keys().next();
    if (!oldest.done) table.delete(oldest.value);
  }
}

function remaining(e: Entry | undefined, now: number): number {
  return e && e.lockedUntil > now ? e.lockedUntil - now : 0;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The key by which failures from one client are counted: an IPv4 address (also when
 * IPv4-mapped in IPv6), or the /64 prefix of an IPv6 address, since one client usually holds
 * a whole /64. Empty when the address is unknown.
 */
export function clientAddressKey(remote: string): string {
  const r = remote.trim().toLowerCase();
  if (!r.includes(':')) return r;
  const groups = expandIpv6(r);
  if (!groups) return r;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

function expandIpv6(addr: string): number[] | null {
  let s = addr;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const b = v4.slice(1).map(Number);
    s = `${s.slice(0, v4.index)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const parts = [...head, ...Array<string>(Math.max(fill, 0)).fill('0'), ...tail];
  if (parts.length !== 8 || !parts.every((p) => /^[0-9a-f]{1,4}$/.test(p))) return null;
  return parts.map((p) => parseInt(p, 16));
}
