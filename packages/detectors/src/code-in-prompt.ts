import {
  type DetectContext,
  type Detector,
  type DetectorFactory,
  type FindingInput,
  parseConfig,
  type Stage,
} from '@parapet/core';
import { z } from 'zod';

export const CODE_LANGUAGES = [
  'javascript',
  'typescript',
  'python',
  'shell',
  'powershell',
  'sql',
  'html',
  'css',
  'c',
  'cpp',
  'java',
  'csharp',
  'go',
  'rust',
  'php',
  'ruby',
  'json',
  'yaml',
  'unknown',
] as const;
export type CodeLanguage = (typeof CODE_LANGUAGES)[number];

const CODE_STAGES = ['input'] as const satisfies readonly Stage[];

const optionsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "code-in-prompt"')
      .default('code-in-prompt'),
    stages: z
      .array(z.enum(['input', 'output', 'tool_input', 'tool_output'] as const))
      .min(1, 'must name at least one stage')
      .default([...CODE_STAGES]),
    /** Languages to report; code guessed as another language is ignored. `unknown` is code of no clear language. */
    languages: z
      .array(z.enum(CODE_LANGUAGES, { error: () => `must be one of ${CODE_LANGUAGES.join(', ')}` }))
      .min(1, 'must name at least one language (or remove the detector)')
      .default([...CODE_LANGUAGES]),
    /**
     * Code lines a block needs to be reported, unless it carries a strong sign (a fence, a shebang, a
     * destructive shell command, a complete SQL statement, an #include…).
     */
    minLines: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(10_000, 'must be at most 10000')
      .default(2),
    /** Blocks reported at most per text. */
    maxFindings: z.number().int().min(1).max(10_000).default(32),
  })
  .strict();

export type CodeInPromptOptions = z.input<typeof optionsSchema>;

interface Rule {
  readonly language: CodeLanguage;
  readonly pattern: RegExp;
  /** A sign strong enough to report a block of one line. */
  readonly strong?: boolean;
  /** Characters the trimmed line may start with for the rule to apply (prefilter); '' = any. */
  readonly first: string;
  /** A literal the line must contain (prefilter), for rules not anchored at the start. */
  readonly contains?: string;
}

const SHELL_COMMANDS =
  'sudo|chmod|chown|wget|curl|apt-get|apt|yum|dnf|brew|npm|npx|pnpm|yarn|pip3?|kubectl|docker|systemctl|git|ssh|scp|tar|grep|sed|awk|rm|mkdir|ls|cp|mv|touch|nc|netcat|python3?|node';

