import type { EntityMatch } from './recognizer.js';

/**
 * Names, places and organizations without running a full NLP pipeline on the text. compromise's lexicon
 * (first names, last names, cities, countries, regions, organizations, honorifics, and every common word)
 * is loaded once, lazily; a single regex pass then finds capitalized words, groups them into phrases, and
 * classifies each phrase from the lexicon and from the words around it ("Mr.", "my name is", "based in").
 * compromise itself tags about 0.2 MB/s; this runs at tens of MB/s because it never tags whole sentences.
 */

type WordClass = 'first' | 'last' | 'place' | 'org' | 'honorific' | 'month' | 'common' | 'unknown';

interface Lexicon {
  readonly words: ReadonlyMap<string, WordClass>;
  /** Multi-word entries ("los angeles", "united states") by their class. */
  readonly phrases: ReadonlyMap<string, WordClass>;
  readonly orgWords: ReadonlySet<string>;
  readonly placeWords: ReadonlySet<string>;
}

let lexicon: Lexicon | undefined;
let loading: Promise<Lexicon> | undefined;

function classify(tags: string | readonly string[]): WordClass {
  const list = typeof tags === 'string' ? [tags] : tags;
  let result: WordClass = 'common';
  for (const tag of list) {
    if (tag === 'Honorific') return 'honorific';
    if (tag === 'FirstName' || tag === 'MaleName' || tag === 'FemaleName') return 'first';
    if (tag === 'LastName' || tag === 'Person') result = 'last';
    else if (tag === 'City' || tag === 'Country' || tag === 'Region' || tag === 'Place')
      result = result === 'last' ? result : 'place';
    else if (tag === 'Organization' || tag === 'SportsTeam' || tag === 'Company')
      result = result === 'common' ? 'org' : result;
    else if (tag === 'Month' || tag === 'WeekDay' || tag === 'Date') result = result === 'common' ? 'month' : result;
  }
  return result;
}

/** Loads compromise's lexicon (about 0.4 s, once per process). */
export function loadNer(): Promise<void> {
  if (lexicon !== undefined) return Promise.resolve();
  loading ??= import('compromise/two').then((module) => {
    const model = (module.default as unknown as { model(): any }).model();
    const words = new Map<string, WordClass>();
    const phrases = new Map<string, WordClass>();
    for (const [word, tags] of Object.entries(model.one.lexicon as Record<string, string | string[]>)) {
      const kind = classify(tags);
      if (word.includes(' ')) {
        if (kind !== 'common') phrases.set(word, kind);
      } else words.set(word, kind);
    }
    lexicon = {
      words,
      phrases,
      orgWords: new Set(Object.keys(model.two?.orgWords ?? {})),
      placeWords: new Set(Object.keys(model.two?.placeWords ?? {})),
    };
    return lexicon;
  });
  return loading.then(() => undefined);
}

export function nerLoaded(): boolean {
  return lexicon !== undefined;
}

// Latin (with the Latin-1 and Extended-A capitals), Greek and Cyrillic capitals.
const UPPER = 'A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽΆΈ-ΫЀ-Я';
const LETTER = 'A-Za-zÀ-ÖØ-öø-žΆ-ώЀ-ӿ';
// A capitalized word (or an initial such as "J." or "Á"), Latin scripts; apostrophes and hyphens inside.
// Not inside an e-mail address, a URL, a path or an identifier.
const CAPITALIZED = new RegExp(
  `(?<![${LETTER}0-9_/@.:\\\\-])[${UPPER}][${LETTER}]{0,30}(?:['’-][${UPPER}]?[${LETTER}]{1,30}){0,2}\\.?(?![${LETTER}0-9_@/]|\\.[A-Za-z])`,
  'g',
);

