import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type ChainProblem, type ChainRecord, type VerifyReport, verifyChain } from './chain.js';
import { rotatedSiblings } from './jsonl-writer.js';

/**
 * Verifies a JSONL audit file, or a rotated series, as one chain. Each problem also says which file and
 * line it is on; a series that does not end with a checkpoint (a writer that crashed, or a cut tail) is
 * reported as a deletion after the last record, since nothing else in the chain could show it.
 */

export interface JsonlProblem extends ChainProblem {
  /** The file the problem is in (for a deletion: the file of the record after the gap). */
  readonly file?: string;
  /** 1-based line in that file. */
  readonly line?: number;
}

export interface JsonlVerifyReport extends Omit<VerifyReport, 'problems'> {
  readonly problems: readonly JsonlProblem[];
  /** The files read, in chain order. */
  readonly files: readonly string[];
  /** The chain ends with a checkpoint that counts every event before it (the writer closed cleanly). */
  readonly closed: boolean;
  /** Where the chain first goes wrong, if it does. */
  readonly brokenAt?: { readonly file: string; readonly line: number; readonly seq?: number };
}

export interface VerifyJsonlOptions {
  readonly key?: string | Buffer;
  readonly maxProblems?: number;
}

/**
 * `input` is a file, a list of files (in order), a directory (every `*.jsonl[.gz]` in it), or the active
 * file's path, which also picks up its rotated siblings `<stem>.*.jsonl[.gz]`, oldest first.
 */
export function verifyJsonl(input: string | readonly string[], options: VerifyJsonlOptions = {}): JsonlVerifyReport {
  const files = typeof input === 'string' ? seriesOf(input) : [...input];
  const fileOf: number[] = [];
  const lineOf: number[] = [];
  const seqOf: number[] = [];
  let events = 0;
  let last: ChainRecord | undefined;
  const checkpointProblems: JsonlProblem[] = [];

  function* records(): Generator<unknown> {
    for (let fileIndex = 0; fileIndex < files.length; fileIndex++) {
      const file = files[fileIndex] as string;
      const raw = readFileSync(file);
      const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
      const lines = text.split('\n');
      // A file ending in '\n' has an empty last element; anything else there is a torn line.
      if (lines.at(-1) === '') lines.pop();
      for (let index = 0; index < lines.length; index++) {
        const line = lines[index] as string;
        let record: unknown = line;
        try {
          record = JSON.parse(line);
        } catch {
          // Passed on as a string: verifyChain reports it as malformed.
        }
        fileOf.push(fileIndex);
        lineOf.push(index + 1);
        const candidate = record as Partial<ChainRecord> | null;
        const valid =
          typeof candidate === 'object' &&
          candidate !== null &&
          typeof candidate.seq === 'number' &&
          typeof candidate.hash === 'string' &&
          typeof candidate.prev === 'string';
        seqOf.push(valid ? (candidate.seq as number) : Number.NaN);
        if (valid) {
          const chainRecord = candidate as ChainRecord;
          if (chainRecord.kind === 'event') events++;
          else if (chainRecord.kind === 'checkpoint' && chainRecord.events !== events) {
            checkpointProblems.push({
              kind: 'deleted',
              position: fileOf.length,
              seq: chainRecord.seq,
              message: `checkpoint ${chainRecord.seq} counts ${chainRecord.events} events, ${events} came before it`,
            });
          }
          last = chainRecord;
        }
        yield record;
      }
    }
  }

  const report = verifyChain(records(), options);
  const locate = (problem: ChainProblem): JsonlProblem => {
    let position = problem.position;
    if (position === 0 && problem.seq !== undefined) {
      // A deletion has no position: point at the first record after the gap.
      const after = seqOf.findIndex((seq) => seq > (problem.seq as number));
      position = after < 0 ? seqOf.length : after + 1;
    }
    const index = position - 1;
    const fileIndex = fileOf[index];
    if (fileIndex === undefined) return problem;
    return { ...problem, file: files[fileIndex] as string, line: lineOf[index] as number };
  };
  const problems: JsonlProblem[] = [...report.problems.map(locate), ...checkpointProblems.map(locate)];
  const closed = last?.kind === 'checkpoint' && last.events === events;
  if (!closed && seqOf.length > 0) {
    const lastIndex = seqOf.length - 1;
    problems.push({
      kind: 'deleted',
      position: 0,
      seq: last === undefined ? 1 : last.seq + 1,
      message: `the chain ends after record ${last?.seq ?? 0} without a closing checkpoint: the writer crashed or the tail was cut`,
      file: files[fileOf[lastIndex] as number] as string,
      line: (lineOf[lastIndex] as number) + 1,
    });
  }
  const limited = problems.slice(0, options.maxProblems ?? 1000);
  const first = [...limited]
    .filter((problem) => problem.file !== undefined)
    .sort((a, b) => (a.position || Number.MAX_SAFE_INTEGER) - (b.position || Number.MAX_SAFE_INTEGER))[0];
  const brokenAt =
    first?.file === undefined
      ? undefined
      : { file: first.file, line: first.line as number, ...(first.seq === undefined ? {} : { seq: first.seq }) };
  return {
    ok: limited.length === 0,
    records: report.records,
    events: report.events,
    lastGoodSeq: report.lastGoodSeq,
    problems: limited,
    files,
    closed,
    ...(brokenAt === undefined ? {} : { brokenAt }),
  };
}

/** The files of a series, in chain order: rotated siblings by name (their names sort by time), then the active file. */
export function seriesOf(path: string): string[] {
  if (existsSync(path) && statSync(path).isDirectory()) {
    const names = readdirSync(path).filter((name) => /\.jsonl(\.gz)?$/.test(name));
    const byBase = new Map<string, string>();
    for (const name of names) {
      const base = name.replace(/\.gz$/, '');
      if (!name.endsWith('.gz') || !byBase.has(base)) byBase.set(base, name);
    }
    return [...byBase.keys()].sort(compareSeriesNames).map((base) => join(path, byBase.get(base) as string));
  }
  const series = rotatedSiblings(path);
  if (existsSync(path)) series.push(path);
  return series;
}

/** `parapet.jsonl` after every `parapet.<time>.jsonl`: the active file is the newest. */
function compareSeriesNames(a: string, b: string): number {
  const stemA = a.slice(0, -'.jsonl'.length);
  const stemB = b.slice(0, -'.jsonl'.length);
  if (stemB.startsWith(`${stemA}.`)) return 1;
  if (stemA.startsWith(`${stemB}.`)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
