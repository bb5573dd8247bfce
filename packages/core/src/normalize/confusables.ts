/**
 * Characters from other scripts that render like ASCII letters, folded to the letter they imitate.
 * Fullwidth forms, mathematical alphanumerics and ligatures are already handled by NFKC; this table covers
 * what NFKC leaves alone (Cyrillic, Greek, Armenian, Latin look-alikes). Facts from Unicode's confusables data.
 */
const PAIRS: ReadonlyArray<readonly [string, string]> = [
  // Cyrillic lower case
  ['а', 'a'], ['в', 'b'], ['е', 'e'], ['ё', 'e'], ['г', 'r'], ['һ', 'h'], ['і', 'i'], ['ї', 'i'], ['ј', 'j'],
  ['к', 'k'], ['ӏ', 'l'], ['м', 'm'], ['н', 'h'], ['о', 'o'], ['п', 'n'], ['р', 'p'], ['с', 'c'], ['т', 't'],
  ['у', 'y'], ['х', 'x'], ['ѕ', 's'], ['ԁ', 'd'], ['ԛ', 'q'], ['ԝ', 'w'], ['ь', 'b'], ['ѵ', 'v'], ['ɡ', 'g'],
  // Cyrillic upper case
  ['А', 'A'], ['В', 'B'], ['Е', 'E'], ['Ё', 'E'], ['Н', 'H'], ['І', 'I'], ['Ї', 'I'], ['Ј', 'J'], ['К', 'K'],
  ['М', 'M'], ['О', 'O'], ['Р', 'P'], ['С', 'C'], ['Т', 'T'], ['У', 'Y'], ['Х', 'X'], ['Ѕ', 'S'], ['Ԁ', 'D'],
  ['Ԛ', 'Q'], ['Ԝ', 'W'], ['Ӏ', 'I'], ['Ѵ', 'V'],
  // Greek
  ['α', 'a'], ['β', 'b'], ['ε', 'e'], ['ι', 'i'], ['κ', 'k'], ['ν', 'v'], ['ο', 'o'], ['ρ', 'p'], ['τ', 't'],
  ['υ', 'u'], ['χ', 'x'], ['γ', 'y'], ['ω', 'w'], ['Α', 'A'], ['Β', 'B'], ['Ε', 'E'], ['Ζ', 'Z'], ['Η', 'H'],
  ['Ι', 'I'], ['Κ', 'K'], ['Μ', 'M'], ['Ν', 'N'], ['Ο', 'O'], ['Ρ', 'P'], ['Τ', 'T'], ['Υ', 'Y'], ['Χ', 'X'],
  ['ϲ', 'c'], ['Ϲ', 'C'], ['ϳ', 'j'],
  // Armenian
  ['օ', 'o'], ['ս', 'u'], ['հ', 'h'], ['ո', 'n'], ['ց', 'g'], ['զ', 'q'], ['ա', 'w'],
  // Latin look-alikes outside ASCII
  ['ı', 'i'], ['ȷ', 'j'], ['ɑ', 'a'], ['ɩ', 'i'], ['ɪ', 'i'], ['ʏ', 'y'], ['ɴ', 'n'], ['ʀ', 'r'], ['ᴀ', 'a'],
  ['ᴄ', 'c'], ['ᴅ', 'd'], ['ᴇ', 'e'], ['ᴋ', 'k'], ['ᴍ', 'm'], ['ᴏ', 'o'], ['ᴘ', 'p'], ['ᴛ', 't'], ['ᴜ', 'u'],
  ['ᴠ', 'v'], ['ᴡ', 'w'], ['ᴢ', 'z'], ['ʜ', 'h'], ['ʟ', 'l'], ['ꜱ', 's'], ['ƅ', 'b'], ['ǀ', 'l'],
];

/** Code unit → ASCII letter. Every key is a single BMP code unit. */
export const CONFUSABLE_MAP: ReadonlyMap<number, number> = new Map(
  PAIRS.map(([from, to]) => [from.charCodeAt(0), to.charCodeAt(0)] as const),
);

/** A character class matching any key of the map, to test a text in one native scan. */
export const CONFUSABLE_CLASS = new RegExp(`[${PAIRS.map(([from]) => from).join('')}]`);
