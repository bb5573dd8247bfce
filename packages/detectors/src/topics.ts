import {
  ConfigError,
  type DetectContext,
  type Detector,
  type DetectorFactory,
  escapeLiteral,
  type FindingInput,
  parseConfig,
  STAGES,
  type Stage,
  wordListSource,
} from '@parapet/core';
import { z } from 'zod';

/**
 * Topic scope without a model: each topic is a few keywords (its name counts as one) and a few example
 * sentences; a text is compared with them over hashed word unigrams and bigrams of lemmas and character
 * trigrams of words (so a typo still overlaps). Lemmas come from a cheap English stemmer on the whole text
 * and, when the cheap pass cannot decide, from compromise on the first `maxLemmaChars` characters
 * (compromise tags about 0.05 MB/s, so it never sees more). Long texts are scored in windows and the best
 * window counts, so one paragraph on a banned topic inside a long document is still found.
 */

// --- lemmas --------------------------------------------------------------------------------------------

type Compromise = (text: string) => { compute(method: string): unknown; text(format: string): string };

let compromise: Compromise | undefined;
let loading: Promise<Compromise> | undefined;

/**
 * Loads the lemmatizer topics() uses (compromise, about 0.5 s, once per process). Await it at startup so
 * the first checks already score with lemmas; otherwise they use a light stemmer until it has loaded.
 */
export async function preloadTopics(): Promise<void> {
  await loadCompromise();
}

/** Loads compromise (about 0.5 s, once per process). */
function loadCompromise(): Promise<Compromise> {
  if (compromise !== undefined) return Promise.resolve(compromise);
  loading ??= import('compromise').then((module) => {
    compromise = module.default as unknown as Compromise;
    return compromise;
  });
  return loading;
}

/** compromise's root forms ("was billed" → "is bill", "children" → "child"), as one lower-case string. */
function roots(text: string): string {
  const nlp = compromise!;
  const doc = nlp(text);
  doc.compute('root');
  return doc.text('root').toLowerCase();
}

const DOUBLE_KEEP = new Set(['l', 's', 'z']);

/** A light English stemmer applied after lemmas, so regular inflections meet without compromise. */
function stem(word: string): string {
  let w = word;
  if (w.endsWith("'s") || w.endsWith('’s')) w = w.slice(0, -2);
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3);
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2);
  else if (w.endsWith('es') && w.length > 4) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && w.length > 3) w = w.slice(0, -1);
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  const last = w[w.length - 1]!;
  if (w.length > 3 && last === w[w.length - 2] && !DOUBLE_KEEP.has(last)) w = w.slice(0, -1);
  return w;
}

const STOPWORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both
  but by can could did do does doing down during each few for from further had has have having he her here hers
  herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on
  once only or other our ours ourselves out over own same she should so some such than that the their theirs them
  themselves then there these they this those through to too under until up very was we were what when where
  which while who whom why will with would you your yours yourself yourselves i'm i've i'd i'll you're it's don't
  can't won't isn't aren't wasn't didn't doesn't let's that's what's there's im ive dont cant wont isnt didnt
  doesnt also get got go going want wanted like would could may might must shall please tell give know make let
  us one thing things something anything someone really much many even still well way`.split(/\s+/),
);

// Frequent content words that say little about a topic: they count, but at GENERIC_WEIGHT.
const GENERIC = new Set(
  `think thought better best good great true really new first last way people person time day year lot kind
  sort say see use find take come look seem feel try need become keep put mean help show happen wonder idea
  question ask answer know sure right wrong different important possible able anyone everyone everything nothing
  ever never always often sometimes current currently today nowadays every several example stuff part place point
  fact case reason probably maybe exactly actually basically simple simply easy hard big small little long short
  high low old young bad whole exist real work start end number name main top learn talk bit lot kid man woman`
    .split(/\s+/)
    .map((word) => stem(word)),
);
const GENERIC_WEIGHT = 0.35;

const SMALL_TALK = new Set(
  `hi hello hey hiya howdy yo hola bonjour greetings thanks thank thx ty cheers ok okay k kk sure yes yeah yep yup
  no nope nah bye goodbye cya good morning afternoon evening night day great cool nice awesome perfect fine alright
  please help sorry lol haha wow oh ah hmm welcome appreciate appreciated much lot bot assistant there again
  everyone all right got understood`.split(/\s+/),
);

// A word: a letter or digit, then letters, digits, marks and inner apostrophes. One greedy run: linear.
const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}'’]*/gu;

interface Token {
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

function tokenize(text: string, limit: number): Token[] {
  const out: Token[] = [];
  WORD.lastIndex = 0;
  for (let match = WORD.exec(text); match !== null; match = WORD.exec(text)) {
    if (match.index >= limit) break;
    const word = match[0];
    out.push({ word: word.length > 40 ? word.slice(0, 40) : word, start: match.index, end: match.index + word.length });
  }
  return out;
}

/** Content lemmas of a list of lower-case words: stopwords dropped, stemmed. */
function lemmasOf(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of words) {
    const word = raw.replace(/’/g, "'");
    if (STOPWORDS.has(word)) continue;
    const lemma = stem(word);
    if (lemma.length === 0 || STOPWORDS.has(lemma)) continue;
    out.push(lemma);
  }
  return out;
}

function wordsOf(text: string): string[] {
  return tokenize(text.toLowerCase(), Number.POSITIVE_INFINITY).map((token) => token.word);
}

// --- vectors -------------------------------------------------------------------------------------------

/** FNV-1a, 32 bits: features are hashed, so a vector's memory is bounded by its number of features. */
function hash(text: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const UNIGRAM = 1;
const BIGRAM = 2;
const TRIGRAM = 3;
const TRIGRAM_WEIGHT = 0.3;

interface Vector {
  readonly weights: Map<number, number>;
  readonly norm: number;
  readonly unigrams: ReadonlySet<number>;
  readonly bigrams: ReadonlySet<number>;
}

function add(map: Map<number, number>, key: number, weight: number): void {
  map.set(key, (map.get(key) ?? 0) + weight);
}

/** Unigrams and bigrams of lemmas, trigrams of the (unstemmed) words. */
function vectorize(lemmas: readonly string[], words: readonly string[]): Vector {
  const weights = new Map<number, number>();
  const unigrams = new Set<number>();
  const bigrams = new Set<number>();
  for (let i = 0; i < lemmas.length; i++) {
    const unigram = hash(lemmas[i]!, UNIGRAM);
    unigrams.add(unigram);
    add(weights, unigram, GENERIC.has(lemmas[i]!) ? GENERIC_WEIGHT : 1);
    if (i + 1 < lemmas.length) {
      const bigram = hash(`${lemmas[i]} ${lemmas[i + 1]}`, BIGRAM);
      bigrams.add(bigram);
      add(weights, bigram, 1);
    }
  }
  for (const word of words) {
    if (STOPWORDS.has(word) || word.length < 3) continue;
    const weight = GENERIC.has(stem(word)) ? TRIGRAM_WEIGHT * GENERIC_WEIGHT : TRIGRAM_WEIGHT;
    const padded = `^${word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(weights, hash(padded.slice(i, i + 3), TRIGRAM), weight);
  }
  let squares = 0;
  for (const value of weights.values()) squares += value * value;
  return { weights, norm: Math.sqrt(squares), unigrams, bigrams };
}

function cosine(a: Vector, b: Vector): number {
  if (a.norm === 0 || b.norm === 0) return 0;
  const [small, large] = a.weights.size <= b.weights.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [key, value] of small.weights) {
    const other = large.weights.get(key);
    if (other !== undefined) dot += value * other;
  }
  return dot / (a.norm * b.norm);
}

interface Keyword {
  /** Hash of the lemma (one word) or of each lemma bigram (several words). */
  readonly unigram?: number;
  readonly bigrams?: readonly number[];
}

function compileKeyword(lemmas: readonly string[]): Keyword | undefined {
  if (lemmas.length === 0) return undefined;
  if (lemmas.length === 1) return { unigram: hash(lemmas[0]!, UNIGRAM) };
  const bigrams: number[] = [];
  for (let i = 0; i + 1 < lemmas.length; i++) bigrams.push(hash(`${lemmas[i]} ${lemmas[i + 1]}`, BIGRAM));
  return { bigrams };
}

