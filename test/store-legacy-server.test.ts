/**
 * The HTTP path of the store against a real ClickHouse server of any version, on a table
 * even Debian's 18.16 supports: CI installs and starts one (.ci/clickhouse-server.sh) and
 * sets CLICKHOUSE_TEST_URL. The full schema needs ≥ 24.8 and is covered in store.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpStore } from '../platform/store/http-store.ts';
import { StoreError } from '../platform/store/store.ts';

const url = process.env.CLICKHOUSE_TEST_URL;
const TABLE = 'callboard_http_check';
const COLUMNS = [
  ['id', 'String'],
  ['n', 'UInt32'],
] as const;

describe.skipIf(!url)('ClickHouse server over HTTP (CLICKHOUSE_TEST_URL)', () => {
  let store: HttpStore;
  beforeAll(async () => {
    store = new HttpStore({ url: url! });
    await store.command(`DROP TABLE IF EXISTS ${TABLE}`);
    await store.command(`CREATE TABLE ${TABLE} (id String, n UInt32) ENGINE = MergeTree() ORDER BY id`);
  });
  afterAll(async () => {
    await store.command(`DROP TABLE IF EXISTS ${TABLE}`);
    await store.close();
  });

  it('connects', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    const [row] = await store.query<{ v: string }>('SELECT version() AS v');
    expect(row?.v).toMatch(/^\d+\.\d+/);
  });

  it('inserts JSON rows and RowBinary, and selects them back', async () => {
    await store.insertRows(TABLE, [{ id: 'json-1', n: 1 }, { id: 'json-2', n: 2 }]);
    // RowBinary: String = varint length + bytes, UInt32 = 4 bytes little-endian
    const row = (id: string, n: number) => {
      const b = Buffer.alloc(1 + id.length + 4);
      b[0] = id.length;
      b.write(id, 1);
      b.writeUInt32LE(n, 1 + id.length);
      return b;
    };
    await store.insertRowBinary(TABLE, COLUMNS, Buffer.concat([row('rb-1', 10), row('rb-2', 20)]));
    const rows = await store.query<{ id: string; n: number }>(`SELECT id, n FROM ${TABLE} ORDER BY id`);
    expect(rows.map((r) => [r.id, Number(r.n)])).toEqual([
      ['json-1', 1],
      ['json-2', 2],
      ['rb-1', 10],
      ['rb-2', 20],
    ]);
  });

  it('maps server errors to StoreError with the ClickHouse code', async () => {
    const err = await store.query('SELECT * FROM callboard_no_such_table').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe(60);
    const syntax = await store.command('SELEKT 1').catch((e: unknown) => e);
    expect((syntax as StoreError).code).toBe(62);
  });

  it('gives up after the request timeout', async () => {
    const impatient = new HttpStore({ url: url!, requestTimeoutMs: 300 });
    const started = Date.now();
    const err = await impatient.query('SELECT sleep(2) AS s').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(/timeout/i);
    expect(Date.now() - started).toBeLessThan(1900);
    await impatient.close();
  });
});
