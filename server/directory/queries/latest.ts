/**
 * The latest version of every id of a versioned settings table: `ORDER BY id, version DESC
 * LIMIT 1 BY id` (the tables keep every version; see migration 0005).
 */
export function latestVersionSql(table: string, columns: string): string {
  return `SELECT ${columns}, version, toUnixTimestamp64Milli(updated_at) AS updated_at, updated_by
FROM ${table}
ORDER BY id, version DESC
LIMIT 1 BY id`;
}

/** Columns every versioned settings row has, as read (UInt64 and DateTime64 arrive as strings or numbers). */
export interface VersionedRow {
  id: string;
  deleted: number | string;
  version: number | string;
  updated_at: number | string;
  updated_by: string;
}
