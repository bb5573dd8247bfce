import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  ACTIONS,
  type Action,
  actionRank,
  createGuard,
  type Guard,
  type Policy,
  type Stage,
  type Verdict,
} from '@parapet/core';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { type Counts, classification, type GoldSpan, matchSpans, percentiles, scores } from '../metrics.js';
import { resolvePolicy } from '../policy-file.js';
import { progressBar } from '../progress.js';
import { detectorsFor } from '../registry.js';

/** The least per-detector timeout `eval` uses unless `--timeout-ms` says otherwise. */
export const EVAL_MIN_TIMEOUT_MS = 60_000;

export const EVAL_HELP = `Usage: parapet eval --dataset F.jsonl [options]

Runs a guard over a labelled dataset and prints quality and latency. The kind of set is taken from its
first line:
  classification  {"text", "label": 0|1}  (or another field, see --label-key); an optional
                  "system_prompt" string is passed to the detectors as context.systemPrompt
  spans           {"text", "spans": [{"start","end","type"}]}
  cases           {"text", "expected_count", "entity"}: does the detector find the row's entity or not

Options:
  --dataset F         the JSONL file (required)
  --detector ID       run only this detector (repeatable); default: the stage's default detectors
  --policy F          policy file (.json/.yaml)
  --stage S           input (default) | output | tool_input | tool_output
  --format FMT        table (default) | json (one JSON object on stdout)
  --map FROM=TO       rename a dataset label before matching (repeatable), e.g. GPE=LOCATION
  --positive ACTION   classification: a text counts as flagged when the decided action is at least
                      ACTION (default flag: anything stricter than allow)
  --label-key K       classification: the field holding the label (default label)
  --true V,V          classification: label values that mean positive (default 1,true)
  --false V,V         classification: label values that mean negative (default 0,false); rows with
                      other values are skipped (their number goes to stderr)
  --wrap V=TEMPLATE   classification: rows whose label is V are checked as TEMPLATE with {text}
                      replaced by the row's text (e.g. tp_secret_value='api_token = "{text}"')
  --limit N           evaluate only the first N rows
  --timeout-ms N      per-detector timeout for this run (default: the policy's, raised to at least
                      60000: eval measures quality, so a busy machine must not turn a slow row,
                      such as the one that lazily loads a model, into a fail-closed verdict)

Exit codes: 0 done, 3 usage or configuration error.
`;

type Task = 'classification' | 'spans' | 'cases';

interface Row {
  readonly text: string;
  readonly label?: 0 | 1;
  readonly spans?: GoldSpan[];
  readonly expected?: number;
  readonly entities?: readonly string[];
  /** The system prompt the row was aimed at (a `system_prompt` field), passed to detectors as context. */
  readonly systemPrompt?: string;
}

interface LabelOptions {
  readonly key: string;
  readonly positives: ReadonlySet<string>;
  readonly negatives: ReadonlySet<string>;
  readonly wraps: ReadonlyMap<string, string>;
}

