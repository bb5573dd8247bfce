import type { Recognizer } from '../recognizer.js';
import { countryRecognizers } from './countries/index.js';
import { genericRecognizers } from './generic.js';
import { secretRecognizers } from './secrets.js';

/** Every built-in recognizer: generic personal data, country packs, credentials. */
export const ALL_RECOGNIZERS: readonly Recognizer[] = [
  ...genericRecognizers,
  ...countryRecognizers,
  ...secretRecognizers,
];

/** Entities found by the name/place/organization recognizer rather than by patterns. */
export const NER_ENTITIES: readonly string[] = ['PERSON', 'LOCATION', 'ORGANIZATION'];

/** Entities found from the structure around a house number (`address.ts`), off by default like names. */
export const ADDRESS_ENTITIES: readonly string[] = ['STREET_ADDRESS'];

/** What `secretsDetector()` reports by default. */
export const SECRET_ENTITIES: readonly string[] = ['SECRET'];

/**
 * What `piiDetector()` reports by default: every personal-data entity with a pattern, except the noisy
 * ones that are rarely personal on their own (URL, DATE_TIME). Names, places and organizations are off
 * by default (ask for PERSON / LOCATION / ORGANIZATION / STREET_ADDRESS); credentials are off (ask for SECRET, or use
 * `secretsDetector()`).
 */
export const DEFAULT_PII_ENTITIES: readonly string[] = [
  ...new Set(
    ALL_RECOGNIZERS.filter(
      (recognizer) => recognizer.kind === 'pii' && recognizer.entity !== 'URL' && recognizer.entity !== 'DATE_TIME',
    ).map((recognizer) => recognizer.entity),
  ),
];

/** Every entity name the package knows, with its kind and (for country packs) country. */
export function listEntities(): {
  entity: string;
  kind: 'pii' | 'secret';
  countries: string[];
  recognizers: string[];
}[] {
  const byEntity = new Map<
    string,
    { entity: string; kind: 'pii' | 'secret'; countries: Set<string>; recognizers: string[] }
  >();
  for (const recognizer of ALL_RECOGNIZERS) {
    const entry = byEntity.get(recognizer.entity) ?? {
      entity: recognizer.entity,
      kind: recognizer.kind,
      countries: new Set<string>(),
      recognizers: [],
    };
    if (recognizer.country !== undefined) entry.countries.add(recognizer.country);
    entry.recognizers.push(recognizer.id);
    byEntity.set(recognizer.entity, entry);
  }
  for (const entity of NER_ENTITIES)
    byEntity.set(entity, { entity, kind: 'pii', countries: new Set(), recognizers: ['ner'] });
  for (const entity of ADDRESS_ENTITIES)
    byEntity.set(entity, { entity, kind: 'pii', countries: new Set(), recognizers: ['address'] });
  return [...byEntity.values()]
    .map((entry) => ({ ...entry, countries: [...entry.countries].sort() }))
    .sort((a, b) => a.entity.localeCompare(b.entity));
}
