import type { Recognizer } from '../../recognizer.js';
import { looksLikeSecret } from './shared.js';

// Secrets written after a telling key: `password = …`, `"api_key": "…"`, `TOKEN: …`, `--secret=…`, in
// English and a few other languages. The key must END with the telling word (`credentialsId`, `token_url`,
// `secret_length` are not secrets), and the value must read like a secret (see looksLikeSecret): templates,
// references, placeholders, identifiers, versions, paths and low-entropy values are left alone.

/** What a value may contain when written bare or quoted: no space, quote, bracket, separator or backslash. */
const VALUE_CHAR = '[^\\s"\'`,;<>(){}\\[\\]\\\\|]';
// The value may not end with a dot or colon (the end of a sentence, a YAML key).
const VALUE = `(${VALUE_CHAR}{0,511}[^\\s"'\`,;<>(){}\\[\\]\\\\|.:])`;
const VALUE_END = '(?=["\'`\\s,;&)}\\]<|]|\\\\[nrt"\'`]|$)';
const SEPARATOR = '(?:\\\\?["\'])?[ \\t]{0,4}(?::=|=>|=|:(?!:)|\\?=)[ \\t]{0,4}(?:\\\\?["\'`])?';

// Words before the key word that make it something else: a page cursor, an anti-forgery token, a public key,
// a count of tokens.
const NOT_SECRET_WORDS =
  '(?:csrf|xsrf|public|pub|next|page|continuation|cursor|sync|nonce|idempotency|pagination|cancellation|max|num|total|input|output|prompt|completion|design|lexer|parser|verification|validation)';

const SECRET_WORDS = [
  'secret',
  'token',
  '(?:api|access|auth|private|master|encryption|signing|client|app|consumer|license|subscription|service|account|admin|webhook|deploy|integration|bot|ssh|storage|shared|session|secret|personal)[_.-]?key',
  'credentials?',
  'auth',
].join('|');

const PASSWORD_WORDS = [
  'passwor[dt]',
  'passwd',
  'passphrase',
  '(?<![a-z])pass(?:wd)?',
  '(?<![a-z])pwd',
  'mot[_.-]?de[_.-]?passe',
  '(?<=mot[ _.-]de[ _.-])passe',
  'motdepasse',
  'contrasena',
  'senha',
  'wachtwoord',
  'haslo',
  'parola',
  'salasana',
  'losenord',
  'kennwort',
  'adgangskode',
  'passord',
  'jelszo',
  'heslo',
  'sifre',
  'lozinka',
  'geslo',
  'parool',
  'kata[_.-]?sandi',
  'mat[_.-]?khau',
  'matkhau',
].join('|');

function keyed(words: string): string {
  const tail = `(?:${words})(?:[_.-]?(?:base|value|string|str))?[0-9]{0,2}`;
  // The key must end with the telling word, not right after a word that makes it something else.
  const isKey = `(?<=${tail})(?<!${NOT_SECRET_WORDS}[_.-]?${tail})`;
  // From the start of the key: an optional quote, the whole key (read greedily, then checked from its end,
  // so nothing backtracks through it), the separator. Or from the separator, the key behind it: the engine
  // starts there when the key is cut off from it (escaped JSON `\"password\":\"…\"`).
  const fromKey = `["']?[A-Za-z0-9_.-]{1,60}(?![A-Za-z0-9_.-])${isKey}${SEPARATOR}`;
  const fromSeparator = `(?=[:=?])(?<=${tail}(?:\\\\?["'])?[ \\t]{0,4})(?<!${NOT_SECRET_WORDS}[_.-]?${tail}(?:\\\\?["'])?[ \\t]{0,4})${SEPARATOR.replace('(?:\\\\?["\'])?[ \\t]{0,4}', '')}`;
  return `(?:${fromKey}|${fromSeparator})${VALUE}${VALUE_END}`;
}

// A value in a URL query runs into the next parameter (`token=…&user=…`): keep what comes before it.
const NEXT_PARAMETER = /&[A-Za-z_][\w.-]{0,40}=/;
function beforeNextParameter(value: string): number | undefined {
  const at = value.search(NEXT_PARAMETER);
  return at < 0 ? value.length : at > 0 ? at : undefined;
}

export const PASSWORD_MIN_LENGTH = 8;
export const SECRET_MIN_LENGTH = 10;

/**
 * The key/value recognizers. `claimedElsewhere` tells whether a provider-specific recognizer recognizes the
 * value (a `ghp_…` after `token:`): those are left to it, so the finding names the provider.
 */