// Every pattern is anchored or prefiltered, bounded ({0,n}) where it scans, and free of nested quantifiers.
const RULES: readonly Rule[] = [
  // Shell
  {
    language: 'shell',
    first: '#',
    pattern: /^#!\s?\/(?:usr\/)?(?:local\/)?bin\/(?:env\s+)?(?:ba|z|k|da)?sh\b/,
    strong: true,
  },
  { language: 'python', first: '#', pattern: /^#!\s?\/(?:usr\/)?(?:local\/)?bin\/(?:env\s+)?python/, strong: true },
  { language: 'shell', first: '$', pattern: /^\$\s[a-z][\w.-]{0,30}(?:\s|$)/ },
  { language: 'shell', first: '', contains: 'rm -', pattern: /\brm\s+-[a-zA-Z]{0,5}[rf][a-zA-Z]{0,5}\s/, strong: true },
  { language: 'shell', first: '', contains: '| ', pattern: /\|\s?(?:sudo\s)?(?:ba|z)?sh\b/, strong: true },
  {
    language: 'shell',
    first: '',
    contains: 'chmod',
    pattern: /\bchmod\s+(?:[0-7]{3,4}|[+-]?[ugoa]{0,3}[+-][rwxs]{1,4})\s/,
  },
  { language: 'shell', first: 'd', pattern: /^dd\s+if=/, strong: true },
  { language: 'shell', first: ':', pattern: /^:\(\)\s?\{/, strong: true },
  {
    language: 'shell',
    first: 'sacwdybnpkgtrlmcn',
    pattern: new RegExp(
      `^(?:${SHELL_COMMANDS})\\s+(?:-{1,2}[a-zA-Z]|[./~$"']|[\\w.-]{1,60}\\s+-{1,2}[a-zA-Z]|install\\b|run\\b|clone\\b|commit\\b|push\\b|pull\\b|get\\b|apply\\b)`,
    ),
  },
  { language: 'shell', first: 'e', pattern: /^export\s+[A-Z_][A-Z0-9_]{0,60}=/ },
  { language: 'shell', first: 'e', pattern: /^echo\s+["'$]/ },
  { language: 'shell', first: 'c', pattern: /^cd\s+[./~$]/ },
  { language: 'shell', first: 'f', pattern: /^(?:fi|done|esac)\s*$/ },
  // PowerShell
  {
    language: 'powershell',
    first: 'GSNRIS',
    pattern: /^(?:Get|Set|New|Remove|Invoke|Start|Stop)-[A-Z][A-Za-z]{1,40}\b/,
  },
  // Python
  {
    language: 'python',
    first: 'd',
    pattern: /^def\s+[A-Za-z_]\w{0,60}\s?\(.{0,300}\)\s?(?:->.{0,100})?:\s*$/,
    strong: true,
  },
  { language: 'python', first: 'c', pattern: /^class\s+[A-Za-z_]\w{0,60}\s?(?:\([\w., ]{0,200}\))?:\s*$/ },
  { language: 'python', first: 'f', pattern: /^from\s+[\w.]{1,100}\s+import\s+[\w*(]/, strong: true },
  { language: 'python', first: 'i', pattern: /^import\s+[\w.]{1,100}(?:\s+as\s+\w{1,40})?\s*$/ },
  { language: 'python', first: 'ewtfi', pattern: /^(?:elif|while|try|except|finally|with|for|if)\b.{0,300}:\s*$/ },
  { language: 'python', first: 'p', pattern: /^print\(/ },
  { language: 'python', first: '', contains: 'self.', pattern: /\bself\.\w/ },
  { language: 'python', first: 'i', pattern: /^if\s+__name__\s?==/, strong: true },
  // JavaScript / TypeScript
  {
    language: 'javascript',
    first: 'eaf',
    pattern: /^(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s?\*?\s?[\w$]{0,60}\s?\(/,
    strong: true,
  },
  { language: 'typescript', first: 'clv', pattern: /^(?:const|let|var)\s+[\w$]{1,60}\s?:\s?[\w$<>[\]|]{1,60}\s?=/ },
  {
    language: 'javascript',
    first: 'clve',
    pattern: /^(?:export\s+)?(?:const|let|var)\s+(?:[\w$]{1,60}|\{[\w$, ]{1,200}\}|\[[\w$, ]{1,200}\])\s?=/,
  },
  { language: 'javascript', first: 'i', pattern: /^import\s+(?:[\w$*{}, ]{1,200}\s+from\s+)?['"]/, strong: true },
  {
    language: 'typescript',
    first: 'eit',
    pattern: /^(?:export\s+)?(?:interface|type)\s+[A-Z][\w$]{0,60}\s?(?:<[^>]{0,100}>)?\s?[={]/,
  },
  { language: 'javascript', first: '', contains: 'console.', pattern: /\bconsole\.(?:log|error|warn|info)\(/ },
  { language: 'javascript', first: '', contains: '=>', pattern: /\)\s?=>\s?[{(\w]/ },
  { language: 'javascript', first: '', contains: 'require(', pattern: /\brequire\(['"]/ },
  // SQL (statements are checked further in sqlStatement)
  {
    language: 'sql',
    first: 'FWAOJLRIGHV',
    pattern: /^(?:FROM|WHERE|AND|OR|JOIN|LEFT JOIN|RIGHT JOIN|INNER JOIN|GROUP BY|ORDER BY|LIMIT|HAVING|VALUES)\b/,
  },
  // HTML / XML / PHP
  { language: 'php', first: '<', pattern: /^<\?php\b/, strong: true },
  { language: 'html', first: '<', pattern: /^<!DOCTYPE\s+html/i, strong: true },
  {
    language: 'html',
    first: '<',
    pattern:
      /^<\/?(?:html|head|body|div|span|script|style|p|a|ul|ol|li|table|tr|td|th|form|input|button|img|meta|link|h[1-6]|section|nav|svg|iframe|template|label|select|option|textarea|br|hr)\b[^<>]{0,300}>/i,
  },
  { language: 'php', first: '$', pattern: /^\$[a-zA-Z_]\w{0,60}\s?(?:\[[^\]]{0,60}\])?\s?=[^=].{0,300};\s*$/ },
  // CSS
  { language: 'css', first: '', pattern: /^[a-z-]{2,40}\s?:\s?[^;:{}]{1,200};\s*$/ },
  {
    language: 'css',
    first: '.#@abcdefghijklmnopqrstuvwxyz*',
    pattern: /^[.#@]?[a-z*][\w\-.#:, >[\]="]{0,200}\s?\{\s*$/,
  },
  // C family
  { language: 'c', first: '#', pattern: /^#include\s?[<"]/, strong: true },
  { language: 'c', first: '#', pattern: /^#(?:define|ifdef|ifndef|endif|pragma)\b/ },
  { language: 'c', first: 'iv', pattern: /^(?:int|void)\s+main\s?\(/, strong: true },
  { language: 'c', first: '', contains: 'printf(', pattern: /\bprintf\("/ },
  { language: 'cpp', first: '', contains: 'std::', pattern: /\bstd::\w/ },
  {
    language: 'java',
    first: 'pa',
    pattern:
      /^(?:public|private|protected|abstract)\s+(?:static\s+)?(?:final\s+)?(?:class|interface|enum|void|int|long|boolean|String)\b/,
  },
  { language: 'java', first: '', contains: 'System.out.', pattern: /\bSystem\.out\.print/, strong: true },
  { language: 'csharp', first: 'u', pattern: /^using\s+System(?:\.[\w.]{1,100})?;/, strong: true },
  { language: 'csharp', first: '', contains: 'Console.', pattern: /\bConsole\.Write(?:Line)?\(/ },
  { language: 'go', first: 'p', pattern: /^package\s+[a-z]\w{0,40}\s*$/, strong: true },
  { language: 'go', first: 'f', pattern: /^func\s+(?:\([\w *]{1,60}\)\s?)?[A-Za-z_]\w{0,60}\s?\(/, strong: true },
  { language: 'go', first: '', contains: 'fmt.', pattern: /\bfmt\.(?:Print|Sprint|Fprint|Errorf)/ },
  { language: 'go', first: '', contains: ':=', pattern: /^[\w, ]{1,60}:=\s?\S/ },
  { language: 'rust', first: 'fp', pattern: /^(?:pub\s+)?(?:async\s+)?fn\s+[a-z_]\w{0,60}\s?[<(]/, strong: true },
  { language: 'rust', first: 'l', pattern: /^let\s+mut\s+\w/ },
  { language: 'rust', first: '', contains: 'println!', pattern: /\bprintln!\(/ },
  { language: 'rust', first: 'ui', pattern: /^(?:use\s+[\w:]{1,100}(?:::\{[\w, ]{1,200}\})?;|impl\b)/ },
  { language: 'ruby', first: 'dcm', pattern: /^(?:def|class|module)\s+[A-Za-z_]\w{0,60}[?!]?\s*$/ },
  { language: 'ruby', first: 'e', pattern: /^end\s*$/ },
  { language: 'ruby', first: 'pr', pattern: /^(?:puts\s|require\s+['"])/ },
  // Data
  { language: 'json', first: '"', pattern: /^"[\w\s$.-]{1,60}"\s?:\s?(?:"|\d|\{|\[|true|false|null)/ },
  {
    language: 'yaml',
    first: '-abcdefghijklmnopqrstuvwxyz',
    pattern: /^(?:- )?[a-z_][\w-]{0,40}:\s(?:["'[{]|\d|true\b|false\b|\S{1,60}\s*$)/,
  },
];

// SQL statements: a verb at the start and the clause that makes it SQL rather than an English sentence.
const SQL_START =
  /^(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|CREATE\s+(?:TABLE|INDEX|VIEW|DATABASE|SCHEMA)|DROP\s+(?:TABLE|DATABASE|INDEX|VIEW|SCHEMA)|ALTER\s+TABLE|TRUNCATE\s+TABLE|WITH\s+\w{1,60}\s+AS\s*\()\b/i;
const SQL_UPPER_VERB = /^(?:SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|TRUNCATE|WITH)\b/;
/** The clause each verb needs to be SQL rather than an English sentence. */
const SQL_CLAUSES: Record<string, RegExp> = {
  select: /\bFROM\b/i,
  update: /\bSET\s{1,10}\w{1,60}\s?=/i,
  insert: /\b(?:VALUES|SELECT)\b|\(/i,
  delete: /\bWHERE\b|;\s*$/i,
};
const FENCE = /^ {0,3}(`{3,}|~{3,})\s{0,4}([\w+#.-]{0,30})/;

const FENCE_LANGUAGES: Record<string, CodeLanguage> = {
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  javascript: 'javascript',
  node: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
  typescript: 'typescript',
  py: 'python',
  python: 'python',
  python3: 'python',
  py3: 'python',
  ipython: 'python',
  sh: 'shell',
  bash: 'shell',
  zsh: 'shell',
  shell: 'shell',
  console: 'shell',
  shellsession: 'shell',
  fish: 'shell',
  ps1: 'powershell',
  powershell: 'powershell',
  pwsh: 'powershell',
  sql: 'sql',
  mysql: 'sql',
  postgres: 'sql',
  postgresql: 'sql',
  sqlite: 'sql',
  plsql: 'sql',
  tsql: 'sql',
  html: 'html',
  htm: 'html',
  xml: 'html',
  svg: 'html',
  xhtml: 'html',
  vue: 'html',
  css: 'css',
  scss: 'css',
  sass: 'css',
  less: 'css',
  c: 'c',
  h: 'c',
  cpp: 'cpp',
  'c++': 'cpp',
  cc: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  java: 'java',
  cs: 'csharp',
  csharp: 'csharp',
  'c#': 'csharp',
  go: 'go',
  golang: 'go',
  rs: 'rust',
  rust: 'rust',
  php: 'php',
  rb: 'ruby',
  ruby: 'ruby',
  json: 'json',
  jsonc: 'json',
  json5: 'json',
  yaml: 'yaml',
  yml: 'yaml',
};
// Fences that hold no code by their own account.
const PROSE_FENCES = new Set(['text', 'txt', 'plain', 'plaintext', 'markdown', 'md', 'output', 'log', 'quote']);

/** Characters of a line looked at: enough for its first statement; bounds the work on huge lines. */
const LINE_SAMPLE = 400;

function buildIndex(): { byFirst: Map<string, Rule[]>; anywhere: Rule[] } {
  const byFirst = new Map<string, Rule[]>();
  const anywhere: Rule[] = [];
  for (const rule of RULES) {
    if (rule.first === '') {
      anywhere.push(rule);
      continue;
    }
    for (const char of rule.first) {
      const list = byFirst.get(char) ?? [];
      list.push(rule);
      byFirst.set(char, list);
    }
  }
  return { byFirst, anywhere };
}

const INDEX = buildIndex();

interface LineVerdict {
  /** Language votes of this line (one per matching rule). */
  readonly votes: CodeLanguage[];
  readonly strong: boolean;
  /** Looks like code by punctuation alone (no language). */
  readonly generic: boolean;
}

const NO_CODE: LineVerdict = { votes: [], strong: false, generic: false };

function sqlStatement(line: string): boolean {
  const match = SQL_START.exec(line);
  if (match === null) return false;
  const verb = match[1]!.slice(0, 6).toLowerCase();
  const clause = SQL_CLAUSES[verb];
  if (clause !== undefined && !clause.test(line)) return false;
  // Lower-case "select the best one from the list" is English; SQL has upper-case verbs or SQL punctuation.
  return SQL_UPPER_VERB.test(line) || /[*;=(]/.test(line);
}

/** Punctuation typical of code: the line ends like a statement, or is mostly brackets and operators. */
function genericCode(line: string): boolean {
  const last = line.charCodeAt(line.length - 1);
  // Block endings: a prose line rarely ends with { or }. A statement ending (;) counts with a call or an
  // assignment in the line, since lists in prose end items with semicolons too.
  if (last === 0x7b || last === 0x7d) return true;
  if (last === 0x3b && (line.includes('(') || line.includes('='))) return true;
  let symbols = 0;
  let visible = 0;
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code === 0x20 || code === 0x09) continue;
    visible++;
    // ( ) [ ] { } ; = < > & | + * / \ $ _ " '
    if (
      code === 0x28 ||
      code === 0x29 ||
      code === 0x5b ||
      code === 0x5d ||
      code === 0x7b ||
      code === 0x7d ||
      code === 0x3b ||
      code === 0x3d ||
      code === 0x3c ||
      code === 0x3e ||
      code === 0x26 ||
      code === 0x7c ||
      code === 0x2a ||
      code === 0x2f ||
      code === 0x5c ||
      code === 0x24 ||
      code === 0x5f
    ) {
      symbols++;
    }
  }
  return visible >= 6 && symbols / visible >= 0.25;
}

function classifyLine(raw: string): LineVerdict {
  const sample = raw.length > LINE_SAMPLE ? raw.slice(0, LINE_SAMPLE) : raw;
  const line = sample.trim();
  if (line.length === 0) return NO_CODE;
  const votes: CodeLanguage[] = [];
  let strong = false;
  const rules = INDEX.byFirst.get(line[0]!);
  if (rules !== undefined) {
    for (const rule of rules) {
      if (rule.pattern.test(line)) {
        votes.push(rule.language);
        if (rule.strong) strong = true;
      }
    }
  }
  for (const rule of INDEX.anywhere) {
    if (rule.contains !== undefined && !line.includes(rule.contains)) continue;
    if (rule.pattern.test(line)) {
      votes.push(rule.language);
      if (rule.strong) strong = true;
    }
  }
  if (sqlStatement(line)) {
    votes.push('sql');
    strong = true;
  }
  const generic = genericCode(line);
  if (votes.length === 0 && !generic) return NO_CODE;
  return { votes, strong, generic };
}

interface Block {
  start: number;
  end: number;
  codeLines: number;
  strong: boolean;
  fenced: boolean;
  fenceLanguage: CodeLanguage | undefined;
  fenceTag: string;
  votes: Map<CodeLanguage, number>;
}

function newBlock(start: number, fenced: boolean): Block {
  return {
    start,
    end: start,
    codeLines: 0,
    strong: fenced,
    fenced,
    fenceLanguage: undefined,
    fenceTag: '',
    votes: new Map(),
  };
}

function addLine(block: Block, verdict: LineVerdict, end: number): void {
  block.end = end;
  if (verdict.votes.length === 0 && !verdict.generic) return;
  block.codeLines++;
  if (verdict.strong) block.strong = true;
  for (const language of verdict.votes) block.votes.set(language, (block.votes.get(language) ?? 0) + 1);
}

function languageOf(block: Block): CodeLanguage {
  if (block.fenceLanguage !== undefined) return block.fenceLanguage;
  let best: CodeLanguage = 'unknown';
  let bestVotes = 0;
  for (const [language, votes] of block.votes) {
    if (votes > bestVotes) {
      best = language;
      bestVotes = votes;
    }
  }
  // TypeScript is JavaScript with types: any typed line makes the block TypeScript.
  if (best === 'javascript' && (block.votes.get('typescript') ?? 0) > 0) return 'typescript';
  if (best === 'c' && (block.votes.get('cpp') ?? 0) > 0) return 'cpp';
  return best;
}

/**
 * Source code, shell commands and SQL in a prompt: fenced blocks (``` / ~~~, with their language tag),
 * and unfenced runs of lines that look like code (language keywords at the start of a line, statement
 * endings, bracket and operator density). One pass over the lines with anchored, bounded patterns.
 * Each block becomes one finding with `data.language` (a guess) and its span.
 *
 * @example
 * createGuard({ input: [codeInPrompt({ languages: ['shell', 'sql'] })] });
 */
export function codeInPrompt(options: CodeInPromptOptions = {}): Detector {
  const config = parseConfig(optionsSchema, options ?? {}, 'codeInPrompt() options');
  const languages = new Set<CodeLanguage>(config.languages);

  const detect = (_text: string, context: DetectContext): readonly FindingInput[] => {
    const view = context.normalized;
    const text = view.text;
    const findings: FindingInput[] = [];
    let block: Block | undefined;
    let blankRun = 0;
    let fence = '';

    const close = (): void => {
      const done = block;
      block = undefined;
      if (done === undefined || findings.length >= config.maxFindings) return;
      if (done.codeLines === 0 && !(done.fenced && done.end > done.start)) return;
      if (!done.strong && done.codeLines < config.minLines) return;
      const language = languageOf(done);
      if (!languages.has(language)) return;
      const lines = done.codeLines;
      // A fence says "code" (0.9), unless it has no language tag and nothing in it looks like code (0.6:
      // a quoted log or text). Unfenced blocks score by their evidence.
      const score = done.fenced
        ? done.fenceLanguage !== undefined || done.codeLines > 0
          ? 0.9
          : 0.6
        : Math.min(0.95, 0.55 + (done.strong ? 0.15 : 0) + 0.05 * Math.min(lines, 5));
      const span = view.toOriginal(done.start, done.end);
      findings.push({
        category: 'code',
        score,
        message: `${language === 'unknown' ? 'source' : language} code (${lines} code line${lines === 1 ? '' : 's'}${done.fenced ? ', fenced' : ''})`,
        span,
        data: {
          language,
          lines,
          fenced: done.fenced,
          ...(done.fenceTag !== '' ? { fenceTag: done.fenceTag } : {}),
        },
      });
    };

    const length = text.length;
    let start = 0;
    while (start <= length && findings.length < config.maxFindings) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = length;
      const raw = text.slice(start, Math.min(end, start + LINE_SAMPLE));
      const lineEnd = end > start && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end;

      const fenceMatch =
        raw.charCodeAt(0) === 0x60 || raw.includes('```') || raw.includes('~~~') ? FENCE.exec(raw) : null;
      if (fence !== '') {
        // Inside a fenced block: everything is its content until the closing fence.
        if (fenceMatch !== null && fenceMatch[1]!.startsWith(fence) && fenceMatch[2] === '') {
          block!.end = lineEnd;
          fence = '';
          close();
        } else {
          const verdict = classifyLine(raw);
          addLine(block!, verdict, lineEnd);
        }
      } else if (fenceMatch !== null) {
        close();
        fence = fenceMatch[1]!;
        block = newBlock(start + raw.indexOf(fence[0]!), true);
        block.end = lineEnd;
        const tag = fenceMatch[2]!.toLowerCase();
        if (tag !== '' && !PROSE_FENCES.has(tag)) {
          block.fenceTag = tag;
          block.fenceLanguage = FENCE_LANGUAGES[tag] ?? 'unknown';
        }
      } else {
        const verdict = classifyLine(raw);
        const isCode = verdict.votes.length > 0 || verdict.generic;
        const blank = raw.trim().length === 0;
        if (isCode) {
          block ??= newBlock(start + (raw.length - raw.trimStart().length), false);
          addLine(block, verdict, lineEnd);
          blankRun = 0;
        } else if (block !== undefined && blank) {
          blankRun++;
          if (blankRun >= 2) close();
        } else if (block !== undefined && (raw.startsWith('  ') || raw.startsWith('\t'))) {
          // An indented line inside a block is its body (a loop, a function), even when it looks plain.
          block.end = lineEnd;
          blankRun = 0;
        } else {
          close();
        }
      }
      start = end + 1;
    }
    close();
    return findings;
  };

  return {
    id: config.id,
    stages: config.stages,
    // Code in a prompt is often legitimate (questions about code): recorded, not stopped.
    rules: [{ minScore: 0.5, action: 'flag' }],
    detect,
  };
}

export const codeInPromptEntry: DetectorFactory = {
  id: 'code-in-prompt',
  stages: ['input'],
  description:
    'Source code, shell commands and SQL in a prompt (fenced blocks and code-like lines), with a language guess; options: languages, minLines',
  create: (options) => codeInPrompt((options ?? {}) as never),
};
