import {
  type DetectContext,
  type Detector,
  type DetectorFactory,
  type FindingInput,
  parseConfig,
  type Severity,
  STAGES,
  type Stage,
} from '@parapet/core';
import { secretsDetector } from '@parapet/pii';
import { z } from 'zod';

/** What the scanner reports, as option values and finding categories. */
export const UNSAFE_CODE_CATEGORIES = [
  'destructive-command',
  'remote-code-execution',
  'sql-destructive',
  'sql-injection',
  'secret-in-code',
] as const;
export type UnsafeCodeCategory = (typeof UNSAFE_CODE_CATEGORIES)[number];

const SEVERITY: Record<UnsafeCodeCategory, Severity> = {
  'destructive-command': 'critical',
  'remote-code-execution': 'high',
  'sql-destructive': 'high',
  'sql-injection': 'high',
  'secret-in-code': 'critical',
};

const optionsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "unsafe-code"')
      .default('unsafe-code'),
    stages: z
      .array(z.enum(STAGES as [Stage, ...Stage[]], { error: () => `must be one of ${STAGES.join(', ')}` }))
      .min(1, 'must name at least one stage')
      .default(['output', 'tool_input']),
    /** Categories to report; the others are not looked for. */
    categories: z
      .array(z.enum(UNSAFE_CODE_CATEGORIES, { error: () => `must be one of ${UNSAFE_CODE_CATEGORIES.join(', ')}` }))
      .min(1, 'must name at least one category (or remove the scanner)')
      .default([...UNSAFE_CODE_CATEGORIES]),
    /**
     * Where to look: `code` = fenced blocks and inline code only; `all` = the whole text. Default: `all` on
     * the tool stages (a tool argument is code), `code` elsewhere (prose mentioning a command is not code).
     */
    scope: z.enum(['code', 'all'], { error: () => 'must be "code" or "all"' }).optional(),
    /** Findings reported at most per text. */
    maxFindings: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(10_000, 'must be at most 10000')
      .default(64),
  })
  .strict();

export type UnsafeCodeOptions = z.input<typeof optionsSchema>;

/** A piece of code in markdown text: the content of a fenced block, or of an inline `code` span. */
export interface CodeRegion {
  readonly start: number;
  readonly end: number;
  readonly fenced: boolean;
  /** True when the fence is not closed: the block runs to the end of the text (a stream still growing). */
  readonly open: boolean;
}

const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})/;
const INLINE_CODE = /`([^`\n]{1,2000})`/g;

/**
 * Fenced code blocks (``` and ~~~) and inline code spans, in text order. One pass over the lines for the
 * fences (skipped when the text has none), one linear regex for inline spans outside them.
 */
export function findCodeRegions(text: string, limit = 10_000): CodeRegion[] {
  const regions: CodeRegion[] = [];
  if (!text.includes('`') && !text.includes('~~~')) return regions;
  const fenced: CodeRegion[] = [];
  if (text.includes('```') || text.includes('~~~')) {
    let fence = '';
    let contentStart = 0;
    let start = 0;
    const length = text.length;
    while (start < length && fenced.length < limit) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = length;
      const head = text.slice(start, Math.min(end, start + 64));
      const match = FENCE_LINE.exec(head);
      if (fence === '') {
        if (match !== null) {
          fence = match[1]!;
          contentStart = Math.min(end + 1, length);
        }
      } else if (match !== null && match[1]!.startsWith(fence) && text.slice(start, end).trim() === match[1]) {
        fenced.push({ start: contentStart, end: start, fenced: true, open: false });
        fence = '';
      }
      start = end + 1;
    }
    if (fence !== '') fenced.push({ start: contentStart, end: length, fenced: true, open: true });
  }
  let next = 0;
  INLINE_CODE.lastIndex = 0;
  for (let match = INLINE_CODE.exec(text); match !== null; match = INLINE_CODE.exec(text)) {
    const start = match.index + 1;
    const end = start + match[1]!.length;
    while (next < fenced.length && fenced[next]!.end < match.index) regions.push(fenced[next++]!);
    const inside = next < fenced.length && fenced[next]!.start <= match.index;
    if (inside) {
      // Backticks inside a fenced block are its content; resume after the block.
      INLINE_CODE.lastIndex = Math.max(INLINE_CODE.lastIndex, fenced[next]!.end);
      continue;
    }
    // A fence line itself (```lang) is not inline code.
    if (match[0].startsWith('``')) continue;
    if (regions.length + fenced.length >= limit) break;
    regions.push({ start, end, fenced: false, open: false });
  }
  while (next < fenced.length) regions.push(fenced[next++]!);
  return regions;
}