function parseRows(
  content: string,
  file: string,
  mapping: ReadonlyMap<string, string>,
  limit: number,
  labels: LabelOptions,
): { task: Task; rows: Row[]; skipped: number } {
  const rows: Row[] = [];
  let task: Task | undefined;
  let skipped = 0;
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
    if (value === null || typeof value !== 'object')
      throw new UsageError(`${file}:${index + 1}: each line must be a JSON object.`);
    // A classification row whose label is skipped needs no text (some public sets have such rows).
    const skippable =
      task === 'classification' &&
      !labels.positives.has(String(value[labels.key])) &&
      !labels.negatives.has(String(value[labels.key])) &&
      !labels.wraps.has(String(value[labels.key]));
    if (typeof value.text !== 'string') {
      if (skippable) {
        skipped++;
        continue;
      }
      throw new UsageError(`${file}:${index + 1}: each line needs a "text" string.`);
    }
    if (task === undefined) {
      if ('expected_count' in value) task = 'cases';
      else if (labels.key in value) task = 'classification';
      else if ('spans' in value) task = 'spans';
      else {
        throw new UsageError(
          `${file}:${index + 1}: the first line has neither "${labels.key}" (classification), "spans" (span set) nor "expected_count" (cases).`,
        );
      }
    }
    if (task === 'classification') {
      const raw = String(value[labels.key]);
      const wrap = labels.wraps.get(raw);
      const text = wrap === undefined ? value.text : wrap.replaceAll('{text}', value.text);
      const context = typeof value.system_prompt === 'string' ? { systemPrompt: value.system_prompt } : {};
      if (labels.positives.has(raw) || wrap !== undefined) rows.push({ text, label: 1, ...context });
      else if (labels.negatives.has(raw)) rows.push({ text, label: 0, ...context });
      else skipped++;
    } else if (task === 'spans') {
      if (!Array.isArray(value.spans)) throw new UsageError(`${file}:${index + 1}: "spans" must be an array.`);
      const spans: GoldSpan[] = value.spans.map((span: any, spanIndex: number) => {
        if (!Number.isInteger(span?.start) || !Number.isInteger(span?.end) || typeof span?.type !== 'string') {
          throw new UsageError(`${file}:${index + 1}: spans[${spanIndex}] needs integer start/end and a string type.`);
        }
        return { start: span.start, end: span.end, type: mapping.get(span.type) ?? span.type };
      });
      rows.push({ text: value.text, spans });
    } else {
      if (!Number.isInteger(value.expected_count) || value.expected_count < 0) {
        throw new UsageError(`${file}:${index + 1}: "expected_count" must be a whole number >= 0.`);
      }
      const entity = value.entity;
      const entities =
        typeof entity === 'string'
          ? [mapping.get(entity) ?? entity]
          : Array.isArray(entity)
            ? entity
                .filter((item: unknown): item is string => typeof item === 'string')
                .map((item: string) => mapping.get(item) ?? item)
            : undefined;
      rows.push({ text: value.text, expected: value.expected_count, ...(entities !== undefined ? { entities } : {}) });
    }
  }
  if (task === undefined) throw new UsageError(`${file}: no rows.`);
  return { task, rows, skipped };
}

function guardFor(
  stage: Stage,
  policy: Policy,
  ids: readonly string[],
  extra?: Record<string, unknown>,
): { guard: Guard; ids: string[] } {
  const detectors = detectorsFor(stage, ids, policy, extra);
  const guard = createGuard({
    name: 'parapet-eval',
    policy,
    ...(stage === 'input' ? { input: detectors } : {}),
    ...(stage === 'output' ? { output: detectors } : {}),
    ...(stage === 'tool_input' ? { toolInput: detectors } : {}),
    ...(stage === 'tool_output' ? { toolOutput: detectors } : {}),
  });
  return { guard, ids: detectors.map((detector) => detector.id) };
}

function entityOf(finding: Verdict['findings'][number]): string {
  const entity = finding.data?.entity;
  return typeof entity === 'string' ? entity : finding.category;
}

