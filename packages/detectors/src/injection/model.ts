import { HASH_BITS, HASH_SIZE, sumWordWeights, type WordTable } from './features.js';

/**
 * The small trained classifier: logistic regression heads over hashed word and character features
 * (see `features.ts`), scored over sliding windows of words so a long prompt is judged by its most
 * suspicious part instead of being diluted (the 512-token transformer scanners lose attacks past their
 * context). One weight table serves every head: a feature's weights for all heads sit next to each
 * other, so one memory read fetches them all.
 *
 * File format (`model/injection.bin`): the ASCII magic `PRPTINJ1`, a little-endian uint32 header length,
 * a UTF-8 JSON header ({@link ModelHeader}), then `2^hashBits × heads` signed bytes (weight / scale).
 */

export const HEAD_NAMES = ['injection', 'indirect', 'harmful'] as const;
export type HeadName = (typeof HEAD_NAMES)[number];

export interface HeadHeader {
  readonly name: HeadName;
  readonly bias: number;
  /** Multiplier from the stored signed byte to the weight. */
  readonly scale: number;
  /** Platt scaling fitted on the validation split: probability = sigmoid(a × logit + b). */
  readonly plattA: number;
  readonly plattB: number;
  /** Calibrated probability at which the recommended rule acts (chosen on the validation split). */
  readonly threshold: number;
}

export interface ModelHeader {
  readonly version: 1;
  readonly hashBits: number;
  /** Words per window, and the step between windows. */
  readonly window: number;
  readonly stride: number;
  readonly heads: readonly HeadHeader[];
  readonly datasets: readonly string[];
}

const MAGIC = 'PRPTINJ1';

export function encodeModel(header: ModelHeader, weights: Int8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(MAGIC.length + 4 + json.length + weights.length);
  for (let index = 0; index < MAGIC.length; index++) out[index] = MAGIC.charCodeAt(index);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
  out.set(json, MAGIC.length + 4);
  out.set(new Uint8Array(weights.buffer, weights.byteOffset, weights.length), MAGIC.length + 4 + json.length);
  return out;
}

export function decodeModel(bytes: Uint8Array): { header: ModelHeader; weights: Int8Array } {
  for (let index = 0; index < MAGIC.length; index++) {
    if (bytes[index] !== MAGIC.charCodeAt(index)) throw new Error('not a Parapet injection model (bad magic)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  const headerStart = MAGIC.length + 4;
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLength)));
  if (header.version !== 1 || header.hashBits !== HASH_BITS) {
    throw new Error(
      `unsupported model: version ${header.version}, hashBits ${header.hashBits} (expected 1, ${HASH_BITS})`,
    );
  }
  const weightsStart = headerStart + headerLength;
  const expected = HASH_SIZE * header.heads.length;
  if (bytes.length - weightsStart !== expected) {
    throw new Error(`model weights truncated: ${bytes.length - weightsStart} bytes, expected ${expected}`);
  }
  const weights = new Int8Array(bytes.buffer, bytes.byteOffset + weightsStart, expected);
  return { header: header as ModelHeader, weights };
}

/** The score of one head on one text. */
export interface HeadScore {
  /** Calibrated probability of the most suspicious window. */
  readonly probability: number;
  /** Raw logit of that window (before calibration). */
  readonly logit: number;
  /** Character span of that window in the scored text. */
  readonly start: number;
  readonly end: number;
}

/**
 * Per-word sums of the weights of every head, in reusable buffers (filled by {@link sumWordWeights}).
 * Scoring is synchronous, so one collector per model is safe to reuse across calls.
 */
class WordCollector implements WordTable {
  readonly heads: number;
  readonly weights: Int8Array;
  sums: Float64Array; // word × head
  counts: Uint32Array; // features per word
  starts: Uint32Array;
  ends: Uint32Array;
  hashes: Int32Array;
  words = 0;

  constructor(weights: Int8Array, heads: number) {
    this.weights = weights;
    if (heads < 1 || heads > 4) throw new Error(`a model has one to four heads (got ${heads})`);
    this.heads = heads;
    this.sums = new Float64Array(1024 * heads);
    this.counts = new Uint32Array(1024);
    this.starts = new Uint32Array(1024);
    this.ends = new Uint32Array(1024);
    this.hashes = new Int32Array(1024);
  }