const PERSON_CUES = new Set([
  'name is',
  'named',
  'name',
  'last name',
  'first name',
  'full name',
  'called',
  'calls me',
  'me',
  'child',
  'son',
  'daughter',
  'wife',
  'husband',
  'brother',
  'sister',
  'mother',
  'father',
  'friend',
  'boss',
  'colleague',
  'founders',
  'producer',
  'songwriter',
  'singer',
  'director',
  'manager',
  'doctor',
  'nurse',
  'teacher',
  'mr',
  'mrs',
  'ms',
  'call me',
  'i am',
  "i'm",
  'im',
  'dear',
  'hi',
  'hello',
  'hey',
  'thanks',
  'thank you',
  'from',
  'by',
  'with',
  'tell',
  'ask',
  'speak to',
  'talk to',
  'contact',
  'meet',
  'met',
  'to',
  'cc',
  'signed',
  'regards',
  'sincerely',
  'je suis',
  "je m'appelle",
  "m'appelle",
  'ich bin',
  'heiße',
  'me llamo',
  'soy',
  'mi chiamo',
  'sono',
  'ik ben',
  'directed by',
  'written by',
  'author',
  'patient',
  'customer',
  'client',
  'mr',
  'mrs',
  'ms',
]);
const PLACE_CUES = new Set([
  'in',
  'from',
  'near',
  'visit',
  'visiting',
  'moved to',
  'live in',
  'lives in',
  'living in',
  'based in',
  'located in',
  'travel to',
  'travelling to',
  'traveling to',
  'flew to',
  'fly to',
  'born in',
  'city of',
  'home city',
  'home town',
  'hometown',
  'university of',
  'going to',
  'trip to',
  'returned to',
  'coming to',
  'world to',
  'arrived at',
  'à',
  'nach',
  'aus',
  'naar',
  'uit',
]);
const HONORIFICS = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'dr',
  'prof',
  'sir',
  'madam',
  'dame',
  'lord',
  'lady',
  'mme',
  'mlle',
  'm',
  'herr',
  'frau',
  'sr',
  'sra',
  'srta',
  'don',
  'doña',
  'sig',
  'sig.ra',
  'dhr',
  'mevr',
  'rev',
  'fr',
  'capt',
  'col',
  'gen',
  'sgt',
]);
const ORG_SUFFIXES = new Set([
  'inc',
  'ltd',
  'llc',
  'llp',
  'plc',
  'gmbh',
  'ag',
  'sa',
  'sarl',
  'sas',
  'bv',
  'nv',
  'spa',
  'srl',
  'corp',
  'corporation',
  'company',
  'co',
  'group',
  'holdings',
  'bank',
  'university',
  'institute',
  'foundation',
  'association',
  'agency',
  'technologies',
  'solutions',
  'systems',
  'partners',
  'labs',
  'capital',
  'ventures',
  'media',
  'pharma',
  'airlines',
  'orchestra',
  'band',
  'club',
  'society',
  'church',
  'hospital',
  'school',
  'college',
  'academy',
  'council',
  'committee',
  'party',
  'ensemble',
  'choir',
  'records',
  'studios',
  'studio',
  'brothers',
  'associates',
  'consulting',
  'insights',
]);

interface Word {
  readonly start: number;
  readonly end: number;
  readonly lower: string;
  readonly kind: WordClass;
  readonly sentenceStart: boolean;
  readonly initial: boolean;
}

function isSentenceStart(text: string, start: number): boolean {
  for (let i = start - 1; i >= 0; i--) {
    const code = text.charCodeAt(i);
    if (code === 32 || code === 9 || code === 34 || code === 39 || code === 40) continue;
    return code === 10 || code === 13 || code === 46 || code === 33 || code === 63 || code === 58 || code === 0x2022;
  }
  return true;
}

function isWordCode(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    code === 39 ||
    code === 0x2019 ||
    (code >= 0xc0 && code <= 0x17f && code !== 0xd7 && code !== 0xf7)
  );
}

/**
 * The lower-cased words just before `start`: [last, last two, last three], for cue lookups. Stops at a
 * sentence end or a line break, so a cue never crosses into the previous sentence.
 */
