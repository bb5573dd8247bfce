import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzipSync } from 'node:zlib';
import { Chain, type ChainRecord, GENESIS } from './chain.js';
import { droppedEvent } from './queue.js';

/**
 * The file side of the JSONL sink: appends events, given as JSON text, as hash-chained lines to one file,
 * with rotation, gzip of rotated files, and a bounded retry of what a failed write could not store. It runs
 * on the caller's thread (the default) or inside the sink's worker thread (`thread: true`), the same code
 * either way. Nothing here throws: failures go to `onError` and are counted.
 */

/** The batch buffer's size (a default batch of 500 events of ~1 KB fits), and the size it is cut back from. */
const BATCH_BUFFER_BYTES = 1 << 20;
const LARGE_BATCH_BYTES = 16 << 20;
const NEWLINE = 0x0a;

export type JsonlErrorOperation = 'open' | 'write' | 'rotate' | 'gzip' | 'closed';

export interface JsonlWriterOptions {
  readonly path: string;
  readonly maxBytes?: number;
  readonly maxAgeMs?: number;
  readonly gzip?: boolean;
  /** The hash chain; undefined writes bare events. */
  readonly chain?: { readonly key?: string | Buffer; readonly checkpointEvery?: number };
  /** Events kept for a retry after a failed write, at most (the rest are counted and reported). */
  readonly maxPending: number;
  /** `guard` of the events-dropped records this writer adds. */
  readonly source: string;
  readonly onError: (error: unknown, operation: JsonlErrorOperation) => void;
}

export interface JsonlWriterStats {
  readonly errors: number;
  readonly pending: number;
  readonly rotations: number;
  readonly bytes: number;
  readonly lastError?: string;
}

export interface JsonlWriter {
  /**
   * Appends events given as `JSON.stringify(event)` text, after anything kept from a failed write. `dropped`
   * events were lost before these (an events-dropped record is written first). Never throws.
   */
  write(jsons: readonly string[], dropped?: number): void;
  /** Writes what a failed write kept, if anything. */
  retry(): void;
  /** Ends the chain with a checkpoint, closes the file and waits for gzip jobs. */
  close(): Promise<void>;
  /** Waits for the gzip jobs in flight. */
  settle(): Promise<void>;
  readonly stats: JsonlWriterStats;
}

