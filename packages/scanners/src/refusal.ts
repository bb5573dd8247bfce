import {
  type DetectContext,
  type Detector,
  type DetectorFactory,
  escapeLiteral,
  type FindingInput,
  parseConfig,
} from '@parapet/core';
import { z } from 'zod';

/**
 * Tells that the model's answer is a refusal ("I'm sorry, but I can't help with that"). A refusal is said
 * at the start: only sentences that begin within the first `openingChars` characters are looked at, each
 * pattern is tried once, anchored at a sentence start, so "I can't wait to help!", "I cannot stress
 * enough…" and a long helpful answer that says "I can't" later are not refusals. Quoted refusals (inside
 * quotation marks or a `>` block quote) are not the model refusing.
 */

type RefusalLanguage = 'en' | 'fr' | 'de' | 'es';
const LANGUAGES: readonly RefusalLanguage[] = ['en', 'fr', 'de', 'es'];

// Verbs of help that follow "I can't …" in a refusal; "wait", "stress", "believe" are not among them.
const EN_VERBS =
  'help|assist|provide|comply|fulfil|fulfill|do|create|generate|write|give|share|support|engage|answer|discuss|continue|produce|complete|offer|participate|respond|accommodate|make|access|browse|process|perform|recommend|condone|encourage|promote|tell|reveal|disclose|verify|confirm|guarantee|endorse|facilitate|carry out|go along|agree';
const EN_INABILITY =
  "can't|can ?not|won't|will not|would not|wouldn't|shouldn't|should not|am unable|'m unable|am not able|'m not able|am not allowed|'m not allowed|am not permitted|'m not permitted|am not comfortable|'m not comfortable|won't be able|will not be able|am not going|'m not going|do not feel comfortable|don't feel comfortable";

// Every pattern is tried at one position (sticky), on a bounded opening: cost is constant per sentence.
// The only repetitions are bounded ({0,n}) over classes that exclude the character that follows them.
const PATTERNS: Record<RefusalLanguage, readonly string[]> = {
  en: [
    // optional apology / hedge, optional "As an AI …,", then "I can't help with that" and its kin
    `(?:(?:i'm |i am )?(?:so |very |really |truly )?(?:sorry|apologi[sz]e|i apologi[sz]e)[^.!?\\n]{0,60}?(?:, | but | - | – ))?(?:unfortunately,? |regrettably,? |however,? )?(?:as an ai(?: language model| model| assistant| chatbot)?[^.!?\\n,]{0,40},? )?(?:i|we) ?(?:${EN_INABILITY}|must decline|have to decline|must refuse|have to refuse|refuse|decline)(?: (?:${EN_VERBS})\\b| to (?:${EN_VERBS})\\b| with (?:that|this|your|the)\\b| that\\b| this\\b| such\\b| any\\b| your request\\b|[.!]|$)`,
    // "Sorry, that's not something I can help with"
    `(?:(?:i'm |i am )?(?:so |very |really )?sorry,? (?:but )?)?(?:that's|that is|this is|this isn't|that isn't) (?:not )?(?:something|a request|a topic|an area) (?:i|we) (?:can|am able to|'m able to|will|could) (?:help|assist|provide|discuss|do|answer|support|engage)`,
    // "As an AI, I don't have personal opinions / access to …"
    `as an ai(?: language model| model| assistant| chatbot)?[^.!?\\n,]{0,40},? i (?:don't|do not) have (?:personal|the ability|access|real-time|feelings|opinions)`,
    "i'm afraid (?:i|we) (?:can't|cannot|can not|won't|am unable|'m unable|am not able|'m not able)",
  ],
  fr: [
    `(?:(?:je suis )?(?:vraiment )?(?:désolée?|navrée?|pardon)[^.!?\\n]{0,40}?(?:, | mais ))?(?:malheureusement,? )?(?:en tant qu'(?:ia|intelligence artificielle|modèle de langage|assistant(?: virtuel)?)[^.!?\\n,]{0,30},? )?je (?:ne peux pas|ne pourrai pas|ne suis pas en mesure|ne suis pas autorisée?|refuse|dois refuser|ne vais pas pouvoir|ne peux malheureusement pas)(?: vous| t'| te| en| y| l'| les| la| le){0,2} ?(?:aider|assister|répondre|fournir|donner|créer|écrire|générer|faire|accéder|partager|traiter|satisfaire|accéder|de |d'|à |[.!,])`,
  ],
  de: [
    `(?:(?:es )?tut mir (?:sehr )?leid[^.!?\\n]{0,40}?(?:, | aber ))?(?:leider,? |entschuldigung,? )?(?:als (?:ki|künstliche intelligenz|sprachmodell|ki-assistent|ki-modell)[^.!?\\n,]{0,30},? )?(?:(?:ich kann|kann ich|ich darf|darf ich|ich werde|das kann ich|dabei kann ich|damit kann ich|hierbei kann ich)(?: [a-zäöüß]{1,20}){0,4} (?:nicht|keine|keinen|kein)(?: [a-zäöüß]{1,20}){0,3} (?:helfen|behilflich|weiterhelfen|erfüllen|beantworten|bereitstellen|erstellen|schreiben|tun|geben|liefern|unterstützen|nachkommen|machen|generieren|teilen)|ich bin (?:leider )?nicht in der lage|ich muss (?:das |diese anfrage )?ablehnen)`,
  ],
  es: [
    `(?:(?:lo )?(?:siento|lamento)(?: mucho)?[^.!?\\n]{0,40}?(?:, | pero ))?(?:lamentablemente,? |desafortunadamente,? |me temo que )?(?:como (?:una |un )?(?:ia|inteligencia artificial|modelo de lenguaje|asistente(?: virtual)?)[^.!?\\n,]{0,30},? )?(?:no puedo|no podré|no estoy en (?:condiciones|capacidad|posición)|no me es posible|no tengo permitido|debo rechazar|me niego)(?: a)? ?(?:ayudar|ayudarte|ayudarle|asistir|asistirte|proporcionar|proporcionarte|dar|darte|crear|escribir|generar|hacer|responder|cumplir|compartir|brindar|brindarte|de |con |[.!,]|$)`,
  ],
};

