import { describe, expect, it } from 'vitest';
import { finder, values } from '../../test/helpers.js';
import { genericRecognizers } from './generic.js';

const find = finder(genericRecognizers);
const found = (text: string, entity: string) => values(text, find(text, entity));

describe('EMAIL_ADDRESS', () => {
  it('finds addresses with dots, plus tags, sub-domains and punycode', () => {
    expect(found('write to jane.doe+news@mail.example.co.uk today', 'EMAIL_ADDRESS')).toEqual([
      'jane.doe+news@mail.example.co.uk',
    ]);
    expect(found('user@xn--80ak6aa92e.com', 'EMAIL_ADDRESS')).toEqual(['user@xn--80ak6aa92e.com']);
    expect(found('(contact: a_b@c-d.io).', 'EMAIL_ADDRESS')).toEqual(['a_b@c-d.io']);
  });
  it('rejects lookalikes', () => {
    expect(found('my email is info@presidio.', 'EMAIL_ADDRESS')).toEqual([]);
    expect(found('@mention and foo@ and @bar.com', 'EMAIL_ADDRESS')).toEqual([]);
    expect(found('version v1.2@3', 'EMAIL_ADDRESS')).toEqual([]);
  });
});

describe('PHONE_NUMBER', () => {
  it('finds international and national formats', () => {
    for (const phone of [
      '+44 20 7946 0958',
      '(555) 123-4567',
      '+1-555-867-5309',
      '07700 900 461',
      '+33 1 42 68 53 00',
      '+46 (0)8 928 571 38',
      '0049 30 1234567',
      '+14155552671',
      '555.867.5309 ext. 12',
    ]) {
      expect(found(`call ${phone} now`, 'PHONE_NUMBER'), phone).toEqual([phone]);
    }
  });
  it('needs a context word for two digit groups or one long run', () => {
    expect(found('Phone: 467 3395', 'PHONE_NUMBER')).toEqual(['467 3395']);
    expect(found('Fax: 9498777106', 'PHONE_NUMBER')).toEqual(['9498777106']);
    expect(found('We live at 17320 4410 Birch St', 'PHONE_NUMBER')).toEqual([]);
    expect(found('order 9498777106 shipped', 'PHONE_NUMBER')).toEqual([]);
  });
  it('leaves dates, IP addresses and SSN-shaped numbers alone', () => {
    expect(found('on 2024-05-01 12:30', 'PHONE_NUMBER')).toEqual([]);
    expect(found('server 10.195.25.47', 'PHONE_NUMBER')).toEqual([]);
    expect(found('SSN 503-47-2247', 'PHONE_NUMBER')).toEqual([]);
  });
});

describe('CREDIT_CARD', () => {
  it('finds Luhn-valid numbers of every brand, plain, spaced or dashed', () => {
    for (const card of [
      '4539 1488 0343 6467',
      '5555-5555-5555-4444',
      '378282246310005',
      '3782 822463 10005',
      '6011000990139424',
      '3530111333300000',
      '30569309025904',
      '6759649826438453',
    ]) {
      expect(found(`card ${card}.`, 'CREDIT_CARD'), card).toEqual([card]);
    }
  });
  it('rejects numbers that fail Luhn, repeated digits and wrong lengths', () => {
    expect(found('4012-8888-8888-1882', 'CREDIT_CARD')).toEqual([]);
    expect(found('0000 0000 0000 0000', 'CREDIT_CARD')).toEqual([]);
    expect(found('41111111111', 'CREDIT_CARD')).toEqual([]);
  });
  it('lowers the score of well-known test numbers', () => {
    const [test] = find('4111 1111 1111 1111', 'CREDIT_CARD', 0);
    const [real] = find('4539 1488 0343 6467', 'CREDIT_CARD', 0);
    expect(test!.score).toBeLessThan(real!.score);
    expect(test!.reasons).toContain('test-value');
  });
});

describe('IBAN_CODE', () => {
  it('finds valid IBANs compact, spaced, dashed or in lower case, cut at the country length', () => {
    expect(found('IBAN FR76 3000 6000 0112 3456 7890 189 please', 'IBAN_CODE')).toEqual([
      'FR76 3000 6000 0112 3456 7890 189',
    ]);
    expect(found('pay DE89370400440532013000.', 'IBAN_CODE')).toEqual(['DE89370400440532013000']);
    expect(found('gb82west12345698765432', 'IBAN_CODE')).toEqual(['gb82west12345698765432']);
    expect(found('NL91-ABNA-0417-1643-00 ok', 'IBAN_CODE')).toEqual(['NL91-ABNA-0417-1643-00']);
  });
  it('rejects a broken checksum, an unknown country and a wrong length', () => {
    expect(found('FR76 3000 6000 0112 3456 7890 188', 'IBAN_CODE')).toEqual([]);
    expect(found('QQ12 3456 7890 1234', 'IBAN_CODE')).toEqual([]);
    expect(found('DE8937040044053201300', 'IBAN_CODE')).toEqual([]);
  });
});

describe('SWIFT_CODE', () => {
  it('finds a BIC named as such, with a valid country', () => {
    expect(found('SWIFT: DEUTDEFF500', 'SWIFT_CODE')).toEqual(['DEUTDEFF500']);
    expect(found('BIC BNPAFRPP', 'SWIFT_CODE')).toEqual(['BNPAFRPP']);
    expect(found('SWIFT: ABCDQQ12', 'SWIFT_CODE')).toEqual([]);
    expect(found('the word BANANASX', 'SWIFT_CODE')).toEqual([]);
  });
});

