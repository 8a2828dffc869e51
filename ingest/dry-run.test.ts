import { describe, expect, it } from 'vitest';
import { limitsAt, validateBatch } from '../schemas/validate.ts';
import { DRY_RUN_MAX_REJECTED, dryRunReport } from './dry-run.ts';

const NOW = Date.parse('2026-03-02T10:00:00Z');

describe('dryRunReport', () => {
  it('validates as the ingest does and audits the batch', () => {
    const events = [
      { id: 'e1', type: 'call.offered', ts: NOW - 60_000, call: 'c1', direction: 'inbound' },
      { id: 'e2', type: 'call.queued', ts: NOW - 59_000, call: 'c1', queue: 'sales' },
      { id: 'e3', type: 'call.ended', ts: NOW - 30_000, call: 'c1', by: 'caller' },
      { id: 'e4', type: 'call.ended', ts: NOW + 2 * 3600_000, call: 'c1', by: 'caller' },
      { id: 'e5', type: 'agent.state', ts: NOW, agent: 'a1' },
    ];
    const report = dryRunReport(events, NOW, 3600_000);
    const ingest = validateBatch(events, limitsAt(NOW, 3600_000));
    expect(report).toMatchObject({ dry_run: true, events: 5, valid: ingest.accepted.length, rejected_count: ingest.rejected.length });
    expect(report.valid).toBe(3);
    expect(report.rejected).toEqual(ingest.rejected.map((r) => ({ ...r, code: 'invalid_event', id: `e${r.index + 1}` })));
    expect(report.rejected.map((r) => r.index)).toEqual([3, 4]);
    expect(report.rejected[1]?.error).toBe('state: is required');
    // Under the default 24 h skew the event 2 h ahead is valid.
    expect(dryRunReport(events, NOW).valid).toBe(4);
    const codes = Object.fromEntries(report.audit.problems.map((p) => [p.code, p.count]));
    expect(codes).toMatchObject({ invalid_event: 2, queued_never_closed: 1 });
    expect(report.audit.status).toBe('error');
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('lists the first 100 rejections and counts them all', () => {
    const events = Array.from({ length: 250 }, (_, i) => ({ id: `x${i}`, type: 'nope', ts: NOW }));
    const report = dryRunReport(events, NOW);
    expect(report.rejected).toHaveLength(DRY_RUN_MAX_REJECTED);
    expect(report.rejected_count).toBe(250);
    expect(report.valid).toBe(0);
    expect(report.rejected[99]).toEqual({ index: 99, code: 'invalid_event', error: 'type: unknown event type "nope"', id: 'x99' });
    expect(report.audit.problems[0]).toMatchObject({ code: 'invalid_event', count: 250, severity: 'error' });
  });

  it('cuts long errors as an ack does and quotes only usable ids', () => {
    const report = dryRunReport(
      [
        { id: 'long-value', type: 'call.offered', ts: NOW, call: 'c', direction: 'sideways'.repeat(60) },
        { id: 'x'.repeat(65), type: 'call.offered', ts: NOW, call: 'c', direction: 'inbound' },
      ],
      NOW,
    );
    expect(report.rejected[0]).toMatchObject({ index: 0, id: 'long-value' });
    expect(report.rejected[0]!.error).toMatch(/^direction: must be one of inbound, outbound \(got "sidewayssideways/);
    expect(report.rejected[0]!.error).toHaveLength(300);
    expect(report.rejected[0]!.error.endsWith('…')).toBe(true);
    expect(report.rejected[1]!.id).toBeUndefined();
    expect(report.rejected[1]!.error).toBe('id: must be at most 64 characters');
  });
});
