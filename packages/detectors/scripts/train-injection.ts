/**
 * Trains the injection model (`model/injection.bin`) from the public datasets: `pnpm train:injection`.
 *
 * Logistic-regression heads over hashed features (src/injection/features.ts), trained with AdaGrad on
 * windows of words, quantized to signed bytes, then calibrated (Platt scaling) and given a threshold on
 * the validation split. Deterministic: a fixed seed and a fixed row order give the same bytes.
 *
 * Options (environment): PARAPET_DATASETS (datasets folder), EPOCHS, WINDOW, TARGET_FPR.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { normalizeText } from '@parapet/core';
import { extractFeatures, HASH_BITS, HASH_SIZE, modelInput } from '../src/injection/features.js';
import { createModel, encodeModel, HEAD_NAMES, type HeadHeader, type ModelHeader } from '../src/injection/model.js';
import { type Head, loadRows, type Row } from './datasets.js';

const EPOCHS = Number(process.env.EPOCHS ?? 8);
const WINDOW = Number(process.env.WINDOW ?? 40);
const STRIDE = Math.max(1, Math.floor(WINDOW / 4));
const TRAIN_STRIDE = Math.max(1, Math.floor(WINDOW / 2));
const TARGET_FPR = Number(process.env.TARGET_FPR ?? 0.005);
/**
 * The harmful head's own target (TARGET_FPR_HARMFUL): its negatives are XSTest's safe look-alikes, where a
 * false alarm refuses a legitimate question, and at 0.5 % its threshold let 8 of 51 validation look-alikes
 * through as harmful (see the package README).
 */
const TARGET_FPR_HARMFUL = Number(process.env.TARGET_FPR_HARMFUL ?? 0.003);
const LEARNING_RATE = 0.2;
const MULTILINGUAL_WEIGHT = Number(process.env.MULTILINGUAL_WEIGHT ?? 3);
const LANGUAGE_CAP = Number(process.env.LANGUAGE_CAP ?? 60);
/** Weight of our own planted orders and clean records (scripts/indirect-records) for the indirect head. */
const RECORDS_WEIGHT = Number(process.env.RECORDS_WEIGHT ?? 1);
/** Weight of our own harmful requests and safe look-alikes (scripts/harmful-requests) for the harmful head. */
const HARMFUL_WEIGHT = Number(process.env.HARMFUL_WEIGHT ?? 2);
const L2 = 2e-6;

/** Mulberry32: a small seeded generator, so shuffles are reproducible. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Word {
  start: number;
  end: number;
  buckets: number[];
}

function wordsOf(text: string): Word[] {
  const words: Word[] = [];
  let pending: number[] = [];
  extractFeatures(modelInput(normalizeText(text)), {
    feature(bucket) {
      pending.push(bucket);
    },
    endWord(start, end) {
      words.push({ start, end, buckets: pending });
      pending = [];
    },
  });
  return words;
}

interface Example {
  indices: Int32Array;
  values: Float32Array;
  label: 0 | 1;
  weight: number;
}

function toExample(words: Word[], from: number, to: number, label: 0 | 1): Example {
  const counts = new Map<number, number>();
  let total = 0;
  for (let index = from; index < to; index++) {
    for (const bucket of words[index]!.buckets) {
      counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
      total++;
    }
  }
  const norm = total > 0 ? 1 / Math.sqrt(total) : 0;
  const indices = new Int32Array(counts.size);
  const values = new Float32Array(counts.size);
  let at = 0;
  for (const [bucket, count] of counts) {
    indices[at] = bucket;
    values[at] = count * norm;
    at++;
  }
  return { indices, values, label, weight: 1 };
}

/** Cuts a row into training windows; windows of an embedded attack are positive, the rest negative. */
function windowsOf(row: Row, label: 0 | 1): Example[] {
  const words = wordsOf(row.text);
  if (words.length === 0) return [];
  const size = Math.min(WINDOW, words.length);
  const starts: number[] = [];
  for (let from = 0; from + size <= words.length; from += TRAIN_STRIDE) starts.push(from);
  if (starts[starts.length - 1]! + size < words.length) starts.push(words.length - size);
  const out: Example[] = [];
  for (const from of starts) {
    let windowLabel = label;
    if (label === 1 && row.attack !== undefined) {
      const first = words[from]!.start;
      const last = words[from + size - 1]!.end;
      // Positive only when the window holds most of the attack (or the attack fills it).
      const overlap = Math.min(last, row.attack.end) - Math.max(first, row.attack.start);
      const attackLength = row.attack.end - row.attack.start;
      windowLabel = overlap >= Math.min(attackLength * 0.6, (last - first) * 0.6) ? 1 : 0;
    }
    out.push(toExample(words, from, from + size, windowLabel));
  }
  return out;
}

