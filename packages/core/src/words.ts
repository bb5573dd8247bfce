/**
 * Word lists as regular expressions: the shared way detectors find user-given words (keywords, competitor
 * names, context words) in text, whole words where words are separated, anywhere in a run of letters where
 * they are not.
 */

/**
 * Escapes text to stand for itself in a regular expression, with or without the `u` flag (so `-` and `/`,
 * whose escapes `u` rejects, are left alone: neither needs one outside a character class).
 */
export function escapeLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether a UTF-16 unit is a letter of a script written without spaces between words (Thai, Lao, Myanmar,
 * Khmer, kana, Han), or Hangul (Korean
 * separates words, but particles attach to them: "여권번호는"). A word edge would rarely sit beside such words.
 */
export function isUnspacedLetter(code: number): boolean {
  return (
    (code >= 0x0e00 && code <= 0x0eff) ||
    (code >= 0x1000 && code <= 0x109f) ||
    (code >= 0x1780 && code <= 0x17ff) ||
    (code >= 0x3040 && code <= 0x30ff) ||
    (code >= 0x3400 && code <= 0x9fff) ||
    (code >= 0xac00 && code <= 0xd7af)
  );
}

/** Whether a word has a letter of those scripts (see {@link isUnspacedLetter}). */
export function hasUnspacedLetter(word: string): boolean {
  for (let index = 0; index < word.length; index++) if (isUnspacedLetter(word.charCodeAt(index))) return true;
  return false;
}

export interface WordListOptions {
  /** Regex source put before the words of spaced scripts (a word edge, say); '' for none. */
  readonly before: string;
  /** Regex source put after them; '' for none. */
  readonly after: string;
  /** A word's regex source (default: {@link escapeLiteral}), e.g. to let its spaces match any spacing. */
  readonly literal?: (word: string) => string;
}

/**
 * Regex source that matches any of `words`, longest first: words of spaced scripts between `before` and
 * `after`, words with a letter of a script written without spaces (or Hangul) with no edge at all, since
 * one would rarely be there. Words are used as given: a caller that matches normalized text puts them in
 * NFKC first. An empty list gives a source that never matches.
 */
export function wordListSource(words: readonly string[], options: WordListOptions): string {
  const literal = options.literal ?? escapeLiteral;
  const spaced: string[] = [];
  const unspaced: string[] = [];
  for (const word of words) (hasUnspacedLetter(word) ? unspaced : spaced).push(word);
  const alternation = (list: string[]): string =>
    list
      .sort((a, b) => b.length - a.length)
      .map(literal)
      .join('|');
  const parts: string[] = [];
  if (spaced.length > 0) parts.push(`${options.before}(?:${alternation(spaced)})${options.after}`);
  if (unspaced.length > 0) parts.push(`(?:${alternation(unspaced)})`);
  return parts.length === 0 ? '(?!)' : parts.join('|');
}
