let last = 0;

/**
 * Version for append-only ReplacingMergeTree rows: microsecond-scaled wall clock, strictly
 * increasing within the process, so two changes in one millisecond still order correctly.
 */
export function nextVersion(): number {
  last = Math.max(Date.now() * 1000, last + 1);
  return last;
}
