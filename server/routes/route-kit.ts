/** One way to register an authorized JSON route: scope check, body start, path parameters, error mapping. */
import type { TemplatedApp } from 'uWebSockets.js';
import type { Authenticator, Principal, Scope } from '../../platform/auth.ts';
import { authorize } from '../../platform/http/authorize.ts';
import { BodyTooLargeError, guard, requestInfo, sendError, type Reply, type RequestInfo } from '../../platform/http/uws.ts';
import type { Logger } from '../../platform/log.ts';
import { AuthInputError } from '../auth/auth-service.ts';
import { DirectoryInputError } from '../directory/directory-service.ts';
import { RequestBodyError, startBody } from './request-body.ts';

export interface RouteContext {
  reply: Reply;
  who: Principal;
  /** path parameters, percent-decoded, in the order of `params` */
  params: string[];
  body: Promise<Buffer>;
  info: RequestInfo;
}

export interface RouteOptions {
  /** the caller needs this scope, or any one of these */
  scope: Scope | readonly Scope[];
  /** names of the path parameters (for error messages) */
  params?: string[];
  /** display tokens are refused (403) even with the scope: they read only their boards and the live data */
  noDisplay?: boolean;
}

/** Answers a failed route: client errors with their status and `field: reason`, anything else 500 (logged). */
export function failRoute(log: Logger, reply: Reply, err: unknown): void {
  if (err instanceof RequestBodyError) return sendError(reply, 400, err.message);
  if (err instanceof DirectoryInputError || err instanceof AuthInputError) return sendError(reply, err.status, err.message);
  if (err instanceof BodyTooLargeError) return sendError(reply, 413, err.message);
  log('error', 'route failed', { error: String(err), stack: (err as Error)?.stack });
  sendError(reply, 500, 'internal error');
}

export function registerRoute(
  app: TemplatedApp,
  auth: Authenticator,
  log: Logger,
  method: 'get' | 'post' | 'put' | 'patch' | 'del',
  path: string,
  opts: RouteOptions,
  handle: (ctx: RouteContext) => Promise<void>,
): void {
  app[method](path, (res, req) => {
    const reply = guard(res);
    const info = requestInfo(req, res);
    const raw = (opts.params ?? []).map((_, i) => req.getParameter(i) ?? '');
    const body = method === 'post' || method === 'put' || method === 'patch' ? startBody(reply) : Promise.resolve(Buffer.alloc(0));
    void (async () => {
      const who = await authorize(reply, auth, info, opts.scope);
      if (!who) return;
      if (opts.noDisplay && who.kind === 'display') return sendError(reply, 403, 'a display token may read only its boards and the live data');
      const params: string[] = [];
      for (const [i, p] of raw.entries()) {
        try {
          params.push(decodeURIComponent(p));
        } catch {
          return sendError(reply, 400, `${opts.params?.[i] ?? 'path'}: malformed percent-encoding in the path`);
        }
      }
      await handle({ reply, who, params, body, info });
    })().catch((err: unknown) => failRoute(log, reply, err));
  });
}
