/**
 * Counters, a gauge and histograms for the metrics that move on every request, in prom-client's
 * custom-metric shape (`name`, `help`, `type`, `aggregator`, `get()`, `reset()`), so a Registry
 * exports them, and merges them across cluster workers, exactly like its own.
 *
 * Why not prom-client's classes: every `inc`/`observe` on a labelled child there rebuilds and
 * hashes the label object, and a histogram finds its bucket by turning the bound (a float) into an
 * object key — ~5 µs per small request for signet's seven per-request metric calls, measured with
 * `--cpu-prof` (bench/RESULTS.md). Here a child is made once per label set and holds plain numbers;
 * the label objects are built only when /metrics is scraped.
 */

type Labels = Record<string, string | number>;

interface MetricValue {
  readonly labels: Labels;
  readonly value: number;
  readonly metricName?: string;
}

export interface MetricData {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly values: MetricValue[];
  readonly aggregator: 'sum';
}

export interface TallyOptions<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
}

/** Children by label values, in a Map keyed by the values joined with a separator no label holds. */
abstract class Tally<L extends string, C> {
  // Mutable: prom-client renames counters (`_total`) in place for OpenMetrics output.
  name: string;
  readonly help: string;
  readonly aggregator = 'sum' as const;
  protected readonly labelNames: readonly L[];
  protected readonly children = new Map<string, { readonly labels: Labels; readonly child: C }>();

  constructor(o: TallyOptions<L>) {
    this.name = o.name;
    this.help = o.help;
    this.labelNames = o.labelNames ?? [];
  }

  protected abstract newChild(): C;

  /** The child for these label values (in `labelNames` order): look it up once and keep it. */
  labels(...values: string[]): C {
    if (values.length !== this.labelNames.length) throw new TypeError(`${this.name}: expected ${this.labelNames.length} label values`);
    const key = values.join('\u0000');
    let entry = this.children.get(key);
    if (entry === undefined) {
      const labels: Labels = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i]!));
      entry = { labels, child: this.newChild() };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  reset(): void {
    this.children.clear();
  }
}

export class TallyCounterChild {
  value = 0;

  inc(n = 1): void {
    if (!(n >= 0) || !Number.isFinite(n)) throw new TypeError('a counter only goes up');
    this.value += n;
  }
}

export class TallyCounter<L extends string = never> extends Tally<L, TallyCounterChild> {
  readonly type = 'counter' as const;

  protected newChild(): TallyCounterChild {
    return new TallyCounterChild();
  }

  #unlabelled: TallyCounterChild | null = null;

  /** The unlabelled counter. */
  inc(n = 1): void {
    (this.#unlabelled ??= this.labels()).inc(n);
  }

  override reset(): void {
    super.reset();
    this.#unlabelled = null;
  }

  get(): Promise<MetricData> {
    if (this.labelNames.length === 0) this.labels();
    const values = [...this.children.values()].map((e) => ({ labels: e.labels, value: e.child.value }));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }
}

/** An unlabelled gauge (the only kind the request path moves). */
export class TallyGauge {
  name: string;
  readonly help: string;
  readonly type = 'gauge' as const;
  readonly aggregator = 'sum' as const;
  private value = 0;

  constructor(o: TallyOptions<never>) {
    this.name = o.name;
    this.help = o.help;
  }

  inc(n = 1): void {
    this.value += n;
  }

  dec(n = 1): void {
    this.value -= n;
  }

  set(n: number): void {
    this.value = n;
  }

  get(): Promise<MetricData> {
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values: [{ labels: {}, value: this.value }], aggregator: this.aggregator });
  }

  reset(): void {
    this.value = 0;
  }
}

export class TallyHistogramChild {
  /** counts[i]: observations in (bounds[i-1], bounds[i]]; the last slot is above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError('value is not a finite number');
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export class TallyHistogram<L extends string = never> extends Tally<L, TallyHistogramChild> {
  readonly type = 'histogram' as const;
  private readonly bounds: readonly number[];

  constructor(o: TallyOptions<L> & { readonly buckets: readonly number[] }) {
    super(o);
    this.bounds = [...o.buckets].sort((a, b) => a - b);
  }

  protected newChild(): TallyHistogramChild {
    return new TallyHistogramChild(this.bounds);
  }

  #unlabelled: TallyHistogramChild | null = null;

  /** The unlabelled histogram. */
  observe(value: number): void {
    (this.#unlabelled ??= this.labels()).observe(value);
  }

  override reset(): void {
    super.reset();
    this.#unlabelled = null;
  }

  get(): Promise<MetricData> {
    if (this.labelNames.length === 0) this.labels();
    const values: MetricValue[] = [];
    const bucket = this.name + '_bucket';
    for (const { labels, child } of this.children.values()) {
      // Cumulative, as the exposition format counts buckets; `le` first, as prom-client prints it.
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += child.counts[i]!;
        values.push({ labels: { le: this.bounds[i]!, ...labels }, value: acc, metricName: bucket });
      }
      values.push({ labels: { le: '+Inf', ...labels }, value: child.count, metricName: bucket });
      values.push({ labels, value: child.sum, metricName: this.name + '_sum' });
      values.push({ labels, value: child.count, metricName: this.name + '_count' });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }
}
