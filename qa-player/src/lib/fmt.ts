/** QA formatting: scores (0–100, one decimal), offsets into a recording, call dates; via Intl in the UI locale. */
import { NO_VALUE } from '../../../ui/format.ts';

const nf = new Map<string, Intl.NumberFormat>();
function num(locale: string, digits: number): Intl.NumberFormat {
  const k = `${locale}|${digits}`;
  let f = nf.get(k);
  if (!f) nf.set(k, (f = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })));
  return f;
}

/** A 0–100 score with one decimal ("87.5"); null shows "—". */
export function formatScore(v: number | null | undefined, locale: string): string {
  return v === null || v === undefined || !Number.isFinite(v) ? NO_VALUE : num(locale, 1).format(v);
}

/** A number with up to `digits` decimals. */
export function formatNumber(v: number | null | undefined, locale: string, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return NO_VALUE;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(v);
}

/** mm:ss of an offset into a recording (h:mm:ss from an hour on); negative offsets get U+2212. */
export function clockTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return NO_VALUE;
  const neg = seconds < 0;
  const s = Math.floor(Math.abs(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  const body = h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${String(m).padStart(2, '0')}:${sec}`;
  return neg ? `−${body}` : body;
}

/** A phone number with its middle hidden ("+49****3456"); numbers the server already masked stay as they are. */
export function maskNumber(n: string): string {
  if (!n || n.includes('*') || n.length <= 6) return n;
  const head = n.startsWith('+') ? 3 : 2;
  return n.slice(0, head) + '*'.repeat(Math.max(3, n.length - head - 4)) + n.slice(-4);
}

/** A call's date and time ("Nov 30, 2026, 09:15"). */
export function callDate(ms: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}
