import type { Store } from '../../../../platform/store/store.ts';
import { TABLES } from '../../../../schemas/tables.ts';
import { COMMENT_COLUMNS, type CommentRow } from './call-comments.ts';

const BY_ID = `SELECT ${COMMENT_COLUMNS} FROM ${TABLES.qaComments} WHERE id = {id:String} ORDER BY version DESC LIMIT 1`;

/** The current version of one comment, or undefined. */
export async function commentById(store: Store, id: string): Promise<CommentRow | undefined> {
  return (await store.query<CommentRow>(BY_ID, { id }))[0];
}
