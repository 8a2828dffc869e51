import { existsSync, mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { drainPending, Session } from 'chdb';
import { StoreError, type QueryParams, type Store } from './store.ts';

// RowBinary batches go through a tmpfs file: chDB loads `file(…, RowBinary)` 3-5× faster
// than its JS insert API (measured, DESIGN.md).
const SPOOL_DIR = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const SPOOL_FILE = /^callboard-(\d+)-\d+\.rowbinary$/;

/** Removes spool files left by processes that died mid-insert. */
function removeStaleSpoolFiles(): void {
  for (const f of readdirSync(SPOOL_DIR)) {
    const pid = Number(SPOOL_FILE.exec(f)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      unlinkSync(join(SPOOL_DIR, f));
    }
  }
}

function toStoreError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as { message?: string; clickhouseCode?: number };
  return new StoreError(e.message ?? String(err), e.clickhouseCode, { cause: err });
}

function structure(columns: readonly (readonly [string, string])[]): string {
  return columns.map(([name, type]) => `${name} ${type}`).join(', ');
}

/** Embedded ClickHouse (chDB) with its data under `dataDir`. One per process. */
export class ChdbStore implements Store {
  readonly kind = 'chdb' as const;
  private readonly session: Session;
  private spoolSeq = 0;
  /**
   * Streams run on a second session at the same directory (chDB lets sessions at one path
   * coexist): a stream is a cursor on its connection, and other queries on that connection
   * end it ("No active streaming query"). One stream at a time on it.
   */
  private streamSession: Session | null = null;
  private streamLock: Promise<void> = Promise.resolve();

  constructor(
    readonly dataDir: string,
    private readonly timeoutMs = 60_000,
  ) {
    mkdirSync(dataDir, { recursive: true });
    removeStaleSpoolFiles();
    this.session = new Session(resolve(dataDir));
  }

  async query<T>(sql: string, params: QueryParams = {}): Promise<T[]> {
    try {
      const r = await this.session.queryBindAsync(sql, params, { format: 'JSONEachRow', timeout: this.timeoutMs });
      const text = r.text();
      if (!text) return [];
      return text
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as T);
    } catch (err) {
      throw toStoreError(err);
    }
  }

  async command(sql: string, params: QueryParams = {}): Promise<void> {
    try {
      await this.session.queryBindAsync(sql, params, { format: 'TSV', timeout: this.timeoutMs });
    } catch (err) {
      throw toStoreError(err);
    }
  }

  async insertRows(table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      const body = rows.map((r) => JSON.stringify(r)).join('\n');
      await this.session.insert({ table, values: Buffer.from(body), format: 'JSONEachRow' });
    } catch (err) {
      throw toStoreError(err);
    }
  }

  async insertRowBinary(table: string, columns: readonly (readonly [string, string])[], data: Buffer): Promise<void> {
    const file = join(SPOOL_DIR, `callboard-${process.pid}-${++this.spoolSeq}.rowbinary`);
    try {
      // tmpfs: a memory copy. The async variant writes in pieces, each waiting for a turn of a busy event loop.
      writeFileSync(file, data);
      const names = columns.map(([n]) => n).join(', ');
      await this.session.queryBindAsync(
        // One thread: the JS thread and background merges share the machine's cores. One insert
        // carries many senders' rows, so a backfill spanning years must not fail it for everyone.
        `INSERT INTO ${table} (${names}) SELECT * FROM file({file:String}, 'RowBinary', {structure:String})
         SETTINGS max_threads = 1, max_insert_threads = 1, max_partitions_per_insert_block = 0`,
        { file, structure: structure(columns) },
        { format: 'TSV', timeout: this.timeoutMs },
      );
    } catch (err) {
      throw toStoreError(err);
    } finally {
      await unlink(file).catch(() => undefined);
    }
  }

  async stream(
    sql: string,
    params: QueryParams,
    format: string,
    onChunk: (text: string) => Promise<void> | void,
  ): Promise<void> {
    const previous = this.streamLock;
    let release!: () => void;
    this.streamLock = new Promise((r) => (release = r));
    await previous;
    try {
      this.streamSession ??= new Session(resolve(this.dataDir));
      const s = this.streamSession.queryStreamBind(sql, params, { format });
      for await (const chunk of s) await onChunk(chunk.text());
    } catch (err) {
      throw toStoreError(err);
    } finally {
      release();
    }
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    await this.streamLock;
    this.streamSession?.close();
    this.session.close();
  }
}

/**
 * Waits (at most `timeoutMs`) until no embedded-engine operation is still running in this process:
 * exiting while one runs aborts the process (chDB's README, "One data directory at a time"),
 * which would turn a clean exit code into a signal.
 */
export async function settleEmbeddedEngine(timeoutMs = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([drainPending(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
  clearTimeout(timer);
}
