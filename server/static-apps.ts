/**
 * Serving the built front-end apps (DESIGN.md "The apps"): `wallboard/dist` at `/wallboard/`
 * and `qa-player/dist` at `/qa/`, plus building them when the build is missing or
 * older than its sources, so `npm start` stays one command.
 *
 * Files are read into memory once at registration (a few hundred KB, gzipped copies made
 * then), so a request never touches the disk and only files of the build can ever be served:
 * no path can reach outside it. Hashed assets are cached for a year; index.html is `no-cache`
 * so a new build is picked up at the next load. Any other path under the mount that is not a
 * file (no extension, not under assets/) gets index.html: the app's own routes (e.g.
 * `/wallboard/tv?token=…`).
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { build as viteBuild } from 'vite';

/** A structural logger, so this module does not depend on where the server's logger lives. */
export type AppLog = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface StaticApp {
  /** URL prefix without the trailing slash, e.g. `/wallboard` */
  mount: string;
  /** build output, relative to the project root */
  dist: string;
  /** Vite config file, relative to the project root */
  config: string;
  /** folders and files whose changes make the build stale, relative to the project root */
  sources: string[];
}

export const STATIC_APPS: readonly StaticApp[] = [
  { mount: '/wallboard', dist: 'wallboard/dist', config: 'wallboard/vite.config.js', sources: ['wallboard', 'ui', 'package-lock.json'] },
  { mount: '/qa', dist: 'qa-player/dist', config: 'qa-player/vite.config.js', sources: ['qa-player', 'ui', 'schemas/qa.ts', 'schemas/qa-score.ts', 'package-lock.json'] },
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt']);
const YEAR = 'public, max-age=31536000, immutable';

interface StaticFile {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
  cache: string;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Every file of a build, keyed by its path relative to the build (forward slashes). */
export function loadBuild(distDir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(join(distDir, 'index.html'))) return files;
  for (const abs of listFiles(distDir)) {
    const rel = relative(distDir, abs).split(sep).join('/');
    const ext = extname(rel).toLowerCase();
    const body = readFileSync(abs);
    const gzip = COMPRESSIBLE.has(ext) && body.length > 512 ? gzipSync(body, { level: 9 }) : null;
    files.set(rel, {
      body,
      gzip: gzip && gzip.length < body.length ? gzip : null,
      type: TYPES[ext] ?? 'application/octet-stream',
      cache: rel === 'index.html' ? 'no-cache' : rel.startsWith('assets/') ? YEAR : 'public, max-age=3600',
    });
  }
  return files;
}

function write(res: HttpResponse, status: string, file: StaticFile, gzipOk: boolean, head: boolean): void {
  res.cork(() => {
    res.writeStatus(status);
    res.writeHeader('Content-Type', file.type);
    res.writeHeader('Cache-Control', file.cache);
    res.writeHeader('X-Content-Type-Options', 'nosniff');
    if (file.type.startsWith('text/html')) {
      res.writeHeader('X-Frame-Options', 'DENY');
      res.writeHeader('Referrer-Policy', 'no-referrer');
    }
    if (file.gzip) res.writeHeader('Vary', 'Accept-Encoding');
    const body = gzipOk && file.gzip ? file.gzip : file.body;
    if (gzipOk && file.gzip) res.writeHeader('Content-Encoding', 'gzip');
    if (head) res.endWithoutBody(body.length);
    else res.end(body);
  });
}

function plain(res: HttpResponse, status: string, text: string, headers: Record<string, string> = {}): void {
  res.cork(() => {
    res.writeStatus(status);
    res.writeHeader('Content-Type', 'text/plain; charset=utf-8');
    for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
    res.end(text);
  });
}

export interface StaticAppsHandle {
  /** Re-reads every build from disk (after a rebuild in a running server). */
  reload(): void;
}

/**
 * Registers `GET`/`HEAD` for every app under its mount. Register before the server's
 * catch-all 404 route.
 */
export function registerStaticApps(app: TemplatedApp, opts: { root: string; apps?: readonly StaticApp[] }): StaticAppsHandle {
  const apps = (opts.apps ?? STATIC_APPS).map((a) => ({ spec: a, files: loadBuild(join(opts.root, a.dist)) }));

  for (const entry of apps) {
    const { mount } = entry.spec;
    const handler = (head: boolean) => (res: HttpResponse, req: HttpRequest) => {
      const url = req.getUrl();
      const gzipOk = /\bgzip\b/.test(req.getHeader('accept-encoding'));
      if (url === mount) {
        const q = req.getQuery();
        return plain(res, '301 Moved Permanently', '', { Location: `${mount}/${q ? `?${q}` : ''}` });
      }
      let rel: string;
      try {
        rel = decodeURIComponent(url.slice(mount.length + 1));
      } catch {
        return plain(res, '400 Bad Request', 'malformed URL');
      }
      if (entry.files.size === 0) {
        return plain(res, '503 Service Unavailable', `The app at ${mount}/ is not built. Run: npm run build:apps`, { 'Retry-After': '5' });
      }
      const file = entry.files.get(rel === '' ? 'index.html' : rel);
      if (file) return write(res, '200 OK', file, gzipOk, head);
      // A missing asset or file is a 404 (a stale page asking for an old hash must not get HTML);
      // anything else is a route of the app.
      const last = rel.split('/').pop() ?? '';
      if (rel.startsWith('assets/') || last.includes('.')) return plain(res, '404 Not Found', 'not found');
      const index = entry.files.get('index.html')!;
      write(res, '200 OK', index, gzipOk, head);
    };
    app.get(mount, handler(false));
    app.get(`${mount}/*`, handler(false));
    app.head(mount, handler(true));
    app.head(`${mount}/*`, handler(true));
  }

  return {
    reload() {
      for (const entry of apps) entry.files = loadBuild(join(opts.root, entry.spec.dist));
    },
  };
}

/** Newest modification time (ms) of any file under `paths`, skipping dist, node_modules and dot folders. */
export function newestSource(root: string, paths: readonly string[]): number {
  let newest = 0;
  const walk = (p: string) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) {
        if (e === 'dist' || e === 'node_modules' || e.startsWith('.') || e.startsWith('dist.')) continue;
        walk(join(p, e));
      }
    } else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of paths) walk(join(root, p));
  return newest;
}

