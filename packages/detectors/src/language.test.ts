import { ConfigError, createGuard, type DetectContext, type FindingInput, normalizeText } from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { detectLanguage, LANGUAGE_NAMES, language, languageEntry, SUPPORTED_LANGUAGES } from './language.js';

function run(detector: ReturnType<typeof language>, text: string): readonly FindingInput[] {
  return detector.detect(text, { normalized: normalizeText(text) } as DetectContext) as readonly FindingInput[];
}

const SAMPLES: Record<string, string> = {
  en: 'Could you please tell me how I can change the password of my account?',
  fr: "Pourriez-vous m'expliquer comment je peux changer le mot de passe de mon compte ?",
  de: 'Können Sie mir bitte sagen, wie ich das Passwort für mein Konto ändern kann?',
  es: '¿Podría decirme cómo puedo cambiar la contraseña de mi cuenta, por favor?',
  it: 'Potresti dirmi come posso cambiare la password del mio account, per favore?',
  pt: 'Você pode me dizer como eu posso mudar a senha da minha conta, por favor?',
  nl: 'Kunt u mij vertellen hoe ik het wachtwoord van mijn account kan wijzigen?',
  ro: 'Îmi puteți spune cum pot schimba parola contului meu, vă rog?',
  tr: 'Hesabımın şifresini nasıl değiştirebileceğimi bana söyler misiniz lütfen?',
  vi: 'Bạn có thể cho tôi biết làm thế nào để thay đổi mật khẩu tài khoản của tôi không?',
  id: 'Bisakah Anda memberi tahu saya bagaimana cara mengubah kata sandi akun saya?',
  pl: 'Czy możesz mi powiedzieć, jak mogę zmienić hasło do mojego konta?',
  sv: 'Kan du berätta för mig hur jag kan ändra lösenordet för mitt konto?',
  ru: 'Не могли бы вы сказать мне, как я могу изменить пароль своей учётной записи?',
  uk: 'Чи не могли б ви сказати мені, як я можу змінити пароль свого облікового запису?',
  bg: 'Бихте ли ми казали как мога да сменя паролата на моя профил, моля?',
  ar: 'هل يمكنك أن تخبرني كيف يمكنني تغيير كلمة المرور الخاصة بحسابي؟',
  fa: 'آیا می توانید به من بگویید که چگونه می توانم رمز عبور حساب خود را تغییر دهم؟',
  ur: 'کیا آپ مجھے بتا سکتے ہیں کہ میں اپنے اکاؤنٹ کا پاس ورڈ کیسے تبدیل کر سکتا ہوں؟',
  hi: 'क्या आप मुझे बता सकते हैं कि मैं अपने खाते का पासवर्ड कैसे बदल सकता हूँ?',
  mr: 'माझ्या खात्याचा पासवर्ड कसा बदलायचा हे तुम्ही मला सांगू शकता का? मला मदत हवी आहे आणि ते महत्त्वाचे आहे.',
  el: 'Μπορείτε να μου πείτε πώς μπορώ να αλλάξω τον κωδικό πρόσβασης του λογαριασμού μου;',
  he: 'האם תוכל לומר לי איך אני יכול לשנות את הסיסמה של החשבון שלי?',
  th: 'คุณช่วยบอกฉันได้ไหมว่าฉันจะเปลี่ยนรหัสผ่านของบัญชีได้อย่างไร',
  ko: '제 계정의 비밀번호를 어떻게 변경할 수 있는지 알려주시겠어요?',
  ja: 'アカウントのパスワードを変更する方法を教えていただけますか？',
  zh: '你能告诉我如何更改我的账户密码吗？',
  bn: 'আপনি কি আমাকে বলতে পারেন কিভাবে আমি আমার অ্যাকাউন্টের পাসওয়ার্ড পরিবর্তন করতে পারি?',
  ka: 'შეგიძლიათ მითხრათ, როგორ შევცვალო ჩემი ანგარიშის პაროლი?',
};

