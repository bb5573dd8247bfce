import { literalPrefixes } from '../../engine.js';
import type { Recognizer } from '../../recognizer.js';
import { assignmentRecognizers } from './assignments.js';
import { cloudRecognizers } from './cloud.js';
import { developerRecognizers } from './developer.js';
import { serviceRecognizers } from './services.js';
import { bearerHeader, structuredRecognizers } from './structured.js';

/** Provider formats: recognized by their own shape, each naming its provider. */
export const providerRecognizers: readonly Recognizer[] = [
  ...cloudRecognizers,
  ...developerRecognizers,
  ...serviceRecognizers,
  ...structuredRecognizers,
];

// The provider formats a value can be recognized by on its own (no capture group, no context needed), each
// with the literal prefixes its match must begin with when its pattern says so plainly (most do: `ghp_`,
// `xoxb-`, `AKIA`…): a value that begins with none of them cannot be matched from its first character, so
// that regex is not run. Values checked here are every key/value candidate, so this is on the hot path.
// Case-insensitive patterns get no prefixes (their regex folds characters a plain comparison would not, such
// as the Kelvin sign): they are always tried. None of today's prefixed patterns is case-insensitive.
export const standaloneProviders = providerRecognizers
  .filter(
    (recognizer) => (recognizer.group ?? 0) === 0 && recognizer.contextRequired !== true && recognizer.score >= 0.5,
  )
  .map((recognizer) => ({
    recognizer,
    sticky: new RegExp(recognizer.pattern.source, `${recognizer.pattern.flags.replace(/[gy]/g, '')}y`),
    prefixes: recognizer.pattern.flags.includes('i') ? undefined : literalPrefixes(recognizer.pattern.source, false),
  }));

function beginsWithAny(value: string, prefixes: readonly string[]): boolean {
  for (const prefix of prefixes) if (value.startsWith(prefix)) return true;
  return false;
}

/**
 * True when a provider recognizer recognizes (most of) `value` by itself. The key/value and header
 * recognizers leave such values to it, so that `token: ghp_…` is reported as a GitHub token.
 */
export function claimedByProvider(value: string): boolean {
  for (const { recognizer, sticky, prefixes } of standaloneProviders) {
    if (prefixes !== undefined && !beginsWithAny(value, prefixes)) continue;
    sticky.lastIndex = 0;
    const match = sticky.exec(value);
    if (match === null || match[0].length < value.length * 0.9) continue;
    if (recognizer.validate === undefined || recognizer.validate(match[0])) return true;
  }
  return false;
}

/** Every credential recognizer: provider formats, structured secrets, and key/value assignments. */
export const secretRecognizers: readonly Recognizer[] = [
  ...providerRecognizers,
  bearerHeader(claimedByProvider),
  ...assignmentRecognizers(claimedByProvider),
];