// Checks before a refusal is counted: "I can't help but notice" and "I can't help thinking" are not refusals.
const NOT_REFUSAL_AFTER =
  /^(?: but| thinking| feeling| wondering| noticing| it| myself| laughing| smiling| you how| how)\b/;
// "I can't recommend it enough", "I cannot thank you enough": praise, not a refusal.
const PRAISE = /^[^.!?\n]{0,40}\benough\b/;

const optionsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "refusal"')
      .default('refusal'),
    stages: z
      .array(z.enum(['output']))
      .min(1, 'must be ["output"]: refusal looks at answers')
      .default(['output']),
    /** Languages whose refusal phrasings are looked for (default all four). */
    languages: z
      .array(z.enum(LANGUAGES as [RefusalLanguage, ...RefusalLanguage[]]))
      .min(1, 'must name at least one language: en, fr, de or es')
      .default([...LANGUAGES]),
    /** Only sentences starting within this many characters of the answer count. */
    openingChars: z.number().int().min(20).max(2000).default(300),
    /** Answers up to this length that open with a refusal are refusals; longer ones are partial refusals. */
    shortAnswerChars: z.number().int().min(20).max(100_000).default(800),
    /** Extra openings that mean a refusal in your application (plain text, case-insensitive, at a sentence start). */
    phrases: z.array(z.string().trim().min(3, 'must be at least 3 characters').max(200)).default([]),
    /** Score of a partial refusal (a refusal followed by a long answer). */
    partialScore: z.number().min(0).max(1).default(0.4),
  })
  .strict();

export type RefusalOptions = z.input<typeof optionsSchema>;

const QUOTES = new Set(['"', '“', '”', '«', '»', '„']);

/** Where sentences start in the opening: index 0 and after . ! ? or a line break (spaces skipped). */
function sentenceStarts(opening: string): number[] {
  const starts: number[] = [];
  let expecting = true;
  for (let i = 0; i < opening.length; i++) {
    const char = opening[i]!;
    if (expecting) {
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '*' || char === '_') continue;
      starts.push(i);
      expecting = false;
    }
    if (char === '.' || char === '!' || char === '?' || char === '\n' || char === '。') expecting = true;
  }
  return starts;
}

/**
 * Whether positions of the opening are inside quotation marks or on a `>` block-quote line. Asked at
 * increasing positions (the sentence starts, in order), it reads each character once: the opening's
 * sentence starts cost one pass in all, not one pass each.
 */
