/** Counting and scoring helpers for `parapet eval`. Ratios with an empty denominator are 0. */

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export interface Scores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

const ratio = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : numerator / denominator);
const round = (value: number): number => Math.round(value * 10_000) / 10_000;

export function scores(counts: Counts): Scores {
  const precision = ratio(counts.tp, counts.tp + counts.fp);
  const recall = ratio(counts.tp, counts.tp + counts.fn);
  const f1 = ratio(2 * precision * recall, precision + recall);
  return { precision: round(precision), recall: round(recall), f1: round(f1) };
}

export interface ClassificationResult {
  readonly task: 'classification';
  readonly n: number;
  readonly positives: number;
  readonly negatives: number;
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly fpr: number;
  readonly accuracy: number;
  readonly balancedAccuracy: number;
  readonly latencyUs: { readonly p50: number; readonly p99: number };
}

export function classification(
  tp: number,
  fp: number,
  tn: number,
  fn: number,
  latencies: readonly number[],
): ClassificationResult {
  const { precision, recall, f1 } = scores({ tp, fp, fn });
  const positives = tp + fn;
  const negatives = tn + fp;
  const specificity = ratio(tn, negatives);
  return {
    task: 'classification',
    n: positives + negatives,
    positives,
    negatives,
    tp,
    fp,
    tn,
    fn,
    precision,
    recall,
    f1,
    fpr: round(ratio(fp, negatives)),
    accuracy: round(ratio(tp + tn, positives + negatives)),
    balancedAccuracy: round(
      positives === 0 ? specificity : negatives === 0 ? ratio(tp, positives) : (ratio(tp, positives) + specificity) / 2,
    ),
    latencyUs: percentiles(latencies),
  };
}

/** Nearest-rank p50 and p99, in microseconds with one decimal. */
export function percentiles(values: readonly number[]): { p50: number; p99: number } {
  if (values.length === 0) return { p50: 0, p99: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  return { p50: Math.round(at(0.5) * 10) / 10, p99: Math.round(at(0.99) * 10) / 10 };
}

export interface GoldSpan {
  readonly start: number;
  readonly end: number;
  readonly type: string;
}

/**
 * Matches predicted spans to gold spans one to one: a prediction is a true positive when it overlaps a
 * not-yet-matched gold span of the same type. Adds to `byType` (created on demand, so types that appear
 * only in the data or only in predictions are both reported).
 */
export function matchSpans(
  gold: readonly GoldSpan[],
  predicted: readonly GoldSpan[],
  byType: Map<string, Counts>,
  micro: Counts,
): void {
  const counts = (type: string): Counts => {
    let entry = byType.get(type);
    if (entry === undefined) {
      entry = { tp: 0, fp: 0, fn: 0 };
      byType.set(type, entry);
    }
    return entry;
  };
  const used = new Array<boolean>(gold.length).fill(false);
  const ordered = [...predicted].sort((a, b) => a.start - b.start || b.end - a.end);
  for (const prediction of ordered) {
    let hit = -1;
    for (let i = 0; i < gold.length; i++) {
      const target = gold[i]!;
      if (used[i] || target.type !== prediction.type) continue;
      if (prediction.start < target.end && target.start < prediction.end) {
        hit = i;
        break;
      }
    }
    if (hit >= 0) {
      used[hit] = true;
      counts(prediction.type).tp++;
      micro.tp++;
    } else {
      counts(prediction.type).fp++;
      micro.fp++;
    }
  }
  gold.forEach((target, index) => {
    if (!used[index]) {
      counts(target.type).fn++;
      micro.fn++;
    } else counts(target.type);
  });
}
