/**
 * The recognizer contract. A recognizer is data plus a sticky regular expression: the engine finds
 * candidate positions with one cheap pass over the text and tries only the recognizers whose first
 * character fits, anchored at that position. Nothing scans the whole text per recognizer.
 */

export type EntityKind = 'pii' | 'secret';

/** Which characters a recognizer's match may start with; the engine dispatches on it. */
export type StartClass = 'digit' | 'upper' | 'lower' | 'plus' | 'paren' | 'dash' | 'quote' | 'other';

export interface Recognizer {
  /** Unique, kebab-case: `credit-card`, `uk-nino`, `github-token`. */
  readonly id: string;
  /** Presidio's entity name where Presidio has one (`EMAIL_ADDRESS`, `UK_NINO`, …); secrets use `SECRET`. */
  readonly entity: string;
  readonly kind: EntityKind;
  /** Country or region of a country pack (`UK`, `FR`, …). */
  readonly country?: string;
  /** Provider, for secrets (`GitHub`, `AWS`, …). */
  readonly provider?: string;
  /**
   * A sticky (`y` flag) regular expression tried at candidate positions. It must be linear by
   * construction: bounded quantifiers, no nested unbounded quantifiers, no backreferences. Use
   * lookarounds for boundaries (`(?<![A-Za-z0-9])`, `(?![0-9])`).
   */
  readonly pattern: RegExp;
  /** The characters the match can start with. */
  readonly starts: readonly StartClass[];
  /** Capture group holding the value (default 0, the whole match); text outside it is context. */
  readonly group?: number;
  /** Base confidence in [0, 1]. */
  readonly score: number;
  /** Checksum or structural check of the value: false drops the match. */
  readonly validate?: (value: string) => boolean;
  /**
   * For values whose length depends on their content (an IBAN's length depends on its country): returns
   * how many characters of the matched value to keep, or undefined to drop the match. Runs before
   * `validate`, which then sees the refined value.
   */
  readonly refine?: (value: string) => number | undefined;
  /** Score when `validate` passes: the score becomes max(score, validScore). Without it, passing keeps `score`. */
  readonly validScore?: number;
  /**
   * Lower-case words (any language) that raise the score when they appear shortly before the value
   * (within 48 characters) or right after it (within 16).
   */
  readonly context?: readonly string[];
  /**
   * Drop the match unless a context word is near. Such recognizers are not even tried at a candidate
   * unless one of the context words of some context-required recognizer is in the surrounding window.
   */
  readonly contextRequired?: boolean;
  /**
   * The value may begin with a short word of letters before the token that holds the anchor ("May 1st",
   * "HRB 12345"); the engine tries such recognizers at that word too. Others are never tried there.
   */
  readonly leadingWord?: boolean;
  /**
   * Characters that must appear in the candidate's token for the recognizer to be tried (an e-mail
   * address needs '@'). The engine skips the recognizer everywhere else. Any of `@:./=-_`.
   */
  readonly needs?: string;
  /** Known example values (documentation, test suites): their score is lowered. Compared without separators. */
  readonly testValues?: readonly string[];
  /**
   * Literal strings at whose every occurrence the recognizer is also tried (found with indexOf, a native
   * scan of the whole text each): only for values that may hold no digit, '@', ':' or '=' in their first
   * token, such as `-----BEGIN` for PEM blocks. Use sparingly.
   */
  readonly literals?: readonly string[];
  /**
   * Values may run longer than a stream window's overlap (a PEM block, a URL): under `scanText(…, from)`
   * this recognizer's literals are still looked for in the whole text, not only from `from` on.
   */
  readonly longValues?: boolean;
}

/** One recognized value. */
export interface EntityMatch {
  readonly entity: string;
  readonly kind: EntityKind;
  readonly recognizer: string;
  readonly start: number;
  readonly end: number;
  readonly score: number;
  /** Why the score is what it is: `checksum`, `context`, `test-value`, `decoded:base64`, … */
  readonly reasons: readonly string[];
}
