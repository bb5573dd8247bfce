import { alnumOf } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { bounded, countryRecognizer } from './shared.js';

const es = (spec: Omit<Recognizer, 'kind' | 'country'>) => countryRecognizer('ES', spec);

// DNI/NIF and NIE letters: the number mod 23 indexes this alphabet.
const LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';
const letterMatches = (number: string, letter: string) => LETTERS[Number(number) % 23] === letter.toUpperCase();

// NIF of a Spanish national (DNI number): eight digits (leading zero sometimes dropped) and the check letter.
const nif = es({
  id: 'es-nif',
  entity: 'ES_NIF',
  pattern: bounded('\\d{7,8}-?[A-Z]', 'i'),
  starts: ['digit'],
  score: 0.3,
  validate: (value) => {
    const compact = alnumOf(value);
    return letterMatches(compact.slice(0, -1), compact.slice(-1));
  },
  validScore: 0.8,
  context: [
    'nif',
    'dni',
    'documento nacional de identidad',
    'número de identificación fiscal',
    'identificación fiscal',
    'tax id',
  ],
});

// NIE of a foreign resident: X, Y or Z (read as 0, 1, 2), seven digits and the check letter.
const nie = es({
  id: 'es-nie',
  entity: 'ES_NIE',
  pattern: bounded('[XYZ]-?\\d{7}-?[A-Z]', 'i'),
  starts: ['upper', 'lower'],
  score: 0.3,
  validate: (value) => {
    const compact = alnumOf(value);
    const number = String('XYZ'.indexOf(compact[0]!)) + compact.slice(1, 8);
    return letterMatches(number, compact.slice(-1));
  },
  validScore: 0.9,
  context: ['nie', 'número de identidad de extranjero', 'identificación de extranjero', 'extranjero', 'foreigner id'],
});

// Passport: three letters and six digits.
const passport = es({
  id: 'es-passport',
  entity: 'ES_PASSPORT',
  pattern: bounded('[A-Z]{3}\\d{6}', 'i'),
  starts: ['upper', 'lower'],
  score: 0.5,
  context: ['pasaporte', 'número de pasaporte', 'passport'],
});

export const esRecognizers: readonly Recognizer[] = [nif, nie, passport];
