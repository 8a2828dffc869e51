/**
 * The one storage interface. Two implementations share the DDL and every query:
 * embedded chDB (chdb-store.ts, the default) and a ClickHouse server over HTTP
 * (http-store.ts, when CLICKHOUSE_URL is set).
 */
export type QueryParams = Record<string, unknown>;

export interface Store {
  readonly kind: 'chdb' | 'server';
  /** Runs a read query with `{name:Type}` parameters; rows as objects (JSONEachRow). */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  /** Runs a statement that returns nothing (DDL, INSERT … SELECT). */
  command(sql: string, params?: QueryParams): Promise<void>;
  /** Inserts a few rows given as objects (JSONEachRow); for small, rare writes. */
  insertRows(table: string, rows: readonly Record<string, unknown>[]): Promise<void>;
  /** Inserts pre-encoded RowBinary rows in the given column order: the bulk path. */
  insertRowBinary(table: string, columns: readonly (readonly [string, string])[], data: Buffer): Promise<void>;
  /** Streams a query's output in `format` (e.g. TSVRaw), chunk by chunk, in order. */
  stream(sql: string, params: QueryParams, format: string, onChunk: (text: string) => Promise<void> | void): Promise<void>;
  /** Answers when the engine answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A store error with the engine's code when it has one. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}
