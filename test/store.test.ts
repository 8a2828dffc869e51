import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEventRows } from '../ingest/rowbinary.ts';
import { loadMigrations, migrate, splitStatements } from '../platform/store/migrate.ts';
import { StoreError, type Store } from '../platform/store/store.ts';
import { EVENT_COLUMNS, TABLES } from '../schemas/tables.ts';
import { validateBatch } from '../schemas/validate.ts';
import { freshChdbStore, serverStoreFromEnv, serverVersion } from './helpers/store.ts';

/** The same behaviour is required of every implementation of the store. */
function storeContract(name: string, open: () => Promise<Store | undefined>) {
  describe(name, () => {
    let store: Store | undefined;
    beforeAll(async () => {
      store = await open();
      if (store) await migrate(store);
    });
    afterAll(async () => store?.close());

    it('migrates idempotently and records each version in the ledger', async (ctx) => {
      if (!store) return ctx.skip();
      expect(await migrate(store)).toEqual([]);
      const rows = await store.query<{ version: number; name: string }>(`SELECT version, name FROM ${TABLES.migrations} ORDER BY version`);
      expect(rows.map((r) => Number(r.version))).toEqual(loadMigrations().map((m) => m.version));
    });

    it('refuses to start when an applied migration changed or is unknown, naming the migration', async (ctx) => {
      if (!store) return ctx.skip();
      const files = loadMigrations();
      const edited = files.map((m, i) => (i === 0 ? { ...m, checksum: 'edited0000000000' } : m));
      await expect(migrate(store, edited)).rejects.toThrow(/^migration 0001_events: its file changed after it was applied/);
      await expect(migrate(store, files.slice(0, -1))).rejects.toThrow(
        new RegExp(`^migration ${files.at(-1)!.name}: applied to this database but not in`),
      );
      expect(await migrate(store, files)).toEqual([]);
    });

    it('round-trips RowBinary events with unicode, long strings and millisecond timestamps', async (ctx) => {
      if (!store) return ctx.skip();
      const long = 'ü'.repeat(100); // 200 bytes: a two-byte length prefix
      const { accepted } = validateBatch([
        { id: 'rb-1', type: 'call.ivr', ts: '2026-10-25T02:30:00.001+02:00', call: 'c-ü', node: long, site: 'zürich' },
        { id: 'rb-2', type: 'agent.state', ts: 1793_000_000_999, agent: '坐席-7', state: 'not_ready', reason: 'break' },
      ]);
      expect(accepted).toHaveLength(2);
      await store.insertRowBinary(TABLES.events, EVENT_COLUMNS, encodeEventRows(accepted, 1793_000_001_000, 'test-key').bytes());
      const rows = await store.query<Record<string, string | number>>(
        `SELECT id, type, toUnixTimestamp64Milli(ts) AS ms, site, call, agent, payload, toUnixTimestamp64Milli(received) AS rec, source
         FROM ${TABLES.events} WHERE id IN {ids:Array(String)} ORDER BY id`,
        { ids: ['rb-1', 'rb-2'] },
      );
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({ id: 'rb-1', type: 'call.ivr', site: 'zürich', call: 'c-ü', source: 'test-key' });
      expect(Number(rows[0]!.ms)).toBe(Date.UTC(2026, 9, 25, 0, 30, 0, 1));
      expect(JSON.parse(String(rows[0]!.payload)).node).toBe(long);
      expect(rows[1]).toMatchObject({ id: 'rb-2', agent: '坐席-7' });
      expect(Number(rows[1]!.ms)).toBe(1793_000_000_999);
      expect(Number(rows[1]!.rec)).toBe(1793_000_001_000);
    });

    it('streams results in order', async (ctx) => {
      if (!store) return ctx.skip();
      let text = '';
      await store.stream('SELECT number FROM numbers({n:UInt32})', { n: 5000 }, 'TSVRaw', (chunk) => {
        text += chunk;
      });
      const lines = text.trim().split('\n').map(Number);
      expect(lines).toHaveLength(5000);
      expect(lines[4999]).toBe(4999);
    });

    it('finishes a stream while other queries and inserts run on the store', async (ctx) => {
      if (!store) return ctx.skip();
      let rows = 0;
      let others = 0;
      await store.stream('SELECT number FROM numbers({n:UInt32})', { n: 2_000_000 }, 'TSVRaw', async (chunk) => {
        rows += chunk.split('\n').length - 1;
        // every chunk, other work on the same store: it must not end the stream's cursor
        await Promise.all([store!.query('SELECT count() AS n FROM events'), store!.command('SELECT 1')]);
        others++;
      });
      expect(rows).toBe(2_000_000);
      expect(others).toBeGreaterThan(1);
    });

    it('maps engine errors to StoreError with the ClickHouse code', async (ctx) => {
      if (!store) return ctx.skip();
      const err = await store.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe(60);
    });
  });
}

storeContract('embedded chDB store', () => freshChdbStore('store'));
storeContract('ClickHouse server store (CLICKHOUSE_TEST_URL, ≥ 24.8)', async () => {
  const store = await serverStoreFromEnv('callboard_store_test');
  if (!store) return undefined;
  const [major, minor] = await serverVersion(store);
  if (major < 24 || (major === 24 && minor < 8)) {
    await store.close();
    return undefined; // the legacy-server check covers older servers
  }
  return store;
});

describe('splitStatements', () => {
  it('splits on line-ending semicolons and drops comments', () => {
    expect(splitStatements('-- a\nCREATE TABLE a (x String);\n\n-- b\nCREATE TABLE b (y String)\n;\n')).toEqual([
      'CREATE TABLE a (x String)',
      'CREATE TABLE b (y String)',
    ]);
  });
});

describe('raw event retention', () => {
  it('sets and removes the TTL of events', async () => {
    const { applyEventsRetention } = await import('../platform/store/migrate.ts');
    const store = await freshChdbStore('retention');
    const ddl = async () =>
      (await store.query<{ q: string }>(`SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'events'`))[0]!.q;
    await applyEventsRetention(store, 90);
    expect(await ddl()).toMatch(/TTL toDateTime\(ts\) \+ toIntervalDay\(90\)/);
    await applyEventsRetention(store, 0);
    expect(await ddl()).not.toMatch(/ TTL /);
    await store.close();
  });
});
