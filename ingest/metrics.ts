/** A small Prometheus text-format registry: counters, gauges and summaries. */
type Labels = Record<string, string>;

function labelKey(labels: Labels | undefined): string {
  if (!labels) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

interface Metric {
  render(): string[];
}

export class Counter implements Metric {
  private values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(by = 1, labels?: Labels): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels?: Labels): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) out.push(`${this.name} 0`);
    for (const [k, v] of this.values) out.push(`${this.name}${k} ${v}`);
    return out;
  }
}

export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number,
  ) {}
  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${this.read()}`];
  }
}

/** Count, sum and a sliding window of recent observations for quantiles. */
export class Summary implements Metric {
  private count = 0;
  private sum = 0;
  private window: number[] = [];
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly windowSize = 1024,
  ) {}
  observe(v: number): void {
    this.count++;
    this.sum += v;
    this.window.push(v);
    if (this.window.length > this.windowSize) this.window.shift();
  }
  render(): string[] {
    const sorted = [...this.window].sort((a, b) => a - b);
    const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0);
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} summary`,
      `${this.name}{quantile="0.5"} ${q(0.5)}`,
      `${this.name}{quantile="0.99"} ${q(0.99)}`,
      `${this.name}_sum ${this.sum}`,
      `${this.name}_count ${this.count}`,
    ];
  }
}

export class Registry {
  private metrics: Metric[] = [];
  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }
  gauge(name: string, help: string, read: () => number): Gauge {
    return this.add(new Gauge(name, help, read));
  }
  summary(name: string, help: string): Summary {
    return this.add(new Summary(name, help));
  }
  render(): string {
    return this.metrics.flatMap((m) => m.render()).join('\n') + '\n';
  }
  private add<M extends Metric>(m: M): M {
    this.metrics.push(m);
    return m;
  }
}
