import type { Recognizer } from '../../recognizer.js';
import { auRecognizers } from './au.js';
import { caRecognizers } from './ca.js';
import { deRecognizers } from './de.js';
import { esRecognizers } from './es.js';
import { fiRecognizers } from './fi.js';
import { frRecognizers } from './fr.js';
import { inRecognizers } from './in.js';
import { itRecognizers } from './it.js';
import { krRecognizers } from './kr.js';
import { ngRecognizers } from './ng.js';
import { nlRecognizers } from './nl.js';
import { phRecognizers } from './ph.js';
import { plRecognizers } from './pl.js';
import { seRecognizers } from './se.js';
import { sgRecognizers } from './sg.js';
import { thRecognizers } from './th.js';
import { trRecognizers } from './tr.js';
import { ukRecognizers } from './uk.js';
import { usRecognizers } from './us.js';
import { zaRecognizers } from './za.js';

/** National identifiers by country code (`UK`, `DE`, …): the recognizers a `countries` option selects. */
export const COUNTRY_PACKS: Readonly<Record<string, readonly Recognizer[]>> = {
  AU: auRecognizers,
  CA: caRecognizers,
  DE: deRecognizers,
  ES: esRecognizers,
  FI: fiRecognizers,
  FR: frRecognizers,
  IN: inRecognizers,
  IT: itRecognizers,
  KR: krRecognizers,
  NG: ngRecognizers,
  NL: nlRecognizers,
  PH: phRecognizers,
  PL: plRecognizers,
  SE: seRecognizers,
  SG: sgRecognizers,
  TH: thRecognizers,
  TR: trRecognizers,
  UK: ukRecognizers,
  US: usRecognizers,
  ZA: zaRecognizers,
};

/** Every country-pack recognizer. */
export const countryRecognizers: readonly Recognizer[] = Object.values(COUNTRY_PACKS).flat();
