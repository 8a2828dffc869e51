import { ChdbStore } from './chdb-store.ts';
import { HttpStore } from './http-store.ts';
import type { Store } from './store.ts';

export interface StoreConfig {
  dataDir: string;
  clickhouseUrl?: string | undefined;
  clickhouseUser?: string | undefined;
  clickhousePassword?: string | undefined;
  clickhouseDatabase?: string | undefined;
}

/** The configured store: a ClickHouse server when a URL is given, else embedded chDB. */
export async function openStore(cfg: StoreConfig): Promise<Store> {
  if (!cfg.clickhouseUrl) return new ChdbStore(cfg.dataDir);
  const database = cfg.clickhouseDatabase ?? 'default';
  if (database !== 'default') {
    const bootstrap = new HttpStore({ url: cfg.clickhouseUrl, username: cfg.clickhouseUser, password: cfg.clickhousePassword });
    await bootstrap.command(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)}`);
    await bootstrap.close();
  }
  return new HttpStore({
    url: cfg.clickhouseUrl,
    username: cfg.clickhouseUser,
    password: cfg.clickhousePassword,
    database,
  });
}

function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`CLICKHOUSE_DATABASE: invalid database name ${JSON.stringify(name)}`);
  return name;
}
