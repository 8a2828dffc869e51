/**
 * The import's resume point: the byte offset just after the last line whose events were
 * acknowledged, the line number there, the identity of the file it belongs to, and the
 * mapper's state at that point. Written atomically (temp file + rename) after each ack.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { MapperState } from './mapping.ts';

/** Which file an offset belongs to: inode plus a hash of its first bytes (a rotated or replaced log differs). */
export interface FileIdentity {
  dev: number;
  ino: number;
  /** bytes hashed (the file's first `prefixLen` bytes, at most PREFIX_BYTES) */
  prefixLen: number;
  prefixHash: string;
}

export interface ImportState {
  v: 1;
  file: string;
  identity: FileIdentity;
  /** bytes of the file fully imported (acknowledged) */
  offset: number;
  /** lines before `offset` */
  line: number;
  mapper: MapperState;
  updatedAt: string;
}

export const PREFIX_BYTES = 4096;

/** Default state file: beside the log, `.<name>.callboard-state.json`. */
export function defaultStatePath(logFile: string): string {
  return join(dirname(logFile), `.${basename(logFile)}.callboard-state.json`);
}

function hashPrefix(fd: number, len: number): string {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, got);
    if (n === 0) break;
    got += n;
  }
  return createHash('sha256').update(buf.subarray(0, got)).digest('hex');
}

/** The identity of an open file now. */
export function identify(fd: number): FileIdentity {
  const st = fstatSync(fd);
  const prefixLen = Math.min(st.size, PREFIX_BYTES);
  return { dev: st.dev, ino: st.ino, prefixLen, prefixHash: hashPrefix(fd, prefixLen) };
}

/**
 * Whether the open file is the one `saved` describes, grown or not: the same first bytes,
 * at least `offset` long, and the same inode unless enough bytes match to tell (a copied log).
 */
export function isSameFile(fd: number, saved: FileIdentity, offset: number): boolean {
  const st = fstatSync(fd);
  if (st.size < offset || st.size < saved.prefixLen) return false;
  if (saved.prefixLen === 0) return st.ino === saved.ino && st.dev === saved.dev;
  if (hashPrefix(fd, saved.prefixLen) !== saved.prefixHash) return false;
  return (st.ino === saved.ino && st.dev === saved.dev) || saved.prefixLen >= 256;
}

/** Reads a state file; null when missing. A corrupt file is an error the caller reports. */
export function loadState(path: string): ImportState | null {
  if (!existsSync(path)) return null;
  let raw: Partial<ImportState>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<ImportState>;
  } catch (err) {
    throw new Error(`${path}: unreadable state file (${(err as Error).message}); remove it to import from the start`);
  }
  if (raw.v !== 1 || typeof raw.offset !== 'number' || typeof raw.line !== 'number' || !raw.identity || !raw.mapper) {
    throw new Error(`${path}: not a queue-log import state`);
  }
  return raw as ImportState;
}

/** Writes the state atomically (temp file, fsync, rename). */
export function saveState(path: string, state: ImportState): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
