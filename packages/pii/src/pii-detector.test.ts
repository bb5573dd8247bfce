import { ConfigError, createGuard, GuardBlockedError } from '@parapet/core';
import { recordingSink } from '@parapet/core/test';
import { describe, expect, it } from 'vitest';
import { contextFor } from '../test/helpers.js';
import { compiledSetCount, piiDetector, secretsDetector } from './pii-detector.js';
import { createVault } from './vault.js';

const TEXT =
  'Hi, I am Jane. Mail jane.doe@example.org or call +44 20 7946 0958; card 4539 1488 0343 6467, IBAN DE89 3704 0044 0532 0130 00.';

describe('piiDetector', () => {
  it('redacts with typed placeholders by default, through the guard', async () => {
    const guard = createGuard({ input: [piiDetector()] });
    const verdict = await guard.checkInput(TEXT);
    expect(verdict.action).toBe('redact');
    expect(verdict.text).toBe('Hi, I am Jane. Mail <EMAIL_1> or call <PHONE_1>; card <CREDIT_CARD_1>, IBAN <IBAN_1>.');
    expect(verdict.findings.map((finding) => finding.category)).toEqual([
      'EMAIL_ADDRESS',
      'PHONE_NUMBER',
      'CREDIT_CARD',
      'IBAN_CODE',
    ]);
  });

  it('never puts a raw value into a finding message, data or error, nor into audit events', async () => {
    const sink = recordingSink();
    const guard = createGuard({ input: [piiDetector(), secretsDetector()], audit: sink });
    const verdict = await guard.checkInput(TEXT);
    const planted = ['jane.doe@example.org', '7946 0958', '4539 1488 0343 6467', 'DE89 3704', '37040044'];
    const serialized = JSON.stringify({
      findings: verdict.findings.map(({ replacement, ...rest }) => rest),
      errors: verdict.errors,
      events: sink.events,
    });
    for (const value of planted) expect(serialized).not.toContain(value);
  });

  it('pseudonymizes across turns with a vault and restores the model answer, also in a stream split mid-placeholder', async () => {
    const vault = createVault();
    const guard = createGuard({
      input: [piiDetector({ operator: { type: 'pseudonymize', vault } })],
      output: [piiDetector({ operator: { type: 'restore', vault } })],
    });
    const first = await guard.checkInput('my email is jane.doe@example.org');
    expect(first.text).toBe('my email is <EMAIL_1>');
    const second = await guard.checkInput('also cc bob@example.net and jane.doe@example.org');
    expect(second.text).toBe('also cc <EMAIL_2> and <EMAIL_1>');
    const answer = await guard.checkOutput('I will write to <EMAIL_1> and <EMAIL_2>.');
    expect(answer.text).toBe('I will write to jane.doe@example.org and bob@example.net.');
    const chunks = ['I will write to <EM', 'AIL_', '1> to', 'day.'];
    let streamed = '';
    for await (const piece of guard.scanStream(chunks)) streamed += piece;
    expect(streamed).toBe('I will write to jane.doe@example.org today.');
    // Unknown placeholders are left as they are.
    expect((await guard.checkOutput('see <EMAIL_7>')).text).toBe('see <EMAIL_7>');
  });

  it('applies per-entity operators, entity selection, allow and deny lists', async () => {
    const guard = createGuard({
      input: [
        piiDetector({
          entities: ['EMAIL_ADDRESS', 'CREDIT_CARD'],
          operators: { CREDIT_CARD: { type: 'mask', keepLast: 4 } },
          allow: ['support@example.org'],
          deny: ['Project Falcon'],
        }),
      ],
    });
    const verdict = await guard.checkInput(
      'Mail support@example.org or jane@example.org about project falcon, card 4539 1488 0343 6467, phone +44 20 7946 0958',
    );
    expect(verdict.text).toBe(
      'Mail support@example.org or <EMAIL_1> about <DENY_LIST_1>, card **** **** **** 6467, phone +44 20 7946 0958',
    );
  });

  it('accepts custom recognizers: RE2 patterns with a validator, and keyword lists', async () => {
    const detector = piiDetector({
      entities: [],
      custom: [
        { entity: 'EMPLOYEE_ID', patterns: ['EMP-\\d{6}'], validate: (value) => !value.endsWith('000000') },
        { entity: 'CODENAME', keywords: ['bluebird'] },
      ],
    });
    const guard = createGuard({ input: [detector] });
    const verdict = await guard.checkInput('EMP-123456 and EMP-000000 on Bluebird');
    expect(verdict.text).toBe('<EMPLOYEE_ID_1> and EMP-000000 on <CODENAME_1>');
  });

  it('finds values hidden in base64 and URL encoding through the core normalizer', async () => {
    const encoded = Buffer.from('contact jane.doe@example.org please').toString('base64');
    const detector = piiDetector({ entities: ['EMAIL_ADDRESS'] });
    const findings = (await detector.detect(`payload: ${encoded}`, contextFor(`payload: ${encoded}`))) as readonly {
      data?: { reasons?: string[] };
      span?: { start: number };
    }[];
    expect(findings).toHaveLength(1);
    expect(findings[0]!.data!.reasons).toContain('decoded:base64');
    expect(findings[0]!.span!.start).toBe(9);
    const url = 'mailto%3Ajane.doe%40example.org%20now';
    expect(await detector.detect(url, contextFor(url))).toHaveLength(1);
  });

  it('finds values written with full-width digits or zero-width characters, with spans in the original text', async () => {
    const text = 'card ４５３９ １４８８ ０３４３ ６４６７ and jane\u200b.doe@example.org';
    const guard = createGuard({ input: [piiDetector({ entities: ['CREDIT_CARD', 'EMAIL_ADDRESS'] })] });
    const verdict = await guard.checkInput(text);
    expect(verdict.text).toBe('card <CREDIT_CARD_1> and <EMAIL_1>');
  });

  it('finds names and places when asked (compromise lexicon, loaded lazily)', async () => {
    const guard = createGuard({
      input: [piiDetector({ entities: ['PERSON', 'LOCATION'] })],
      policy: { timeoutMs: 10_000 },
    });
    const verdict = await guard.checkInput('Dr. Justin Beet moved to Budapest, Hungary with Maria Schmidt.');
    // The honorific is a cue, not part of the name (Presidio labels it TITLE).
    expect(verdict.text).toBe('Dr. <PERSON_1> moved to <LOCATION_1>, <LOCATION_2> with <PERSON_2>.');
  });

  it('reads "St." as a street or a saint, never a place of its own, and an unknown acronym after "from" as no place', async () => {
    const guard = createGuard({
      input: [piiDetector({ entities: ['PERSON', 'LOCATION', 'STREET_ADDRESS'] })],
      policy: { timeoutMs: 10_000 },
    });
    const places = async (text: string) =>
      (await guard.checkInput(text)).findings
        .filter((finding) => finding.category === 'LOCATION')
        .map((finding) => text.slice(finding.span!.start, finding.span!.end));
    // compromise lists "St" as a place: alone it was reported as one, in every address ending in "St.".
    expect(await places('Pedestrians must enter on Hoge Wei 32 St. the first three months.')).toEqual([]);
    expect(await places('The bus drops you off at 4823 Ringvej 144 St.')).toEqual([]);
    // A saint's town is one place, with or without the period.
    expect(await places('We flew from St. Louis to St Petersburg.')).toEqual(['St. Louis', 'St Petersburg']);
    // "St." ending an address before a sentence that starts with a name joins nothing.
    const next = await guard.checkInput('I live at 12 Main St. Bob lives next door.');
    expect(next.findings.some((finding) => finding.category === 'LOCATION')).toBe(false);
    // Three capitals after "from" that the lexicon does not know: a thing, not a town; longer shouted words
    // still are ("SUND").
    expect(await places('Charges apply to withdraw money from ATM with the card.')).toEqual([]);
    expect(await places('Duffy grew up in SUND.')).toEqual(['SUND']);
    expect(await places('I moved here from Lyon, and she is from UK.')).toEqual(['Lyon', 'UK']);
    // Towns no lexicon knows, after "university of" and "home city".
    expect(await places('She studied journalism at the University of Vadsa.')).toEqual(['Vadsa']);
    expect(await places("Firms that dominate the economy of the band's home city Voorburg: A, B and C.")).toEqual([
      'Voorburg',
    ]);
  });

  it('with places on, grows an address over the town and country after it, and reports a town that ends it', async () => {
    const both = createGuard({
      input: [piiDetector({ entities: ['PERSON', 'LOCATION', 'STREET_ADDRESS'] })],
      policy: { timeoutMs: 10_000 },
    });
    const addressOnly = createGuard({ input: [piiDetector({ entities: ['STREET_ADDRESS'] })] });
    const found = async (guard: typeof both, text: string) =>
      (await guard.checkInput(text)).findings.map(
        (finding) => `${finding.category}:${text.slice(finding.span!.start, finding.span!.end)}`,
      );
    // A street, a town, a country and a postcode on one line: one address, no separate places.
    const letter = 'Please send it to 5586 Þórunnarstræti 31, Arnsdorf, Germany 16200 today.';
    expect(await found(both, letter)).toEqual(['STREET_ADDRESS:5586 Þórunnarstræti 31, Arnsdorf, Germany 16200']);
    // Without places the address stops at the street, as before.
    expect(await found(addressOnly, letter)).toEqual(['STREET_ADDRESS:5586 Þórunnarstræti 31']);
    // A town no lexicon knows, alone after the street at the end of the sentence: a place.
    expect(await found(both, 'She lives at 86036 Rua do Arenque 1634, Goiânia.')).toEqual([
      'STREET_ADDRESS:86036 Rua do Arenque 1634',
      'LOCATION:Goiânia',
    ]);
    // A place inside the street ("Main Street" is in compromise's lexicon) no longer takes the address's place.
    expect(await found(both, 'Our office: 12 Main Street, Springfield, United States, call us.')).toEqual([
      'STREET_ADDRESS:12 Main Street, Springfield, United States',
    ]);
    // Lower-case words or a name after the comma are not a town.
    expect(await found(both, 'I live at 12 Main Street, and Bob lives next door.')).toEqual([
      'STREET_ADDRESS:12 Main Street',
      'PERSON:Bob',
    ]);
  });

  it('never takes "I\'m" or a "-person" role for a name; a "-son" surname still is one', async () => {
    const guard = createGuard({ input: [piiDetector({ entities: ['PERSON'] })], policy: { timeoutMs: 10_000 } });
    const names = async (text: string) =>
      (await guard.checkInput(text)).findings.map((finding) => text.slice(finding.span!.start, finding.span!.end));
    expect(await names("Hi Freddy, I'm contacting you about a problem. I've seen it, I'll fix it, I'd say.")).toEqual([
      'Freddy',
    ]);
    expect(await names('Awarded Salesperson of the Month three times, and Chairperson after that.')).toEqual([]);
    expect(await names('The contract went to Gunnarsson after the vote.')).toEqual(['Gunnarsson']);
    // A sentence opening on an unknown word and "is"/"was" is about a thing unless what follows fits a person.
    expect(await names('Battery is where lunacy finds you. Zoolander is a 2001 comedy.')).toEqual([]);
    // A surname's ending after a capitalized common word is a title, not a name.
    expect(await names('For my take on the album, see Guilty Pleasures: 5 Musicians Of The 70s.')).toEqual([]);
    expect(await names('Tomomi is from Osaka. Mehrudin shouted at the referee. Ilkka was born in May.')).toEqual([
      'Tomomi',
      'Mehrudin',
      'Ilkka',
    ]);
  });

  it('blocks when the policy says so, and rejects unknown entities and bad options with the field named', async () => {
    const guard = createGuard({
      input: [piiDetector()],
      policy: { rules: [{ category: 'CREDIT_CARD', minScore: 0.5, action: 'block' }] },
    });
    await expect(guard.run([{ role: 'user', content: 'card 4539 1488 0343 6467' }], async () => 'x')).rejects.toThrow(
      GuardBlockedError,
    );
    expect(() => piiDetector({ entities: ['NOT_AN_ENTITY'] })).toThrow(/Unknown entity "NOT_AN_ENTITY"/);
    expect(() => piiDetector({ minScore: 2 } as never)).toThrow(ConfigError);
    expect(() => piiDetector({ operator: { type: 'mask', char: '**' } } as never)).toThrow(/operator/);
    expect(() => piiDetector({ custom: [{ entity: 'X_ID', patterns: ['(a'] }] })).toThrow(ConfigError);
  });

  it('never crashes on odd input', async () => {
    const guard = createGuard({ input: [piiDetector(), secretsDetector()] });
    for (const text of [
      '',
      '\ud800\udc00\ud800',
      '😀'.repeat(1000),
      '\u202eevil',
      'x'.repeat(200_000),
      '\u0000\u0001\u0002',
    ]) {
      const verdict = await guard.checkInput(text);
      expect(verdict.errors).toEqual([]);
    }
  });
});