describe('detectLanguage', () => {
  for (const [code, text] of Object.entries(SAMPLES)) {
    it(`identifies ${LANGUAGE_NAMES[code]}`, () => {
      expect(detectLanguage(text).language).toBe(code);
    });
  }

  it('reports the script and a confidence in [0, 1]', () => {
    const guess = detectLanguage(SAMPLES.ru!);
    expect(guess.script).toBe('Cyrl');
    expect(guess.confidence).toBeGreaterThan(0);
    expect(guess.confidence).toBeLessThanOrEqual(1);
    expect(detectLanguage(SAMPLES.ja!).script).toBe('Jpan');
    expect(detectLanguage(SAMPLES.zh!).script).toBe('Hani');
  });

  it('answers "und" with confidence 0 when there is nothing to judge', () => {
    for (const text of ['', '12345 67890', '😀😀😀', '!!! ??? ...', 'McKinsey Corp']) {
      const guess = detectLanguage(text);
      expect(guess.language).toBe('und');
      expect(guess.confidence).toBe(0);
    }
  });

  it('reads decomposed accents like composed ones', () => {
    expect(detectLanguage('¿Dónde está la estación de tren más cercana?'.normalize('NFD')).language).toBe('es');
  });

  it('examines only the first maxChars characters', () => {
    const text = `${SAMPLES.en!} `.repeat(10) + `${SAMPLES.de!} `.repeat(200);
    expect(detectLanguage(text, { maxChars: 500 }).language).toBe('en');
    expect(detectLanguage(text).language).toBe('de');
  });
});

