// Shared pieces of the benchmarks: one load-generator call, medians, and the result shape run.ts prints.
import autocannon from 'autocannon';

export interface BenchResult {
  /** What was measured, e.g. "datacenters list". */
  name: string;
  unit: string;
  /** billrelay's number. */
  value: number;
  /** The same work without billrelay's layers, measured in the same run. */
  baseline: number;
  /** value / baseline (higher is better for throughput). */
  ratio: number;
  /** What the baseline is called in the output; "bare" unless said otherwise (e.g. "raw"). */
  baselineLabel?: string;
  /** The ratio we want to stay at or above. */
  target: number;
  /** Samples and anything else worth printing under the table. */
  notes: string[];
}

/** Each bench/*.bench.ts default-exports one of these. */
export type Bench = () => Promise<BenchResult | BenchResult[]>;

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  connections?: number;
  /** Seconds. */
  duration?: number;
}

/**
 * Quick mode (`BENCH_QUICK=1` or `npm run bench -- --quick`): every benchmark with tiny durations and
 * counts, to prove in CI that each one still runs to the end. Its numbers are noise, not measurements.
 */
export const quick = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');

/** A count or size: the environment's value if set, else the normal one, or the tiny one in quick mode. */
export function sized(env: string | undefined, normal: number, tiny: number): number {
  return Number(env ?? (quick ? tiny : normal));
}

export const settings = {
  connections: sized(process.env.BENCH_CONNECTIONS, 10, 4),
  duration: sized(process.env.BENCH_DURATION, 5, 0.6),
  warmup: sized(process.env.BENCH_WARMUP, 1, 0.2),
  rounds: sized(process.env.BENCH_ROUNDS, 2, 1),
};

/**
 * Requests per second for one URL. The load generator runs in a worker thread (autocannon's `workers`)
 * so that it does not share the server's event loop; every answer must be a 2xx or the run fails.
 */
export async function requestsPerSecond(options: LoadOptions): Promise<number> {
  const result = await autocannon({
    url: options.url,
    headers: options.headers,
    connections: options.connections ?? settings.connections,
    duration: options.duration ?? settings.duration,
    workers: 1,
  });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${options.url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  if (result.requests.total === 0) throw new Error(`${options.url}: no requests completed`);
  return result.requests.total / result.duration;
}

/**
 * Measures A and B alternately (A B A B …) after a warm-up of each, so that a slow moment of the
 * machine hits both; returns the median of each and the median of the paired ratios A/B. On a shared
 * machine whose speed drifts by a factor of two within a minute, the ratio of two samples taken side
 * by side is much steadier than the ratio of two medians taken at different moments. Quick mode skips
 * the warm-up (each load run starts a worker thread, which is most of a quick run's time).
 */
export async function compare(
  a: LoadOptions,
  b: LoadOptions,
  pairs = settings.rounds,
): Promise<{ a: number; b: number; ratio: number; samplesA: number[]; samplesB: number[] }> {
  if (!quick) {
    await requestsPerSecond({ ...a, duration: settings.warmup });
    await requestsPerSecond({ ...b, duration: settings.warmup });
  }
  const samplesA: number[] = [];
  const samplesB: number[] = [];
  for (let round = 0; round < pairs; round++) {
    samplesA.push(await requestsPerSecond(a));
    samplesB.push(await requestsPerSecond(b));
  }
  const ratios = samplesA.map((x, i) => x / samplesB[i]!);
  return { a: median(samplesA), b: median(samplesB), ratio: median(ratios), samplesA, samplesB };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `ratio` defaults to value / baseline; a benchmark that pairs its samples passes its own. */
export function result(fields: Omit<BenchResult, 'ratio'> & { ratio?: number }): BenchResult {
  return { ...fields, ratio: fields.ratio ?? fields.value / fields.baseline };
}
