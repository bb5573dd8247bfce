import { describe, expect, it } from 'vitest';
import { packFinder } from './testing.js';
import { ukRecognizers } from './uk.js';

const { find } = packFinder(ukRecognizers);

describe('UK_NINO', () => {
  it('finds compact and paired numbers in any case, with or without a context word', () => {
    expect(find('NI number: JG 10 37 42 A.', 'UK_NINO')).toEqual(['JG 10 37 42 A']);
    expect(find('ref jg103742a on file', 'UK_NINO')).toEqual(['jg103742a']);
    expect(find('National Insurance CE 482193 D', 'UK_NINO')).toEqual(['CE 482193 D']);
  });
  it('rejects forbidden prefix letters, excluded pairs and bad suffixes', () => {
    expect(find('DQ 10 37 42 A', 'UK_NINO')).toEqual([]);
    expect(find('JO103742A', 'UK_NINO')).toEqual([]);
    expect(find('nino: GB 10 37 42 A', 'UK_NINO')).toEqual([]);
    expect(find('JG 10 37 42 E', 'UK_NINO')).toEqual([]);
    expect(find('XJG103742A', 'UK_NINO')).toEqual([]);
  });
});

describe('UK_NHS', () => {
  it('finds mod-11 valid numbers, spaced, dashed or plain', () => {
    expect(find('NHS number 483 387 5004', 'UK_NHS')).toEqual(['483 387 5004']);
    expect(find('patient 483-387-5004', 'UK_NHS')).toEqual(['483-387-5004']);
    expect(find('4833875004', 'UK_NHS')).toEqual(['4833875004']);
  });
  it('rejects a wrong check digit and the tail of a longer grouped number', () => {
    expect(find('NHS number 483 387 5005', 'UK_NHS')).toEqual([]);
    expect(find('call +1 483 387 5004', 'UK_NHS')).toEqual([]);
  });
});

describe('UK_PASSPORT', () => {
  it('finds two letters and seven digits (the old nine-digit numbers have expired)', () => {
    expect(find('RT4839201', 'UK_PASSPORT')).toEqual(['RT4839201']);
    expect(find('passport number 548213907', 'UK_PASSPORT')).toEqual([]);
    expect(find('RT48392011 and R48392011', 'UK_PASSPORT')).toEqual([]);
  });
});

describe('UK_DRIVING_LICENCE', () => {
  it('finds licences with padded surnames and female months', () => {
    expect(find('licence WILLI803125JW9AB', 'UK_DRIVING_LICENCE')).toEqual(['WILLI803125JW9AB']);
    expect(find('LEE99853125J99XY', 'UK_DRIVING_LICENCE')).toEqual(['LEE99853125J99XY']);
  });
  it('rejects impossible months and days, and 9s inside the surname', () => {
    expect(find('WILLI813125JW9AB', 'UK_DRIVING_LICENCE')).toEqual([]);
    expect(find('WILLI803325JW9AB', 'UK_DRIVING_LICENCE')).toEqual([]);
    expect(find('WI9LI803125JW9AB', 'UK_DRIVING_LICENCE')).toEqual([]);
  });
});

describe('UK_POSTCODE', () => {
  it('finds every outward-code shape and GIR 0AA', () => {
    expect(find('Send it to B33 8TH, Birmingham', 'UK_POSTCODE')).toEqual(['B33 8TH']);
    expect(find('CR0 2YR / W1D 4FA / SW1A2AA', 'UK_POSTCODE')).toEqual(['CR0 2YR', 'W1D 4FA', 'SW1A2AA']);
    expect(find('Girobank GIR 0AA', 'UK_POSTCODE')).toEqual(['GIR 0AA']);
  });
  it('rejects letters never used in their position', () => {
    expect(find('Q1 1AA', 'UK_POSTCODE')).toEqual([]);
    expect(find('B33 8CA', 'UK_POSTCODE')).toEqual([]);
    expect(find('ZB338TH9', 'UK_POSTCODE')).toEqual([]);
  });
});

describe('UK_VEHICLE_REGISTRATION', () => {
  it('finds current registrations with March and September age identifiers', () => {
    expect(find('seen LB07 SEO and MA69XYZ', 'UK_VEHICLE_REGISTRATION')).toEqual(['LB07 SEO', 'MA69XYZ']);
    expect(find('reg: ka21-tuv', 'UK_VEHICLE_REGISTRATION')).toEqual(['ka21-tuv']);
  });
  it('finds prefix and suffix registrations; single digits only next to a vehicle word', () => {
    expect(find('P123 ABC and TUV 482L', 'UK_VEHICLE_REGISTRATION')).toEqual(['P123 ABC', 'TUV 482L']);
    expect(find('print it as A4 PDF', 'UK_VEHICLE_REGISTRATION')).toEqual([]);
    expect(find('number plate H1 ABC', 'UK_VEHICLE_REGISTRATION')).toEqual(['H1 ABC']);
  });
  it('rejects unused age identifiers and letters', () => {
    expect(find('LB30 SEO', 'UK_VEHICLE_REGISTRATION')).toEqual([]);
    expect(find('IB07 SEO', 'UK_VEHICLE_REGISTRATION')).toEqual([]);
    expect(find('LB07 SQO', 'UK_VEHICLE_REGISTRATION')).toEqual([]);
    expect(find('Q123 ABC', 'UK_VEHICLE_REGISTRATION')).toEqual([]);
  });
});