function sigmoid(value: number): number {
  return 1 / (1 + Math.exp(-value));
}

function train(examples: Example[], seed: number): { weights: Float64Array; bias: number } {
  const weights = new Float64Array(HASH_SIZE);
  const squares = new Float64Array(HASH_SIZE).fill(1e-8);
  let bias = 0;
  let biasSquares = 1e-8;
  const next = random(seed);
  const order = examples.map((_, index) => index);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let index = order.length - 1; index > 0; index--) {
      const swap = Math.floor(next() * (index + 1));
      [order[index], order[swap]] = [order[swap]!, order[index]!];
    }
    let loss = 0;
    for (const at of order) {
      const example = examples[at]!;
      let z = bias;
      for (let k = 0; k < example.indices.length; k++) z += weights[example.indices[k]!]! * example.values[k]!;
      const p = sigmoid(z);
      loss += example.weight * -Math.log(example.label === 1 ? Math.max(p, 1e-12) : Math.max(1 - p, 1e-12));
      const gradient = (p - example.label) * example.weight;
      for (let k = 0; k < example.indices.length; k++) {
        const feature = example.indices[k]!;
        const g = gradient * example.values[k]! + L2 * weights[feature]!;
        squares[feature]! += g * g;
        weights[feature]! -= (LEARNING_RATE * g) / Math.sqrt(squares[feature]!);
      }
      biasSquares += gradient * gradient;
      bias -= (LEARNING_RATE * gradient) / Math.sqrt(biasSquares);
    }
    process.stdout.write(`    epoch ${epoch + 1}: loss ${(loss / order.length).toFixed(4)}\n`);
  }
  return { weights, bias };
}

/** Platt scaling: fits sigmoid(a·logit + b) to the labels by Newton's method. */
function platt(logits: number[], labels: number[]): { a: number; b: number } {
  // Platt's smoothed targets keep the fit finite when the validation split is separable.
  const positives = labels.filter((label) => label === 1).length;
  const negatives = labels.length - positives;
  const targets = labels.map((label) => (label === 1 ? (positives + 1) / (positives + 2) : 1 / (negatives + 2)));
  let a = 1;
  let b = 0;
  for (let iteration = 0; iteration < 100; iteration++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let index = 0; index < logits.length; index++) {
      const x = logits[index]!;
      const p = sigmoid(a * x + b);
      const d = p - targets[index]!;
      const w = p * (1 - p);
      ga += d * x;
      gb += d;
      haa += w * x * x;
      hab += w * x;
      hbb += w;
    }
    const determinant = haa * hbb - hab * hab;
    if (Math.abs(determinant) < 1e-12) break;
    const da = (hbb * ga - hab * gb) / determinant;
    const db = (haa * gb - hab * ga) / determinant;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  return { a, b };
}

const started = Date.now();
const rows = loadRows();
process.stdout.write(`rows: ${rows.length} (train ${rows.filter((row) => row.split === 'train').length})\n`);

const heads = HEAD_NAMES.length;
const quantized = new Int8Array(HASH_SIZE * heads);
const raw: { bias: number; scale: number }[] = [];