function keywordHit(keyword: Keyword, text: Vector): boolean {
  if (keyword.unigram !== undefined) return text.unigrams.has(keyword.unigram);
  return keyword.bigrams!.every((bigram) => text.bigrams.has(bigram));
}

const NEAR_MISS = 0.3;

// One keyword is good evidence, two are strong, three settle it.
const KEYWORD_SCORES = [0, 0.6, 0.8, 0.9];

interface Topic {
  readonly name: string;
  readonly kind: 'allowed' | 'banned';
  readonly keywords: readonly Keyword[];
  readonly examples: readonly Vector[];
}

function topicScore(topic: Topic, text: Vector): number {
  let hits = 0;
  for (const keyword of topic.keywords) if (keywordHit(keyword, text)) hits++;
  let best = KEYWORD_SCORES[Math.min(hits, 3)]!;
  for (const example of topic.examples) best = Math.max(best, cosine(text, example));
  return best;
}

// --- options -------------------------------------------------------------------------------------------

const topicName = z.string().trim().min(1, 'must be a non-empty topic name').max(100, 'must be at most 100 characters');
const phraseList = z.array(z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters'));

const optionsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "topics"')
      .default('topics'),
    stages: z
      .array(z.enum(STAGES as [Stage, ...Stage[]]))
      .min(1, 'must name at least one stage')
      .default(['input']),
    /** The scope: texts matching none of these topics are `off-topic`. */
    allowed: z.array(topicName).optional(),
    /** Topics that are never discussed: matching texts are `banned-topic`. */
    banned: z.array(topicName).optional(),
    /** A few sentences per topic (allowed or banned), e.g. `{ billing: ['Why was I charged twice?'] }`. */
    examples: z.record(topicName, phraseList).default({}),
    /** Words or phrases per topic; the topic's name is one of them. Matched on lemmas, whole words. */
    keywords: z.record(topicName, phraseList).default({}),
    /** Names of competitors, reported wherever they occur (whole words, case-insensitive). */
    competitors: z.array(z.string().trim().min(1, 'must not be empty').max(200)).default([]),
    /** A topic matches when its score (keywords, or cosine similarity with an example) reaches this. */
    threshold: z.number().min(0.05).max(1).default(0.3),
    /** Greetings, thanks and other short small talk ("hi", "thanks a lot") are never off-topic. */
    allowSmallTalk: z.boolean().default(true),
    /** Extra small-talk words (lower case). */
    smallTalk: z.array(z.string().min(1)).default([]),
    /** Characters examined at most (the start of the text). */
    maxChars: z.number().int().min(100).max(10_000_000).default(100_000),
    /** Characters given to compromise for lemmas at most (it tags about 0.05 MB/s: 2 KB ≈ 40 ms). */
    maxLemmaChars: z.number().int().min(0).max(100_000).default(2048),
    /**
     * Hold the first checks until the lemmatizer has loaded (deterministic from the first request, but a
     * cold start can take longer than a detector timeout). Default false: use the stemmer meanwhile.
     */
    waitForLemmas: z.boolean().default(false),
    /** Texts are scored in windows of about this many characters, overlapping by half; the best window counts. */
    windowChars: z.number().int().min(100).max(100_000).default(400),
    /** Competitor mentions reported at most. */
    maxFindings: z.number().int().min(1).max(10_000).default(100),
  })
  .strict();

export type TopicsOptions = z.input<typeof optionsSchema>;

/** Whether the gap between two words holds a sentence end (. ! ? ; a line break, or their CJK forms). */
function sentenceEnds(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (
      code === 46 ||
      code === 33 ||
      code === 63 ||
      code === 10 ||
      code === 59 ||
      code === 0x3002 ||
      code === 0xff01 ||
      code === 0xff1f
    )
      return true;
  }
  return false;
}

interface Window {
  readonly start: number;
  readonly end: number;
  readonly vector: Vector;
  readonly words: readonly string[];
}

