import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { readBody, type Reply } from '../../platform/http/uws.ts';
import { firstError } from '../../schemas/validate.ts';

const MAX_API_BODY = 1024 * 1024;
/** A sign-in body: a username (≤ 64 characters) and a password (≤ 256), JSON-escaped with room to spare. */
export const LOGIN_BODY_BYTES = 8 * 1024;

export class RequestBodyError extends Error {}

/** Starts collecting the body: must be called before the handler's first await (uWS rule). */
export function startBody(reply: Reply, limit = MAX_API_BODY): Promise<Buffer> {
  const body = readBody(reply, limit);
  body.catch(() => undefined);
  return body;
}

/** A JSON body checker for one request schema; errors name the field and the reason. */
export function jsonBody<S extends TSchema>(schema: S) {
  const checker = TypeCompiler.Compile(schema);
  return async (body: Promise<Buffer>): Promise<Static<S>> => {
    const raw = (await body).toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new RequestBodyError('body: must be JSON');
    }
    if (!checker.Check(value)) throw new RequestBodyError(firstError(checker, value));
    return value;
  };
}
