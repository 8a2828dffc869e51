/**
 * Migration 0010 on a database that already holds history (0001–0009): the rollup keeps its
 * rows, old contribution rows read as 0 transfers, and the view sums transfers from then on.
 */
import { afterAll, expect, it } from 'vitest';
import { ChdbStore } from '../platform/store/chdb-store.ts';
import { loadMigrations, migrate } from '../platform/store/migrate.ts';
import { TABLES } from '../schemas/tables.ts';
import { tempDataDir } from './helpers/server-process.ts';

const store = new ChdbStore(tempDataDir('history-migration'));
afterAll(() => store.close());

const row = (call: string, extra: Record<string, number>) => ({ call, sign: 1, scope: 'queue', key: 'A', at: Date.parse('2026-11-24T09:00:00Z'), offered: 1, answered: 1, handled: 1, derived_at: Date.now(), ...extra });

it('adds transfers to the history without losing or changing what was derived before', async () => {
  const all = loadMigrations();
  const before = all.filter((m) => m.version < 10);
  expect(before.at(-1)?.version).toBe(9);
  await migrate(store, before);
  await store.insertRows(TABLES.callContributions, [row('old', {})]);

  expect(await migrate(store, all)).toContain(10);
  await store.insertRows(TABLES.callContributions, [row('new', { transfers: 1 })]);

  const [rollup] = await store.query<{ answered: number | string; transfers: number | string }>(
    `SELECT sum(answered) AS answered, sum(transfers) AS transfers FROM ${TABLES.history15m} WHERE scope = 'queue' AND key = 'A'`,
  );
  expect([Number(rollup?.answered), Number(rollup?.transfers)]).toEqual([2, 1]);
  const rows = await store.query<{ call: string; transfers: number | string }>(`SELECT call, transfers FROM ${TABLES.callContributions} ORDER BY call`);
  expect(rows.map((r) => [r.call, Number(r.transfers)])).toEqual([
    ['new', 1],
    ['old', 0],
  ]);
});