function before(text: string, start: number): [string, string, string] {
  const words: string[] = [];
  let i = start - 1;
  const stop = Math.max(0, start - 48);
  while (i >= stop && words.length < 3) {
    while (i >= stop) {
      const code = text.charCodeAt(i);
      if (isWordCode(code)) break;
      if (code === 10 || code === 33 || code === 63 || code === 58) return pack(words);
      i--;
    }
    const end = i + 1;
    while (i >= stop && isWordCode(text.charCodeAt(i))) i--;
    if (end > i + 1) words.push(text.slice(i + 1, end).toLowerCase());
    // A period right after the word ends a sentence unless the word is an honorific ("Mr.").
    if (i >= 0 && text.charCodeAt(i) === 46 && !HONORIFICS.has(words.at(-1) ?? '')) return pack(words);
  }
  return pack(words);
}

function pack(words: readonly string[]): [string, string, string] {
  const last = words[0] ?? '';
  const two = words.length >= 2 ? `${words[1]} ${last}` : last;
  const three = words.length >= 3 ? `${words[2]} ${two}` : two;
  return [last, two, three];
}

export interface NerOptions {
  readonly person: boolean;
  readonly location: boolean;
  readonly organization: boolean;
}

const ROMAN_NUMERAL = /^[ivxlc]{1,6}$/;
/** "I'm", "I've", "I'll", "I'd": the pronoun, never a name. */
const I_CONTRACTION = /^i['’](?:m|ve|ll|d)$/;

/** Finds PERSON, LOCATION and ORGANIZATION phrases. Call `loadNer()` first. */
export function recognizeNames(text: string, options: NerOptions, out: EntityMatch[]): void {
  const lex = lexicon;
  if (lex === undefined) throw new Error('loadNer() must complete before recognizeNames()');
  const words: Word[] = [];
  const phrases: PhraseNote[] = [];
  CAPITALIZED.lastIndex = 0;
  for (let match = CAPITALIZED.exec(text); match !== null; match = CAPITALIZED.exec(text)) {
    let raw = match[0];
    let end = match.index + raw.length;
    const initial = /^[^a-z]\.?$/i.test(raw) || /^[A-ZÀ-Þ]\.$/.test(raw);
    if (raw.endsWith('.') && !initial) {
      raw = raw.slice(0, -1);
      end--;
    }
    const lower = raw.replace(/\.$/, '').toLowerCase();
    // All-caps words longer than 3 letters are acronyms or shouting, unless the lexicon knows them.
    if (ROMAN_NUMERAL.test(lower) && raw === raw.toUpperCase() && raw.length > 1) continue;
    if (I_CONTRACTION.test(lower)) continue;
    let kind = lex.words.get(lower) ?? 'unknown';
    if (HONORIFICS.has(lower)) kind = 'honorific';
    words.push({ start: match.index, end, lower, kind, sentenceStart: isSentenceStart(text, match.index), initial });
  }
  let i = 0;
  while (i < words.length) {
    // A phrase: capitalized words separated by one space (or a line break for address blocks is not joined).
    let j = i + 1;
    while (j < words.length && j - i < 5) {
      const previous = words[j - 1]!;
      const gap = text.slice(previous.end, words[j]!.start);
      // "St. Louis" is one phrase when the lexicon knows the saint's town; "Main St. Bob…" is not.
      const saint = previous.lower === 'st' && lex.phrases.has(`saint ${words[j]!.lower}`);
      const dotted = (previous.kind === 'honorific' || previous.initial || saint) && (gap === '. ' || gap === '.');
      if (gap !== ' ' && gap !== '-' && !dotted) break;
      j++;
    }
    let phrase = words.slice(i, j);
    let honorific = false;
    let strippedCommon = false;
    // "Producer James Sparks", "Hi Freddy": a leading title or greeting is a cue, not part of the name
    // (unless the whole phrase is a known place or organization: "United Kingdom").
    const known = lex.phrases.has(phrase.map((word) => word.lower).join(' '));
    while (
      !known &&
      phrase.length > 1 &&
      (phrase[0]!.kind === 'honorific' || phrase[0]!.kind === 'common' || phrase[0]!.kind === 'month')
    ) {
      if (phrase[0]!.kind === 'honorific') honorific = true;
      else strippedCommon = true;
      phrase = phrase.slice(1);
    }
    if (phrase.length === 1 && phrase[0]!.kind === 'honorific') phrase = [];
    i = j;
    if (phrase.length === 0) continue;
    const before = out.length;
    classifyPhrase(text, phrase, honorific, lex, options, out, strippedCommon);
    phrases.push({
      start: phrase[0]!.start,
      end: phrase.at(-1)!.end,
      single: phrase.length === 1,
      unknown: phrase.every((word) => word.kind === 'unknown'),
      found: out.length > before ? out.at(-1)! : undefined,
    });
  }
  if (options.person) propagateLists(text, phrases, out);
}

interface PhraseNote {
  readonly start: number;
  readonly end: number;
  readonly single: boolean;
  readonly unknown: boolean;
  readonly found: EntityMatch | undefined;
}

/**
 * "Monjeau, Graves and Reed", "Marrero and Murphy": when one item of a list of capitalized words is a
 * person, the unknown single words beside it are persons too.
 */
function propagateLists(text: string, phrases: readonly PhraseNote[], out: EntityMatch[]): void {
  let i = 0;
  while (i < phrases.length) {
    let j = i + 1;
    while (j < phrases.length) {
      const gap = text.slice(phrases[j - 1]!.end, phrases[j]!.start);
      if (
        gap !== ', ' &&
        gap !== ' and ' &&
        gap !== ', and ' &&
        gap !== ' & ' &&
        gap !== ' et ' &&
        gap !== ' und ' &&
        gap !== ' y '
      )
        break;
      j++;
    }
    if (j - i >= 2) {
      const items = phrases.slice(i, j);
      const first = items[0]!;
      const last = items.at(-1)!;
      const lead = text.slice(Math.max(0, first.start - 6), first.start).toLowerCase();
      const tail = /^ ([A-Za-z]+)/.exec(text.slice(last.end, last.end + 24))?.[1]?.toLowerCase();
      const surnamesOnly = items.every(
        (item) => item.single && (item.unknown || item.found?.reasons.includes('last-name')),
      );
      // "The Davis, Reynolds and Williamson Orchestra", "from Hawkins, Richardson and Santana": a firm.
      if (surnamesOnly && (/(?:the|from|at|of|for) $/.test(lead) || (tail !== undefined && ORG_SUFFIXES.has(tail)))) {
        for (let k = out.length - 1; k >= 0; k--) {
          const match = out[k]!;
          if (match.start >= first.start && match.end <= last.end + 30 && match.entity === 'PERSON') out.splice(k, 1);
        }
        i = j;
        continue;
      }
      const anchor = items.some((item) => item.found?.entity === 'PERSON');
      const allNamesOrUnknown = items.every((item) => item.unknown || item.found?.entity === 'PERSON');
      if (anchor && allNamesOrUnknown) {
        for (const item of items) {
          if (item.found === undefined && item.single) {
            out.push({
              entity: 'PERSON',
              kind: 'pii',
              recognizer: 'ner',
              start: item.start,
              end: item.end,
              score: 0.6,
              reasons: ['list'],
            });
          }
        }
      }
    }
    i = j;
  }
}

function classifyPhrase(
  text: string,
  phrase: readonly Word[],
  honorific: boolean,
  lex: Lexicon,
  options: NerOptions,
  out: EntityMatch[],
  /** A capitalized common word stood just before the phrase and was cut off ("Guilty Pleasures"). */
  strippedCommon: boolean,
): void {
  const first = phrase[0]!;
  const last = phrase.at(-1)!;
  const start = first.start;
  const end = last.end;
  const joined = phrase.map((word) => word.lower).join(' ');
  const kinds = phrase.map((word) => word.kind);
  let cueCache: [string, string, string] | undefined;
  const cueWords = (): [string, string, string] => {
    cueCache ??= before(text, start);
    return cueCache;
  };
  const push = (entity: string, score: number, reason: string) => {
    out.push({ entity, kind: 'pii', recognizer: 'ner', start, end, score, reasons: [reason] });
  };
  if (FIELD_LABELS.has(joined)) return;
  // "St. Louis": compromise lists the saints' towns under "saint".
  const phraseKind =
    lex.phrases.get(joined) ??
    (phrase.length > 1 && first.lower === 'st' ? lex.phrases.get(`saint${joined.slice(2)}`) : undefined);
  const hasCommon = kinds.includes('common') || kinds.includes('month');
  const lastLower = last.lower;

  if (
    options.organization &&
    (phraseKind === 'org' ||
      (phrase.length > 1 && ORG_SUFFIXES.has(lastLower)) ||
      (phrase.length === 1 && first.kind === 'org'))
  ) {
    push('ORGANIZATION', phrase.length > 1 ? 0.75 : 0.6, 'lexicon');
    return;
  }
  if (honorific && !kinds.every((kind) => kind === 'place')) {
    if (options.person) push('PERSON', 0.85, 'honorific');
    return;
  }
  if (phraseKind === 'place' || kinds.every((kind) => kind === 'place')) {
    // compromise lists "St" (Saint) as a place; alone it is the "St." of a street ("Hoge Wei 32 St.").
    if (phrase.length === 1 && STREET_WORDS.has(lastLower)) return;
    if (options.location) push('LOCATION', phrase.length > 1 || !first.sentenceStart ? 0.8 : 0.6, 'lexicon');
    return;
  }
  if (phrase.length >= 2 && phrase.some((word) => word.initial) && !phrase[0]!.initial && !kinds.includes('place')) {
    if (options.person) push('PERSON', 0.85, 'initial');
    return;
  }
  if (
    phrase.length === 2 &&
    first.kind === 'first' &&
    last.kind !== 'place' &&
    last.kind !== 'org' &&
    !STREET_WORDS.has(lastLower)
  ) {
    if (options.person) push('PERSON', 0.8, 'first-name');
    return;
  }
  const firstNames = kinds.filter((kind) => kind === 'first').length;
  const lastNames = kinds.filter((kind) => kind === 'last').length;
  const unknowns = kinds.filter((kind) => kind === 'unknown').length;
  if (phrase.length >= 2 && phrase.length <= 4 && !hasCommon && (firstNames > 0 || lastNames > 0)) {
    if (options.person) push('PERSON', 0.85, 'lexicon');
    return;
  }
  if (phrase.length === 1 && first.kind === 'first') {
    if (options.person) push('PERSON', first.sentenceStart ? 0.6 : 0.7, 'first-name');
    return;
  }
  if (phrase.length === 1 && first.kind === 'last' && !first.sentenceStart) {
    if (options.person) push('PERSON', 0.6, 'last-name');
    return;
  }
  const cue = cueWords();
  const personCue = PERSON_CUES.has(cue[0]) || PERSON_CUES.has(cue[1]) || PERSON_CUES.has(cue[2]);
  const placeCue = PLACE_CUES.has(cue[0]) || PLACE_CUES.has(cue[1]) || PLACE_CUES.has(cue[2]);
  // Street, road, avenue…: an address, not a name.
  if (lex.placeWords.has(lastLower) || STREET_WORDS.has(lastLower)) return;
  // "Narva   Estonia 20308", "Lake Tekapo >New Zealand": a town just before a country on an address line.
  if (
    phrase.length <= 3 &&
    kinds.every((kind) => kind !== 'first' && kind !== 'honorific') &&
    beforeCountry(text, end, lex)
  ) {
    if (options.location) push('LOCATION', 0.6, 'town-before-country');
    return;
  }
  // Shouted single words on an address line ("KOKKOLA", "LONDON") are towns.
  if (phrase.length <= 2 && phrase.every((word) => isAllCaps(text, word)) && addressLine(text, start, end)) {
    if (options.location) push('LOCATION', 0.6, 'address-line');
    return;
  }
  // A house number next to the phrase makes it a street.
  if (/\d/.test(text.slice(Math.max(0, start - 3), start)) || /^ \d{1,5}(?!\d)/.test(text.slice(end, end + 7))) return;
  // "Ubul: What a wife." A speaker's name at the start of a line.
  if (
    phrase.length <= 3 &&
    unknowns + firstNames + lastNames === phrase.length &&
    text.charCodeAt(end) === 58 &&
    lineStart(text, start) &&
    !FIELD_LABELS.has(joined)
  ) {
    if (options.person) push('PERSON', 0.6, 'speaker');
    return;
  }
  if (unknowns === phrase.length) {
    // An unknown acronym after "from"/"in" ("withdraw money from ATM") is a thing or a firm more often than a
    // place: places written that short are in the lexicon (UK, NYC); shouted town names are longer.
    const acronym = phrase.length === 1 && end - start <= 3 && isAllCaps(text, first);
    if (
      placeCue &&
      !acronym &&
      phrase.length <= 3 &&
      options.location &&
      !PERSON_CUES.has(cue[1]!) &&
      !PERSON_CUES.has(cue[2]!)
    ) {
      push('LOCATION', 0.55, 'cue');
      return;
    }
    if (phrase.length >= 2 && phrase.length <= 3 && options.person) {
      push('PERSON', personCue ? 0.7 : 0.55, personCue ? 'cue' : 'shape');
      return;
    }
    if (phrase.length === 1 && first.sentenceStart && options.person && !isAllCaps(text, first)) {
      // "Tomomi is from…", "Mehrudin shouted at…": a sentence that opens on an unknown word and a verb.
      const after = /^\s+([a-z]+)(?:\s+([a-z]+))?/.exec(text.slice(end, end + 24));
      const next = after?.[1];
      // "is" and "was" open sentences about things as often as about people ("Battery is where…", "Zoolander
      // is a film"): only with a word that fits a person after them ("is from", "was born").
      const verb =
        next !== undefined &&
        PERSON_VERBS.has(next) &&
        ((next !== 'is' && next !== 'was') || (after?.[2] !== undefined && PERSON_AFTER_COPULA.has(after[2])));
      if (personCue || verb) push('PERSON', 0.55, personCue ? 'cue' : 'verb');
      return;
    }
    if (phrase.length === 1 && !first.sentenceStart && options.person && !isAllCaps(text, first)) {
      // A lone unknown capitalized word: a name with a cue, a possessive, or a surname's ending.
      const possessive = /^['’]s\b/.test(text.slice(end, end + 3)) || /['’]s$/.test(text.slice(start, end));
      if (personCue || possessive) push('PERSON', 0.6, personCue ? 'cue' : 'possessive');
      // "-son" is a surname's ending, "-person" a role's ("Salesperson of the Month"). The weakest sign: not
      // after a capitalized common word, which makes a title of the pair ("Guilty Pleasures", "White Stripes").
      else if (!strippedCommon && SURNAME_ENDING.test(first.lower) && !first.lower.endsWith('person'))
        push('PERSON', 0.5, 'surname-ending');
    }
  }
}

/** After "is"/"was", words that make the subject a person ("Tomomi is from…", "Ana was born…"). */
const PERSON_AFTER_COPULA = new Set([
  'from',
  'born',
  'married',
  'raised',
  'living',
  'studying',
  'working',
  'employed',
  'my',
  'his',
  'her',
]);

const PERSON_VERBS = new Set([
  'is',
  'was',
  'has',
  'had',
  'will',
  'would',
  'can',
  'could',
  'said',
  'says',
  'told',
  'asked',
  'spent',
  'shouted',
  'lives',
  'lived',
  'works',
  'worked',
  'went',
  'loves',
  'loved',
  'wants',
  'wanted',
  'thinks',
  'knows',
  'called',
  'wrote',
  'writes',
  'sang',
  'sings',
  'joined',
  'left',
  'met',
  'married',
  'died',
  'became',
  'studied',
  'owns',
]);
const FIELD_LABELS = new Set([
  'info',
  'personal info',
  'e-mail',
  'email',
  'website',
  'web',
  'phone',
  'address',
  'name',
  'mobile',
  'desk',
  'fax',
  'user',
  'bot',
  'assistant',
  'agent',
  'note',
  'notes',
  'subject',
  'date',
  'time',
  'location',
  'company',
  'title',
  'customer',
  'client',
  'question',
  'answer',
  'q',
  'a',
  'ps',
  'nb',
  'tel',
  'office',
  'home',
  'work',
  'billing address',
]);
// Endings common in European surnames; used only for a lone unknown capitalized word mid-sentence.
const SURNAME_ENDING =
  /(?:son|sen|sson|ez|es|az|ova|ová|eva|ski|ska|sky|ský|wicz|vich|ić|ic|escu|ian|yan|ov|ev|berg|mann|stein|ini|elli|etti|ucci|ard|eau|ault|ier|dóttir|sdóttir|poulos|idis|akis|oglu|oğlu|aki|moto|uchi)$/;

const STREET_WORDS = new Set([
  'street',
  'st',
  'road',
  'rd',
  'avenue',
  'ave',
  'boulevard',
  'blvd',
  'lane',
  'ln',
  'drive',
  'dr',
  'court',
  'ct',
  'place',
  'pl',
  'square',
  'sq',
  'way',
  'terrace',
  'parkway',
  'highway',
  'suite',
  'apt',
  'unit',
  'box',
  'rue',
  'strasse',
  'straße',
  'gasse',
  'weg',
  'platz',
  'calle',
  'avenida',
  'via',
  'viale',
  'piazza',
  'straat',
  'laan',
  'plein',
  'streets',
]);

/** A known country right after `end`, separated by 2+ spaces, a comma, or '>' (the layout of an address block). */
function beforeCountry(text: string, end: number, lex: Lexicon): boolean {
  const gap = /^(?: {2,}|\t+|\s*[,>]\s*|\s*\n\s*)/.exec(text.slice(end, end + 8));
  if (gap === null) return false;
  const after = /^([A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+){0,2})/.exec(
    text.slice(end + gap[0].length, end + gap[0].length + 40),
  );
  if (after === null) return false;
  const words = after[1]!.toLowerCase().split(' ');
  for (let size = words.length; size >= 1; size--) {
    const candidate = words.slice(0, size).join(' ');
    const kind = size === 1 ? lex.words.get(candidate) : lex.phrases.get(candidate);
    if (kind === 'place' && COUNTRY_HINT.test(after[1]!)) return true;
  }
  return false;
}

// Countries in address blocks are capitalized proper names; a cheap guard against towns before streets.
const COUNTRY_HINT = /^[A-Z]/;

function isAllCaps(text: string, word: Word): boolean {
  const raw = text.slice(word.start, word.end);
  return raw.length >= 3 && raw === raw.toUpperCase() && raw !== raw.toLowerCase();
}

function lineStart(text: string, start: number): boolean {
  for (let i = start - 1; i >= 0; i--) {
    const code = text.charCodeAt(i);
    if (code === 10 || code === 13) return true;
    if (code !== 32 && code !== 9) return false;
  }
  return true;
}

/** Whether the phrase sits on a line of an address block: alone on its line, or next to a postcode or a comma. */
function addressLine(text: string, start: number, end: number): boolean {
  const lineBegin = text.lastIndexOf('\n', start - 1) + 1;
  const lineEndRaw = text.indexOf('\n', end);
  const lineEnd = lineEndRaw < 0 ? text.length : lineEndRaw;
  const rest = `${text.slice(lineBegin, start)}${text.slice(end, lineEnd)}`.trim();
  return rest.length === 0 || /^[,\d\s-]{0,12}$/.test(rest) || /^[A-Z]{2}\s{0,2}\d{3,6}$/.test(rest);
}
