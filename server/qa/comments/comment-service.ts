/**
 * Comment pins on a call's recording (qa_comments, append-only versions). QA staff see every
 * pin; an agent sees the public pins of calls it handled and may pin public comments there.
 * Deleting writes a new version with deleted = 1.
 */
import type { Principal } from '../../../platform/auth.ts';
import type { CallComment } from '../../../schemas/qa.ts';
import { TABLES } from '../../../schemas/tables.ts';
import type { QaDeps } from '../deps.ts';
import { isAdmin, isOwn, isQa, readsAll } from '../evaluations/access.ts';
import { evaluationVersions } from '../evaluations/queries/evaluation-versions.ts';
import { newId, QaInputError, Serial } from '../evaluations/qa-input-error.ts';
import { callAgents } from '../queries/call-agents.ts';
import { callComments, type CommentRow } from './queries/call-comments.ts';
import { commentById } from './queries/comment-by-id.ts';

export interface CommentInput {
  at_s: number;
  end_s?: number | undefined;
  text: string;
  visibility: 'public' | 'private';
  evaluation?: string | undefined;
  question?: string | undefined;
}

export class CommentService {
  private readonly writes = new Serial();

  constructor(
    private readonly deps: QaDeps,
    private readonly now: () => number = Date.now,
  ) {}

  /** The pins of a call the caller may see; 404 for an agent on a call it did not handle. */
  async list(who: Principal, call: string): Promise<CallComment[]> {
    if (readsAll(who)) return (await callComments(this.deps.store, call)).map(fromRow);
    await this.ownCall(who, call);
    return (await callComments(this.deps.store, call)).map(fromRow).filter((c) => c.visibility === 'public');
  }

  async create(who: Principal, call: string, body: CommentInput): Promise<CallComment> {
    let role: CallComment['author_role'];
    if (isQa(who)) {
      if (!(await callAgents(this.deps.store, [call])).has(call)) throw new QaInputError(`call: no events for ${JSON.stringify(call)}`, 404);
      role = 'evaluator';
    } else if (isOwn(who)) {
      await this.ownCall(who, call);
      if (body.visibility !== 'public') throw new QaInputError("visibility: an agent's comments are public");
      role = 'agent';
    } else throw new QaInputError('scope: commenting needs the qa or own permission', 403);
    if (body.end_s !== undefined && body.end_s < body.at_s) throw new QaInputError(`end_s: must not be before at_s (${body.at_s})`);
    if (body.evaluation !== undefined) {
      const ev = (await evaluationVersions(this.deps.store, body.evaluation)).at(-1);
      const agentMaySee = ev && ev.agent === who.name && ev.status !== 'draft' && ev.calibration === '';
      if (!ev || ev.call !== call || (role === 'agent' && !agentMaySee)) throw new QaInputError(`evaluation: no evaluation ${JSON.stringify(body.evaluation)} on this call`);
    }
    const at = this.now();
    const c: CallComment = {
      id: newId(),
      call,
      at_s: body.at_s,
      ...(body.end_s === undefined ? {} : { end_s: body.end_s }),
      text: body.text,
      visibility: body.visibility,
      ...(body.evaluation === undefined ? {} : { evaluation: body.evaluation }),
      ...(body.question === undefined ? {} : { question: body.question }),
      author: who.name,
      author_role: role,
      created_at: at,
      deleted: false,
    };
    await this.insert(c, 1, at);
    await this.deps.audit(who.name, 'qa_comment_created', c.id, `call ${call}; ${c.visibility}; at ${c.at_s}s`);
    return c;
  }

  /** Deletes a pin (its author or an admin): a new version with deleted = 1. */
  async delete(who: Principal, id: string): Promise<void> {
    await this.writes.run(async () => {
      const row = await commentById(this.deps.store, id);
      if (!row || Number(row.deleted) === 1) throw new QaInputError(`comment: no comment ${JSON.stringify(id)}`, 404);
      if (row.author !== who.name && !isAdmin(who)) throw new QaInputError('author: only the author (or an admin) may delete a comment', 403);
      await this.insert({ ...fromRow(row), deleted: true }, Number(row.version) + 1, this.now());
      await this.deps.audit(who.name, 'qa_comment_deleted', id, `call ${row.call}; by ${row.author}`);
    });
  }

  /** 404 unless the caller (own scope) handled the call. */
  private async ownCall(who: Principal, call: string): Promise<void> {
    const handled = (await callAgents(this.deps.store, [call])).get(call);
    if (!handled || !handled.agents.includes(who.name)) throw new QaInputError(`call: no call ${JSON.stringify(call)} of yours`, 404);
  }

  private insert(c: CallComment, version: number, at: number): Promise<void> {
    return this.deps.store.insertRows(TABLES.qaComments, [
      {
        id: c.id,
        call: c.call,
        evaluation: c.evaluation ?? '',
        question: c.question ?? '',
        at_s: c.at_s,
        end_s: c.end_s ?? null,
        text: c.text,
        visibility: c.visibility,
        author: c.author,
        author_role: c.author_role,
        deleted: c.deleted ? 1 : 0,
        created_at: c.created_at,
        version,
        updated_at: at,
      },
    ]);
  }
}

function fromRow(r: CommentRow): CallComment {
  return {
    id: r.id,
    call: r.call,
    at_s: Number(r.at_s),
    ...(r.end_s === null ? {} : { end_s: Number(r.end_s) }),
    text: r.text,
    visibility: r.visibility === 'private' ? 'private' : 'public',
    ...(r.evaluation === '' ? {} : { evaluation: r.evaluation }),
    ...(r.question === '' ? {} : { question: r.question }),
    author: r.author,
    author_role: r.author_role === 'agent' ? 'agent' : 'evaluator',
    created_at: Number(r.created_at),
    deleted: Number(r.deleted) === 1,
  };
}
