import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TEST_INGEST_KEY = 'test-ingest-key-0123456789';
export const TEST_ADMIN_PASSWORD = 'admin-password-123';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `GET {baseUrl}/healthz` until 200; fails when the process exits or the time runs out. */
export async function waitHealthy(baseUrl: string, child: ChildProcess, timeoutMs: number, logs: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${logs()}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not become healthy within ${timeoutMs} ms:\n${logs()}`);
}

export function tempDataDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `callboard-${name}-`));
}

/** The server as its own process (`server/main.ts`), as users run it. */
export class ServerProcess {
  child: ChildProcess | null = null;
  logs = '';
  constructor(
    readonly port: number,
    readonly dataDir: string,
    readonly env: Record<string, string> = {},
  ) {}

  static async start(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
    const s = new ServerProcess(await freePort(), dataDir, env);
    await s.start();
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/v1/ingest`;
  }

  async start(): Promise<void> {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        DATA_DIR: this.dataDir,
        INGEST_KEY: TEST_INGEST_KEY,
        ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
        SIMULATOR: 'off',
        LOG_LEVEL: 'warn',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.logs += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.logs += d.toString()));
    await waitHealthy(this.url, this.child, 60_000, () => this.logs);
  }

  /** Sends a signal and waits for the exit code. */
  async signal(sig: NodeJS.Signals): Promise<number | null> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return c?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));
    c.kill(sig);
    const code = await exited;
    this.child = null;
    return code;
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** An admin session cookie. */
  async login(username = 'admin', password = TEST_ADMIN_PASSWORD): Promise<string> {
    const r = await fetch(`${this.url}/v1/auth/login`, { method: 'POST', body: JSON.stringify({ username, password }) });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${await r.text()}`);
    return r.headers.get('set-cookie')!.split(';')[0]!;
  }

  /** Polls `/metrics` until `name` (unlabelled) satisfies `ok`; fails after `timeoutMs`. */
  async waitForMetric(cookie: string, name: string, ok: (value: number) => boolean, timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    const re = new RegExp(`^${name} (\\S+)$`, 'm');
    let last = NaN;
    while (Date.now() < deadline) {
      const r = await fetch(`${this.url}/metrics`, { headers: { cookie } });
      last = Number(re.exec(await r.text())?.[1]);
      if (ok(last)) return last;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`${name} did not reach the expected value within ${timeoutMs} ms (last ${last})`);
  }

  /** Stored events in [from, to) through the raw export. */
  async exportEvents(cookie: string, query: Record<string, string | number> = {}): Promise<Record<string, unknown>[]> {
    const q = new URLSearchParams({ from: '0', to: String(Date.now() + 365 * 86400_000), ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])) });
    const r = await fetch(`${this.url}/v1/events?${q}`, { headers: { cookie } });
    if (r.status !== 200) throw new Error(`export failed: ${r.status} ${await r.text()}`);
    return (await r.text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Servers a test file starts, each in its own data directory; `end` stops them all and removes the directories. */
export class ServerFleet {
  private readonly dirs: string[] = [];
  private readonly servers: ServerProcess[] = [];

  async start(name: string, env: Record<string, string> = {}): Promise<ServerProcess> {
    const dir = tempDataDir(name);
    this.dirs.push(dir);
    const s = await ServerProcess.start(dir, env);
    this.servers.push(s);
    return s;
  }

  /** `kill`: SIGKILL (a crash; nothing to wait for), else a clean stop. */
  async end(how: 'kill' | 'stop'): Promise<void> {
    for (const s of this.servers) {
      if (how === 'kill') await s.signal('SIGKILL');
      else await s.stop();
    }
    for (const d of this.dirs) removeDir(d);
  }
}