describe('language()', () => {
  const enFr = language({ allowed: ['en', 'fr'] });

  it('flags a language that is not allowed, with data and no raw text in the message', () => {
    const findings = run(enFr, SAMPLES.de!);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.category).toBe('language-not-allowed');
    expect(findings[0]!.data).toMatchObject({ language: 'de', script: 'Latn' });
    expect(findings[0]!.score).toBeGreaterThanOrEqual(0.5);
    expect(findings[0]!.message).toContain('German');
    expect(findings[0]!.message).not.toContain('Passwort');
  });

  it('allows the allowed languages', () => {
    expect(run(enFr, SAMPLES.en!)).toEqual([]);
    expect(run(enFr, SAMPLES.fr!)).toEqual([]);
  });

  it('flags other scripts by the script alone', () => {
    for (const code of ['ru', 'zh', 'ja', 'ko', 'ar', 'hi', 'th', 'el']) {
      const findings = run(enFr, SAMPLES[code]!);
      expect(findings.map((finding) => finding.data?.language)).toEqual([code]);
    }
  });

  it('does not judge short texts unless onUnknown is flag', () => {
    expect(run(enFr, 'Hallo, wie geht es?')).toEqual([]);
    expect(run(enFr, 'Danke schön')).toEqual([]);
    const strict = language({ allowed: ['en'], onUnknown: 'flag' });
    const findings = run(strict, 'Danke schön');
    expect(findings.map((finding) => finding.category)).toEqual(['language-unknown']);
    expect(run(strict, 'Hello there, thanks a lot for the help!')).toEqual([]);
  });

  it('never flags a text without letters, even with onUnknown flag', () => {
    const strict = language({ allowed: ['en'], onUnknown: 'flag' });
    expect(run(strict, '')).toEqual([]);
    expect(run(strict, '1234 5678 !!')).toEqual([]);
  });

  it('respects minLength', () => {
    const lenient = language({ allowed: ['en'], minLength: 200 });
    expect(run(lenient, SAMPLES.de!)).toEqual([]);
    const eager = language({ allowed: ['en'], minLength: 5 });
    expect(run(eager, 'Wie spät ist es jetzt bitte?')).toHaveLength(1);
  });

  it('treats a text mixing an allowed script as mixed, not foreign', () => {
    const greek = language({ allowed: ['el'] });
    expect(run(greek, 'Τι έκανε το Tesla Electric Light & Manufacturing;')).toEqual([]);
    const strict = language({ allowed: ['el'], mixedShare: 1 });
    expect(run(strict, 'Τι έκανε το Tesla Electric Light & Manufacturing;')).toHaveLength(1);
  });

  it('reads the original when look-alike letters were folded (Cyrillic next to Latin names)', () => {
    const russian = language({ allowed: ['ru'] });
    expect(run(russian, 'Кто основал McKinsey & Company?')).toEqual([]);
    const english = language({ allowed: ['en'] });
    expect(
      run(english, 'Кто основал компанию McKinsey и когда это было? Расскажите подробно, пожалуйста.')[0]?.data
        ?.language,
    ).toBe('ru');
  });

  it('is not fooled by zero-width characters inside words', () => {
    const hidden = 'Können Sie mir bitte sagen, wie ich das Passwort für mein Konto ändern kann?'.replace(
      / /g,
      '\u200b ',
    );
    expect(run(language({ allowed: ['en'] }), hidden)[0]?.data?.language).toBe('de');
  });

  it('never throws on odd input', () => {
    const detector = language({ allowed: ['en'], onUnknown: 'flag' });
    const odd = [
      '',
      'x'.repeat(1_000_000),
      'Привет '.repeat(150_000),
      String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919) % 65536)),
      '😀🙈🚀'.repeat(1000),
      'مرحبا بالعالم، هذا نص من اليمين إلى اليسار \u202e test',
      '\ud800\udc00\ud800 lone \udfff surrogates',
      '\u0000\u0001\u0002 binary \uffff\ufffe',
    ];
    for (const text of odd) {
      const findings = run(detector, text);
      expect(Array.isArray(findings)).toBe(true);
      for (const finding of findings) expect(finding.score).toBeLessThanOrEqual(1);
    }
  });

  it('validates options and lists the supported codes', () => {
    expect(() => language({ allowed: ['xx'] })).toThrow(ConfigError);
    expect(() => language({ allowed: ['xx'] })).toThrow(/supported|among: en, fr/);
    expect(() => language({ allowed: [] })).toThrow(/allowed/);
    expect(() => language({ allowed: ['en'], onUnknown: 'maybe' } as never)).toThrow(/onUnknown/);
    expect(() => language({ allowed: ['en'], colour: 'red' } as never)).toThrow(ConfigError);
    expect(language({ allowed: ['EN'] }).id).toBe('language');
  });

  it('has an id, stages and recommended rules, and a registry entry', () => {
    const detector = language({ allowed: ['en'], id: 'lang-en', stages: ['input', 'output'] });
    expect(detector.id).toBe('lang-en');
    expect(detector.stages).toEqual(['input', 'output']);
    expect(detector.rules?.[0]).toMatchObject({ category: 'language-not-allowed', action: 'block' });
    expect(languageEntry.requiresOptions).toBe(true);
    expect(languageEntry.create({ allowed: ['en'] }).id).toBe('language');
    expect(() => languageEntry.create()).toThrow(ConfigError);
    expect(SUPPORTED_LANGUAGES).toContain('zh');
  });
});

describe('language() in a guard', () => {
  const guard = createGuard({ input: [language({ allowed: ['en'] })] });

  it('blocks a foreign-language prompt and allows an English one', async () => {
    const blocked = await guard.checkInput(SAMPLES.es!);
    expect(blocked.action).toBe('block');
    expect(blocked.findings[0]).toMatchObject({ detector: 'language', category: 'language-not-allowed' });
    const allowed = await guard.checkInput(SAMPLES.en!);
    expect(allowed.action).toBe('allow');
    expect(allowed.findings).toEqual([]);
  });

  it('lets the policy downgrade the action', async () => {
    const flagging = createGuard({
      input: [language({ allowed: ['en'] })],
      policy: { rules: [{ detector: 'language', minScore: 0, action: 'flag' }] },
    });
    expect((await flagging.checkInput(SAMPLES.ru!)).action).toBe('flag');
  });
});
