import { ChdbStore } from '../../platform/store/chdb-store.ts';
import { HttpStore } from '../../platform/store/http-store.ts';
import { migrate } from '../../platform/store/migrate.ts';
import type { Store } from '../../platform/store/store.ts';
import { tempDataDir } from './server-process.ts';

/** A migrated chDB store in a fresh directory (one per test file: chDB binds one directory per process). */
export async function freshChdbStore(name: string): Promise<ChdbStore> {
  const store = new ChdbStore(tempDataDir(name));
  await migrate(store);
  return store;
}

/** A ClickHouse server from CLICKHOUSE_TEST_URL on a fresh database, or undefined when not configured. */
export async function serverStoreFromEnv(database: string): Promise<Store | undefined> {
  const url = process.env.CLICKHOUSE_TEST_URL;
  if (!url) return undefined;
  const admin = new HttpStore({ url });
  await admin.command(`DROP DATABASE IF EXISTS ${database}`);
  await admin.command(`CREATE DATABASE ${database}`);
  await admin.close();
  return new HttpStore({ url, database });
}

/** The server's version as [major, minor]. */
export async function serverVersion(store: Store): Promise<[number, number]> {
  const [row] = await store.query<{ v: string }>('SELECT version() AS v');
  const [major, minor] = (row?.v ?? '0.0').split('.').map(Number);
  return [major ?? 0, minor ?? 0];
}
