/** A QA request that cannot be done: the message is `field: reason`, `status` the HTTP status (400, 403, 404, 409). */
export class QaInputError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'QaInputError';
  }
}

/** A new row id: 16 random hex digits (a UUID's first half, no dashes). */
export function newId(): string {
  return crypto.randomUUID().replace(/-/g, '').slice(0, 16);
}

/** Runs writes one at a time, so each reads the versions the previous one wrote. */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
