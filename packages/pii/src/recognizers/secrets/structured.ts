import { entropy } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { charClasses, decodeBase64, decodeJsonObject, isMasked, isPlaceholder, LOWER, token } from './shared.js';

// Secrets recognized by their structure rather than a vendor prefix: JSON Web Tokens, PEM and PuTTY private
// keys, passwords inside connection strings and URLs, curl credentials, HTTP Authorization headers, .npmrc
// and NuGet credentials.

// --- JSON Web Tokens ---------------------------------------------------------------------------------------

const JWT_END = '(?![A-Za-z0-9_=-]|\\.[A-Za-z0-9_-])';
const JWT_HEAD = 'eyJ[A-Za-z0-9_-]{10,2000}={0,2}\\.eyJ[A-Za-z0-9_-]{4,8000}={0,2}';

/** The header decodes to a JSON object naming its algorithm; the payload decodes to a JSON object. */
function jwtParts(value: string): boolean {
  const [header, payload] = value.split('.');
  if (header === undefined || payload === undefined) return false;
  const decodedHeader = decodeJsonObject(header);
  return typeof decodedHeader?.['alg'] === 'string' && decodeJsonObject(payload) !== undefined;
}

const jwt = token({
  id: 'jwt',
  needs: '.',
  provider: 'JWT',
  source: `${JWT_HEAD}\\.[A-Za-z0-9_-]{16,2000}={0,2}`,
  afterSource: JWT_END,
  starts: LOWER,
  score: 0.9,
  noMaskCheck: true,
  check: jwtParts,
  context: ['jwt', 'token', 'bearer', 'authorization', 'id_token', 'access_token'],
});

/** An unsigned token (`alg: none`, or a signature cut off): header and payload only. */
const jwtUnsigned = token({
  id: 'jwt-unsigned',
  needs: '.',
  provider: 'JWT',
  source: `${JWT_HEAD}\\.?`,
  afterSource: JWT_END,
  starts: LOWER,
  score: 0.75,
  noMaskCheck: true,
  check: jwtParts,
  context: ['jwt', 'token', 'bearer', 'authorization', 'id_token', 'access_token'],
});

// --- private keys ------------------------------------------------------------------------------------------

const PEM_HEADER = '-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----';
const PEM_FOOTER = '-----END[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----';
// Inside a block: anything but the five dashes of the footer, bounded (a 16k-bit RSA key is about 12 kB).
const PEM_BODY = '(?:[^-]|-(?!----)){0,20000}';
// A block cut short (no footer): base64 lines after the header, real or escaped newlines.
const PEM_LINES = '(?:(?:\\r?\\n|\\\\r?\\\\n|[ \\t]){1,8}[A-Za-z0-9+/=]{16,100}){2,400}';

/** The key material: at least 64 base64 characters of high entropy, once headers and line breaks are gone. */
function pemBody(value: string): boolean {
  const body = value
    .replace(/-----(?:BEGIN|END)[^-]{0,60}-----/g, '\n')
    .replace(/\\[rn]/g, '\n')
    .split('\n')
    // Encryption headers and armor headers ("Proc-Type: 4,ENCRYPTED", "Version: GnuPG v2").
    .filter((line) => !/^[ \t]*[A-Za-z][A-Za-z-]{1,30}:[ \t]/.test(line))
    .join('');
  const base64 = body.replace(/[^A-Za-z0-9+/=]/g, '');
  const visible = body.replace(/\s/g, '');
  return base64.length >= 64 && base64.length >= visible.length * 0.9 && entropy(base64) >= 4;
}

const pemPrivateKey: Recognizer = {
  id: 'private-key',
  entity: 'SECRET',
  kind: 'secret',
  provider: 'PEM',
  pattern: new RegExp(`${PEM_HEADER}(?:${PEM_BODY}${PEM_FOOTER}|${PEM_LINES})`),
  starts: ['dash'],
  score: 0.95,
  validate: pemBody,
  // The header has no digit, '@', ':' or '=' to anchor it.
  literals: ['-----BEGIN'],
  longValues: true,
};

const puttyPrivateKey: Recognizer = {
  id: 'putty-private-key',
  needs: ':',
  entity: 'SECRET',
  kind: 'secret',
  provider: 'PuTTY',
  pattern:
    /Private-Lines:[ \t]{0,4}[0-9]{1,3}(?:\r?\n|\\r?\\n)((?:[A-Za-z0-9+/=]{1,64}(?:\r?\n|\\r?\\n)){0,99}[A-Za-z0-9+/=]{1,64})(?=\r?\n|\\r?\\n|$)/,
  starts: ['upper'],
  group: 1,
  score: 0.9,
  validate: (value) => {
    const base64 = value.replace(/\\[rn]|\s/g, '');
    return base64.length >= 64 && entropy(base64) >= 4;
  },
};