/** Whether an app's build is missing or older than any of its sources. */
export function buildIsStale(root: string, spec: StaticApp): boolean {
  const index = join(root, spec.dist, 'index.html');
  if (!existsSync(index)) return true;
  return newestSource(root, spec.sources) > statSync(index).mtimeMs;
}

const LOCK_STALE_MS = 5 * 60_000;

/** An exclusive lock file, so two servers starting at once never build into the same folder together. */
async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      closeSync(openSync(path, 'wx'));
      break;
    } catch {
      try {
        if (Date.now() - statSync(path).mtimeMs > LOCK_STALE_MS) unlinkSync(path);
      } catch {
        // gone meanwhile: try again
      }
      if (Date.now() > deadline) throw new Error(`build lock ${path} held too long`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}

/**
 * Builds every app whose build is missing or older than its sources (Vite's programmatic
 * `build()`), into a temporary folder that then replaces the old build, so a running server
 * or a concurrent start never sees half a build. `force` rebuilds regardless. Without Vite
 * installed (a production install), an existing build is served as it is.
 */
export async function ensureAppsBuilt(log: AppLog, opts: { root: string; force?: boolean; apps?: readonly StaticApp[] }): Promise<string[]> {
  const built: string[] = [];
  for (const spec of opts.apps ?? STATIC_APPS) {
    if (!opts.force && !buildIsStale(opts.root, spec)) continue;
    const dist = join(opts.root, spec.dist);
    mkdirSync(join(dist, '..'), { recursive: true });
    await withLock(`${dist}.lock`, async () => {
      if (!opts.force && !buildIsStale(opts.root, spec)) return; // another process built it meanwhile
      let vite: { build: typeof viteBuild };
      try {
        vite = await import('vite');
      } catch {
        if (existsSync(join(dist, 'index.html'))) {
          log('warn', 'app sources are newer than the build but Vite is not installed: serving the existing build', { app: spec.mount });
          return;
        }
        throw new Error(`${spec.dist} is missing and Vite is not installed to build it (npm ci installs it)`);
      }
      const started = Date.now();
      log('info', 'building app', { app: spec.mount });
      const tmp = `${dist}.tmp-${process.pid}`;
      rmSync(tmp, { recursive: true, force: true });
      try {
        await vite.build({
          configFile: join(opts.root, spec.config),
          logLevel: 'warn',
          build: { outDir: tmp, emptyOutDir: true },
        });
        const old = `${dist}.old-${process.pid}`;
        if (existsSync(dist)) renameSync(dist, old);
        renameSync(tmp, dist);
        rmSync(old, { recursive: true, force: true });
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
      built.push(spec.mount);
      log('info', 'app built', { app: spec.mount, ms: Date.now() - started });
    });
  }
  return built;
}