interface Scores {
  readonly banned: { topic: string; score: number } | undefined;
  readonly allowed: { topic: string; score: number } | undefined;
}

/**
 * Keeps a conversation on its subject: `banned-topic` when a text is about a banned topic, `off-topic`
 * when `allowed` is given and no allowed topic reaches the threshold (greetings and short small talk
 * excepted), `competitor` for each mention of a competitor's name (with its span).
 *
 * @example
 * topics({
 *   allowed: ['billing', 'appointments'],
 *   examples: { billing: ['Why was I charged twice?'], appointments: ['Can I move my visit to Friday?'] },
 *   banned: ['politics'],
 *   competitors: ['Acme Health'],
 * });
 */
export function topics(options: TopicsOptions): Detector {
  const config = parseConfig(optionsSchema, options, 'topics() options');
  const allowedNames = config.allowed ?? [];
  const bannedNames = config.banned ?? [];
  const kinds = new Map<string, 'allowed' | 'banned'>();
  for (const name of allowedNames) kinds.set(name, 'allowed');
  for (const name of bannedNames) {
    if (kinds.get(name) === 'allowed') {
      throw new ConfigError({
        message: `topics() options: topic "${name}" is both allowed and banned. Remove it from one of the lists.`,
        issues: [{ path: 'banned', message: 'topic also in allowed' }],
      });
    }
    kinds.set(name, 'banned');
  }
  for (const field of ['examples', 'keywords'] as const) {
    for (const name of Object.keys(config[field])) {
      if (!kinds.has(name)) {
        throw new ConfigError({
          message: `topics() options: ${field} names topic "${name}", which is in neither allowed nor banned. Add it to allowed or banned, or remove its ${field}.`,
          issues: [{ path: `${field}.${name}`, message: 'topic not in allowed or banned' }],
        });
      }
    }
  }
  if (kinds.size === 0 && config.competitors.length === 0) {
    throw new ConfigError({
      message: 'topics() options: give allowed topics, banned topics or competitors (e.g. { banned: ["politics"] }).',
      issues: [{ path: '(root)', message: 'nothing to detect' }],
    });
  }
  const smallTalk = new Set([...SMALL_TALK, ...config.smallTalk.map((word) => word.toLowerCase())]);

  // Topics are compiled twice: with the stemmer alone now, and with compromise's lemmas once it has
  // loaded (started here, so the first check rarely waits for it).
  const compile = (lemmatize: (text: string) => string): Topic[] =>
    [...kinds].map(([name, kind]) => {
      const keywordTexts = [name.replace(/[-_]+/g, ' '), ...(config.keywords[name] ?? [])];
      const keywords: Keyword[] = [];
      for (const text of keywordTexts) {
        const keyword = compileKeyword(lemmasOf(wordsOf(lemmatize(text))));
        if (keyword !== undefined) keywords.push(keyword);
      }
      const examples = (config.examples[name] ?? []).map((text) =>
        vectorize(lemmasOf(wordsOf(lemmatize(text))), wordsOf(text)),
      );
      return { name, kind, keywords, examples };
    });
  const cheapTopics = compile((text) => text);
  let lemmaTopics: Topic[] | undefined;
  const ready: Promise<Topic[]> | undefined =
    kinds.size === 0 || config.maxLemmaChars === 0
      ? undefined
      : loadCompromise().then(() => {
          lemmaTopics = compile(roots);
          return lemmaTopics;
        });
  // Unhandled rejections must not escape before the first check; the check reports the failure.
  ready?.catch(() => undefined);
  const waitForLemmas = config.waitForLemmas;

  // Names are matched in the normalized text (NFKC), so they are put in NFKC too; whole words, except names
  // in Thai, Chinese, Japanese or Korean (see wordListSource); any spacing between a name's words.
  const competitorPattern =
    config.competitors.length === 0
      ? undefined
      : new RegExp(
          wordListSource(
            config.competitors.map((name) => name.normalize('NFKC')),
            {
              before: '(?<![\\p{L}\\p{N}_])',
              after: '(?![\\p{L}\\p{N}_])',
              literal: (name) => escapeLiteral(name).replace(/\s+/g, '\\s+'),
            },
          ),
          'giu',
        );
  const competitorNames = new Map(
    config.competitors.map((name) => [name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' '), name]),
  );

  const windowOf = (tokens: readonly Token[], first: number, last: number): Window => {
    const words = tokens.slice(first, last + 1).map((token) => token.word.toLowerCase());
    return { start: tokens[first]!.start, end: tokens[last]!.end, words, vector: vectorize(lemmasOf(words), words) };
  };

  /**
   * The windows a text is scored in: each sentence (long ones cut into windows of `windowChars` that
   * overlap by half), and the whole text when it is short and has several sentences. A sentence on a
   * banned topic is not diluted by the paragraphs around it.
   */
  const windowsOf = (text: string): Window[] => {
    const tokens = tokenize(text, config.maxChars);
    const windows: Window[] = [];
    if (tokens.length === 0) return windows;
    const stride = config.windowChars / 2;
    let sentenceStart = 0;
    for (let index = 0; index < tokens.length; index++) {
      const next = tokens[index + 1];
      if (next !== undefined && !sentenceEnds(text, tokens[index]!.end, next.start)) continue;
      // tokens[sentenceStart..index] is one sentence.
      let first = sentenceStart;
      let last = first;
      while (first <= index) {
        const start = tokens[first]!.start;
        if (last < first) last = first;
        while (last + 1 <= index && tokens[last + 1]!.end - start <= config.windowChars) last++;
        windows.push(windowOf(tokens, first, last));
        if (last >= index) break;
        let step = first + 1;
        while (step <= last && tokens[step]!.start - start < stride) step++;
        first = step;
      }
      sentenceStart = index + 1;
    }
    if (windows.length > 1 && tokens.at(-1)!.end - tokens[0]!.start <= config.windowChars) {
      windows.push(windowOf(tokens, 0, tokens.length - 1));
    }
    return windows;
  };

  const score = (topicList: readonly Topic[], windows: readonly Window[]): Scores => {
    let banned: { topic: string; score: number } | undefined;
    let allowed: { topic: string; score: number } | undefined;
    for (const window of windows) {
      for (const topic of topicList) {
        const value = topicScore(topic, window.vector);
        if (topic.kind === 'banned') {
          if (banned === undefined || value > banned.score) banned = { topic: topic.name, score: value };
        } else if (allowed === undefined || value > allowed.score) allowed = { topic: topic.name, score: value };
      }
    }
    return { banned, allowed };
  };

  // Lemmas can only move a score that is already near the threshold (or add a keyword written in an
  // irregular form next to other evidence): below NEAR_MISS × threshold, or at or above it, compromise is skipped.
  const nearMiss = config.threshold * NEAR_MISS;
  const open = (best: { score: number } | undefined): boolean =>
    best !== undefined && best.score >= nearMiss && best.score < config.threshold;
  const undecided = (scores: Scores): boolean =>
    (bannedNames.length > 0 && open(scores.banned)) || (allowedNames.length > 0 && open(scores.allowed));

  const isSmallTalk = (windows: readonly Window[]): boolean => {
    if (!config.allowSmallTalk || windows.length !== 1) return false;
    const words = windows[0]!.words;
    if (words.length > 8) return false;
    return words.every((word) => smallTalk.has(word) || STOPWORDS.has(word));
  };

  const judge = (text: string, windows: Window[], topicList: readonly Topic[]): FindingInput[] => {
    const findings: FindingInput[] = [];
    if (kinds.size === 0 || windows.length === 0) return findings;
    let scores = score(topicList, windows);
    // The cheap pass decides when it already found what lemmas could only confirm; otherwise the windows
    // within the first maxLemmaChars are lemmatized by compromise and scored again.
    if (lemmaTopics !== undefined && undecided(scores) && !isSmallTalk(windows)) {
      // compromise sees at most maxLemmaChars characters per check, over all windows together.
      let budget = config.maxLemmaChars;
      const lemmaWindows = windows.map((window) => {
        const length = window.end - window.start;
        if (length > budget) return window;
        budget -= length;
        const words = window.words;
        const lemmaWords = wordsOf(roots(text.slice(window.start, window.end)));
        return { ...window, vector: vectorize(lemmasOf(lemmaWords), words) };
      });
      const lemmaScores = score(lemmaTopics, lemmaWindows);
      scores = {
        banned:
          scores.banned === undefined ||
          (lemmaScores.banned !== undefined && lemmaScores.banned.score > scores.banned.score)
            ? lemmaScores.banned
            : scores.banned,
        allowed:
          scores.allowed === undefined ||
          (lemmaScores.allowed !== undefined && lemmaScores.allowed.score > scores.allowed.score)
            ? lemmaScores.allowed
            : scores.allowed,
      };
    }
    if (scores.banned !== undefined && scores.banned.score >= config.threshold) {
      const value = round(Math.min(1, scores.banned.score));
      findings.push({
        category: 'banned-topic',
        score: value,
        severity: 'high',
        message: `text is about a banned topic: ${scores.banned.topic}`,
        data: { topic: scores.banned.topic, score: value },
      });
    }
    if (allowedNames.length > 0 && !(scores.allowed !== undefined && scores.allowed.score >= config.threshold)) {
      if (!isSmallTalk(windows)) {
        const best = scores.allowed?.score ?? 0;
        const value = round(Math.max(0, Math.min(1, 1 - best)));
        findings.push({
          category: 'off-topic',
          score: value,
          severity: 'medium',
          message: `text is outside the allowed topics (${allowedNames.join(', ')})`,
          data: { closestTopic: scores.allowed?.topic, similarity: round(best), allowed: allowedNames },
        });
      }
    }
    return findings;
  };

  const competitorsIn = (context: DetectContext, findings: FindingInput[]): void => {
    if (competitorPattern === undefined) return;
    const view = context.normalized;
    competitorPattern.lastIndex = 0;
    let count = 0;
    for (let match = competitorPattern.exec(view.text); match !== null; match = competitorPattern.exec(view.text)) {
      const name = competitorNames.get(match[0].toLowerCase().replace(/\s+/g, ' ')) ?? 'competitor';
      findings.push({
        category: 'competitor',
        score: 0.9,
        severity: 'low',
        message: `mentions a competitor: ${name}`,
        span: view.toOriginal(match.index, match.index + match[0].length),
        data: { competitor: name },
      });
      if (++count >= config.maxFindings) break;
    }
  };

  const finish = (context: DetectContext): FindingInput[] => {
    const text = context.normalized.text;
    const windows = kinds.size === 0 ? [] : windowsOf(text);
    const findings = judge(text, windows, lemmaTopics ?? cheapTopics);
    competitorsIn(context, findings);
    return findings;
  };

  const offTopicFloor = Math.min(0.5, 1 - config.threshold);
  return {
    id: config.id,
    stages: config.stages,
    rules: [
      { category: 'banned-topic', minScore: config.threshold, action: 'block' },
      { category: 'off-topic', minScore: offTopicFloor, action: 'block' },
      { category: 'competitor', minScore: 0.5, action: 'flag' },
    ],
    detect(_text, context) {
      // Until compromise has loaded (about 0.5 s, once per process, started by the factory), checks use the
      // stemmer's topic vectors instead of waiting: a first request is never held up by a lazy load. Await
      // `preloadTopics()` at startup for lemma-based scoring from the very first check.
      if (ready !== undefined && lemmaTopics === undefined && waitForLemmas) return ready.then(() => finish(context));
      return finish(context);
    },
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Registry entry: `topics` needs options (allowed or banned topics, or competitors). */
export const topicsEntry: DetectorFactory = {
  id: 'topics',
  stages: ['input', 'output'],
  description:
    'Topic scope: banned topics, an allowed scope (off-topic), competitor mentions; options: allowed, banned, examples, keywords, competitors',
  requiresOptions: true,
  create: (options) => {
    if (options === undefined) {
      throw new ConfigError({
        message:
          'Detector "topics" needs options: set policy.detectors.topics.options = { banned: ["politics"] } or { allowed: ["billing"], examples: { billing: ["…"] } }.',
      });
    }
    return topics(options as never);
  },
};
