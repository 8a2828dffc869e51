/**
 * Helpers for uWebSockets.js responses. uWS rules: register onAborted before the first
 * await, cork every write that happens after an await, never touch an aborted response.
 */
import type { HttpRequest, HttpResponse, TemplatedApp, us_socket_context_t, WebSocketBehavior } from 'uWebSockets.js';

export interface Reply {
  res: HttpResponse;
  aborted: boolean;
}

/** Marks the response so later writes can check `aborted`; call first in every handler. */
export function guard(res: HttpResponse): Reply {
  const reply: Reply = { res, aborted: false };
  res.onAborted(() => {
    reply.aborted = true;
  });
  return reply;
}

export const STATUS: Record<number, string> = {
  200: '200 OK',
  201: '201 Created',
  204: '204 No Content',
  206: '206 Partial Content',
  302: '302 Found',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  403: '403 Forbidden',
  404: '404 Not Found',
  405: '405 Method Not Allowed',
  409: '409 Conflict',
  413: '413 Payload Too Large',
  416: '416 Range Not Satisfiable',
  429: '429 Too Many Requests',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
  507: '507 Insufficient Storage',
};

/** Sends a whole response (corked); a no-op when the client went away. */
export function send(
  reply: Reply,
  status: number,
  body: string,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): void {
  if (reply.aborted) return;
  reply.aborted = true;
  reply.res.cork(() => {
    reply.res.writeStatus(STATUS[status] ?? `${status} Status`);
    reply.res.writeHeader('Content-Type', contentType);
    for (const [k, v] of Object.entries(headers)) reply.res.writeHeader(k, v);
    reply.res.end(body);
  });
}

export function sendJson(reply: Reply, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(reply, status, JSON.stringify(value), headers);
}

/** A JSON error body `{error}` with the status. */
export function sendError(reply: Reply, status: number, error: string, headers: Record<string, string> = {}): void {
  sendJson(reply, status, { error }, headers);
}

export class BodyTooLargeError extends Error {}

/**
 * Collects the request body, failing once it passes `limit` bytes. Start it before the
 * handler's first await (uWS rule); the handler may then answer without ever awaiting it
 * (401, 403): its rejection is marked handled here, so a body that keeps arriving past the
 * limit after such an answer cannot end the process with an unhandled rejection. Awaiting
 * the returned promise still throws BodyTooLargeError.
 */
export function readBody(reply: Reply, limit: number): Promise<Buffer> {
  const body = new Promise<Buffer>((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    reply.res.onData((ab, isLast) => {
      // uWS keeps delivering the rest of a refused body, even after the response ended: ignore it.
      if (settled) return;
      size += ab.byteLength;
      if (size > limit) {
        settled = true;
        chunks = [];
        reject(new BodyTooLargeError(`body exceeds ${limit} bytes`));
        return;
      }
      // uWS reuses the chunk's memory after the callback: copy it.
      chunks.push(Buffer.from(new Uint8Array(ab).slice()));
      if (isLast) {
        settled = true;
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
        chunks = [];
      }
    });
  });
  body.catch(() => undefined);
  return body;
}

/** Streams chunks with backpressure; resolves false if the client went away. */
export async function writeChunk(reply: Reply, chunk: string | Buffer): Promise<boolean> {
  if (reply.aborted) return false;
  let ok = false;
  reply.res.cork(() => {
    ok = reply.res.write(chunk);
  });
  if (ok) return true;
  await new Promise<void>((resolve) => {
    reply.res.onWritable(() => {
      resolve();
      return true;
    });
    reply.res.onAborted(() => {
      reply.aborted = true;
      resolve();
    });
  });
  return !reply.aborted;
}

/** Request facts copied out of the HttpRequest, which is only valid synchronously. */
export interface RequestInfo {
  method: string;
  url: string;
  query: URLSearchParams;
  authorization: string;
  cookie: string;
  contentType: string;
  /** the `Range` header ('' when absent) */
  range: string;
  remote: string;
}

export function requestInfo(req: HttpRequest, res: HttpResponse): RequestInfo {
  return {
    method: req.getMethod(),
    url: req.getUrl(),
    query: new URLSearchParams(req.getQuery() ?? ''),
    authorization: req.getHeader('authorization'),
    cookie: req.getHeader('cookie'),
    contentType: req.getHeader('content-type'),
    range: req.getHeader('range'),
    remote: Buffer.from(res.getRemoteAddressAsText()).toString(),
  };
}

/**
 * Why a request's URL is malformed (a `%` not followed by two hex digits, or escapes that are
 * not UTF-8), or null when it is well formed. Checking the whole path and query once means
 * every later decode of a part of them (route parameters, query values) is exact and cannot throw.
 */
export function malformedUrl(req: HttpRequest): string | null {
  try {
    decodeURIComponent(req.getUrl());
  } catch {
    return 'malformed URL: bad percent-encoding in the path';
  }
  try {
    decodeURIComponent(req.getQuery() ?? '');
  } catch {
    return 'malformed URL: bad percent-encoding in the query string';
  }
  return null;
}

type Handler<A extends unknown[]> = (res: HttpResponse, req: HttpRequest, ...rest: A) => void | Promise<void>;
const HTTP_ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'del', 'options', 'head', 'connect', 'trace', 'any']);

/** The handler, behind a check that answers 400 to a malformed URL instead of running it. */
function urlChecked<A extends unknown[]>(handler: Handler<A>): Handler<A> {
  return (res, req, ...rest) => {
    const problem = malformedUrl(req);
    if (problem !== null) return sendError(guard(res), 400, problem);
    return handler(res, req, ...rest);
  };
}

/**
 * The app, with every route it registers (HTTP and WebSocket upgrades) answering
 * `400 {"error": "malformed URL: …"}` to a URL with bad percent-encoding before its handler
 * runs: a client's bad URL is a client error, never a 500 from a decode deep in a handler.
 */
export function rejectMalformedUrls(app: TemplatedApp): TemplatedApp {
  const proxy: TemplatedApp = new Proxy(app, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (typeof prop === 'string' && HTTP_ROUTE_METHODS.has(prop)) {
        return (pattern: string, handler: Handler<[]>) => {
          (value as (pattern: string, handler: Handler<[]>) => TemplatedApp).call(target, pattern, urlChecked(handler));
          return proxy;
        };
      }
      if (prop === 'ws') {
        return <T>(pattern: string, behavior: WebSocketBehavior<T>) => {
          const upgrade: Handler<[us_socket_context_t]> =
            behavior.upgrade ??
            ((res, req, context) =>
              res.upgrade({}, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context));
          target.ws<T>(pattern, { ...behavior, upgrade: urlChecked(upgrade) });
          return proxy;
        };
      }
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
  return proxy;
}