export function createJsonlWriter(options: JsonlWriterOptions): JsonlWriter {
  const { path, maxBytes, maxAgeMs, maxPending, source } = options;
  const chainOptions = options.chain;

  let fd: number | undefined;
  let bytes = 0;
  let openedAt = 0;
  let chain: Chain | undefined;
  // The chain's last record is a checkpoint: close/rotate then add none (a second one right after it would
  // make deleting the last line undetectable).
  let checkpointed = false;
  let pending: string[] = [];
  let droppedPending = 0;
  let errors = 0;
  let rotations = 0;
  let lastError: string | undefined;
  let lastRotated: string | undefined;
  let closed = false;
  const gzips = new Set<Promise<void>>();

  const fail = (error: unknown, operation: JsonlErrorOperation): void => {
    errors++;
    lastError = `${operation}: ${error instanceof Error ? error.message : String(error)}`;
    try {
      options.onError(error, operation);
    } catch {
      // A throwing callback must not break the writer either.
    }
  };

  const open = (): number => {
    if (fd !== undefined) return fd;
    mkdirSync(dirname(path), { recursive: true });
    const handle = openSync(path, 'a+');
    try {
      const stat = fstatSync(handle);
      bytes = stat.size;
      openedAt = stat.size > 0 ? stat.birthtimeMs || stat.mtimeMs : Date.now();
      if (chainOptions !== undefined && chain === undefined) {
        const tail = bytes > 0 ? readTail(handle, bytes) : undefined;
        if (tail?.torn) {
          // A torn last line (the previous writer crashed mid-write) stays as evidence; we only end it.
          writeSync(handle, '\n');
          bytes++;
        }
        let resume = tail?.head;
        if (resume === undefined || (tail !== undefined && tail.checkpointEvents === undefined && !tail.fromGenesis)) {
          // No checkpoint in this file: the chain's start (or its event count) is in the last rotated file.
          const previous = lastRotatedHead(path);
          if (resume === undefined) resume = previous;
          else if (previous !== undefined) resume = { ...resume, events: previous.events + resume.events };
        }
        chain = new Chain({ key: chainOptions.key, checkpointEvery: chainOptions.checkpointEvery, resume });
        checkpointed = resume?.checkpoint ?? false;
      }
    } catch (error) {
      closeSync(handle);
      throw error;
    }
    fd = handle;
    return handle;
  };

  /** Writes bytes at the end of the file; on failure, cuts off any partial write so no torn line stays. */
  const append = (handle: number, data: Uint8Array): void => {
    try {
      // A short write is rare on a regular file; the rest follows.
      let offset = 0;
      while (offset < data.length) offset += writeSync(handle, data, offset);
    } catch (error) {
      try {
        ftruncateSync(handle, bytes);
      } catch {
        // Nothing more we can do; verify will show a malformed line.
      }
      throw error;
    }
    bytes += data.length;
  };

  // A batch's lines are encoded into this buffer, reused from batch to batch, and written with one call:
  // writing a long string instead costs a flatten, an encode and a fresh native allocation per batch, which
  // measured 2 to 10 times the cost of the bytes' own write here. It grows for a batch that needs more and
  // goes back to its first size after a batch over LARGE_BATCH_BYTES.
  let out = Buffer.allocUnsafe(BATCH_BUFFER_BYTES);
  const reserve = (used: number, need: number): void => {
    if (out.length - used >= need) return;
    const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, used + need));
    out.copy(bigger, 0, 0, used);
    out = bigger;
  };

  // What of the current batch is on disk, so a failure part-way neither loses nor repeats records.
  let committed = 0;
  let committedHead: Head | undefined;
  const headNow = (): Head | undefined =>
    chain === undefined ? undefined : { ...chain.head, checkpoint: checkpointed };
  const closeChain = (handle: number): void => {
    if (chain === undefined || checkpointed) return;
    append(handle, Buffer.from(`${JSON.stringify(chain.checkpoint())}\n`));
    checkpointed = true;
  };

  const rotate = (): void => {
    if (fd === undefined || bytes === 0) return;
    closeChain(fd);
    committedHead = headNow();
    closeSync(fd);
    fd = undefined;
    const target = rotatedPath(path, lastRotated);
    renameSync(path, target);
    lastRotated = target;
    rotations++;
    bytes = 0;
    if (options.gzip) {
      const job = gzipFile(target).catch((error: unknown) => fail(error, 'gzip'));
      gzips.add(job);
      void job.finally(() => gzips.delete(job));
    }
  };

  const writeAll = (jsons: readonly string[]): void => {
    committed = 0;
    committedHead = headNow();
    let handle = open();
    committedHead ??= headNow();
    if (maxAgeMs !== undefined && bytes > 0 && Date.now() - openedAt >= maxAgeMs) {
      rotate();
      handle = open();
    }
    let used = 0;
    for (let index = 0; index < jsons.length; index++) {
      const json = jsons[index] as string;
      if (chain === undefined) {
        reserve(used, json.length * 3 + 1);
        used += out.write(json, used, 'utf8');
        out[used++] = NEWLINE;
      } else {
        reserve(used, Chain.lineBytesBound(json));
        used = chain.appendJsonInto(json, out, used);
        checkpointed = chain.checkpointDue;
        if (checkpointed) {
          const line = `${JSON.stringify(chain.checkpoint())}\n`;
          reserve(used, line.length * 3);
          used += out.write(line, used, 'utf8');
        }
      }
      if (maxBytes !== undefined && bytes + used >= maxBytes) {
        append(handle, out.subarray(0, used));
        committed = index + 1;
        committedHead = headNow();
        used = 0;
        rotate();
        handle = open();
      }
    }
    if (used > 0) append(handle, out.subarray(0, used));
    if (out.length > LARGE_BATCH_BYTES) out = Buffer.allocUnsafe(BATCH_BUFFER_BYTES);
    committed = jsons.length;
  };

  const write = (batch: readonly string[], dropped = 0): void => {
    if (closed) {
      fail(new Error('the sink is closed'), 'closed');
      return;
    }
    droppedPending += dropped;
    let jsons: readonly string[] = batch;
    // The events-dropped record, when there is one, goes first.
    const report = droppedPending > 0 ? JSON.stringify(droppedEvent(droppedPending, source)) : undefined;
    if (pending.length > 0 || report !== undefined) {
      jsons = report === undefined ? pending.concat(batch) : [report, ...pending, ...batch];
    }
    try {
      writeAll(jsons);
      pending = [];
      droppedPending = 0;
    } catch (error) {
      fail(error, fd === undefined ? 'open' : 'write');
      // Roll the chain back to what is on disk; keep the rest (bounded) for the next attempt.
      if (chainOptions !== undefined && committedHead !== undefined) {
        checkpointed = committedHead.checkpoint;
        chain = new Chain({
          key: chainOptions.key,
          checkpointEvery: chainOptions.checkpointEvery,
          resume: committedHead,
        });
      }
      if (report !== undefined && committed > 0) droppedPending = 0;
      const kept = jsons.slice(report !== undefined && committed === 0 ? 1 : committed);
      pending = kept.length > maxPending ? kept.slice(kept.length - maxPending) : kept;
      droppedPending += kept.length - pending.length;
    }
  };

  const retry = (): void => {
    if (!closed && (pending.length > 0 || droppedPending > 0)) write([]);
  };

  const settle = async (): Promise<void> => {
    while (gzips.size > 0) await Promise.all([...gzips]);
  };

  return {
    write,
    retry,
    settle,
    async close() {
      if (closed) return;
      retry();
      closed = true;
      try {
        if (pending.length === 0) {
          const handle = chain !== undefined || fd !== undefined ? open() : undefined;
          if (handle !== undefined) closeChain(handle);
        }
      } catch (error) {
        fail(error, 'write');
      }
      if (fd !== undefined) {
        try {
          closeSync(fd);
        } catch (error) {
          fail(error, 'write');
        }
        fd = undefined;
      }
      await settle();
    },
    get stats(): JsonlWriterStats {
      return {
        errors,
        pending: pending.length,
        rotations,
        bytes,
        ...(lastError === undefined ? {} : { lastError }),
      };
    },
  };
}

