import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { StoreError, type QueryParams, type Store } from './store.ts';

export interface HttpStoreOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  database?: string | undefined;
  requestTimeoutMs?: number;
}

function toStoreError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as { message?: string; code?: string | number };
  const message = e.message ?? String(err);
  // Old servers answer errors in a form the client does not parse: take the code from the text.
  const code = e.code !== undefined ? Number(e.code) : Number(/Code: (\d+)/.exec(message)?.[1]);
  return new StoreError(message, Number.isNaN(code) ? undefined : code, { cause: err });
}

/** A ClickHouse server reached over HTTP with @clickhouse/client. */
export class HttpStore implements Store {
  readonly kind = 'server' as const;
  private readonly client: ClickHouseClient;
  /** settings for RowBinary inserts, once the server is known to have them (old servers refuse unknown ones) */
  private insertSettings: Promise<Record<string, string>> | undefined;

  constructor(opts: HttpStoreOptions) {
    this.client = createClient({
      url: opts.url,
      username: opts.username ?? 'default',
      password: opts.password ?? '',
      database: opts.database ?? 'default',
      request_timeout: opts.requestTimeoutMs ?? 60_000,
      compression: { request: false, response: false },
      // errors are returned to the caller and logged there, once
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  async query<T>(sql: string, params: QueryParams = {}): Promise<T[]> {
    try {
      const rs = await this.client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
      return await rs.json<T>();
    } catch (err) {
      throw toStoreError(err);
    }
  }

  async command(sql: string, params: QueryParams = {}): Promise<void> {
    try {
      await this.client.command({ query: sql, query_params: params });
    } catch (err) {
      throw toStoreError(err);
    }
  }

  async insertRows(table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.client.insert({ table, values: rows as Record<string, unknown>[], format: 'JSONEachRow' });
    } catch (err) {
      throw toStoreError(err);
    }
  }

  async insertRowBinary(table: string, columns: readonly (readonly [string, string])[], data: Buffer): Promise<void> {
    try {
      const names = columns.map(([n]) => n).join(', ');
      const r = await this.client.exec({
        query: `INSERT INTO ${table} (${names}) FORMAT RowBinary`,
        values: Readable.from([data]),
        clickhouse_settings: await this.rowBinaryInsertSettings(),
      });
      r.stream.resume();
      await new Promise<void>((ok, fail) => r.stream.on('end', ok).on('error', fail));
    } catch (err) {
      throw toStoreError(err);
    }
  }

  /** One insert carries many senders' rows: a backfill spanning years must not fail it for everyone. */
  private rowBinaryInsertSettings(): Promise<Record<string, string>> {
    this.insertSettings ??= this.query<{ n: number | string }>(
      `SELECT count() AS n FROM system.settings WHERE name = 'max_partitions_per_insert_block'`,
    ).then(
      ([r]): Record<string, string> => (Number(r?.n) > 0 ? { max_partitions_per_insert_block: '0' } : {}),
      (err: unknown) => {
        this.insertSettings = undefined;
        throw err;
      },
    );
    return this.insertSettings;
  }

  async stream(
    sql: string,
    params: QueryParams,
    format: string,
    onChunk: (text: string) => Promise<void> | void,
  ): Promise<void> {
    try {
      const r = await this.client.exec({ query: `${sql} FORMAT ${format}`, query_params: params });
      for await (const chunk of r.stream as AsyncIterable<Buffer>) await onChunk(chunk.toString('utf8'));
    } catch (err) {
      throw toStoreError(err);
    }
  }

  async ping(): Promise<void> {
    const r = await this.client.ping();
    if (!r.success) throw toStoreError(r.error);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