describe('network addresses', () => {
  it('finds IPv4 (with a prefix length) and IPv6, rejects out-of-range octets and versions', () => {
    expect(found('hosts 192.168.0.1 and 10.0.0.0/8', 'IP_ADDRESS')).toEqual(['192.168.0.1', '10.0.0.0/8']);
    expect(found('v6 2001:db8::ff00:42:8329 and fe80::1%eth0', 'IP_ADDRESS')).toEqual([
      '2001:db8::ff00:42:8329',
      'fe80::1%eth0',
    ]);
    expect(found('256.1.1.1 and 1.2.3', 'IP_ADDRESS')).toEqual([]);
    // Like Presidio, the first four octets of a longer dotted run are taken.
    expect(found('192.168.1.1.1', 'IP_ADDRESS')).toEqual(['192.168.1.1']);
    expect(found('time 12:30:45', 'IP_ADDRESS')).toEqual([]);
  });
  it('finds MAC addresses in colon, dash and dotted forms', () => {
    expect(found('mac 00:1A:2b:3C:4d:5E, 00-1A-2B-3C-4D-5E, 001a.2b3c.4d5e', 'MAC_ADDRESS')).toEqual([
      '00:1A:2b:3C:4d:5E',
      '00-1A-2B-3C-4D-5E',
      '001a.2b3c.4d5e',
    ]);
  });
  it('finds URLs without trailing punctuation', () => {
    expect(found('see https://example.com/a?b=1#c, or www.example.org.', 'URL')).toEqual([
      'https://example.com/a?b=1#c',
      'www.example.org',
    ]);
  });
});

describe('CRYPTO', () => {
  it('validates Bitcoin base58check and bech32, and Ethereum addresses', () => {
    expect(found('send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', 'CRYPTO')).toEqual([
      '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2',
    ]);
    expect(found('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', 'CRYPTO')).toEqual([
      'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
    ]);
    expect(found('wallet 0x52908400098527886E0F7030069857D2E4169EE7', 'CRYPTO')).toEqual([
      '0x52908400098527886E0F7030069857D2E4169EE7',
    ]);
    // One character changed: the checksum fails.
    expect(found('send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3', 'CRYPTO')).toEqual([]);
    expect(found('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr', 'CRYPTO')).toEqual([]);
  });
});

describe('dates', () => {
  it('reports a date of birth only next to a birth word, in several languages', () => {
    expect(found('She was born on 2/8/1935.', 'DATE_OF_BIRTH')).toEqual(['2/8/1935']);
    expect(found('Geburtsdatum: 12. März 1980', 'DATE_OF_BIRTH')).toEqual(['12. März 1980']);
    expect(found('DOB 1990-07-14', 'DATE_OF_BIRTH')).toEqual(['1990-07-14']);
    expect(found('The meeting is on 2/8/2025.', 'DATE_OF_BIRTH')).toEqual([]);
  });
  it('finds numeric dates and times, rejecting impossible ones', () => {
    expect(found('at 2000-04-16 11:34:35 and 31/12/1999', 'DATE_TIME')).toEqual(['2000-04-16 11:34:35', '31/12/1999']);
    expect(found('ref 45/67/8910', 'DATE_TIME')).toEqual([]);
  });
  it('finds a year after a word that makes it one, also at the end of a sentence or clause', () => {
    expect(found('The choir was formed in 1984. It still sings.', 'DATE_TIME')).toEqual(['1984']);
    expect(found('During 1993, the firm grew.', 'DATE_TIME')).toEqual(['1993']);
    expect(found('It was renamed in 2009', 'DATE_TIME')).toEqual(['2009']);
    // A decimal, a longer number, a percentage or no time word: not a year.
    expect(found('in 1977.5 seconds', 'DATE_TIME')).toEqual([]);
    expect(found('in 1,977,000 homes', 'DATE_TIME')).toEqual([]);
    expect(found('in 2014 % of cases', 'DATE_TIME')).toEqual([]);
    expect(found('order 1977 shipped.', 'DATE_TIME')).toEqual([]);
  });
  it('finds weekdays, and months named alone after a time word', () => {
    expect(found('We sail on Tuesday evening and return on Sundays.', 'DATE_TIME')).toEqual(['Tuesday', 'Sundays']);
    expect(found('We moved house in May. Since March it rains.', 'DATE_TIME')).toEqual(['May', 'March']);
    expect(found('May I ask? March forward! Mondayish plans', 'DATE_TIME')).toEqual([]);
  });
});

describe('US_SSN', () => {
  it('finds separated SSNs and compact ones with context', () => {
    expect(found('SSN 503-47-2247', 'US_SSN')).toEqual(['503-47-2247']);
    expect(found('ssn: 503 47 2247', 'US_SSN')).toEqual(['503 47 2247']);
    expect(found('my social security number is 503472247', 'US_SSN')).toEqual(['503472247']);
    expect(found('invoice 503472247', 'US_SSN')).toEqual([]);
  });
  it('rejects impossible areas, groups and serials', () => {
    for (const ssn of ['000-12-3456', '666-12-3456', '912-34-5678', '123-00-4567', '123-45-0000', '111-11-1111']) {
      expect(found(`SSN ${ssn}`, 'US_SSN'), ssn).toEqual([]);
    }
  });
});
