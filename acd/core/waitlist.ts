/**
 * The calls waiting in one queue: highest priority first, first-in first-out
 * within a priority. Leaving calls (abandon, overflow) are not searched for:
 * their entries go stale and are skipped when they reach the head.
 *
 * It knows a call only by the fields below, so it does not import the model
 * (model.ts imports it: queues own their wait list).
 */
import { CallState, type CallStateCode } from './call-state.ts';

/** What a wait list reads of a call (core/model.ts `Call`); `Q` is the queue type. */
export interface WaitingCall<Q> {
  readonly state: CallStateCode;
  readonly queue: Q | null;
  readonly priority: number;
  /** names the live wait-list entry: bumped on every queue entry and exit */
  readonly waitSeq: number;
  /** when the current wait began (an overflowed call keeps its place in time) */
  readonly enteredAt: number;
}

/** Double-ended ring buffer of (call, wait sequence) entries. */
class Deque<Call extends WaitingCall<unknown>> {
  private calls: (Call | null)[] = new Array<Call | null>(16).fill(null);
  private seqs = new Float64Array(16);
  private head = 0;
  length = 0;

  pushBack(call: Call, seq: number): void {
    if (this.length === this.calls.length) this.grow();
    const i = (this.head + this.length) & (this.calls.length - 1);
    this.calls[i] = call;
    this.seqs[i] = seq;
    this.length++;
  }

  pushFront(call: Call, seq: number): void {
    if (this.length === this.calls.length) this.grow();
    this.head = (this.head - 1) & (this.calls.length - 1);
    this.calls[this.head] = call;
    this.seqs[this.head] = seq;
    this.length++;
  }

  /**
   * Adds a call behind every entry that began waiting no later than it (`enteredAt`),
   * ahead of those that began later: an overflowed call keeps its place in time.
   * Walks from the back, so a call older than few others costs little.
   */
  insertByAge(call: Call, seq: number): void {
    this.pushBack(call, seq);
    const mask = this.calls.length - 1;
    let k = this.length - 1;
    while (k > 0) {
      const i = (this.head + k) & mask;
      const j = (this.head + k - 1) & mask;
      const before = this.calls[j];
      if (before === null || before === undefined || before.enteredAt <= call.enteredAt) break;
      this.calls[i] = before;
      this.seqs[i] = this.seqs[j] ?? 0;
      this.calls[j] = call;
      this.seqs[j] = seq;
      k--;
    }
  }

  frontCall(): Call | null {
    return this.length === 0 ? null : (this.calls[this.head] ?? null);
  }

  frontSeq(): number {
    return this.seqs[this.head] ?? -1;
  }

  popFront(): void {
    this.calls[this.head] = null;
    this.head = (this.head + 1) & (this.calls.length - 1);
    this.length--;
  }

  private grow(): void {
    const n = this.calls.length;
    const calls = new Array<Call | null>(n * 2).fill(null);
    const seqs = new Float64Array(n * 2);
    for (let k = 0; k < this.length; k++) {
      const i = (this.head + k) & (n - 1);
      calls[k] = this.calls[i] ?? null;
      seqs[k] = this.seqs[i] ?? 0;
    }
    this.calls = calls;
    this.seqs = seqs;
    this.head = 0;
  }
}

export class WaitList<Queue, Call extends WaitingCall<Queue>> {
  /** Priority levels, highest first. */
  private readonly levels: { priority: number; deque: Deque<Call> }[] = [];
  /** Number of calls really waiting (stale entries excluded). */
  count = 0;

  constructor(private readonly owner: Queue) {}

  /**
   * Adds a call (already marked waiting in this queue with its current `waitSeq`):
   * at the head of its priority (`front`), at the back (`back`), or by the time its
   * wait began (`age`, for a call that overflowed here from another queue).
   */
  add(call: Call, where: 'front' | 'back' | 'age'): void {
    const deque = this.level(call.priority);
    if (where === 'front') deque.pushFront(call, call.waitSeq);
    else if (where === 'back') deque.pushBack(call, call.waitSeq);
    else deque.insertByAge(call, call.waitSeq);
    this.count++;
  }

  /** Records that a waiting call left without passing the head (abandon, overflow, max wait). */
  left(): void {
    this.count--;
  }

  /** The call that should be served next, or null. Drops stale entries on the way. */
  peek(): Call | null {
    if (this.count === 0) return null;
    for (const { deque } of this.levels) {
      for (;;) {
        const call = deque.frontCall();
        if (call === null) break;
        if (call.state === CallState.waiting && call.queue === this.owner && call.waitSeq === deque.frontSeq()) return call;
        deque.popFront();
      }
    }
    return null;
  }

  /** Removes the call `peek()` returned. */
  take(): void {
    for (const { deque } of this.levels) {
      if (deque.length > 0 && deque.frontCall() !== null) {
        deque.popFront();
        this.count--;
        return;
      }
    }
  }

  private level(priority: number): Deque<Call> {
    let i = 0;
    for (; i < this.levels.length; i++) {
      const l = this.levels[i] as { priority: number; deque: Deque<Call> };
      if (l.priority === priority) return l.deque;
      if (l.priority < priority) break;
    }
    const deque = new Deque<Call>();
    this.levels.splice(i, 0, { priority, deque });
    return deque;
  }
}