const splitList = (value: string): Set<string> =>
  new Set(
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

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
      'label-key': { type: 'string', default: 'label' },
      true: { type: 'string', default: '1,true' },
      false: { type: 'string', default: '0,false' },
      wrap: { type: 'string', multiple: true, default: [] },
      limit: { type: 'string' },
      'timeout-ms': { type: 'string' },
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
  if (values.limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new UsageError('--limit must be a positive whole number.');
  const timeoutFlag = values['timeout-ms'] === undefined ? undefined : Number(values['timeout-ms']);
  if (timeoutFlag !== undefined && !(Number.isInteger(timeoutFlag) && timeoutFlag > 0 && timeoutFlag <= 600_000))
    throw new UsageError('--timeout-ms must be a whole number of milliseconds from 1 to 600000.');
  const mapping = new Map<string, string>();
  for (const entry of values.map) {
    const [from, to, ...rest] = entry.split('=');
    if (!from || !to || rest.length > 0) throw new UsageError(`--map takes FROM=TO (got "${entry}").`);
    mapping.set(from, to);
  }
  const wraps = new Map<string, string>();
  for (const entry of values.wrap) {
    const at = entry.indexOf('=');
    if (at <= 0 || !entry.slice(at + 1).includes('{text}'))
      throw new UsageError(`--wrap takes LABEL=TEMPLATE with {text} in the template (got "${entry}").`);
    wraps.set(entry.slice(0, at), entry.slice(at + 1));
  }

  let content: string;
  try {
    content = await readFile(values.dataset, 'utf8');
  } catch (error) {
    throw new UsageError(
      `Cannot read --dataset ${values.dataset}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`,
    );
  }
  const labels: LabelOptions = {
    key: values['label-key'],
    positives: splitList(values.true),
    negatives: splitList(values.false),
    wraps,
  };
  const { task, rows, skipped } = parseRows(content, values.dataset, mapping, limit, labels);
  if (skipped > 0)
    io.stderr.write(`eval: skipped ${skipped} row(s) whose ${labels.key} is neither in --true nor in --false\n`);
  const stage = values.stage as Stage;
  const resolved = await resolvePolicy(values.policy, io.cwd);
  // Quality, not speed: a detector that times out would count by its fail mode (closed: blocked), and
  // how often that happens depends on how busy the machine is. Per-detector timeouts in the policy stay.
  const timeoutMs = timeoutFlag ?? Math.max(resolved.timeoutMs, EVAL_MIN_TIMEOUT_MS);
  const policy: Policy = { ...resolved, timeoutMs };
  const base = guardFor(stage, policy, values.detector);
  // Cases name the entity each row is about: a guard per entity set, built on first use.
  const byEntities = new Map<string, Guard>();
  const guardForRow = (row: Row): Guard => {
    if (task !== 'cases' || row.entities === undefined) return base.guard;
    const key = row.entities.join(',');
    let guard = byEntities.get(key);
    if (guard === undefined) {
      guard = guardFor(stage, policy, values.detector, { entities: row.entities }).guard;
      byEntities.set(key, guard);
    }
    return guard;
  };

  const threshold = actionRank(values.positive as Action);
  const latencies: number[] = [];
  const progress = progressBar(io.stderr, rows.length, 'eval');
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  const micro: Counts = { tp: 0, fp: 0, fn: 0 };
  const byType = new Map<string, Counts>();
  const caseStats = new Map<string, { n: number; agree: number; counts: number }>();
  let agree = 0;
  let countAgree = 0;
  let failedRows = 0;
  let timedOutRows = 0;
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index]!;
    const guard = guardForRow(row);
    const started = performance.now();
    const verdict = await guard.check(
      stage,
      row.text,
      row.systemPrompt === undefined ? undefined : { systemPrompt: row.systemPrompt },
    );
    latencies.push((performance.now() - started) * 1000);
    if (verdict.errors.length > 0) {
      failedRows++;
      if (verdict.errors.some((error) => error.kind === 'timeout')) timedOutRows++;
    }
    if (task === 'classification') {
      const flagged = actionRank(verdict.decided) >= threshold;
      if (row.label === 1) flagged ? tp++ : fn++;
      else flagged ? fp++ : tn++;
    } else if (task === 'spans') {
      const predicted: GoldSpan[] = [];
      for (const finding of verdict.findings) {
        if (finding.span === undefined) continue;
        predicted.push({ start: finding.span.start, end: finding.span.end, type: entityOf(finding) });
      }
      matchSpans(row.spans ?? [], predicted, byType, micro);
    } else {
      const wanted = row.entities === undefined ? undefined : new Set(row.entities);
      const found = verdict.findings.filter(
        (finding) => finding.category !== 'detector-failed' && (wanted === undefined || wanted.has(entityOf(finding))),
      ).length;
      const same = found > 0 === (row.expected ?? 0) > 0;
      if (same) agree++;
      if (found === row.expected) countAgree++;
      const key = row.entities?.join(',') ?? '(any)';
      const stats = caseStats.get(key) ?? { n: 0, agree: 0, counts: 0 };
      stats.n++;
      if (same) stats.agree++;
      if (found === row.expected) stats.counts++;
      caseStats.set(key, stats);
    }
    progress.update(index + 1);
  }
  progress.end();
  await Promise.all([base.guard.close(), ...[...byEntities.values()].map((guard) => guard.close())]);
  const detectorList = `${base.ids.join(', ') || '(none)'} (timeout ${timeoutMs} ms each)`;
  if (failedRows > 0) {
    io.stderr.write(
      `eval: ${failedRows} of ${rows.length} row(s) had a detector failure (${timedOutRows} timed out); they were scored by the detectors' fail mode (closed by default: blocked). Raise --timeout-ms, or run on a quieter machine.\n`,
    );
  }

  if (task === 'classification') {
    const result = classification(tp, fp, tn, fn, latencies);
    if (values.format === 'json') io.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      io.stdout.write(
        [
          `dataset    ${values.dataset} (${result.n} rows: ${result.positives} positive, ${result.negatives} negative)`,
          `detectors  ${detectorList}`,
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
  if (task === 'cases') {
    const round = (value: number) => Math.round(value * 10_000) / 10_000;
    const keys = [...caseStats.keys()].sort();
    const result = {
      task: 'cases' as const,
      n: rows.length,
      agreement: round(rows.length === 0 ? 0 : agree / rows.length),
      countAgreement: round(rows.length === 0 ? 0 : countAgree / rows.length),
      byEntity: Object.fromEntries(
        keys.map((key) => {
          const stats = caseStats.get(key)!;
          return [
            key,
            { n: stats.n, agreement: round(stats.agree / stats.n), countAgreement: round(stats.counts / stats.n) },
          ];
        }),
      ),
      latencyUs: percentiles(latencies),
    };
    if (values.format === 'json') io.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      const lines = [
        `dataset    ${values.dataset} (${result.n} rows)`,
        `detectors  ${detectorList}`,
        `agreement  ${result.agreement.toFixed(4)} (match / no match)   exact count ${result.countAgreement.toFixed(4)}`,
        '',
        `${'entity'.padEnd(34)} ${'n'.padStart(5)} ${'agree'.padStart(7)} ${'count'.padStart(7)}`,
      ];
      for (const key of keys) {
        const stats = result.byEntity[key]!;
        lines.push(
          `${key.padEnd(34)} ${String(stats.n).padStart(5)} ${stats.agreement.toFixed(4).padStart(7)} ${stats.countAgreement.toFixed(4).padStart(7)}`,
        );
      }
      lines.push('', `latency    p50 ${result.latencyUs.p50} µs   p99 ${result.latencyUs.p99} µs`, '');
      io.stdout.write(lines.join('\n'));
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
      `detectors  ${detectorList}`,
      '',
      `${'type'.padEnd(24)} ${'tp'.padStart(6)} ${'fp'.padStart(6)} ${'fn'.padStart(6)} ${'prec'.padStart(7)} ${'recall'.padStart(7)} ${'f1'.padStart(7)}`,
    ];
    const line = (name: string, counts: Counts & { precision: number; recall: number; f1: number }) =>
      `${name.padEnd(24)} ${String(counts.tp).padStart(6)} ${String(counts.fp).padStart(6)} ${String(counts.fn).padStart(6)} ${counts.precision.toFixed(4).padStart(7)} ${counts.recall.toFixed(4).padStart(7)} ${counts.f1.toFixed(4).padStart(7)}`;
    for (const type of types) lines.push(line(type, result.byType[type]!));
    lines.push(
      line('(micro)', result.micro),
      '',
      `latency    p50 ${result.latencyUs.p50} µs   p99 ${result.latencyUs.p99} µs`,
      '',
    );
    io.stdout.write(lines.join('\n'));
  }
  return EXIT.allow;
}