export function assignmentRecognizers(claimedElsewhere: (value: string) => boolean): readonly Recognizer[] {
  const password: Recognizer = {
    id: 'password-assignment',
    entity: 'SECRET',
    kind: 'secret',
    provider: 'Generic',
    pattern: new RegExp(keyed(PASSWORD_WORDS), 'i'),
    starts: ['upper', 'lower', 'quote', 'other'],
    group: 1,
    score: 0.75,
    refine: beforeNextParameter,
    validate: (value) => looksLikeSecret(value, PASSWORD_MIN_LENGTH, 2.6) && !claimedElsewhere(value),
  };
  const secret: Recognizer = {
    id: 'secret-assignment',
    entity: 'SECRET',
    kind: 'secret',
    provider: 'Generic',
    pattern: new RegExp(keyed(SECRET_WORDS), 'i'),
    starts: ['upper', 'lower', 'quote', 'other'],
    group: 1,
    score: 0.7,
    refine: beforeNextParameter,
    validate: (value) => looksLikeSecret(value, SECRET_MIN_LENGTH, 3.2, true) && !claimedElsewhere(value),
  };
  // Keys in other scripts. The engine measures tokens in ASCII, so a candidate starts at the ASCII tail of the
  // key ("contraseñ|a"), at the separator after a key with no ASCII tail ("пароль|:"), or at the value itself.
  const tails = ['a(?<=contraseña)', 'o(?<=hasło)', 'senord(?<=lösenord)', 'ifre(?<=şifre)', 'is(?<=slaptažodis)'].join(
    '|',
  );
  const nonAscii = [
    'jelszó',
    'пароль',
    'парола',
    'лозинка',
    'секрет',
    'токен',
    '密码',
    '密碼',
    '口令',
    '密钥',
    'パスワード',
    '暗証番号',
    '비밀번호',
    'κωδικός',
    'סיסמה',
    'كلمة_المرور',
    'كلمة المرور',
    'mật khẩu',
    'mật_khẩu',
  ].join('|');
  const everyKey = `contraseña|hasło|lösenord|şifre|slaptažodis|${nonAscii}`;
  const colon = '(?::|=|：)';
  const intl: Recognizer = {
    id: 'password-assignment-intl',
    entity: 'SECRET',
    kind: 'secret',
    provider: 'Generic',
    pattern: new RegExp(
      `(?:(?:${tails})["']?[ \\t]{0,4}${colon}[ \\t]{0,4}(?:\\\\?["'\`])?|${colon}(?<=(?:${nonAscii})["']?[ \\t]{0,4}${colon})[ \\t]{0,4}(?:\\\\?["'\`])?|(?<=(?:${everyKey})["']?[ \\t]{0,4}${colon}[ \\t]{0,4}(?:\\\\?["'\`])?))${VALUE}${VALUE_END}`,
      'i',
    ),
    starts: ['upper', 'lower', 'digit', 'other', 'quote', 'plus', 'dash', 'paren'],
    group: 1,
    score: 0.75,
    validate: (value) => looksLikeSecret(value, PASSWORD_MIN_LENGTH, 2.6) && !claimedElsewhere(value),
  };
  // `--password value`, `--token value` on a command line (space-separated; `--password=…` is a key above).
  const flag: Recognizer = {
    id: 'cli-secret-flag',
    entity: 'SECRET',
    kind: 'secret',
    provider: 'Generic',
    pattern: new RegExp(
      `(?<=(?:^|\\s)--?(?:password|passwd|pass|pwd|token|api-key|apikey|secret|client-secret|auth-token|access-token)[ \\t]{1,4}["']?)${VALUE}${VALUE_END}`,
      'i',
    ),
    starts: ['upper', 'lower', 'digit', 'other'],
    group: 1,
    score: 0.7,
    refine: beforeNextParameter,
    validate: (value) => looksLikeSecret(value, PASSWORD_MIN_LENGTH, 2.8) && !claimedElsewhere(value),
  };
  // "my password is …", "das Passwort ist …", "la contraseña es …": found when the value holds a digit or
  // symbol that anchors it (letters-only values are not secrets to looksLikeSecret anyway).
  const prose: Recognizer = {
    id: 'password-in-prose',
    entity: 'SECRET',
    kind: 'secret',
    provider: 'Generic',
    pattern: new RegExp(
      `(?<=(?:password|passcode|passphrase|passwort|kennwort|mot de passe|contraseña|contrasena|senha|wachtwoord|hasło|haslo|пароль|密码)[ \t]{1,3}(?:(?:is(?: now| set to)?|was|will be|ist|lautet|est|es|é|è|jest|это|是)[ \t]{0,2}[:=]?|[:=])[ \t]{1,3}["'\`“]?)${VALUE}${VALUE_END.replace('(?=[', '(?=[”')}`,
      'i',
    ),
    starts: ['upper', 'lower', 'digit', 'other'],
    group: 1,
    score: 0.7,
    refine: beforeNextParameter,
    validate: (value) => looksLikeSecret(value, PASSWORD_MIN_LENGTH, 2.6) && !claimedElsewhere(value),
  };
  return [password, secret, intl, flag, prose];
}