  reset(): void {
    this.words = 0;
  }

  grow(): void {
    const size = this.counts.length * 2;
    const sums = new Float64Array(size * this.heads);
    sums.set(this.sums);
    this.sums = sums;
    const counts = new Uint32Array(size);
    counts.set(this.counts);
    this.counts = counts;
    const starts = new Uint32Array(size);
    starts.set(this.starts);
    this.starts = starts;
    const ends = new Uint32Array(size);
    ends.set(this.ends);
    this.ends = ends;
    const hashes = new Int32Array(size);
    hashes.set(this.hashes);
    this.hashes = hashes;
  }
}

function sigmoid(value: number): number {
  return 1 / (1 + Math.exp(-value));
}

/** The words of the last scored text: hashes and spans, valid until the next `score` call. */
export interface WordView {
  readonly count: number;
  /** Word hashes as signed 32-bit integers (small integers in V8, unlike unsigned values past 2^31). */
  readonly hashes: Int32Array;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
}

/** A loaded model: `score(text)` returns one {@link HeadScore} per head, in header order. */
export interface InjectionModel {
  readonly header: ModelHeader;
  headIndex(name: HeadName): number;
  /** Scores already lower-cased, normalized text. */
  score(text: string): HeadScore[];
  /** The words of the text last given to `score` (same scan; no second pass). */
  lastWords(): WordView;
}

export function createModel(header: ModelHeader, weights: Int8Array): InjectionModel {
  const heads = header.heads.length;
  const collector = new WordCollector(weights, heads);
  const scales = header.heads.map((head) => head.scale);
  const biases = header.heads.map((head) => head.bias);
  const window = header.window;
  const stride = header.stride;

  return {
    header,
    lastWords: () => ({
      count: collector.words,
      hashes: collector.hashes,
      starts: collector.starts,
      ends: collector.ends,
    }),
    headIndex(name) {
      const index = header.heads.findIndex((head) => head.name === name);
      if (index < 0) throw new Error(`the model has no "${name}" head`);
      return index;
    },
    score(text) {
      collector.reset();
      sumWordWeights(text, collector);
      const words = collector.words;
      const best = new Array<number>(heads).fill(Number.NEGATIVE_INFINITY);
      const bestStart = new Array<number>(heads).fill(0);
      const bestEnd = new Array<number>(heads).fill(0);
      const sums = collector.sums;
      const counts = collector.counts;
      // Window sums by a running total over word positions: add the entering word, drop the leaving one.
      const running = new Float64Array(heads);
      let runningCount = 0;
      const size = Math.min(window, words);
      for (let word = 0; word < size; word++) {
        for (let head = 0; head < heads; head++) running[head]! += sums[word * heads + head]!;
        runningCount += counts[word]!;
      }
      const consider = (from: number, to: number): void => {
        const norm = runningCount > 0 ? 1 / Math.sqrt(runningCount) : 0;
        for (let head = 0; head < heads; head++) {
          const logit = biases[head]! + running[head]! * scales[head]! * norm;
          if (logit > best[head]!) {
            best[head] = logit;
            bestStart[head] = from;
            bestEnd[head] = to;
          }
        }
      };
      consider(0, size);
      // Slide by `stride` words at a time; the last window ends at the last word.
      let from = 0;
      while (from + size < words) {
        const step = Math.min(stride, words - (from + size));
        for (let move = 0; move < step; move++) {
          const leaving = from + move;
          const entering = from + size + move;
          for (let head = 0; head < heads; head++) {
            running[head]! += sums[entering * heads + head]! - sums[leaving * heads + head]!;
          }
          runningCount += counts[entering]! - counts[leaving]!;
        }
        from += step;
        consider(from, from + size);
      }
      const out: HeadScore[] = [];
      for (let head = 0; head < heads; head++) {
        const info = header.heads[head]!;
        const logit = words === 0 ? biases[head]! : best[head]!;
        out.push({
          probability: sigmoid(info.plattA * logit + info.plattB),
          logit,
          start: words === 0 ? 0 : collector.starts[bestStart[head]!]!,
          end: words === 0 ? 0 : collector.ends[bestEnd[head]! - 1]!,
        });
      }
      return out;
    },
  };
}