interface Head {
  readonly seq: number;
  readonly hash: string;
  readonly events: number;
  /** The last record is a checkpoint. */
  readonly checkpoint: boolean;
}

interface Tail {
  /** The last complete record, with the events since the chain's start when a checkpoint was found. */
  readonly head?: Head;
  /** Events counted by the last checkpoint in the file, if any. */
  readonly checkpointEvents?: number;
  /** The file's first record starts the chain (so the count of events is complete without a checkpoint). */
  readonly fromGenesis: boolean;
  readonly torn: boolean;
}

const TAIL_CHUNK = 64 * 1024;

/**
 * Reads backwards from the end in 64 KiB chunks until it has the last record and the last checkpoint (or
 * the file's start): resuming costs a few reads, not a scan of the whole file.
 */
function readTail(fd: number, size: number): Tail {
  let end = size;
  let carry = Buffer.alloc(0);
  let torn = false;
  let first = true;
  let head: { seq: number; hash: string; checkpoint: boolean } | undefined;
  let eventsAfter = 0;
  let checkpointEvents: number | undefined;
  let fromGenesis = false;
  while (end > 0) {
    const start = Math.max(0, end - TAIL_CHUNK);
    const chunk = Buffer.alloc(end - start);
    readSync(fd, chunk, 0, chunk.length, start);
    let buffer = Buffer.concat([chunk, carry]);
    end = start;
    if (first) {
      first = false;
      if (buffer.at(-1) !== 0x0a) {
        torn = true;
        const cut = buffer.lastIndexOf(0x0a);
        buffer = cut < 0 ? Buffer.alloc(0) : buffer.subarray(0, cut + 1);
        if (cut < 0 && end === 0) break;
      }
    }
    // Lines fully inside `buffer` (the first one may be cut unless we reached the file's start).
    let stop = buffer.length;
    if (buffer.at(-1) === 0x0a) stop--;
    let lineEnd = stop;
    let index = lineEnd <= 0 ? -1 : buffer.lastIndexOf(0x0a, lineEnd - 1);
    while (true) {
      if (index < 0 && end > 0) {
        carry = Buffer.from(buffer.subarray(0, lineEnd));
        break;
      }
      const line = buffer.subarray(index + 1, lineEnd).toString('utf8');
      const record = parseRecord(line);
      if (record !== undefined) {
        if (head === undefined) head = { seq: record.seq, hash: record.hash, checkpoint: record.kind === 'checkpoint' };
        if (record.kind === 'checkpoint') {
          checkpointEvents = record.events;
          return { head: { ...head, events: checkpointEvents + eventsAfter }, checkpointEvents, fromGenesis, torn };
        }
        if (record.kind === 'event') eventsAfter++;
        if (record.prev === GENESIS) fromGenesis = true;
      }
      if (index < 0) {
        carry = Buffer.alloc(0);
        break;
      }
      lineEnd = index;
      index = lineEnd === 0 ? -1 : buffer.lastIndexOf(0x0a, lineEnd - 1);
    }
  }
  return { ...(head === undefined ? {} : { head: { ...head, events: eventsAfter } }), fromGenesis, torn };
}

