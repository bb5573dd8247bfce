import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ACTIONS, type Action, actionRank, createGuard, type Stage } from '@parapet/core';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { type Counts, classification, type GoldSpan, matchSpans, percentiles, scores } from '../metrics.js';
import { resolvePolicy } from '../policy-file.js';
import { progressBar } from '../progress.js';
import { detectorsFor } from '../registry.js';

export const EVAL_HELP = `Usage: parapet eval --dataset F.jsonl [options]

Runs a guard over a labelled dataset and prints quality and latency.
Classification sets: lines {"text", "label": 0|1}. Span sets: lines {"text", "spans": [{"start","end","type"}]}.
The kind is taken from the first line.

Options:
  --dataset F         the JSONL file (required)
  --detector ID       run only this detector (repeatable); default: the stage's default detectors
  --policy F          policy file (.json/.yaml)
  --stage S           input (default) | output | tool_input | tool_output
  --format FMT        table (default) | json (one JSON object on stdout)
  --map FROM=TO       rename a dataset label before matching (repeatable), e.g. GPE=LOCATION
  --positive ACTION   classification: a text counts as flagged when the decided action is at least
                      ACTION (default flag: anything stricter than allow)
  --limit N           evaluate only the first N lines

Exit codes: 0 done, 3 usage or configuration error.
`;

interface Row {
  readonly text: string;
  readonly label?: number;
  readonly spans?: GoldSpan[];
}

function parseRows(
  content: string,
  file: string,
  mapping: ReadonlyMap<string, string>,
  limit: number,
): { kind: 'classification' | 'spans'; rows: Row[] } {
  const rows: Row[] = [];
  let kind: 'classification' | 'spans' | undefined;
  const lines = content.split('\n');
  for (let index = 0; index < lines.length && rows.length < limit; index++) {
    const line = lines[index]!.trim();
    if (line.length === 0) continue;
    let value: any;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UsageError(`${file}:${index + 1}: not valid JSON. Each line must be one JSON object.`);
    }
    if (value === null || typeof value !== 'object' || typeof value.text !== 'string') {
      throw new UsageError(`${file}:${index + 1}: each line needs a "text" string.`);
    }
    if (kind === undefined) {
      if ('label' in value) kind = 'classification';
      else if ('spans' in value) kind = 'spans';
      else
        throw new UsageError(
          `${file}:${index + 1}: the first line has neither "label" (classification) nor "spans" (span set).`,
        );
    }
    if (kind === 'classification') {
      const label = value.label === true ? 1 : value.label === false ? 0 : value.label;
      if (label !== 0 && label !== 1) throw new UsageError(`${file}:${index + 1}: "label" must be 0 or 1.`);
      rows.push({ text: value.text, label });
    } else {
      if (!Array.isArray(value.spans)) throw new UsageError(`${file}:${index + 1}: "spans" must be an array.`);
      const spans: GoldSpan[] = value.spans.map((span: any, spanIndex: number) => {
        if (!Number.isInteger(span?.start) || !Number.isInteger(span?.end) || typeof span?.type !== 'string') {
          throw new UsageError(`${file}:${index + 1}: spans[${spanIndex}] needs integer start/end and a string type.`);
        }
        return { start: span.start, end: span.end, type: mapping.get(span.type) ?? span.type };
      });
      rows.push({ text: value.text, spans });
    }
  }
  if (kind === undefined) throw new UsageError(`${file}: no rows.`);
  return { kind, rows };
}

