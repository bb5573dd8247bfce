// Placeholder until the credential recognizers land; replaced by the real list.
import type { Recognizer } from '../recognizer.js';

export const secretRecognizers: readonly Recognizer[] = [];
