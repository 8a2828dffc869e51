import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TABLES } from '../../schemas/tables.ts';
import type { Store } from './store.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../schemas/clickhouse/', import.meta.url));

/** The database and the migration files disagree: starting would run on a schema nobody wrote. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface Migration {
  version: number;
  name: string;
  statements: string[];
  checksum: string;
}

/** Splits a plain-SQL file into statements (`;` at the end of a line ends one). */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) =>
      s
        .split('\n')
        .filter((l) => !l.trim().startsWith('--'))
        .join('\n')
        .trim(),
    )
    .filter((s) => s.length > 0);
}

/** Reads `NNNN_name.sql` files in version order. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        statements: splitStatements(sql),
        checksum: createHash('sha256').update(sql).digest('hex').slice(0, 16),
      };
    });
}

/**
 * Applies the migrations not yet in the ledger, in order, and records each. Statements are
 * `IF NOT EXISTS`, so a run cut off between a statement and its ledger row is safe to repeat.
 */
export async function migrate(store: Store, migrations = loadMigrations()): Promise<number[]> {
  await store.command(
    `CREATE TABLE IF NOT EXISTS ${TABLES.migrations}
     (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))
     ENGINE = MergeTree ORDER BY version`,
  );
  const ledger = await store.query<{ version: number | string; name: string; checksum: string }>(
    `SELECT version, name, checksum FROM ${TABLES.migrations} ORDER BY version`,
  );
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  for (const row of ledger) {
    const file = byVersion.get(Number(row.version));
    if (!file) {
      throw new MigrationError(
        `migration ${row.name}: applied to this database but not in ${MIGRATIONS_DIR}; the database was migrated by a newer callboard, run that version`,
      );
    }
    if (row.checksum && row.checksum !== file.checksum) {
      throw new MigrationError(
        `migration ${file.name}: its file changed after it was applied (checksum ${row.checksum} in the ledger, ${file.checksum} now); restore the file and add a new migration instead`,
      );
    }
  }
  const done = new Set(ledger.map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    for (const statement of m.statements) await store.command(statement);
    await store.insertRows(TABLES.migrations, [
      { version: m.version, name: m.name, checksum: m.checksum, applied_at: Date.now() },
    ]);
    applied.push(m.version);
  }
  return applied;
}

/** Sets (days > 0) or removes (0) the retention of raw events. */
export async function applyEventsRetention(store: Store, days: number): Promise<void> {
  if (days > 0) await store.command(`ALTER TABLE ${TABLES.events} MODIFY TTL toDateTime(ts) + toIntervalDay(${Math.floor(days)})`);
  else {
    const [row] = await store.query<{ q: string }>(
      `SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = {t:String}`,
      { t: TABLES.events },
    );
    if (row?.q.includes(' TTL ')) await store.command(`ALTER TABLE ${TABLES.events} REMOVE TTL`);
  }
}