// --- passwords in URLs -------------------------------------------------------------------------------------

const URL_PLACEHOLDER_WORDS =
  /password|passwd|secret|your|example|changeme|change_me|changeit|placeholder|redacted|dummy|fake|sample|xxx|\*\*\*/i;
const URL_PLACEHOLDERS = new Set([
  'pass',
  'pwd',
  'pw',
  'test',
  'guest',
  'user',
  'username',
  'token',
  'foo',
  'bar',
  'none',
  'null',
]);

/** A password in a URL's userinfo is a secret unless it is a template, a stand-in or a port number. */
function urlPassword(value: string): boolean {
  if (value.length < 4 || /^[0-9]{1,5}$/.test(value)) return false;
  if (/^[$%<{[(]|\$\{|\{\{|<%|\$\(/.test(value)) return false;
  if (URL_PLACEHOLDER_WORDS.test(value) || URL_PLACEHOLDERS.has(value.toLowerCase())) return false;
  return !isMasked(value);
}

// Documentation hosts (RFC 2606 / 6761): example.com/.net/.org and the .example, .test, .invalid names.
const NOT_DOCUMENTATION_HOST =
  '(?!(?:[A-Za-z0-9-]{1,63}\\.){0,4}(?:example\\.(?:com|net|org)|[A-Za-z0-9-]{1,63}\\.(?:example|test|invalid))(?![A-Za-z0-9.-]))';

const DATABASE_SCHEMES = [
  'postgres(?:ql)?',
  'mysql(?:x)?',
  'mariadb',
  'mongodb(?:\\+srv)?',
  'rediss?',
  'amqps?',
  'mssql',
  'sqlserver',
  'jdbc:[a-z0-9]{2,16}',
  'oracle',
  'cockroachdb',
  'clickhouse',
  'neo4j(?:\\+s|\\+ssc)?',
  'bolt',
  'couchdb',
  'memcached',
  'cassandra',
  'ldaps?',
  'nats',
  'kafka',
  'db2',
  'redshift',
  'snowflake',
  'influxdb',
  'rethinkdb',
  'elasticsearch',
  'cloudinary',
  'smtps?',
  'imaps?',
  'pop3s?',
  'ftps?',
  'sftp',
].join('|');

const connectionString: Recognizer = {
  id: 'connection-string-password',
  needs: ':/',
  entity: 'SECRET',
  kind: 'secret',
  provider: 'Database',
  // scheme://user:password@host — the value is the password only; user and host stay readable.
  pattern: new RegExp(
    `(?<![A-Za-z0-9+.-])(?:${DATABASE_SCHEMES})://[^\\s:/@"'<>?#]{0,128}:([^\\s/"'<>]{1,256})@(?=[A-Za-z0-9\\[_.-])${NOT_DOCUMENTATION_HOST}`,
    'i',
  ),
  starts: ['upper', 'lower'],
  group: 1,
  score: 0.9,
  validate: urlPassword,
};

const urlCredentials: Recognizer = {
  id: 'url-password',
  needs: ':/',
  entity: 'SECRET',
  kind: 'secret',
  provider: 'URL',
  pattern: new RegExp(
    `(?<![A-Za-z0-9+.-])(?:https?|wss?|git|ssh|svn(?:\\+ssh)?|hg|rsync|webdav|dav)://[^\\s:/@"'<>?#]{1,128}:([^\\s/"'<>]{1,256})@(?=[A-Za-z0-9\\[_.-])${NOT_DOCUMENTATION_HOST}`,
    'i',
  ),
  starts: ['lower', 'upper'],
  group: 1,
  score: 0.85,
  validate: urlPassword,
};

// --- curl, HTTP headers ------------------------------------------------------------------------------------

/** `user:password`, `:password` or `token:` after `curl -u` / `--user`: the secret is the password, or the
 * user part when the password is empty (API keys passed as the user name). */
function curlCredentials(value: string): boolean {
  // `-u http://host/path` is another tool's URL option, not credentials.
  if (/^[A-Za-z][A-Za-z0-9+.-]{0,20}:\/\//.test(value.replace(/^["'{]+/, ''))) return false;
  const clean = value.replace(/["'{}]/g, '');
  const colon = clean.indexOf(':');
  if (colon < 0) return false;
  const user = clean.slice(0, colon);
  const password = clean.slice(colon + 1);
  const secret = password.length > 0 ? password : user;
  if (secret.length < 6 || /^[$%<[(]|\$\{|\{\{|\$\(/.test(secret)) return false;
  if (URL_PLACEHOLDER_WORDS.test(secret) || URL_PLACEHOLDERS.has(secret.toLowerCase()) || isMasked(secret))
    return false;
  return charClasses(secret) >= 2 && entropy(secret) >= 2.5;
}

const curlUser: Recognizer = {
  id: 'curl-basic-auth',
  entity: 'SECRET',
  kind: 'secret',
  provider: 'HTTP',
  pattern:
    /(?<=(?:^|\s)(?:-u|--user|--proxy-user|-U)(?:[ \t]{1,5}|=)["']?\{?)[^\s"':]{0,128}\}?["']?:(?:["']?\{?[^\s"']{1,128})?(?=["'\s]|$)/,
  starts: ['upper', 'lower', 'digit', 'other'],
  score: 0.8,
  validate: curlCredentials,
  context: ['curl', 'wget', 'http', 'https'],
};

const basicAuthHeader: Recognizer = {
  id: 'http-basic-auth',
  entity: 'SECRET',
  kind: 'secret',
  provider: 'HTTP',
  pattern:
    /(?:Proxy-)?Authorization["']?[ \t]{0,4}[:=][ \t]{0,4}["']?Basic[ \t]{1,4}([A-Za-z0-9+/]{6,1024}={0,2})(?![A-Za-z0-9+/=.])/i,
  starts: ['upper', 'lower'],
  group: 1,
  score: 0.85,
  // Base64 of "user:password" (the password may be empty, as with API keys sent as the user name).
  validate: (value) => {
    const decoded = decodeBase64(value)?.toString('utf8');
    if (decoded === undefined || !decoded.includes(':')) return false;
    const printable = decoded.replace(/[^\x20-\x7e]/g, '').length;
    return printable >= decoded.length * 0.7 && decoded.length >= 4 && !isMasked(value);
  },
};

/** `Authorization: Bearer …`, `Authorization: token …`, `Authorization: <token>`, `Bearer …`. */
export function bearerHeader(claimedElsewhere: (value: string) => boolean): Recognizer {
  return {
    id: 'http-bearer-token',
    entity: 'SECRET',
    kind: 'secret',
    provider: 'HTTP',
    // From the header name, or from the token itself after a bare "Bearer " (the engine starts inside the
    // token, which holds the anchor, and not at the word before it).
    pattern:
      /(?:(?:Proxy-)?Authorization["']?[ \t]{0,4}[:=][ \t]{0,4}["']?(?:(?:Bearer|Token|Api-?Token|Api-?Key|Bot|JWT|SSWS|OAuth|Splunk|GenieKey|Key|Digest)[ \t]{1,4})?|(?<=(?<![A-Za-z])Bearer[ \t]{1,4}))([A-Za-z0-9_=~@.+/:-]{8,2048})(?![A-Za-z0-9_=~@.+/:-])/i,
    starts: ['upper', 'lower', 'digit', 'other'],
    group: 1,
    score: 0.8,
    validate: (value) => {
      if (claimedElsewhere(value)) return false;
      if (isPlaceholder(value) || /^[A-Za-z_.-]+$/.test(value)) return false;
      return (
        (charClasses(value) >= 2 || value.length >= 20) && entropy(value) >= Math.min(3, 0.75 * Math.log2(value.length))
      );
    },
  };
}

// --- package-manager credentials ---------------------------------------------------------------------------

const npmrcAuth: Recognizer = {
  id: 'npmrc-auth-token',
  needs: '/:_',
  entity: 'SECRET',
  kind: 'secret',
  provider: 'npm',
  // .npmrc: //registry.npmjs.org/:_authToken=…, //host/path/:_auth=…, //host/:_password=…
  pattern:
    /\/\/[A-Za-z0-9.-]{1,253}(?::[0-9]{1,5})?(?:\/[A-Za-z0-9._~%@-]{0,100}){0,6}\/:_(?:authToken|auth|password)[ \t]{0,2}=[ \t]{0,2}["']?([^\s"']{8,512})/,
  starts: ['other'],
  group: 1,
  score: 0.9,
  validate: (value) => !/^[$%<{[(]|\$\{|\{\{/.test(value) && !isMasked(value),
};

const nugetConfigPassword: Recognizer = {
  id: 'nuget-config-password',
  needs: '=',
  entity: 'SECRET',
  kind: 'secret',
  provider: 'NuGet',
  pattern: /key=["'](?:ClearText)?Password["'][ \t]{1,4}value=["']([^"'\s]{6,256})["']/i,
  starts: ['lower', 'upper'],
  group: 1,
  score: 0.85,
  validate: (value) => !isPlaceholder(value),
};

export const structuredRecognizers: readonly Recognizer[] = [
  jwt,
  jwtUnsigned,
  pemPrivateKey,
  puttyPrivateKey,
  connectionString,
  urlCredentials,
  curlUser,
  basicAuthHeader,
  npmrcAuth,
  nugetConfigPassword,
];
