// Placeholder until the country packs land; replaced by the real index.
import type { Recognizer } from '../../recognizer.js';

export const countryRecognizers: readonly Recognizer[] = [];
export const COUNTRY_PACKS: Readonly<Record<string, readonly Recognizer[]>> = {};
