import { describe, expect, it } from 'vitest';
import { compileRecognizers, resolveOverlaps, scanText } from '../../engine.js';
import type { EntityMatch } from '../../recognizer.js';
import { COUNTRY_PACKS, countryRecognizers } from './index.js';

// A pattern's source without escapes and character classes: what is left shows its quantifiers.
const structure = (source: string) => source.replace(/\\./g, 'x').replace(/\[[^\]]*\]/g, 'x');

describe('country packs', () => {
  it('hold every pack, each recognizer under its own country', () => {
    expect(countryRecognizers.length).toBe(Object.values(COUNTRY_PACKS).flat().length);
    for (const [country, recognizers] of Object.entries(COUNTRY_PACKS)) {
      for (const recognizer of recognizers) expect(recognizer.country, recognizer.id).toBe(country);
    }
  });
  it('use unique kebab-case ids prefixed with the country', () => {
    const ids = countryRecognizers.map((recognizer) => recognizer.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const recognizer of countryRecognizers) {
      expect(recognizer.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(recognizer.id.startsWith(`${recognizer.country!.toLowerCase()}-`), recognizer.id).toBe(true);
      expect(recognizer.kind).toBe('pii');
    }
  });
  it('have linear patterns: bounded quantifiers only, no backreferences', () => {
    for (const recognizer of countryRecognizers) {
      const source = recognizer.pattern.source;
      expect(source, recognizer.id).not.toMatch(/\\[1-9]|\\k</);
      expect(structure(source), recognizer.id).not.toMatch(/[*+]|\{\d+,\}/);
    }
  });
  it('keep weak formats below 0.5 unless a context word is near', () => {
    for (const recognizer of countryRecognizers) {
      if (recognizer.contextRequired) expect(recognizer.context?.length, recognizer.id).toBeGreaterThan(0);
      for (const word of recognizer.context ?? []) expect(word, recognizer.id).toBe(word.toLowerCase());
    }
  });
  it('scan hostile input in linear time', () => {
    const set = compileRecognizers(countryRecognizers);
    for (const text of [
      '1'.repeat(100_000),
      '12 '.repeat(30_000),
      'AB 12 '.repeat(15_000),
      'B AB 1234 '.repeat(10_000),
    ]) {
      const started = performance.now();
      const out: EntityMatch[] = [];
      scanText(text, set, { maxMatches: 1_000_000 }, out);
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });
  it('read a shared shape by the language of the context word', () => {
    const set = compileRecognizers(countryRecognizers);
    const entityOf = (text: string) => {
      const out: EntityMatch[] = [];
      scanText(text, set, { maxMatches: 1000 }, out);
      return resolveOverlaps(out)
        .filter((match) => match.score >= 0.5)
        .map((match) => match.entity);
    };
    expect(entityOf('passport number RT4839201')).toEqual(['UK_PASSPORT']);
    expect(entityOf('numero di passaporto RT4839201')).toEqual(['IT_PASSPORT']);
    expect(entityOf('Reisepass CF4K9R2M7')).toEqual(['DE_PASSPORT']);
    expect(entityOf('Personalausweis CF4K9R2M7')).toEqual(['DE_ID_CARD']);
  });
});