for (let head = 0; head < heads; head++) {
  const name = HEAD_NAMES[head]! as Head;
  const training = rows.filter((row) => row.split === 'train' && row.heads[name] !== undefined);
  const examples: Example[] = [];
  // Machine-translated attacks per language: Hindi alone has as many as English. Cap each language's
  // total weight so that no language's script becomes a sign of attack in itself.
  const perLanguage = new Map<string, number>();
  for (const row of training) {
    if (row.dataset === 'purplellama-cyberseceval-pi' && row.label === 1 && !row.slice.endsWith('English')) {
      perLanguage.set(row.slice, (perLanguage.get(row.slice) ?? 0) + 1);
    }
  }
  for (const row of training) {
    const windows = windowsOf(row, row.heads[name]!);
    // Our own multilingual negatives are few per language against hundreds of translated attacks.
    let boost = row.dataset === 'parapet-benign-multilingual' ? MULTILINGUAL_WEIGHT : 1;
    if (row.dataset === 'parapet-harmful-requests') boost = HARMFUL_WEIGHT;
    if (row.dataset === 'parapet-indirect-records') boost = RECORDS_WEIGHT;
    const translated = perLanguage.get(row.slice);
    if (row.dataset === 'purplellama-cyberseceval-pi' && translated !== undefined) {
      boost = Math.min(1, LANGUAGE_CAP / translated);
    }
    for (const window of windows) window.weight = boost;
    examples.push(...windows);
  }
  const positives = examples.filter((example) => example.label === 1).length;
  const negatives = examples.length - positives;
  // Balance the classes, then lean towards the negatives: a false alarm costs more than a miss here.
  for (const example of examples) {
    example.weight *=
      example.label === 1 ? examples.length / (2 * positives) : (1.5 * examples.length) / (2 * negatives);
  }
  process.stdout.write(
    `head ${name}: ${training.length} rows, ${positives} positive and ${negatives} negative windows\n`,
  );
  const { weights, bias } = train(examples, 1234 + head);
  let maxAbs = 0;
  for (let index = 0; index < HASH_SIZE; index++) maxAbs = Math.max(maxAbs, Math.abs(weights[index]!));
  const scale = maxAbs / 127;
  for (let index = 0; index < HASH_SIZE; index++) {
    quantized[index * heads + head] = Math.round(weights[index]! / scale);
  }
  raw.push({ bias, scale });
}

// Calibrate each head on its validation rows, scored the way the runtime scores them (whole texts, windows).
const uncalibrated: HeadHeader[] = HEAD_NAMES.map((name, head) => ({
  name,
  bias: raw[head]!.bias,
  scale: raw[head]!.scale,
  plattA: 1,
  plattB: 0,
  threshold: 0.5,
}));
const baseHeader: ModelHeader = {
  version: 1,
  hashBits: HASH_BITS,
  window: WINDOW,
  stride: STRIDE,
  heads: uncalibrated,
  datasets: [...new Set(rows.filter((row) => row.split === 'train').map((row) => row.dataset))].sort(),
};
const model = createModel(baseHeader, quantized);
const calibrated: HeadHeader[] = [];
for (let head = 0; head < heads; head++) {
  const name = HEAD_NAMES[head]! as Head;
  const validation = rows.filter((row) => row.split === 'validation' && row.heads[name] !== undefined);
  const logits = validation.map((row) => model.score(modelInput(normalizeText(row.text)))[head]!.logit);
  const labels = validation.map((row) => row.heads[name]!);
  const { a, b } = platt(logits, labels);
  const negatives = logits
    .filter((_, index) => labels[index] === 0)
    .map((logit) => sigmoid(a * logit + b))
    .sort((x, y) => x - y);
  const target = name === 'harmful' ? TARGET_FPR_HARMFUL : TARGET_FPR;
  const quantile = negatives[Math.min(negatives.length - 1, Math.floor(negatives.length * (1 - target)))] ?? 0.5;
  const threshold = Math.min(0.99, Math.max(0.5, quantile + 1e-6));
  const positives = logits.filter((_, index) => labels[index] === 1).map((logit) => sigmoid(a * logit + b));
  const recall = positives.filter((p) => p >= threshold).length / Math.max(1, positives.length);
  const fpr = negatives.filter((p) => p >= threshold).length / Math.max(1, negatives.length);
  process.stdout.write(
    `head ${name}: platt a=${a.toFixed(3)} b=${b.toFixed(3)}, threshold ${threshold.toFixed(3)}; validation recall ${recall.toFixed(3)} fpr ${fpr.toFixed(4)} (${positives.length} pos, ${negatives.length} neg)\n`,
  );
  calibrated.push({ ...uncalibrated[head]!, plattA: a, plattB: b, threshold: Number(threshold.toFixed(4)) });
}

const header: ModelHeader = { ...baseHeader, heads: calibrated };
const out = fileURLToPath(new URL('../model/injection.bin', import.meta.url));
mkdirSync(fileURLToPath(new URL('../model/', import.meta.url)), { recursive: true });
const bytes = encodeModel(header, quantized);
writeFileSync(out, bytes);
process.stdout.write(
  `wrote ${out} (${(bytes.length / 1024).toFixed(0)} KB) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
);
