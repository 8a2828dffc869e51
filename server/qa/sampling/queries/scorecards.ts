import type { Store } from '../../../../platform/store/store.ts';
import { TABLES } from '../../../../schemas/tables.ts';

const SQL = `
SELECT id, archived
FROM ${TABLES.qaScorecards}
WHERE id = {id:String}
ORDER BY version DESC
LIMIT 1`;

/** The current version of a scorecard: whether it exists and is archived. */
export async function scorecardState(store: Store, id: string): Promise<'missing' | 'archived' | 'active'> {
  const [row] = await store.query<{ id: string; archived: number | string }>(SQL, { id });
  if (!row) return 'missing';
  return Number(row.archived) ? 'archived' : 'active';
}
