/**
 * Helpers for uWebSockets.js responses. uWS rules: register onAborted before the first
 * await, cork every write that happens after an await, never touch an aborted response.
 */
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';

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
  302: '302 Found',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  403: '403 Forbidden',
  404: '404 Not Found',
  405: '405 Method Not Allowed',
  409: '409 Conflict',
  413: '413 Payload Too Large',
  429: '429 Too Many Requests',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
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

/** Collects the request body, failing once it passes `limit` bytes. */
export function readBody(reply: Reply, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    reply.res.onData((ab, isLast) => {
      if (failed) return;
      size += ab.byteLength;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLargeError(`body exceeds ${limit} bytes`));
        return;
      }
      // uWS reuses the chunk's memory after the callback: copy it.
      chunks.push(Buffer.from(new Uint8Array(ab).slice()));
      if (isLast) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
  });
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
    remote: Buffer.from(res.getRemoteAddressAsText()).toString(),
  };
}
