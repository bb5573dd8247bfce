import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type AuditSink, createGuard, type Stage, type Verdict } from '@parapet/core';
import { appendJsonlSink } from '../audit-file.js';
import { type CliIo, EXIT, UsageError } from '../io.js';
import { resolvePolicy } from '../policy-file.js';
import { detectorsFor } from '../registry.js';

export const SCAN_HELP = `Usage: parapet scan [TEXT | --file F | -] [options]

Checks one text and prints the verdict.

Options:
  --file F            read the text from file F ('-' or no TEXT: standard input)
  --stage S           input (default) | output | tool_input | tool_output
  --policy F          policy file (.json/.yaml); default: ./parapet.config.{json,yaml} if present
  --detector ID       run only this detector (repeatable); default: the stage's default detectors
  --audit-jsonl F     append the decision's audit events to F, a hash-chained JSONL trail
                      (check it with: parapet audit verify F)
  --audit-key-env N   HMAC key for that chain, from the environment variable N
  --format FMT        text (default) | json

Exit codes: 0 allow, 1 flag or redact, 2 block, 3 usage or configuration error.
`;

const STAGE_NAMES = new Set(['input', 'output', 'tool_input', 'tool_output']);

export function exitCodeFor(verdict: Verdict): number {
  switch (verdict.action) {
    case 'allow':
      return EXIT.allow;
    case 'flag':
    case 'redact':
      return EXIT.flagged;
    case 'review':
    case 'block':
      return EXIT.blocked;
  }
}

export async function scanCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      file: { type: 'string' },
      stage: { type: 'string', default: 'input' },
      policy: { type: 'string' },
      detector: { type: 'string', multiple: true, default: [] },
      'audit-jsonl': { type: 'string' },
      'audit-key-env': { type: 'string' },
      format: { type: 'string', default: 'text' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(SCAN_HELP);
    return EXIT.allow;
  }
  if (!STAGE_NAMES.has(values.stage))
    throw new UsageError(`--stage must be one of input, output, tool_input, tool_output (got "${values.stage}").`);
  if (values.format !== 'text' && values.format !== 'json')
    throw new UsageError(`--format must be text or json (got "${values.format}").`);
  if (positionals.length > 1) throw new UsageError('Give the text as one argument (quote it), or use --file.');
  if (positionals.length === 1 && values.file !== undefined)
    throw new UsageError('Give either TEXT or --file, not both.');

  let text: string;
  if (values.file !== undefined && values.file !== '-') {
    try {
      text = await readFile(values.file, 'utf8');
    } catch (error) {
      throw new UsageError(`Cannot read --file ${values.file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`);
    }
  } else if (positionals.length === 1 && positionals[0] !== '-') {
    text = positionals[0]!;
  } else {
    text = await io.readStdin();
  }

  const stage = values.stage as Stage;
  const policy = await resolvePolicy(values.policy, io.cwd);
  const detectors = detectorsFor(stage, values.detector, policy);
  const audit: AuditSink[] =
    values['audit-jsonl'] !== undefined ? [appendJsonlSink(values['audit-jsonl'], values['audit-key-env'])] : [];
  const guard = createGuard({
    name: 'parapet-cli',
    policy,
    audit,
    ...(stage === 'input' ? { input: detectors } : {}),
    ...(stage === 'output' ? { output: detectors } : {}),
    ...(stage === 'tool_input' ? { toolInput: detectors } : {}),
    ...(stage === 'tool_output' ? { toolOutput: detectors } : {}),
  });
  const verdict = await guard.check(stage, text);
  await guard.close();

  if (values.format === 'json') {
    io.stdout.write(
      `${JSON.stringify({
        action: verdict.action,
        decided: verdict.decided,
        shadow: verdict.shadow,
        stage: verdict.stage,
        traceId: verdict.traceId,
        findings: verdict.findings.map((finding, index) => ({ ...finding, action: verdict.findingActions[index] })),
        errors: verdict.errors,
        text: verdict.action === 'redact' ? verdict.text : undefined,
        timingsUs: verdict.timings,
        latencyUs: verdict.latencyUs,
        detectors: detectors.map((detector) => detector.id),
      })}\n`,
    );
  } else {
    const lines = [
      `${verdict.action.toUpperCase()}  (stage ${stage}, ${detectors.length} detector(s), ${verdict.latencyUs} µs, trace ${verdict.traceId})`,
    ];
    verdict.findings.forEach((finding, index) => {
      const where = finding.span ? ` [${finding.span.start}, ${finding.span.end})` : '';
      lines.push(
        `  ${verdict.findingActions[index]?.padEnd(6)} ${finding.detector}/${finding.category} score=${finding.score.toFixed(2)} ${finding.severity}${where}: ${finding.message}`,
      );
    });
    for (const error of verdict.errors)
      lines.push(`  error  ${error.detector} ${error.kind}: ${error.message} -> ${error.outcome}`);
    if (verdict.action === 'redact') lines.push('', verdict.text);
    if (verdict.shadow) lines.push('  (shadow mode: nothing was blocked or changed)');
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  return exitCodeFor(verdict);
}
