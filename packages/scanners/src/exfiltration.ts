import {
  type ChatMessage,
  type DetectContext,
  type Detector,
  type DetectorFactory,
  type FindingInput,
  parseConfig,
  type Severity,
  STAGES,
  type Stage,
} from '@parapet/core';
import { z } from 'zod';
import { findCodeRegions, insideRegions } from './unsafe-code.js';

/** An allowed domain as written by the user, reduced to its host name; undefined when it is not one. */
function allowedHost(value: string): string | undefined {
  let host = value.trim().toLowerCase();
  if (host.startsWith('*.')) host = host.slice(2);
  else if (host.startsWith('.')) host = host.slice(1);
  if (host.length === 0 || /[\s/@?#:\\]/.test(host)) return undefined;
  try {
    const parsed = new URL(`https://${host}`).hostname.replace(/\.+$/, '');
    return parsed.length > 0 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const optionsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "exfiltration"')
      .default('exfiltration'),
    stages: z
      .array(z.enum(STAGES as [Stage, ...Stage[]], { error: () => `must be one of ${STAGES.join(', ')}` }))
      .min(1, 'must name at least one stage')
      .default(['output']),
    /**
     * Hosts links and images may point to: the host itself and its subdomains ("docs.example.com" allows
     * "api.docs.example.com", not "example.com"). Empty (the default): every host is outside.
     */
    allowDomains: z
      .array(
        z
          .string({ error: () => 'must be a host name string' })
          .refine(
            (value) => allowedHost(value) !== undefined,
            'must be a host name such as "docs.example.com" (no scheme, path, port or user)',
          ),
      )
      .default([]),
    /** Hosts reserved for documentation (example.com/.net/.org, .example, .test, .invalid) are never reported. */
    ignoreReservedDomains: z.boolean({ error: () => 'must be true or false' }).default(true),
    /** Inline images as data: URIs of non-executable types (png, jpeg, gif, webp) are not reported. */
    allowDataImages: z.boolean({ error: () => 'must be true or false' }).default(true),
    /** Also look inside fenced and inline code (not rendered, so nothing there is fetched). */
    scanCode: z.boolean({ error: () => 'must be true or false' }).default(false),
    /** Length from which a base64 or hex run in a URL counts as data. */
    minEncodedLength: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(8, 'must be at least 8')
      .max(512, 'must be at most 512')
      .default(20),
    /** Words in a row a URL must share with the conversation to count as carrying a piece of it. */
    overlapWords: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(2, 'must be at least 2')
      .max(32, 'must be at most 32')
      .default(5),
    /** Findings reported at most per text. */
    maxFindings: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(10_000, 'must be at most 10000')
      .default(64),
  })
  .strict();

export type ExfiltrationOptions = z.input<typeof optionsSchema>;

/** Where a URL sits, which decides whether the client fetches it without a click. */
type Element = 'image' | 'resource' | 'link' | 'bare';

interface Candidate {
  readonly start: number;
  readonly end: number;
  readonly targetStart: number;
  readonly targetEnd: number;
  readonly element: Element;
  readonly construct: string;
  readonly replacement: string;
}

// Every pattern starts with a literal, scans with bounded classes and has no nested quantifier.
const MARKDOWN_INLINE = /(!?)\[([^[\]\n]{0,500})\]\(\s{0,4}<?([^\s<>()"'`]{1,4096})/g;
const MARKDOWN_REFERENCE = /^ {0,3}\[([^[\]\n]{1,500})\]:[ \t]{0,8}<?([^\s<>]{1,4096})/gm;
const MARKDOWN_IMAGE_USE = /!\[([^[\]\n]{0,500})\](?:\[([^[\]\n]{0,500})\])?/g;
const HTML_TAG =
  /<(img|image|a|area|iframe|frame|script|embed|object|source|video|audio|track|link|form|input|body|table|td|use|meta|base|button)\b([^<>]{0,2000})>?/gi;
const HTML_ATTRIBUTE =
  /(?:^|[\s"'/])(src|href|data|action|formaction|poster|background|srcset|lowsrc|dynsrc|xlink:href|content)\s{0,4}=\s{0,4}(?:"([^"]{0,4096})"|'([^']{0,4096})'|([^\s"'>]{1,4096}))/gi;
const CSS_URL = /\burl\(\s{0,4}["']?([^"'()\s]{1,4096})/gi;
const BARE_URL = /\b(?:(?:https?|ftps?|wss?):[\\/]{1,2}|www\.)[^\s<>"'`]{1,4096}/gi;
const BARE_DATA_URI = /\bdata:((?:text|image|application)\/[a-z0-9.+-]{1,60})[;,]/gi;
// Characters that end a bare data: URI: whitespace, < > " ' ` ).
const URI_END = new Set([0x20, 0x09, 0x0a, 0x0d, 0x3c, 0x3e, 0x22, 0x27, 0x60, 0x29]);
const PREFILTER = /:[\\/]|\/\/|\\\\|www\.|data:/i;
const SCHEME = /^([a-z][a-z0-9+.-]{0,20}):/i;
const FETCHED_SCHEMES = new Set(['http', 'https', 'ftp', 'ftps', 'ws', 'wss']);
const EXECUTABLE_MIME = /html|svg|javascript|ecmascript|vbscript|xml|x-shockwave/i;
const RESERVED = /(?:^|\.)(?:example\.(?:com|net|org)|example|test|invalid)$/;
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const SLUG_PART = /^(?:[A-Za-z]{1,20}|\d{1,4})$/;
const WORD = /[\p{L}\p{N}]{1,64}/gu;

const HTML_ELEMENT: Record<string, Element> = {
  a: 'link',
  area: 'link',
  form: 'link',
  button: 'link',
  base: 'link',
};

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value.replace(/%[0-9a-fA-F]{2}/g, (sequence) => {
      try {
        return decodeURIComponent(sequence);
      } catch {
        return sequence;
      }
    });
  }
}

function entropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Words and long identifiers of one conversation source, for the overlap test. */
interface Grams {
  readonly ngrams: ReadonlySet<string>;
  /** Tokens of 12+ characters with letters and digits (ids, keys): one is enough to tell. */
  readonly tokens: ReadonlySet<string>;
}

/** Bounds the work on a huge conversation: the first 200 K characters of each source. */
const SOURCE_LIMIT = 200_000;

function wordsOf(text: string): string[] {
  const words: string[] = [];
  WORD.lastIndex = 0;
  const sample = text.length > SOURCE_LIMIT ? text.slice(0, SOURCE_LIMIT) : text;
  for (let match = WORD.exec(sample); match !== null; match = WORD.exec(sample)) words.push(match[0].toLowerCase());
  return words;
}

function isIdentifier(word: string): boolean {
  return word.length >= 12 && /\d/.test(word) && /\p{L}/u.test(word);
}

function gramsOf(texts: readonly string[], size: number): Grams {
  const ngrams = new Set<string>();
  const tokens = new Set<string>();
  for (const text of texts) {
    const words = wordsOf(text);
    for (let i = 0; i < words.length; i++) {
      if (isIdentifier(words[i]!)) tokens.add(words[i]!);
      if (i + size <= words.length) ngrams.add(words.slice(i, i + size).join(' '));
    }
  }
  return { ngrams, tokens };
}

function textsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const item of value.slice(0, 1000)) {
    if (typeof item === 'string') out.push(item);
    else if (typeof item === 'object' && item !== null && typeof (item as ChatMessage).content === 'string')
      out.push((item as ChatMessage).content);
  }
  return out;
}

/**
 * Links, images and other URLs in an answer that point outside the allowed hosts: the way a prompt
 * injection gets a chat client to send conversation data to an attacker (a markdown image is fetched
 * without a click, with whatever the model put in its query string). Finds markdown images, links and
 * reference definitions, HTML `src`/`href`/`action`/`srcset`, CSS `url()`, bare URLs and data: URIs;
 * host names are read by the WHATWG URL parser (user info, IDN, case, trailing dots, IP literals, ports,
 * protocol-relative URLs). A URL that carries data (base64 or hex runs, URL-encoded prose, high entropy,
 * or a run of words from the conversation) becomes `data-in-url`. Code blocks are skipped: clients do
 * not render them. Findings carry a replacement that drops the image and keeps a link's text.
 *
 * @example
 * createGuard({ output: [exfiltration({ allowDomains: ['docs.example.com'] })] });
 */
export function exfiltration(options: ExfiltrationOptions = {}): Detector {
  const config = parseConfig(optionsSchema, options ?? {}, 'exfiltration() options');
  const allowed = [...new Set(config.allowDomains.map((value) => allowedHost(value)!))];
  const encodedRun = new RegExp(`[A-Za-z0-9+/_=-]{${config.minEncodedLength},4096}`, 'g');
  const historyGrams = new WeakMap<object, Grams>();
  const metadataGrams = new WeakMap<object, Grams>();
  const promptGrams = new Map<string, Grams>();

  const isAllowed = (host: string): boolean => {
    for (const domain of allowed) {
      if (
        host === domain ||
        (host.length > domain.length && host.endsWith(domain) && host[host.length - domain.length - 1] === '.')
      )
        return true;
    }
    return config.ignoreReservedDomains && RESERVED.test(host);
  };

  /** A host cut off at the end of the text could still grow into an allowed one ("docs.exa…"). */
  const couldBecomeAllowed = (host: string): boolean => {
    let from = 0;
    while (from <= host.length) {
      const suffix = host.slice(from);
      for (const domain of allowed) if (domain.startsWith(suffix)) return true;
      const dot = host.indexOf('.', from);
      if (dot < 0) break;
      from = dot + 1;
    }
    return false;
  };

  const conversationOf = (context: DetectContext): Grams[] => {
    const out: Grams[] = [];
    const history = context.history;
    if (Array.isArray(history) && history.length > 0) {
      let grams = historyGrams.get(history);
      if (grams === undefined) {
        grams = gramsOf(textsOf(history), config.overlapWords);
        historyGrams.set(history, grams);
      }
      out.push(grams);
    }
    const metadata = context.metadata;
    if (typeof metadata === 'object' && metadata !== null) {
      let grams = metadataGrams.get(metadata);
      if (grams === undefined) {
        grams = gramsOf([...textsOf(metadata.conversation), ...textsOf(metadata.systemPrompt)], config.overlapWords);
        metadataGrams.set(metadata, grams);
      }
      out.push(grams);
    }
    const prompt = context.systemPrompt;
    if (typeof prompt === 'string' && prompt.length > 0) {
      let grams = promptGrams.get(prompt);
      if (grams === undefined) {
        grams = gramsOf([prompt], config.overlapWords);
        if (promptGrams.size >= 16) promptGrams.clear();
        promptGrams.set(prompt, grams);
      }
      out.push(grams);
    }
    return out;
  };

  /** Kinds of data the URL carries: strong ones (encoded runs, decoded payloads, conversation) and weak ones. */
  const evidenceOf = (
    url: URL,
    candidate: Candidate,
    context: DetectContext,
    conversation: () => Grams[],
  ): { strong: string[]; weak: string[] } => {
    const strong: string[] = [];
    const weak: string[] = [];
    const labels = url.hostname.split('.');
    const hostData = labels.slice(0, Math.max(0, labels.length - 2)).join('.');
    const rest = `${url.pathname}${url.search}${url.hash}`;
    if (rest.length <= 2 && hostData.length < config.minEncodedLength) return { strong, weak };
    for (const part of [hostData, rest]) {
      encodedRun.lastIndex = 0;
      for (let match = encodedRun.exec(part); match !== null; match = encodedRun.exec(part)) {
        const kind = encodedKind(match[0]);
        if (kind !== undefined) {
          if (!strong.includes(kind)) strong.push(kind);
          break;
        }
      }
    }
    const query = `${url.search.slice(1)} ${url.hash.slice(1)}`;
    if (query.length >= 40 && entropy(query) >= 4.5) weak.push('high-entropy');
    const decoded = safeDecode(`${url.pathname} ${query}`.replace(/\+/g, ' '));
    const words = wordsOf(decoded);
    if (/%20|\+/.test(rest) && words.length >= 5) weak.push('encoded-prose');
    if (words.length > 0) {
      const sources = conversation();
      let overlap = false;
      for (const grams of sources) {
        for (let i = 0; i < words.length && !overlap; i++) {
          if (grams.tokens.has(words[i]!)) overlap = true;
          else if (
            i + config.overlapWords <= words.length &&
            grams.ngrams.has(words.slice(i, i + config.overlapWords).join(' '))
          )
            overlap = true;
        }
        if (overlap) break;
      }
      if (overlap) strong.push('conversation');
    }
    if (rest.length >= 12) {
      for (const payload of context.normalized.encodedPayloads) {
        if (
          payload.span.start >= candidate.targetStart &&
          payload.span.end <= candidate.targetEnd &&
          payload.text.length >= 8
        ) {
          strong.push(`decoded-${payload.kind}`);
          break;
        }
      }
    }
    return { strong, weak };
  };

  const encodedKind = (run: string): string | undefined => {
    for (const segment of run.split('/')) {
      if (segment.length >= config.minEncodedLength && /^[0-9a-fA-F]+$/.test(segment))
        return /\d/.test(segment) && /[a-fA-F]/.test(segment) ? 'hex' : undefined;
    }
    const parts = run.split(/[-_/.=+]/).filter((part) => part.length > 0);
    if (parts.every((part) => SLUG_PART.test(part))) return undefined;
    const upper = /[A-Z]/.test(run);
    const lower = /[a-z]/.test(run);
    const digit = /\d/.test(run);
    if (upper && lower && digit) return 'base64';
    if ((upper ? 1 : 0) + (lower ? 1 : 0) + (digit ? 1 : 0) >= 2 && entropy(run) >= 4) return 'base64';
    return undefined;
  };

  const detect = (text: string, context: DetectContext): readonly FindingInput[] => {
    if (typeof text !== 'string' || text.length < 4 || !PREFILTER.test(text)) return [];
    const candidates: Candidate[] = [];
    const cap = config.maxFindings * 16;
    collectConstructs(text, candidates, cap);
    const constructs = candidates.slice().sort((a, b) => a.start - b.start);
    collectBare(text, constructs, candidates, cap);
    const code = config.scanCode ? [] : findCodeRegions(text);

    const findings: FindingInput[] = [];
    const seenTargets = new Set<number>();
    let conversation: Grams[] | undefined;
    const lazyConversation = () => {
      conversation ??= conversationOf(context);
      return conversation;
    };
    candidates.sort((a, b) => a.start - b.start);
    for (const candidate of candidates) {
      if (findings.length >= config.maxFindings) break;
      if (seenTargets.has(candidate.targetStart)) continue;
      seenTargets.add(candidate.targetStart);
      if (code.length > 0 && insideRegions(code, candidate.start)) continue;
      const finding = judge(text, candidate, context, lazyConversation);
      if (finding !== undefined) findings.push(finding);
    }
    return findings;
  };

  const judge = (
    text: string,
    candidate: Candidate,
    context: DetectContext,
    conversation: () => Grams[],
  ): FindingInput | undefined => {
    const raw = text.slice(candidate.targetStart, candidate.targetEnd);
    const scheme = SCHEME.exec(raw)?.[1]?.toLowerCase();
    if (scheme === 'data') return judgeDataUri(raw, candidate);
    let value = raw;
    if (scheme === undefined) {
      if (raw.startsWith('//') || raw.startsWith('\\\\') || raw.startsWith('/\\') || raw.startsWith('\\/'))
        value = `https:${raw}`;
      else if (candidate.element === 'bare' && raw.toLowerCase().startsWith('www.')) value = `https://${raw}`;
      else return undefined;
    } else if (!FETCHED_SCHEMES.has(scheme)) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return undefined;
    }
    const host = url.hostname.replace(/\.+$/, '');
    if (host.length === 0 || isAllowed(host)) return undefined;
    // Cut off at the end of the text (a stream still growing): judge once the host is complete.
    if (candidate.targetEnd >= text.length && !/^[^/?#]{0,20}[\\/]{1,2}[^/?#\\]{1,2000}[/?#\\]/.test(value)) {
      if (couldBecomeAllowed(host)) return undefined;
    }
    const hostKind = IPV4.test(host) ? 'ipv4' : host.startsWith('[') ? 'ipv6' : 'name';
    const idn = host.includes('xn--');
    const { strong, weak } = evidenceOf(url, candidate, context, conversation);
    const fetched = candidate.element === 'image' || candidate.element === 'resource';
    let category: string;
    let score: number;
    let severity: Severity;
    let message: string;
    if (strong.length > 0 || weak.length > 0) {
      category = 'data-in-url';
      const sure = strong.length > 0;
      score = fetched ? (sure ? 0.97 : 0.95) : candidate.element === 'link' ? (sure ? 0.9 : 0.75) : sure ? 0.8 : 0.6;
      severity = fetched && sure ? 'critical' : sure || fetched ? 'high' : 'medium';
      message = `${candidate.construct} to a host outside the allow list carries data in its URL (${[...strong, ...weak].join(', ')})`;
    } else if (fetched) {
      category = 'exfiltration-image';
      score = 0.9;
      severity = 'high';
      message = `${candidate.construct} fetched automatically from a host outside the allow list`;
    } else if (candidate.element === 'link') {
      category = 'exfiltration-link';
      score = 0.65;
      severity = 'medium';
      message = `${candidate.construct} to a host outside the allow list`;
    } else {
      category = 'disallowed-domain';
      score = 0.4;
      severity = 'low';
      message = 'URL to a host outside the allow list';
    }
    if (hostKind !== 'name') score += 0.05;
    if (idn) score += 0.03;
    return {
      category,
      score: Math.min(0.99, Math.round(score * 100) / 100),
      severity,
      message,
      span: { start: candidate.start, end: candidate.end },
      replacement: candidate.replacement,
      data: {
        element: candidate.element,
        construct: candidate.construct,
        hostKind,
        ...(idn ? { idn: true } : {}),
        ...(strong.length + weak.length > 0 ? { evidence: [...strong, ...weak] } : {}),
      },
    };
  };

  const judgeDataUri = (raw: string, candidate: Candidate): FindingInput | undefined => {
    const mime = /^data:([^;,]{0,100})/i.exec(raw)?.[1]?.trim().toLowerCase() ?? '';
    const executable = EXECUTABLE_MIME.test(mime);
    if (!executable && candidate.element === 'image' && config.allowDataImages) return undefined;
    if (!executable && candidate.element === 'bare') return undefined;
    const fetched = candidate.element !== 'bare';
    const score = executable ? (fetched ? 0.85 : 0.5) : 0.3;
    return {
      category: 'data-uri',
      score,
      severity: executable ? (fetched ? 'high' : 'medium') : 'low',
      message: `data: URI (${executable ? 'executable' : 'inline'} type ${mime.length > 0 && mime.length <= 60 && /^[a-z0-9.+/-]+$/.test(mime) ? mime : 'unknown'}) in ${candidate.construct}`,
      span: { start: candidate.start, end: candidate.end },
      replacement: candidate.replacement,
      data: { element: candidate.element, construct: candidate.construct, executable },
    };
  };

  return {
    id: config.id,
    stages: config.stages,
    rules: [
      { category: 'data-in-url', minScore: 0.8, action: 'block' },
      { category: 'data-in-url', minScore: 0.5, action: 'redact' },
      { category: 'exfiltration-image', minScore: 0.5, action: 'redact' },
      { category: 'exfiltration-link', minScore: 0.5, action: 'redact' },
      { category: 'disallowed-domain', minScore: 0.3, action: 'flag' },
      { category: 'data-uri', minScore: 0.8, action: 'redact' },
      { category: 'data-uri', minScore: 0.3, action: 'flag' },
    ],
    detect,
  };
}

/** The first `char` at or after `from`, looking at most `reach` characters ahead and not past a newline; -1 if none. */
function findOnLine(text: string, char: number, from: number, reach: number): number {
  const limit = Math.min(text.length, from + reach);
  for (let i = from; i < limit; i++) {
    const code = text.charCodeAt(i);
    if (code === char) return i;
    if (code === 0x0a) return -1;
  }
  return -1;
}

function collectConstructs(text: string, out: Candidate[], cap: number): void {
  if (text.includes('](')) {
    MARKDOWN_INLINE.lastIndex = 0;
    for (
      let match = MARKDOWN_INLINE.exec(text);
      match !== null && out.length < cap;
      match = MARKDOWN_INLINE.exec(text)
    ) {
      const image = match[1] === '!';
      const target = match[3]!;
      const targetEnd = match.index + match[0].length;
      const targetStart = targetEnd - target.length;
      // The link ends at its closing parenthesis (after an optional title), on the same line.
      const close = findOnLine(text, 0x29, targetEnd, 300);
      const end = close >= 0 ? close + 1 : targetEnd;
      out.push({
        start: match.index,
        end,
        targetStart,
        targetEnd,
        element: image ? 'image' : 'link',
        construct: image ? 'markdown image' : 'markdown link',
        replacement: image ? '' : match[2]!,
      });
    }
  }
  if (text.includes(']:')) {
    let images: Set<string> | undefined;
    MARKDOWN_REFERENCE.lastIndex = 0;
    for (
      let match = MARKDOWN_REFERENCE.exec(text);
      match !== null && out.length < cap;
      match = MARKDOWN_REFERENCE.exec(text)
    ) {
      if (images === undefined) {
        images = new Set();
        MARKDOWN_IMAGE_USE.lastIndex = 0;
        for (let use = MARKDOWN_IMAGE_USE.exec(text); use !== null; use = MARKDOWN_IMAGE_USE.exec(text)) {
          images.add(((use[2] !== undefined && use[2].length > 0 ? use[2] : use[1]) ?? '').trim().toLowerCase());
        }
      }
      const image = images.has(match[1]!.trim().toLowerCase());
      const target = match[2]!;
      const targetEnd = match.index + match[0].length;
      let end = targetEnd;
      while (end < text.length && end - targetEnd < 300 && text.charCodeAt(end) !== 0x0a) end++;
      out.push({
        start: match.index,
        end,
        targetStart: targetEnd - target.length,
        targetEnd,
        element: image ? 'image' : 'link',
        construct: image ? 'markdown image reference' : 'markdown link reference',
        replacement: '',
      });
    }
  }
  if (text.includes('<')) {
    HTML_TAG.lastIndex = 0;
    for (let match = HTML_TAG.exec(text); match !== null && out.length < cap; match = HTML_TAG.exec(text)) {
      const tag = match[1]!.toLowerCase();
      const attributes = match[2]!;
      const attributesStart = match.index + 1 + match[1]!.length;
      const element = HTML_ELEMENT[tag] ?? 'resource';
      HTML_ATTRIBUTE.lastIndex = 0;
      for (
        let attribute = HTML_ATTRIBUTE.exec(attributes);
        attribute !== null;
        attribute = HTML_ATTRIBUTE.exec(attributes)
      ) {
        let value = attribute[2] ?? attribute[3] ?? attribute[4] ?? '';
        const valueEnd = attributesStart + attribute.index + attribute[0].length - (attribute[4] === undefined ? 1 : 0);
        let valueStart = valueEnd - value.length;
        const name = attribute[1]!.toLowerCase();
        if (name === 'content') {
          // <meta http-equiv="refresh" content="0;url=…">
          const at = value.toLowerCase().indexOf('url=');
          if (at < 0) continue;
          valueStart += at + 4;
          value = value.slice(at + 4);
        } else if (name === 'srcset') {
          // The first candidate of a srcset: "a.png 1x, b.png 2x".
          const first = /^\s{0,10}([^\s,]{1,4096})/.exec(value);
          if (first === null) continue;
          valueStart += first[0].length - first[1]!.length;
          value = first[1]!;
        }
        const trimmed = value.trimStart();
        valueStart += value.length - trimmed.length;
        if (trimmed.length === 0) continue;
        out.push({
          start: match.index,
          end: match.index + match[0].length,
          targetStart: valueStart,
          targetEnd: valueStart + trimmed.trimEnd().length,
          element,
          construct: `HTML <${tag}> ${name}`,
          replacement: '',
        });
      }
    }
  }
  if (text.includes('url(') || /url\(/i.test(text)) {
    CSS_URL.lastIndex = 0;
    for (let match = CSS_URL.exec(text); match !== null && out.length < cap; match = CSS_URL.exec(text)) {
      const targetEnd = match.index + match[0].length;
      const close = findOnLine(text, 0x29, targetEnd, 5);
      out.push({
        start: match.index,
        end: close >= 0 ? close + 1 : targetEnd,
        targetStart: targetEnd - match[1]!.length,
        targetEnd,
        element: 'resource',
        construct: 'CSS url()',
        replacement: 'url()',
      });
    }
  }
}

/** True when `index` falls inside one of the (start-sorted) construct spans. */
function insideConstruct(constructs: readonly Candidate[], index: number): boolean {
  let low = 0;
  let high = constructs.length - 1;
  let best = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (constructs[middle]!.start <= index) {
      best = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  // Spans may nest (an image inside a link): look back over a few neighbours.
  for (let i = best; i >= 0 && i > best - 8; i--) if (constructs[i]!.end > index) return true;
  return false;
}

/** Trailing characters that end a sentence or emphasis rather than the URL. */
function trimUrl(url: string): string {
  let end = url.length;
  while (end > 0) {
    const char = url[end - 1]!;
    if ('.,;:!?*_~\'"'.includes(char)) {
      end--;
      continue;
    }
    const open = char === ')' ? '(' : char === ']' ? '[' : char === '}' ? '{' : '';
    if (open !== '') {
      const body = url.slice(0, end);
      if (body.split(open).length < body.split(char).length) {
        end--;
        continue;
      }
    }
    break;
  }
  return url.slice(0, end);
}

function collectBare(text: string, constructs: readonly Candidate[], out: Candidate[], cap: number): void {
  BARE_URL.lastIndex = 0;
  for (let match = BARE_URL.exec(text); match !== null && out.length < cap; match = BARE_URL.exec(text)) {
    if (insideConstruct(constructs, match.index)) continue;
    const url = trimUrl(match[0]);
    if (url.length < 8) continue;
    out.push({
      start: match.index,
      end: match.index + url.length,
      targetStart: match.index,
      targetEnd: match.index + url.length,
      element: 'bare',
      construct: 'URL',
      replacement: '[link removed]',
    });
  }
  if (!/data:/i.test(text)) return;
  BARE_DATA_URI.lastIndex = 0;
  for (let match = BARE_DATA_URI.exec(text); match !== null && out.length < cap; match = BARE_DATA_URI.exec(text)) {
    if (insideConstruct(constructs, match.index)) continue;
    let end = match.index + match[0].length;
    while (end < text.length && end - match.index < 65_536 && !URI_END.has(text.charCodeAt(end))) end++;
    BARE_DATA_URI.lastIndex = end;
    out.push({
      start: match.index,
      end,
      targetStart: match.index,
      targetEnd: end,
      element: 'bare',
      construct: 'text',
      replacement: '[data URI removed]',
    });
  }
}

export const exfiltrationEntry: DetectorFactory = {
  id: 'exfiltration',
  stages: ['output', 'tool_output'],
  description:
    'Markdown images, links, HTML and CSS URLs, bare URLs and data: URIs pointing outside the allowed domains, and URLs that carry data; options: allowDomains',
  create: (options) => exfiltration((options ?? {}) as never),
};
