/**
 * Metrics for /metrics (Prometheus text format), backed by prom-client: counters, gauges read on
 * scrape, histograms, summaries, and the default process/Node.js metrics (RSS, CPU, heap, GC,
 * event-loop lag, open fds: `process_*` and `nodejs_*`).
 *
 * Each Registry is its own prom-client registry (prom-client's global one is never used), so tests
 * can create several and every one renders only its own metrics.
 */
import * as client from 'prom-client';

type Labels = Record<string, string>;

/**
 * Buckets for the writer's insert duration (`callboard_flush_seconds`): inserts take ~5 ms–5 s;
 * roughly ×2–2.5 steps keep the p50/p99 estimates within a bucket's width, 10 s catches stalls.
 */
export const FLUSH_SECONDS_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Buckets for batch-received → ack-sent latency (`callboard_ack_seconds`): an ack waits for the
 * next flush (FLUSH_MS, 200 ms by default) plus the insert, so the buckets are dense around
 * 0.1–1 s, and reach 30 s for a writer that is behind.
 */
export const ACK_SECONDS_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5, 10, 30];

function labelKey(labels: Labels | undefined): string {
  return labels ? JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]])) : '';
}

/** no labels and an empty label set are the same series */
function nonEmpty(labels: Labels | undefined): Labels | undefined {
  return labels && Object.keys(labels).length > 0 ? labels : undefined;
}

export class Counter {
  private metric: client.Counter;
  private labelNames: string[];
  /** the values by label set: read synchronously by get(), replayed if the label set grows */
  private readonly values = new Map<string, { labels: Labels | undefined; value: number }>();
  constructor(
    private readonly registry: client.Registry,
    readonly name: string,
    readonly help: string,
    labelNames: readonly string[] = [],
  ) {
    this.labelNames = [...labelNames];
    this.metric = this.make();
  }
  inc(by = 1, labelSet?: Labels): void {
    const labels = nonEmpty(labelSet);
    if (labels && Object.keys(labels).some((k) => !this.labelNames.includes(k))) this.grow(labels);
    this.add(by, labels);
    const k = labelKey(labels);
    const entry = this.values.get(k);
    if (entry) entry.value += by;
    else this.values.set(k, { labels: labels && { ...labels }, value: by });
  }
  get(labels?: Labels): number {
    return this.values.get(labelKey(nonEmpty(labels)))?.value ?? 0;
  }
  private add(by: number, labels: Labels | undefined): void {
    if (labels) this.metric.inc(labels, by);
    else this.metric.inc(by);
  }
  private make(): client.Counter {
    return new client.Counter({ name: this.name, help: this.help, labelNames: this.labelNames, registers: [this.registry] });
  }
  /**
   * A label name not declared up front (counter(name, help) then inc(1, {transport})): prom-client
   * fixes label names at creation, so the metric is made again with the wider set.
   */
  private grow(labels: Labels): void {
    this.labelNames = [...new Set([...this.labelNames, ...Object.keys(labels)])];
    this.registry.removeSingleMetric(this.name);
    this.metric = this.make();
    for (const { labels: l, value } of this.values.values()) this.add(value, l);
  }
}

/** A gauge whose value is read when /metrics is scraped. */
export class Gauge {
  readonly metric: client.Gauge;
  constructor(registry: client.Registry, name: string, help: string, read: () => number) {
    this.metric = new client.Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  }
}

export class Histogram {
  readonly metric: client.Histogram;
  constructor(registry: client.Registry, name: string, help: string, buckets: readonly number[], labelNames: readonly string[] = []) {
    this.metric = new client.Histogram({ name, help, buckets: [...buckets], labelNames: [...labelNames], registers: [registry] });
  }
  observe(v: number, labels?: Labels): void {
    if (labels) this.metric.observe(labels, v);
    else this.metric.observe(v);
  }
  /** starts a timer; calling the result observes the seconds elapsed and returns them */
  startTimer(labels?: Labels): () => number {
    const t0 = process.hrtime.bigint();
    return () => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      this.observe(s, labels);
      return s;
    };
  }
}

/** Count, sum and the median and 99th percentile over a sliding window (10 minutes, 5 steps). */
export class Summary {
  readonly metric: client.Summary;
  constructor(registry: client.Registry, name: string, help: string) {
    this.metric = new client.Summary({
      name,
      help,
      percentiles: [0.5, 0.99],
      maxAgeSeconds: 600,
      ageBuckets: 5,
      registers: [registry],
    });
  }
  observe(v: number): void {
    this.metric.observe(v);
  }
}

export interface RegistryOptions {
  /** register prom-client's default process/Node.js metrics (default true) */
  defaultMetrics?: boolean;
}

export class Registry {
  /** the prom-client registry behind this one */
  readonly prom = new client.Registry();
  constructor(opts: RegistryOptions = {}) {
    if (opts.defaultMetrics ?? true) client.collectDefaultMetrics({ register: this.prom });
  }
  /** Content-Type of render()'s text */
  get contentType(): string {
    return this.prom.contentType;
  }
  counter(name: string, help: string, labelNames?: readonly string[]): Counter {
    return new Counter(this.prom, name, help, labelNames);
  }
  gauge(name: string, help: string, read: () => number): Gauge {
    return new Gauge(this.prom, name, help, read);
  }
  histogram(name: string, help: string, buckets: readonly number[], labelNames?: readonly string[]): Histogram {
    return new Histogram(this.prom, name, help, buckets, labelNames);
  }
  summary(name: string, help: string): Summary {
    return new Summary(this.prom, name, help);
  }
  /** The Prometheus text of every metric (async: prom-client collects the gauges and default metrics). */
  render(): Promise<string> {
    return this.prom.metrics();
  }
}