export function quoteTracker(opening: string): (position: number) => boolean {
  let read = 0;
  let open = 0;
  let straight = 0;
  // The first character on the current line that is not white space ('' before there is one).
  let lineFirst = '';
  return (position: number): boolean => {
    if (position < read) throw new RangeError('quoteTracker: positions must not go backwards');
    for (; read < position; read++) {
      const char = opening[read]!;
      if (char === '\n') lineFirst = '';
      else if (lineFirst === '' && !WHITE_SPACE.test(char)) lineFirst = char;
      if (!QUOTES.has(char)) continue;
      if (char === '"') straight++;
      else if (char === '“' || char === '«' || char === '„') open++;
      else if (open > 0) open--;
    }
    return straight % 2 === 1 || open > 0 || lineFirst === '>';
  };
}

const WHITE_SPACE = /^\s$/;

/**
 * Reports an answer that refuses ("I'm sorry, but I can't help with that", "As an AI language model, I
 * cannot…", "Je ne peux pas vous aider", "Ich kann dir dabei nicht helfen", "No puedo ayudarte con eso"):
 * category `refusal`, score 0.9 for a short answer, `partialScore` when a long answer follows the refusal.
 * Recommended rule: `flag` (retry, rephrase, or measure over-refusal).
 *
 * @example
 * const guard = createGuard({ output: [refusal()] });
 * const verdict = await guard.check('output', answer);
 * if (verdict.findings.some((finding) => finding.category === 'refusal')) retry();
 */
export function refusal(options: RefusalOptions = {}): Detector {
  const config = parseConfig(optionsSchema, options ?? {}, 'refusal() options');
  const sources: string[] = [];
  for (const language of config.languages) sources.push(...PATTERNS[language]);
  if (config.phrases.length > 0) {
    sources.push(`(?:${config.phrases.map((phrase) => escapeLiteral(phrase).replace(/\s+/g, ' ')).join('|')})`);
  }
  // Sticky: each pattern is tried exactly at one sentence start.
  const patterns = sources.map((source) => new RegExp(source, 'iy'));

  const detect = (_text: string, context: DetectContext): readonly FindingInput[] => {
    const view = context.normalized;
    const text = view.text;
    if (text.length === 0) return [];
    // On a stream, only windows that still hold the opening of the answer count: the window's start in
    // the whole answer decides which of its sentences begin within `openingChars` of it.
    const offset = context.stream?.offset ?? 0;
    if (offset >= config.openingChars) return [];
    // Typographic apostrophes and runs of spaces written plainly; same length, so offsets still map.
    const opening = text
      .slice(0, config.openingChars + 200)
      .replace(/[’‘`]/g, "'")
      .replace(/[\t\u00a0]/g, ' ');
    const quoted = quoteTracker(opening);
    for (const start of sentenceStarts(opening)) {
      if (offset + start >= config.openingChars) break;
      if (quoted(start)) continue;
      for (const pattern of patterns) {
        pattern.lastIndex = start;
        const match = pattern.exec(opening);
        if (match === null) continue;
        const end = start + match[0].length;
        if (NOT_REFUSAL_AFTER.test(opening.slice(end, end + 12)) || PRAISE.test(opening.slice(end, end + 48))) continue;
        const partial = text.length > config.shortAnswerChars;
        const score = partial ? config.partialScore : 0.9;
        return [
          {
            category: 'refusal',
            score,
            severity: 'low',
            message: partial
              ? 'the answer opens with a refusal, then goes on (partial refusal)'
              : 'the answer is a refusal',
            span: view.toOriginal(start, Math.min(end, text.length)),
            data: { partial, answerLength: text.length },
          },
        ];
      }
    }
    return [];
  };

  return {
    id: config.id,
    stages: config.stages,
    rules: [{ category: 'refusal', minScore: 0.5, action: 'flag' }],
    detect,
  };
}

export const refusalEntry: DetectorFactory = {
  id: 'refusal',
  stages: ['output'],
  description:
    'The answer is a refusal ("I\'m sorry, but I can\'t help with that") in en/fr/de/es, judged on its opening; options: languages, openingChars, shortAnswerChars, phrases',
  create: (options) => refusal((options ?? {}) as RefusalOptions),
};
