/**
 * The discrete-event calendar: a binary min-heap ordered by (time, insertion
 * order), so simultaneous events run in the order they were scheduled and a run
 * is reproducible. Entries live in parallel typed arrays addressed by slot
 * numbers to keep scheduling free of per-event allocations.
 */
export class EventCalendar<R> {
  private heap: Int32Array;
  private time: Float64Array;
  private order: Float64Array;
  private kind: Int32Array;
  private token: Int32Array;
  private ref: (R | null)[];
  private freeSlots: number[] = [];
  private slotCount = 0;
  private counter = 0;
  private length = 0;

  /** Fields of the entry most recently taken by `pop()`. */
  popped: { time: number; kind: number; ref: R | null; token: number } = { time: 0, kind: 0, ref: null, token: 0 };

  constructor(capacity = 1024) {
    this.heap = new Int32Array(capacity);
    this.time = new Float64Array(capacity);
    this.order = new Float64Array(capacity);
    this.kind = new Int32Array(capacity);
    this.token = new Int32Array(capacity);
    this.ref = new Array<R | null>(capacity).fill(null);
  }

  /** Number of pending entries. */
  get size(): number {
    return this.length;
  }

  /** Time of the earliest entry, Infinity when empty. */
  peekTime(): number {
    return this.length === 0 ? Infinity : (this.time[this.heap[0] ?? 0] ?? Infinity);
  }

  /** Schedules `kind` on `ref` at `time`; `token` travels with it (used to recognise cancelled timers). */
  push(time: number, kind: number, ref: R | null, token: number): void {
    const slot = this.freeSlots.length > 0 ? (this.freeSlots.pop() as number) : this.newSlot();
    this.time[slot] = time;
    this.order[slot] = this.counter++;
    this.kind[slot] = kind;
    this.token[slot] = token;
    this.ref[slot] = ref;
    if (this.length === this.heap.length) this.heap = grow(this.heap);
    this.heap[this.length] = slot;
    this.siftUp(this.length++);
  }

  /** Removes the earliest entry into `popped`; returns false when empty. */
  pop(): boolean {
    if (this.length === 0) return false;
    const heap = this.heap;
    const slot = heap[0] as number;
    const p = this.popped;
    p.time = this.time[slot] as number;
    p.kind = this.kind[slot] as number;
    p.token = this.token[slot] as number;
    p.ref = this.ref[slot] ?? null;
    this.ref[slot] = null;
    this.freeSlots.push(slot);
    this.length--;
    if (this.length > 0) {
      heap[0] = heap[this.length] as number;
      this.siftDown(0);
    }
    return true;
  }

  private newSlot(): number {
    const slot = this.slotCount++;
    if (slot === this.time.length) {
      this.time = grow(this.time);
      this.order = grow(this.order);
      this.kind = grow(this.kind);
      this.token = grow(this.token);
      this.ref.length = this.time.length;
      this.ref.fill(null, slot);
    }
    return slot;
  }

  private less(x: number, y: number): boolean {
    const tx = this.time[x] as number;
    const ty = this.time[y] as number;
    return tx < ty || (tx === ty && (this.order[x] as number) < (this.order[y] as number));
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const slot = heap[i] as number;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const ps = heap[parent] as number;
      if (!this.less(slot, ps)) break;
      heap[i] = ps;
      i = parent;
    }
    heap[i] = slot;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = this.length;
    const slot = heap[i] as number;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && this.less(heap[right] as number, heap[child] as number)) child = right;
      const cs = heap[child] as number;
      if (!this.less(cs, slot)) break;
      heap[i] = cs;
      i = child;
    }
    heap[i] = slot;
  }
}

function grow<T extends Int32Array | Float64Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}
