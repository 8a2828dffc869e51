import type { Store } from '../../../../platform/store/store.ts';
import { TABLES } from '../../../../schemas/tables.ts';

// users: ReplacingMergeTree(version), the current row read with FINAL (migration 0002);
// rows older than migration 0005 read `roles` as [role].
const SQL = `
SELECT username
FROM ${TABLES.users} FINAL
WHERE username IN {names:Array(String)}
  AND disabled = 0
  AND hasAny(if(empty(roles), [role], roles), ['qa', 'admin'])`;

/** Which of `names` are enabled users holding the qa or admin role. */
export async function evaluatorUsers(store: Store, names: readonly string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await store.query<{ username: string }>(SQL, { names: [...new Set(names)] });
  return new Set(rows.map((r) => r.username));
}
