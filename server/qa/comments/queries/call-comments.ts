import type { Store } from '../../../../platform/store/store.ts';
import { TABLES } from '../../../../schemas/tables.ts';

/** A qa_comments row as read. */
export interface CommentRow {
  id: string;
  call: string;
  evaluation: string;
  question: string;
  at_s: number;
  end_s: number | null;
  text: string;
  visibility: string;
  author: string;
  author_role: string;
  deleted: number | string;
  created_at: number | string;
  version: number | string;
  updated_at: number | string;
}

export const COMMENT_COLUMNS = `id, call, evaluation, question, at_s, end_s, text, visibility, author, author_role, deleted,
  toUnixTimestamp64Milli(created_at) AS created_at, version, toUnixTimestamp64Milli(updated_at) AS updated_at`;

const BY_CALL = `
SELECT * FROM (
  SELECT ${COMMENT_COLUMNS} FROM ${TABLES.qaComments}
  WHERE call = {call:String}
  ORDER BY id, version DESC
  LIMIT 1 BY id
)
WHERE deleted = 0
ORDER BY at_s, created_at, id`;

/** The current, not deleted comment pins of a call, in recording order. */
export function callComments(store: Store, call: string): Promise<CommentRow[]> {
  return store.query<CommentRow>(BY_CALL, { call });
}