describe('compiled recognizer sets are shared between detectors of the same selection', () => {
  const detect = async (detector: ReturnType<typeof piiDetector>, text: string) =>
    (await detector.detect(text, contextFor(text))).map((finding) => `${finding.category}@${finding.span?.start}`);

  it('a detector per conversation (a vault each) reuses the compiled set; another selection gets its own', async () => {
    const entities = ['EMAIL_ADDRESS', 'PHONE_NUMBER', 'IBAN_CODE', 'CREDIT_CARD'];
    const first = piiDetector({ entities, operator: { type: 'pseudonymize', vault: createVault() } });
    const cached = compiledSetCount();
    const second = piiDetector({ entities, operator: { type: 'pseudonymize', vault: createVault() } });
    expect(compiledSetCount()).toBe(cached);
    expect(await detect(second, TEXT)).toEqual(await detect(first, TEXT));
    // A different selection is compiled on its own and finds only what it was asked for.
    const phones = piiDetector({ entities: ['PHONE_NUMBER'], countries: ['GB', 'US'] });
    expect(compiledSetCount()).toBe(Math.min(cached + 1, 32));
    expect((await detect(phones, TEXT)).map((entry) => entry.split('@')[0])).toEqual(['PHONE_NUMBER']);
    // Extra context words change the compiled patterns: not served from another selection's set.
    const withContext = piiDetector({ entities, context: { PHONE_NUMBER: ['hotline'] } });
    expect(compiledSetCount()).toBe(Math.min(cached + 2, 32));
    expect(await detect(withContext, TEXT)).toEqual(await detect(first, TEXT));
  });

  it('stays bounded, and an evicted selection is compiled again and still works', async () => {
    const countries = ['AU', 'DE', 'ES', 'FI', 'FR', 'GB', 'IN', 'IT', 'KR', 'NL', 'PL', 'SE', 'SG', 'TR', 'US'];
    for (let mask = 1; mask <= 40; mask++) {
      piiDetector({ countries: countries.filter((_, index) => (mask >> index) & 1) });
    }
    expect(compiledSetCount()).toBeLessThanOrEqual(32);
    const again = piiDetector({ entities: ['EMAIL_ADDRESS'] });
    expect(await detect(again, TEXT)).toEqual(['EMAIL_ADDRESS@20']);
  });

  it('detectors sharing a set give the same findings when their checks interleave', async () => {
    const a = piiDetector();
    const b = piiDetector({ operator: { type: 'mask' } });
    const texts = Array.from({ length: 40 }, (_, index) => `${'x '.repeat(index)}${TEXT}`);
    const alone = await Promise.all(texts.map((text) => detect(a, text)));
    const mixed = await Promise.all(texts.flatMap((text) => [detect(a, text), detect(b, text)]));
    expect(mixed.filter((_, index) => index % 2 === 0)).toEqual(alone);
    expect(mixed.filter((_, index) => index % 2 === 1)).toEqual(alone);
  });
});
