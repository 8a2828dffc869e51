import * as client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ACK_SECONDS_BUCKETS, FLUSH_SECONDS_BUCKETS, Registry } from './metrics.ts';

describe('Registry', () => {
  it('renders histograms with cumulative _bucket lines, _sum and _count', async () => {
    const r = new Registry({ defaultMetrics: false });
    const h = r.histogram('callboard_flush_seconds', 'Duration of each flush insert', FLUSH_SECONDS_BUCKETS);
    for (const v of [0.004, 0.03, 0.03, 0.7, 12]) h.observe(v);
    const text = await r.render();
    expect(text).toContain('# TYPE callboard_flush_seconds histogram');
    expect(text).toMatch(/^callboard_flush_seconds_bucket\{le="0.005"\} 1$/m);
    expect(text).toMatch(/^callboard_flush_seconds_bucket\{le="0.05"\} 3$/m);
    expect(text).toMatch(/^callboard_flush_seconds_bucket\{le="1"\} 4$/m);
    expect(text).toMatch(/^callboard_flush_seconds_bucket\{le="10"\} 4$/m);
    expect(text).toMatch(/^callboard_flush_seconds_bucket\{le="\+Inf"\} 5$/m);
    expect(text).toMatch(/^callboard_flush_seconds_count 5$/m);
    expect(Number(/^callboard_flush_seconds_sum (\S+)$/m.exec(text)![1])).toBeCloseTo(12.764);
    expect(text.match(/^callboard_flush_seconds_bucket/gm)).toHaveLength(FLUSH_SECONDS_BUCKETS.length + 1);
  });

  it('histograms take labels and time a section', async () => {
    const r = new Registry({ defaultMetrics: false });
    const h = r.histogram('callboard_ack_seconds', 'Batch received to ack sent', ACK_SECONDS_BUCKETS, ['transport']);
    h.observe(0.15, { transport: 'ws' });
    const s = h.startTimer({ transport: 'http' })();
    expect(s).toBeGreaterThanOrEqual(0);
    const text = await r.render();
    expect(text).toMatch(/^callboard_ack_seconds_bucket\{le="0.2",transport="ws"\} 1$/m);
    expect(text).toMatch(/^callboard_ack_seconds_bucket\{le="0.1",transport="ws"\} 0$/m);
    expect(text).toMatch(/^callboard_ack_seconds_count\{transport="http"\} 1$/m);
  });

  it('includes the default process and Node.js metrics', async () => {
    const text = await new Registry().render();
    for (const name of [
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'process_open_fds',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_gc_duration_seconds',
    ]) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(Number(/^process_resident_memory_bytes (\d+)$/m.exec(text)![1])).toBeGreaterThan(1e6);
  });

  it('escapes label values (quote, backslash, newline) through the library', async () => {
    const r = new Registry({ defaultMetrics: false });
    const c = r.counter('callboard_test_total', 'Test', ['source']);
    c.inc(2, { source: 'pbx "berlin"\\1\nnext' });
    expect(await r.render()).toContain('callboard_test_total{source="pbx \\"berlin\\"\\\\1\\nnext"} 2\n');
  });

  it('keeps counter(name, help) with inc(by, labels) and get(labels), labels not declared up front', async () => {
    const r = new Registry({ defaultMetrics: false });
    const plain = r.counter('callboard_plain_total', 'Plain');
    const accepted = r.counter('callboard_events_accepted_total', 'Accepted');
    expect(await r.render()).toMatch(/^callboard_plain_total 0$/m);
    plain.inc();
    plain.inc(4);
    accepted.inc(3, { transport: 'ws' });
    accepted.inc(2, { transport: 'http' });
    accepted.inc(1, { transport: 'ws' });
    accepted.inc(5, { transport: 'ws', site: 'b' });
    expect(plain.get()).toBe(5);
    expect(accepted.get({ transport: 'ws' })).toBe(4);
    expect(accepted.get({ site: 'b', transport: 'ws' })).toBe(5);
    expect(accepted.get({ transport: 'none' })).toBe(0);
    const text = await r.render();
    expect(text).toMatch(/^callboard_plain_total 5$/m);
    expect(text).toMatch(/^callboard_events_accepted_total\{transport="ws"\} 4$/m);
    expect(text).toMatch(/^callboard_events_accepted_total\{transport="http"\} 2$/m);
    expect(text).toMatch(/^callboard_events_accepted_total\{transport="ws",site="b"\} 5$/m);
    expect(text.match(/^# TYPE callboard_events_accepted_total counter$/gm)).toHaveLength(1);
  });

  it('reads gauges when rendered, and keeps summaries (quantiles, sum, count)', async () => {
    const r = new Registry({ defaultMetrics: false });
    let rows = 7;
    r.gauge('callboard_buffer_rows', 'Rows not yet durable', () => rows);
    const s = r.summary('callboard_flush_rows', 'Rows per flush');
    for (const v of [10, 20, 30, 40]) s.observe(v);
    let text = await r.render();
    expect(text).toMatch(/^callboard_buffer_rows 7$/m);
    expect(text).toMatch(/^callboard_flush_rows\{quantile="0.5"\} \d+/m);
    expect(text).toMatch(/^callboard_flush_rows\{quantile="0.99"\} 40$/m);
    expect(text).toMatch(/^callboard_flush_rows_sum 100$/m);
    expect(text).toMatch(/^callboard_flush_rows_count 4$/m);
    rows = 0;
    text = await r.render();
    expect(text).toMatch(/^callboard_buffer_rows 0$/m);
  });

  it('keeps registries independent and leaves prom-client\'s global registry alone', async () => {
    const a = new Registry();
    const b = new Registry();
    a.counter('callboard_same_total', 'Same').inc(1);
    b.counter('callboard_same_total', 'Same').inc(2);
    expect(await a.render()).toMatch(/^callboard_same_total 1$/m);
    expect(await b.render()).toMatch(/^callboard_same_total 2$/m);
    expect((await a.render()).match(/^# TYPE process_resident_memory_bytes /gm)).toHaveLength(1);
    expect(client.register.getMetricsAsArray()).toHaveLength(0);
    expect(a.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