function parseRecord(line: string): ChainRecord | undefined {
  if (line.length === 0) return undefined;
  try {
    const value = JSON.parse(line) as Partial<ChainRecord>;
    if (typeof value?.seq === 'number' && typeof value.hash === 'string' && typeof value.prev === 'string')
      return value as ChainRecord;
  } catch {
    // Not a record: skipped, as verify reports it.
  }
  return undefined;
}

/** The head of the newest rotated sibling (which always ends with a checkpoint). */
function lastRotatedHead(path: string): Head | undefined {
  const series = rotatedSiblings(path);
  const last = series.at(-1);
  if (last === undefined) return undefined;
  const content = last.endsWith('.gz') ? gunzipSync(readFileSync(last)) : readFileSync(last);
  const lines = content.toString('utf8').split('\n');
  let eventsAfter = 0;
  let head: { seq: number; hash: string; checkpoint: boolean } | undefined;
  for (let index = lines.length - 1; index >= 0; index--) {
    const record = parseRecord(lines[index] ?? '');
    if (record === undefined) continue;
    head ??= { seq: record.seq, hash: record.hash, checkpoint: record.kind === 'checkpoint' };
    if (record.kind === 'checkpoint') return { ...head, events: record.events + eventsAfter };
    if (record.kind === 'event') eventsAfter++;
  }
  return head === undefined ? undefined : { ...head, events: eventsAfter };
}

function stemOf(path: string): string {
  const name = basename(path);
  return name.endsWith('.jsonl') ? name.slice(0, -'.jsonl'.length) : name;
}

/** Rotated files of `path` (`<stem>.<time>.jsonl[.gz]`), oldest first; a file both plain and gzipped counts once. */
export function rotatedSiblings(path: string): string[] {
  const directory = dirname(path);
  const stem = stemOf(path);
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  const pattern = new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.[^/]+\\.jsonl(\\.gz)?$`);
  const byBase = new Map<string, string>();
  for (const name of names) {
    if (!pattern.test(name)) continue;
    const base = name.endsWith('.gz') ? name.slice(0, -3) : name;
    // While a gzip is in flight both exist; the plain file is the complete one.
    if (!name.endsWith('.gz') || !byBase.has(base)) byBase.set(base, name);
  }
  return [...byBase.keys()].sort().map((base) => join(directory, byBase.get(base) as string));
}

function timestamp(ms: number): string {
  // 2025-01-02T03:04:05.678Z → 20250102T030405678Z: sortable as text, no ':' (Windows-safe).
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

/** `<stem>.<UTC time>.jsonl`, strictly after the newest existing rotated name (clock steps back, same ms). */
function rotatedPath(path: string, lastKnown: string | undefined): string {
  const directory = dirname(path);
  const stem = stemOf(path);
  const newest = lastKnown ?? rotatedSiblings(path).at(-1);
  let ms = Date.now();
  const nameAt = (time: number): string => join(directory, `${stem}.${timestamp(time)}.jsonl`);
  const newestBase = newest === undefined ? undefined : basename(newest).replace(/\.gz$/, '');
  while (
    (newestBase !== undefined && basename(nameAt(ms)) <= newestBase) ||
    existsSync(nameAt(ms)) ||
    existsSync(`${nameAt(ms)}.gz`)
  ) {
    ms++;
  }
  return nameAt(ms);
}

/** Streams `file` into `file.gz` (via a temporary name, so a half-written .gz is never taken for a whole one). */
async function gzipFile(file: string): Promise<void> {
  const temporary = `${file}.gz.tmp`;
  await pipeline(createReadStream(file), createGzip(), createWriteStream(temporary));
  renameSync(temporary, `${file}.gz`);
  unlinkSync(file);
}