interface Hit {
  readonly category: UnsafeCodeCategory;
  readonly score: number;
  readonly start: number;
  readonly end: number;
  readonly kind: string;
  readonly message: string;
}

// Shell: paths whose recursive removal (or world-writable mode) wrecks a system or a home directory.
const SYSTEM_DIRS = new Set([
  'bin',
  'boot',
  'dev',
  'etc',
  'home',
  'lib',
  'lib32',
  'lib64',
  'opt',
  'root',
  'sbin',
  'srv',
  'sys',
  'usr',
  'var',
  'proc',
  'mnt',
  'media',
  'system',
  'users',
  'applications',
  'library',
  'windows',
]);
// The home directory as the shell spells it: ~, $HOME, ${HOME} (lower-cased), with / or /* after it.
const HOME_TARGETS = new Set(
  ['~', '$home', '$' + '{home}'].flatMap((home) => [home, `${home}/`, `${home}/*`, `${home}/.*`]),
);

/** How dangerous removing this path is: 2 = a root or system directory, 1 = a glob of an unknown directory, 0 = fine. */
function rootLevel(raw: string): number {
  const target = raw.replace(/^["']|["']$/g, '').toLowerCase();
  if (target === '/' || target === '/*' || target === '/.' || target === '/..' || target === '/.*') return 2;
  if (HOME_TARGETS.has(target)) return 2;
  if (/^[a-z]:[\\/]?\*?$/.test(target) || /^[a-z]:[\\/](?:windows|users|program files)[\\/]?$/.test(target)) return 2;
  const system = /^\/([a-z0-9]{1,16})\/?\*?$/.exec(target);
  if (system !== null && SYSTEM_DIRS.has(system[1]!)) return 2;
  if (target === '*' || target === '.*' || target === './*') return 1;
  return 0;
}

const SEPARATORS = new Set([';', '&&', '||', '|', '&']);
// Space, tab, newline, carriage return.
const WORD_END = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Whitespace-separated words of a command up to the next separator, with their offsets. */
function commandWords(text: string, from: number, until: number): { word: string; start: number; end: number }[] {
  const words: { word: string; start: number; end: number }[] = [];
  const to = Math.min(until, from + 600);
  let i = from;
  while (i < to && words.length < 24) {
    while (i < to && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
    if (i >= to || text.charCodeAt(i) === 0x0a || text.charCodeAt(i) === 0x0d) break;
    let j = i;
    while (j < to && !WORD_END.has(text.charCodeAt(j))) j++;
    let word = text.slice(i, j);
    if (SEPARATORS.has(word)) break;
    // "dir;" or "dir&&": the separator glued to the word ends the command.
    const glued = /[;&|`)]/.exec(word);
    if (glued !== null) {
      word = word.slice(0, glued.index);
      if (word.length > 0) words.push({ word, start: i, end: i + word.length });
      break;
    }
    words.push({ word, start: i, end: j });
    i = j;
  }
  return words;
}

// Command starts: at the beginning of a line or after a separator, optionally behind sudo.
const RM = /(?:^|[\s;&|(`])(?:sudo\s{1,5})?(rm|Remove-Item|rmdir|rd|del)\s/gim;
const CHMOD = /(?:^|[\s;&|(`])(?:sudo\s{1,5})?(chmod|chown)\s/gim;
const MKFS = /\b(?:mkfs(?:\.[a-z0-9]{1,10})?|wipefs\s{1,5}-[a-z]{0,4}a)\s/g;
const DD = /\bdd\s[^\n]{0,300}\bof=\/dev\/(?:sd|hd|nvme|xvd|vd|mmcblk|disk|rdisk)/g;
const DEVICE_REDIRECT = />\s{0,4}\/dev\/(?:sd[a-z]|hd[a-z]|nvme\d|xvd[a-z]|vd[a-z]|mmcblk\d|r?disk\d)/g;
const SHRED_DEVICE = /\bshred\s[^\n]{0,100}\/dev\/(?:sd|hd|nvme|xvd|vd|mmcblk|disk)/g;
const FORK_HEAD = /([\w:.]{1,20})\s{0,3}\(\)\s{0,3}\{/g;
const FIND_DELETE = /\bfind\s{1,5}(?:\/|~|\$HOME)\s[^\n]{0,300}(?:-delete\b|-exec\s{1,5}rm\b)/g;
const FORMAT_DRIVE = /(?:^|[\s;&|])format(?:\.com)?\s{1,4}[a-zA-Z]:(?=\s|$|\/)/gm;
const KILL_ALL = /\bkill\s{1,4}-(?:9|KILL|SIGKILL)\s{1,4}-1\b/g;
const POWER = /(?:^|[\s;&|(])(?:sudo\s{1,5})?(?:shutdown|reboot|halt|poweroff|init\s{1,3}[06])\b/gm;

// Remote code: a download piped into an interpreter, or fed to one by substitution.
const FETCH_PIPE =
  /\b(?:curl|wget|fetch|iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b[^\n|]{0,300}\|\s{0,4}(?:sudo\s{1,5})?(?:-[a-zA-Z]{1,10}\s{1,5})?(?:env\s{1,5})?(?:(?:ba|z|k|da|fi|c|tc)?sh|python[0-9.]{0,4}|perl|ruby|node|php|iex|Invoke-Expression)\b/gi;
const FETCH_SUBSTITUTION =
  /(?:\b(?:(?:ba|z|k)?sh|source)|(?:^|\s)\.)\s{1,5}<\(\s{0,4}(?:curl|wget)\b|\b(?:(?:ba|z|k)?sh\s{1,5}-c|eval|python[0-9.]{0,4}\s{1,5}-c)\s{1,5}["']?\$\(\s{0,4}(?:curl|wget)\b/gim;
const PS_DOWNLOAD_EXEC =
  /\b(?:iex|Invoke-Expression)\b[^\n]{0,200}\b(?:iwr|irm|Invoke-WebRequest|Invoke-RestMethod|DownloadString|Net\.WebClient)\b/gi;

// SQL.
const SQL_DROP = /\bDROP\s{1,10}(TABLE|DATABASE|SCHEMA|VIEW|INDEX|USER|ROLE|COLLECTION)\b/gi;
const SQL_TRUNCATE = /\bTRUNCATE\s{1,10}(TABLE\s{1,10})?[\w."`[]/gi;
const SQL_DELETE = /\bDELETE\s{1,10}FROM\s{1,10}[\w."`[\]]{1,128}/gi;
const SQL_UPDATE = /\bUPDATE\s{1,10}[\w."`[\]]{1,128}\s{1,10}SET\s/gi;
const SQL_WHERE = /\bWHERE\b/i;
const SQL_TAUTOLOGY_WHERE = /\bWHERE\s{1,5}(?:1\s{0,2}=\s{0,2}1|true|'1'\s{0,2}=\s{0,2}'1'|1)(?:\s|;|$)/i;
const SQL_QUOTE_TAUTOLOGY = /'\s{0,3}(?:OR|\|\|)\s{1,3}'?(\w{1,10})'?\s{0,3}=\s{0,3}'?(\w{1,10})/gi;
const SQL_STACKED = /';\s{0,5}(?:DROP|DELETE|INSERT|UPDATE|EXEC|SHUTDOWN|TRUNCATE|ALTER)\b/gi;
const SQL_UNION = /'\s{0,5}\)?\s{0,5}UNION\s{1,10}(?:ALL\s{1,10})?SELECT\b/gi;
const SQL_PROCS = /\b(?:xp_cmdshell|WAITFOR\s{1,5}DELAY\s{1,5}')/gi;
const SQL_STATEMENT =
  /\bSELECT\b[^\n]{0,300}\bFROM\b|\bINSERT\s{1,10}INTO\b|\bUPDATE\s{1,10}\w{1,64}\s{1,10}SET\b|\bDELETE\s{1,10}FROM\b/i;
const STRING_CONCAT = /["']\s{0,3}\+\s{0,3}[A-Za-z_$(]|[\w)\]]\s{0,3}\+\s{0,3}["']|["']\s{0,3}%\s{0,3}[\w(]|\.format\(/;
const INTERPOLATION = /\bf["'][^"'\n]{0,400}\{|`[^`\n]{0,400}\$\{/;
// What every credential format secretsDetector knows has somewhere: a long token-like run, a key header,
// a credential word, or a password in a URL. Code without any of these skips the (costlier) full scan.
const SECRET_HINT =
  /[A-Za-z0-9_+/=-]{16}|-----BEGIN|pass(?:word|wd)?|pwd|secret|token|api[_-]?key|auth|credential|bearer|:\/\/[^\s/:@]{1,64}:[^\s/@]{1,128}@/i;
// Negated mentions on the same line ("never run …", "do not use …") are warnings, not instructions.
const NEGATION = /\b(?:never|don'?t|do\s{1,3}not|must\s{1,3}not|should\s{1,3}not|shouldn'?t|avoid|not\s{1,3}to)\b/i;

/** Characters looked at on either side of a match for its line: bounds the work on one huge line. */
const LINE_REACH = 2000;

/** The line around `index` within [from, to), looking at most LINE_REACH characters either way. */
function lineAround(text: string, index: number, from: number, to: number): { start: number; end: number } {
  const low = Math.max(from, index - LINE_REACH);
  let start = index;
  while (start > low && text.charCodeAt(start - 1) !== 0x0a) start--;
  const high = Math.min(to, index + LINE_REACH);
  let end = index;
  while (end < high && text.charCodeAt(end) !== 0x0a) end++;
  return { start, end };
}

/** True when [start, end) lies inside one of the regions (sorted by start, not overlapping). */
export function insideRegions(regions: readonly CodeRegion[], start: number, end = start + 1): boolean {
  let low = 0;
  let high = regions.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const region = regions[middle]!;
    if (start < region.start) high = middle - 1;
    else if (start >= region.end && !(start === region.end && end === start)) low = middle + 1;
    else return end <= region.end;
  }
  return false;
}

function scanRegion(
  text: string,
  from: number,
  to: number,
  open: boolean,
  wanted: ReadonlySet<UnsafeCodeCategory>,
  hits: Hit[],
  cap: number,
) {
  const region = text.slice(from, to);
  const add = (
    category: UnsafeCodeCategory,
    score: number,
    start: number,
    end: number,
    kind: string,
    message: string,
  ) => {
    if (wanted.has(category) && hits.length < cap)
      hits.push({ category, score, start: from + start, end: from + end, kind, message });
  };
  const each = (pattern: RegExp, visit: (match: RegExpExecArray) => void) => {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(region); match !== null && hits.length < cap; match = pattern.exec(region)) {
      visit(match);
      if (match[0].length === 0) pattern.lastIndex++;
    }
  };

  if (wanted.has('destructive-command')) {
    if (region.includes('rm') || region.includes('Remove-Item') || region.includes('del') || region.includes('rd')) {
      each(RM, (match) => {
        const command = match[1]!;
        const commandStart = match.index + match[0].length - command.length - 1;
        const spanStart = match.index + (/^[\s;&|(`]/.test(match[0]) ? 1 : 0);
        const words = commandWords(region, commandStart + command.length, region.length);
        const lower = command.toLowerCase();
        // The arguments of this command are not commands: resume after them.
        if (words.length > 0) RM.lastIndex = Math.max(RM.lastIndex, words[words.length - 1]!.end);
        let recursive = false;
        let noPreserve = false;
        let level = 0;
        let end = commandStart + command.length;
        for (const { word, end: wordEnd } of words) {
          end = wordEnd;
          const flag = word.toLowerCase();
          if (flag === '--no-preserve-root') noPreserve = true;
          else if (flag === '--recursive' || flag === '-recurse' || flag === '/s') recursive = true;
          else if (/^-[a-z]{1,10}$/.test(flag) && flag.includes('r') && lower === 'rm') recursive = true;
          else if (lower === 'remove-item' && (flag === '-r' || flag === '-rec')) recursive = true;
          else if (!word.startsWith('-') && !(/^\/[a-z]$/i.test(word) && lower !== 'rm' && lower !== 'remove-item'))
            level = Math.max(level, rootLevel(word));
        }
        if (lower === 'rmdir' || lower === 'rd' || lower === 'del') {
          if (!recursive) return;
        }
        if (noPreserve) {
          add(
            'destructive-command',
            0.98,
            spanStart,
            end,
            'recursive-delete-root',
            'recursive delete of the root filesystem',
          );
        } else if (level === 2 && recursive) {
          add(
            'destructive-command',
            0.95,
            spanStart,
            end,
            'recursive-delete-root',
            'recursive delete of a root, system or home directory',
          );
        } else if (level === 2) {
          add(
            'destructive-command',
            0.7,
            spanStart,
            end,
            'delete-root',
            'delete of files in a root, system or home directory',
          );
        } else if (level === 1 && recursive) {
          add(
            'destructive-command',
            0.6,
            spanStart,
            end,
            'recursive-delete-glob',
            'recursive delete of everything in the current directory',
          );
        }
      });
    }
    if (region.includes('chmod') || region.includes('chown')) {
      each(CHMOD, (match) => {
        const command = match[1]!;
        const commandStart = match.index + match[0].length - command.length - 1;
        const words = commandWords(region, commandStart + command.length, region.length);
        if (words.length > 0) CHMOD.lastIndex = Math.max(CHMOD.lastIndex, words[words.length - 1]!.end);
        let recursive = false;
        let open = false;
        let level = 0;
        let end = commandStart + command.length;
        for (const { word, end: wordEnd } of words) {
          end = wordEnd;
          if (word === '-R' || word === '--recursive' || /^-[a-zA-Z]{0,5}R[a-zA-Z]{0,5}$/.test(word)) recursive = true;
          else if (/^0?777$|^(?:a|ugo)?\+rwx$|^a=rwx$/.test(word)) open = true;
          else if (!word.startsWith('-')) level = Math.max(level, rootLevel(word));
        }
        if (level !== 2) return;
        if (command === 'chmod' && open) {
          add(
            'destructive-command',
            recursive ? 0.9 : 0.7,
            commandStart,
            end,
            'world-writable-root',
            'makes a root, system or home directory world-writable',
          );
        } else if (recursive) {
          add(
            'destructive-command',
            command === 'chown' ? 0.8 : 0.6,
            commandStart,
            end,
            'recursive-permissions-root',
            `recursive ${command} of a root, system or home directory`,
          );
        }
      });
    }
    const simple: [RegExp, string, number, string, string][] = [
      [MKFS, 'mkfs', 0.9, 'filesystem-format', 'formats a filesystem or wipes its signatures'],
      [DD, 'of=/dev/', 0.95, 'disk-overwrite', 'dd writing straight to a disk device'],
      [DEVICE_REDIRECT, '/dev/', 0.9, 'disk-overwrite', 'output redirected onto a disk device'],
      [SHRED_DEVICE, 'shred', 0.9, 'disk-overwrite', 'shreds a disk device'],
      [FIND_DELETE, 'find', 0.85, 'recursive-delete-root', 'find deleting from the root or home directory'],
      [FORMAT_DRIVE, 'format', 0.85, 'filesystem-format', 'formats a drive'],
      [KILL_ALL, 'kill', 0.7, 'kill-all', 'kills every process the user can signal'],
    ];
    for (const [pattern, literal, score, kind, message] of simple) {
      if (!region.includes(literal)) continue;
      each(pattern, (match) => {
        const start = match.index + (/^\s/.test(match[0]) ? 1 : 0);
        add('destructive-command', score, start, match.index + match[0].length, kind, message);
      });
    }
    if (region.includes('()')) {
      each(FORK_HEAD, (match) => {
        const name = match[1]!;
        const from = match.index + match[0].length;
        let end = from;
        while (end < region.length && end - from < 120 && region.charCodeAt(end) !== 0x0a) end++;
        const line = region.slice(from, end);
        if (!line.includes('|')) return;
        const body = line.replace(/\s/g, '');
        if (body.includes(`${name}|${name}&`)) {
          add('destructive-command', 0.95, match.index, end, 'fork-bomb', 'fork bomb');
        }
      });
    }
    if (/shutdown|reboot|halt|poweroff|init/.test(region)) {
      each(POWER, (match) => {
        const start = match.index + (/^[\s;&|(]/.test(match[0]) ? 1 : 0);
        add(
          'destructive-command',
          0.4,
          start,
          match.index + match[0].length,
          'power',
          'shuts down or restarts the machine',
        );
      });
    }
  }

  if (wanted.has('remote-code-execution')) {
    const lowered = /curl|wget|fetch|iwr|irm|invoke-|downloadstring|webclient/i;
    if (lowered.test(region)) {
      for (const pattern of [FETCH_PIPE, FETCH_SUBSTITUTION, PS_DOWNLOAD_EXEC]) {
        if (pattern === FETCH_PIPE && !region.includes('|')) continue;
        if (pattern === FETCH_SUBSTITUTION && !region.includes('$(') && !region.includes('<(')) continue;
        each(pattern, (match) => {
          const start = match.index + (/^\s/.test(match[0]) ? 1 : 0);
          const line = lineAround(region, match.index, 0, region.length);
          add(
            'remote-code-execution',
            0.8,
            start,
            Math.max(match.index + match[0].length, line.end),
            'download-and-execute',
            'downloads code and runs it without review',
          );
        });
      }
    }
  }

  if (wanted.has('sql-destructive') && /drop|truncate|delete|update/i.test(region)) {
    each(SQL_DROP, (match) => {
      const object = match[1]!.toUpperCase();
      const score =
        object === 'DATABASE' || object === 'SCHEMA' ? 0.9 : object === 'TABLE' || object === 'COLLECTION' ? 0.8 : 0.55;
      add('sql-destructive', score, match.index, match.index + match[0].length, 'drop', `DROP ${object}`);
    });
    each(SQL_TRUNCATE, (match) => {
      const upper = match[0].startsWith('TRUNCATE');
      if (!upper && match[1] === undefined) return;
      add(
        'sql-destructive',
        upper ? 0.8 : 0.65,
        match.index,
        match.index + match[0].length - 1,
        'truncate',
        'TRUNCATE TABLE',
      );
    });
    for (const [pattern, kind, verb] of [
      [SQL_DELETE, 'delete-without-where', 'DELETE'],
      [SQL_UPDATE, 'update-without-where', 'UPDATE'],
    ] as const) {
      each(pattern, (match) => {
        const upper = match[0].startsWith(verb);
        // Lower-case "delete from the cache" is English unless it opens a statement or a string.
        if (!upper && !opensStatement(region, match.index)) return;
        const statement = statementAt(region, match.index + match[0].length, open);
        if (statement === undefined) return;
        const clause = region.slice(match.index, statement);
        if (SQL_WHERE.test(clause)) {
          if (SQL_TAUTOLOGY_WHERE.test(clause)) {
            add('sql-destructive', 0.7, match.index, statement, kind, `${verb} whose WHERE matches every row`);
          }
          return;
        }
        add('sql-destructive', upper ? 0.75 : 0.55, match.index, statement, kind, `${verb} without a WHERE clause`);
      });
    }
  }

  if (wanted.has('sql-injection') && region.includes("'")) {
    each(SQL_QUOTE_TAUTOLOGY, (match) => {
      if (match[1]!.toLowerCase() !== match[2]!.toLowerCase()) return;
      add(
        'sql-injection',
        0.85,
        match.index,
        match.index + match[0].length,
        'tautology',
        'SQL injection payload (always-true condition)',
      );
    });
    each(SQL_STACKED, (match) => {
      add(
        'sql-injection',
        0.9,
        match.index,
        match.index + match[0].length,
        'stacked-query',
        'SQL injection payload (stacked query)',
      );
    });
    each(SQL_UNION, (match) => {
      add(
        'sql-injection',
        0.85,
        match.index,
        match.index + match[0].length,
        'union-select',
        'SQL injection payload (UNION SELECT)',
      );
    });
  }
  if (wanted.has('sql-injection') && /xp_cmdshell|WAITFOR/i.test(region)) {
    each(SQL_PROCS, (match) => {
      add(
        'sql-injection',
        0.8,
        match.index,
        match.index + match[0].length,
        'dangerous-procedure',
        'SQL injection payload (command or timing procedure)',
      );
    });
  }
  if (wanted.has('sql-injection') && /select|insert|update|delete/i.test(region)) {
    // Queries assembled from strings and variables: one check per line that holds a SQL statement.
    let start = 0;
    while (start < region.length) {
      let end = region.indexOf('\n', start);
      if (end < 0) end = region.length;
      const line = region.slice(start, Math.min(end, start + 2000));
      if (
        SQL_STATEMENT.test(line) &&
        (STRING_CONCAT.test(line) || (INTERPOLATION.test(line) && !/\bsql`/.test(line)))
      ) {
        const indent = line.length - line.trimStart().length;
        add(
          'sql-injection',
          0.6,
          start + indent,
          start + line.length,
          'string-built-query',
          'SQL query built by string concatenation or interpolation',
        );
      }
      start = end + 1;
    }
  }
}

/** True when only whitespace, a quote, a backtick, `(` or `;` stands between the line start and `index`. */
function opensStatement(region: string, index: number): boolean {
  let i = index - 1;
  while (i >= 0 && index - i < 200) {
    const code = region.charCodeAt(i);
    if (code === 0x20 || code === 0x09) {
      i--;
      continue;
    }
    return code === 0x0a || code === 0x22 || code === 0x27 || code === 0x60 || code === 0x28 || code === 0x3b;
  }
  return i < 0;
}

/** End of the SQL statement that continues at `from`: a `;`, a blank line or the end of a string; undefined if it runs off the region. */
function statementAt(region: string, from: number, open: boolean): number | undefined {
  const limit = Math.min(region.length, from + 2000);
  for (let i = from; i < limit; i++) {
    const code = region.charCodeAt(i);
    // ; " ' ` )
    if (code === 0x3b || code === 0x22 || code === 0x27 || code === 0x60 || code === 0x29) return i;
    if (
      code === 0x0a &&
      i + 1 < region.length &&
      (region.charCodeAt(i + 1) === 0x0a || region.charCodeAt(i + 1) === 0x0d)
    )
      return i;
  }
  // Running into the end of an open block: the WHERE may still be on its way.
  if (limit === region.length) return open || region.length <= from ? undefined : region.length;
  return limit;
}

/**
 * Code in an answer that should not be run as is: destructive shell commands (recursive deletes of root,
 * system or home directories, `mkfs`, `dd` onto a disk, fork bombs, world-writable root), downloads piped
 * into a shell (`curl … | sh`, `iwr … | iex`), destructive SQL (`DROP`, `TRUNCATE`, `DELETE`/`UPDATE`
 * without `WHERE`), SQL injection payloads and string-built queries, and credentials (through
 * `secretsDetector` of @parapet/pii). Looks in fenced blocks and inline code (or the whole text on the tool
 * stages). A mention negated on its own line ("never run `rm -rf /`") is reported at score 0.15, under
 * every recommended rule.
 *
 * @example
 * createGuard({ output: [unsafeCode()], policy: { rules: [{ detector: 'unsafe-code', category: 'remote-code-execution', action: 'block' }] } });
 */
export function unsafeCode(options: UnsafeCodeOptions = {}): Detector {
  const config = parseConfig(optionsSchema, options ?? {}, 'unsafeCode() options');
  const wanted = new Set<UnsafeCodeCategory>(config.categories);
  const secrets = wanted.has('secret-in-code')
    ? secretsDetector({ id: `${config.id}-secrets`, stages: [...STAGES] })
    : undefined;

  const detect = (text: string, context: DetectContext): readonly FindingInput[] | Promise<readonly FindingInput[]> => {
    if (typeof text !== 'string' || text.length === 0) return [];
    const scope = config.scope ?? (context.stage === 'tool_input' || context.stage === 'tool_output' ? 'all' : 'code');
    const regions: CodeRegion[] =
      scope === 'all' ? [{ start: 0, end: text.length, fenced: true, open: false }] : findCodeRegions(text);
    if (regions.length === 0) return [];
    const hits: Hit[] = [];
    for (const region of regions) {
      let end = region.end;
      // An open block (a stream still growing) is judged up to its last complete line.
      if (region.open) {
        const lastNewline = text.lastIndexOf('\n', end - 1);
        end = Math.max(lastNewline, region.start);
      }
      if (end > region.start) scanRegion(text, region.start, end, region.open, wanted, hits, config.maxFindings * 4);
      if (hits.length >= config.maxFindings * 4) break;
    }
    const findings = toFindings(text, hits, config.maxFindings);
    if (secrets === undefined || !regions.some((region) => SECRET_HINT.test(text.slice(region.start, region.end))))
      return findings;
    const found = secrets.detect(text, context);
    const merge = (list: readonly FindingInput[]) => {
      for (const finding of list) {
        if (findings.length >= config.maxFindings) break;
        const span = finding.span;
        if (span === undefined || !insideRegions(regions, span.start, span.end)) continue;
        const entity = (finding.data?.entity as string | undefined) ?? finding.category;
        const recognizer = typeof finding.data?.recognizer === 'string' ? finding.data.recognizer : entity;
        findings.push({
          category: 'secret-in-code',
          score: finding.score,
          severity: SEVERITY['secret-in-code'],
          message: `credential in code (${recognizer})`,
          span,
          replacement: finding.replacement ?? '[SECRET]',
          data: { entity, recognizer },
        });
      }
      return findings;
    };
    return found instanceof Promise ? found.then(merge) : merge(found);
  };

  return {
    id: config.id,
    stages: config.stages,
    rules: [
      { category: 'destructive-command', minScore: 0.7, action: 'block' },
      { category: 'destructive-command', minScore: 0.5, action: 'flag' },
      { category: 'remote-code-execution', minScore: 0.5, action: 'flag' },
      { category: 'sql-destructive', minScore: 0.5, action: 'flag' },
      { category: 'sql-injection', minScore: 0.5, action: 'flag' },
      { category: 'secret-in-code', minScore: 0.5, action: 'redact' },
    ],
    detect,
  };
}

function toFindings(text: string, hits: Hit[], max: number): FindingInput[] {
  hits.sort((a, b) => a.start - b.start || b.score - a.score);
  const findings: FindingInput[] = [];
  let lastKey = '';
  for (const hit of hits) {
    if (findings.length >= max) break;
    const key = `${hit.category}|${hit.start}`;
    if (key === lastKey) continue;
    lastKey = key;
    const before = text.slice(lineAround(text, hit.start, Math.max(0, hit.start - 120), hit.start).start, hit.start);
    const negated = NEGATION.test(before);
    findings.push({
      category: hit.category,
      score: negated ? 0.15 : hit.score,
      severity: negated || hit.score < 0.5 ? 'low' : hit.score < 0.65 ? 'medium' : SEVERITY[hit.category],
      message: negated ? `${hit.message} (mentioned as a warning)` : hit.message,
      span: { start: hit.start, end: Math.max(hit.end, hit.start + 1) },
      replacement: `[removed: ${hit.category}]`,
      data: { kind: hit.kind, ...(negated ? { negated: true } : {}) },
    });
  }
  return findings;
}

export const unsafeCodeEntry: DetectorFactory = {
  id: 'unsafe-code',
  stages: ['output', 'tool_input', 'tool_output'],
  description:
    'Code an answer should not hand over as is: destructive shell commands, curl | sh, destructive SQL and SQL injection, credentials in code; options: categories, scope',
  create: (options) => unsafeCode((options ?? {}) as never),
};
