/** Linux /proc readings for the benchmark: memory and CPU time of a process and its threads. */
import { readFileSync, readdirSync } from 'node:fs';

const CLK_TCK = 100;

/** A `Vm…:` line of /proc/<pid>/status in MB, or NaN when the process is gone. */
export function vmMB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function statTimes(path: string): { comm: string; cpuMs: number } | null {
  try {
    const text = readFileSync(path, 'utf8');
    // comm may contain spaces and parentheses: fields start after the last ')'.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return { comm, cpuMs: ((utime + stime) * 1000) / CLK_TCK };
  } catch {
    return null;
  }
}

export interface CpuSnapshot {
  /** whole process, exited threads included */
  totalMs: number;
  /** the main (JavaScript) thread */
  mainMs: number;
  /** live threads other than the main one, by name */
  byName: Map<string, number>;
}

export function cpuSnapshot(pid: number): CpuSnapshot {
  const total = statTimes(`/proc/${pid}/stat`);
  const main = statTimes(`/proc/${pid}/task/${pid}/stat`);
  const byName = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    // process gone
  }
  for (const tid of tids) {
    if (Number(tid) === pid) continue;
    const t = statTimes(`/proc/${pid}/task/${tid}/stat`);
    if (t) byName.set(t.comm, (byName.get(t.comm) ?? 0) + t.cpuMs);
  }
  return { totalMs: total?.cpuMs ?? NaN, mainMs: main?.cpuMs ?? NaN, byName };
}

/** CPU used between two snapshots: total, main thread, and the busiest other thread groups. */
export function cpuDelta(a: CpuSnapshot, b: CpuSnapshot): { totalMs: number; mainMs: number; others: [string, number][] } {
  const others: [string, number][] = [];
  for (const [name, ms] of b.byName) {
    const d = ms - (a.byName.get(name) ?? 0);
    if (d > 0) others.push([name, d]);
  }
  others.sort((x, y) => y[1] - x[1]);
  return { totalMs: b.totalMs - a.totalMs, mainMs: b.mainMs - a.mainMs, others };
}

/** Busy CPU time of the whole machine (all cores), from /proc/stat, in ms. */
export function machineBusyMs(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …
    const busy = v[0]! + v[1]! + v[2]! + (v[5] ?? 0) + (v[6] ?? 0) + (v[7] ?? 0);
    return (busy * 1000) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** CPU time used so far by this process (ms). */
export function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