export async function evalCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string' },
      detector: { type: 'string', multiple: true, default: [] },
      policy: { type: 'string' },
      stage: { type: 'string', default: 'input' },
      format: { type: 'string', default: 'table' },
      map: { type: 'string', multiple: true, default: [] },
      positive: { type: 'string', default: 'flag' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(EVAL_HELP);
    return EXIT.allow;
  }
  if (values.dataset === undefined) throw new UsageError('--dataset F.jsonl is required.');
  if (!['input', 'output', 'tool_input', 'tool_output'].includes(values.stage)) {
    throw new UsageError(`--stage must be one of input, output, tool_input, tool_output (got "${values.stage}").`);
  }
  if (values.format !== 'json' && values.format !== 'table')
    throw new UsageError(`--format must be json or table (got "${values.format}").`);
  if (!ACTIONS.includes(values.positive as Action) || values.positive === 'allow') {
    throw new UsageError('--positive must be one of flag, redact, review, block.');
  }
  const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit);
  if (!(limit > 0) || (!Number.isFinite(limit) && values.limit !== undefined))
    throw new UsageError('--limit must be a positive whole number.');
  const mapping = new Map<string, string>();
  for (const entry of values.map) {
    const [from, to, ...rest] = entry.split('=');
    if (!from || !to || rest.length > 0) throw new UsageError(`--map takes FROM=TO (got "${entry}").`);
    mapping.set(from, to);
  }

  let content: string;
  try {
    content = await readFile(values.dataset, 'utf8');
  } catch (error) {
    throw new UsageError(
      `Cannot read --dataset ${values.dataset}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`,
    );
  }
  const { kind, rows } = parseRows(content, values.dataset, mapping, limit);
  const stage = values.stage as Stage;
  const policy = await resolvePolicy(values.policy, io.cwd);
  const detectors = detectorsFor(stage, values.detector, policy);
  const guard = createGuard({
    name: 'parapet-eval',
    policy,
    ...(stage === 'input' ? { input: detectors } : {}),
    ...(stage === 'output' ? { output: detectors } : {}),
    ...(stage === 'tool_input' ? { toolInput: detectors } : {}),
    ...(stage === 'tool_output' ? { toolOutput: detectors } : {}),
  });
  const threshold = actionRank(values.positive as Action);
  const latencies: number[] = [];
  const progress = progressBar(io.stderr, rows.length, 'eval');
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  const micro: Counts = { tp: 0, fp: 0, fn: 0 };
  const byType = new Map<string, Counts>();
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index]!;
    const started = performance.now();
    const verdict = await guard.check(stage, row.text);
    latencies.push((performance.now() - started) * 1000);
    if (kind === 'classification') {
      const flagged = actionRank(verdict.decided) >= threshold;
      if (row.label === 1) flagged ? tp++ : fn++;
      else flagged ? fp++ : tn++;
    } else {
      const predicted: GoldSpan[] = [];
      for (const finding of verdict.findings) {
        if (finding.span === undefined) continue;
        const entity = finding.data?.entity;
        predicted.push({
          start: finding.span.start,
          end: finding.span.end,
          type: typeof entity === 'string' ? entity : finding.category,
        });
      }
      matchSpans(row.spans ?? [], predicted, byType, micro);
    }
    progress.update(index + 1);
  }
  progress.end();
  await guard.close();

  if (kind === 'classification') {
    const result = classification(tp, fp, tn, fn, latencies);
    if (values.format === 'json') io.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      io.stdout.write(
        [
          `dataset    ${values.dataset} (${result.n} rows: ${result.positives} positive, ${result.negatives} negative)`,
          `detectors  ${detectors.map((detector) => detector.id).join(', ') || '(none)'}`,
          `precision  ${result.precision.toFixed(4)}   recall ${result.recall.toFixed(4)}   f1 ${result.f1.toFixed(4)}`,
          `fpr        ${result.fpr.toFixed(4)}   accuracy ${result.accuracy.toFixed(4)}   balanced ${result.balancedAccuracy.toFixed(4)}`,
          `confusion  tp ${tp}  fp ${fp}  tn ${tn}  fn ${fn}`,
          `latency    p50 ${result.latencyUs.p50} µs   p99 ${result.latencyUs.p99} µs`,
          '',
        ].join('\n'),
      );
    }
    return EXIT.allow;
  }
  const types = [...byType.keys()].sort();
  const result = {
    task: 'spans' as const,
    n: rows.length,
    micro: { ...micro, ...scores(micro) },
    byType: Object.fromEntries(types.map((type) => [type, { ...byType.get(type)!, ...scores(byType.get(type)!) }])),
    latencyUs: percentiles(latencies),
  };
  if (values.format === 'json') io.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const lines = [
      `dataset    ${values.dataset} (${result.n} rows)`,
      `detectors  ${detectors.map((detector) => detector.id).join(', ') || '(none)'}`,
      '',
      `${'type'.padEnd(24)} ${'tp'.padStart(6)} ${'fp'.padStart(6)} ${'fn'.padStart(6)} ${'prec'.padStart(7)} ${'recall'.padStart(7)} ${'f1'.padStart(7)}`,
    ];
    const row = (name: string, counts: Counts & { precision: number; recall: number; f1: number }) =>
      `${name.padEnd(24)} ${String(counts.tp).padStart(6)} ${String(counts.fp).padStart(6)} ${String(counts.fn).padStart(6)} ${counts.precision.toFixed(4).padStart(7)} ${counts.recall.toFixed(4).padStart(7)} ${counts.f1.toFixed(4).padStart(7)}`;
    for (const type of types) lines.push(row(type, result.byType[type]!));
    lines.push(
      row('(micro)', result.micro),
      '',
      `latency    p50 ${result.latencyUs.p50} µs   p99 ${result.latencyUs.p99} µs`,
      '',
    );
    io.stdout.write(lines.join('\n'));
  }
  return EXIT.allow;
}
