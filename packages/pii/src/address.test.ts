import { createGuard } from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { recognizeAddresses } from './address.js';
import { piiDetector } from './pii-detector.js';
import type { EntityMatch } from './recognizer.js';
import { listEntities } from './recognizers/index.js';

function found(text: string): string[] {
  const out: EntityMatch[] = [];
  recognizeAddresses(text, out);
  return out.map((match) => text.slice(match.start, match.end));
}

describe('STREET_ADDRESS recognizer', () => {
  it.each([
    ['Ship it to 221B Baker Street, please.', '221B Baker Street'],
    ['Our office: 1600 Pennsylvania Avenue NW Suite 200, Washington, DC 20500', '1600 Pennsylvania Avenue'],
    ['The bakery is at 780 Elm St.', '780 Elm St.'],
    ['455 5th Avenue, 2nd Floor', '455 5th Avenue'],
    ['220 W Lake St', '220 W Lake St'],
    ['Envoyez-le au 12 rue de la Paix, 75002 Paris.', '12 rue de la Paix, 75002 Paris'],
    ['Pedestrians must enter on 137 Avenue Habib Bourguiba', '137 Avenue Habib Bourguiba'],
    ['Ich wohne in der Grazer Landesstraße 18 in Wien.', 'Grazer Landesstraße 18'],
    ['Mein Büro: Kaiserstraße 7a, 60311 Frankfurt', 'Kaiserstraße 7a, 60311 Frankfurt'],
    ['Abito in Via Garibaldi 12, vicino alla stazione.', 'Via Garibaldi 12'],
    ['Moro na Rua das Flores 210', 'Rua das Flores 210'],
    ['Osoite: Hämeenkatu 14 B, Tampere', 'Hämeenkatu 14 B'],
    ['Vi bor på Lindevænget 9', 'Lindevænget 9'],
    ['Iroda: Kossuth tér 8.', 'Kossuth tér 8'],
    ['Calle Mayor 5, Madrid', 'Calle Mayor 5'],
    ['Kalverstraat 92, 1012 PH Amsterdam', 'Kalverstraat 92, 1012 PH Amsterdam'],
    ['Send the card to PSC 2210, Box 3391\nAPO AE 09021 today', 'PSC 2210, Box 3391\nAPO AE 09021'],
    ['USNS Comfort\nFPO AE 09876', 'USNS Comfort\nFPO AE 09876'],
    ['Mail it to P.O. Box 4521', 'P.O. Box 4521'],
    ['Her address is 3310 Kivikuja 8', '3310 Kivikuja 8'],
    ['She lives at Lossi 21', 'Lossi 21'],
    ['Billing address:\n41200 Petrova 17\nSuite 12', '41200 Petrova 17\nSuite 12'],
    ['10433 Tamme 9\n Suite 3\n Narva', '10433 Tamme 9\n Suite 3'],
  ])('finds the address in %j', (text, expected) => {
    expect(found(text)).toEqual([expected]);
  });

  it('takes in a unit and a US city line on the same line', () => {
    expect(found('Deliver to 742 Evergreen Terrace Apt. 3, Springfield, OR 97477-1234 by Friday')).toEqual([
      '742 Evergreen Terrace Apt. 3, Springfield, OR 97477-1234',
    ]);
  });

  it.each([
    'The fair takes place before Christmas 2025.',
    'Revenue grew by 12 percent in 3 regions.',
    'Chapter 5 Street Law covers torts.',
    'We sold 3 main streets worth of houses.',
    'During 1998, the team grew.',
    'Food court at the Plaza | Level 3',
    'Version 2 Beta 3 ships on 4 May.',
    'Apt 1 Apt 1 Apt 1',
    'Team A 1, Team B 2',
    'Call me at 5 or at 6.',
    'The 2024 Toyota 4Runner',
    'takes place in November 2024',
    '',
    '12345',
    'Hämeenkatu',
  ])('finds nothing in %j', (text) => {
    expect(found(text)).toEqual([]);
  });

  it('scores an address after an address cue higher', () => {
    const out: EntityMatch[] = [];
    recognizeAddresses('221B Baker Street. My address is 10 Downing Street.', out);
    expect(out.map((match) => [match.score, match.reasons])).toEqual([
      [0.7, ['structure']],
      [0.85, ['structure', 'context']],
    ]);
  });

  it('is off by default, listed, and redacted when asked for, as <ADDRESS_n>', async () => {
    expect(listEntities().find((entry) => entry.entity === 'STREET_ADDRESS')).toEqual({
      entity: 'STREET_ADDRESS',
      kind: 'pii',
      countries: [],
      recognizers: ['address'],
    });
    const text = 'Please ship to 221B Baker Street, London and email a@b.io';
    const plain = await createGuard({ input: [piiDetector()] }).checkInput(text);
    expect(plain.findings.map((finding) => finding.category)).toEqual(['EMAIL_ADDRESS']);
    const guard = createGuard({ input: [piiDetector({ entities: ['STREET_ADDRESS', 'EMAIL_ADDRESS'] })] });
    const verdict = await guard.checkInput(text);
    expect(verdict.text).toBe('Please ship to <ADDRESS_1>, London and email <EMAIL_1>');
    expect(verdict.findings[0]?.message).not.toContain('Baker');
  });

  it('never throws on odd input', () => {
    for (const text of [
      '\u{1F600} 12 Main Street',
      '\uD800 12 Main Street \uDFFF',
      'שלום 12 רחוב',
      '\0'.repeat(100),
      '1 '.repeat(5000),
    ]) {
      expect(() => found(text)).not.toThrow();
    }
    expect(found('\u{1F600} 12 Main Street')).toEqual(['12 Main Street']);
  });
});

describe('STREET_ADDRESS limits', () => {
  it('stops at maxMatches', async () => {
    const out: EntityMatch[] = [];
    recognizeAddresses('Hämeenkatu 1 '.repeat(50), out, 7);
    expect(out).toHaveLength(7);
    const guard = createGuard({ input: [piiDetector({ entities: ['STREET_ADDRESS'], maxMatches: 5 })] });
    const verdict = await guard.checkInput('Hämeenkatu 1 '.repeat(50));
    expect(verdict.findings).toHaveLength(5);
  });
});
