import { entropy } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import {
  ALNUM,
  ANY_TOKEN,
  BEFORE_STRICT,
  charClasses,
  contextual,
  DIGIT,
  isMasked,
  LETTERS,
  LOWER,
  mixedClasses,
  token,
  UPPER,
  UUID,
} from './shared.js';

// Cloud platforms, infrastructure and hosting. Formats from the providers' documentation and the public
// gitleaks rule set; patterns are our own.

// --- AWS ---------------------------------------------------------------------------------------------------

// AWS's own documentation marks every sample key with EXAMPLE (AKIAIOSFODNN7EXAMPLE, …EXAMPLEKEY).
const notAwsExample = (value: string): boolean => !/EXAMPLE/i.test(value);

const awsAccessKeyId = token({
  id: 'aws-access-key-id',
  provider: 'AWS',
  // Long-term (AKIA), temporary (ASIA), and the rarer role, certificate and context prefixes; base32 body.
  source: '(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA|A3T[A-Z0-9])[A-Z2-7]{16}',
  starts: UPPER,
  score: 0.95,
  skip: 4,
  minEntropy: 2.5,
  check: notAwsExample,
  context: ['aws', 'amazon', 'access', 'key', 'iam'],
  // About one key in thirty has no digit, so nothing anchors it: find the common prefixes by name.
  literals: ['AKIA', 'ASIA'],
});

const AWS_SECRET_BODY = '[A-Za-z0-9/+]{40}';
const awsSecretCheck = (value: string): boolean =>
  notAwsExample(value) && charClasses(value) >= 3 && entropy(value) >= 4.2 && !/^[a-f0-9]+$/i.test(value);

/** `aws_secret_access_key = …`, `AWS_SECRET_ACCESS_KEY: …`, `"SecretAccessKey": "…"`. */
const awsSecretAccessKeyAssignment: Recognizer = {
  id: 'aws-secret-access-key',
  entity: 'SECRET',
  kind: 'secret',
  provider: 'AWS',
  pattern: new RegExp(
    `["']?(?:aws[_.-]?)?secret[_.-]?(?:access[_.-]?)?key["']?[ \\t]{0,4}(?::=|=>|=|:)[ \\t]{0,4}["']?(${AWS_SECRET_BODY})(?![A-Za-z0-9/+=])`,
    'i',
  ),
  starts: ['upper', 'lower', 'quote'],
  group: 1,
  score: 0.9,
  validate: (value) => awsSecretCheck(value) && !isMasked(value),
  context: ['aws', 'amazon', 'iam', 's3'],
};

/** A 40-character AWS secret written anywhere, reported only with an AWS word near. */
const awsSecretAccessKey = contextual({
  id: 'aws-secret-access-key-context',
  provider: 'AWS',
  source: AWS_SECRET_BODY,
  before: '(?<![A-Za-z0-9/+=_-])',
  afterChars: 'A-Za-z0-9/+=',
  starts: ALNUM,
  score: 0.6,
  check: awsSecretCheck,
  context: ['aws', 'amazon', 'secret', 'secret_access_key', 'aws_secret_access_key', 'secretaccesskey', 'iam'],
});

const awsSessionToken = token({
  id: 'aws-session-token',
  provider: 'AWS',
  // STS session tokens are base64 of a fixed binary header: "\x17\n\x06aws…" or "!\n\torigin_ec…".
  source: '(?:FwoGZXIvYXdzE|IQoJb3JpZ2luX2Vj)[A-Za-z0-9/+]{100,2000}={0,2}',
  afterChars: 'A-Za-z0-9/+=',
  starts: UPPER,
  score: 0.9,
  minEntropy: 4,
});

const awsBedrockLongLived = token({
  id: 'aws-bedrock-api-key',
  provider: 'AWS',
  // "ABSK" + base64 of "BedrockAPIKey-…".
  source: 'ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{86,246}={0,2}',
  afterChars: 'A-Za-z0-9+/=',
  starts: UPPER,
  score: 0.95,
  minEntropy: 2.5,
});

const awsBedrockShortLived = token({
  id: 'aws-bedrock-short-lived-key',
  provider: 'AWS',
  // "bedrock-api-key-" + base64 of "bedrock.amazonaws.com…" (a presigned request follows).
  source: 'bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%&?._-]{0,4000}',
  afterChars: 'A-Za-z0-9+/=%&?._-',
  starts: LOWER,
  score: 0.95,
  allowRuns: true,
});

const amazonMwsToken = token({
  id: 'amazon-mws-auth-token',
  provider: 'Amazon',
  source: `amzn\\.mws\\.${UUID}`,
  starts: LOWER,
  score: 0.9,
});

// --- Google Cloud ------------------------------------------------------------------------------------------

const googleApiKey = token({
  id: 'google-api-key',
  provider: 'Google',
  source: 'AIzaSy[A-Za-z0-9_-]{33}',
  afterChars: 'A-Za-z0-9_-',
  starts: UPPER,
  score: 0.9,
  skip: 6,
  minEntropy: 3.5,
  check: (value) => !/abcdefgh|12345678/i.test(value),
});

const googleOauthClientSecret = token({
  id: 'google-oauth-client-secret',
  provider: 'Google',
  source: 'GOCSPX-[A-Za-z0-9_-]{28}',
  afterChars: 'A-Za-z0-9_-',
  starts: UPPER,
  score: 0.95,
  skip: 7,
  minEntropy: 3,
});

const googleOauthAccessToken = token({
  id: 'google-oauth-access-token',
  provider: 'Google',
  source: 'ya29\\.[A-Za-z0-9_-]{50,2048}',
  afterChars: 'A-Za-z0-9_-',
  starts: LOWER,
  score: 0.85,
  skip: 5,
  minEntropy: 4,
});

const gcpServiceAccount: Recognizer = {
  id: 'gcp-service-account',
  needs: ':',
  entity: 'SECRET',
  kind: 'secret',
  provider: 'Google',
  // The marker of a service-account key file; its private_key (a PEM block) is found on its own.
  pattern: /(?:"type"|'type')[ \t]{0,4}:[ \t]{0,4}(?:"service_account"|'service_account')/,
  starts: ['quote'],
  score: 0.75,
};

const firebaseCloudMessagingKey = token({
  id: 'firebase-cloud-messaging-server-key',
  provider: 'Google',
  source: 'AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{134}',
  afterChars: 'A-Za-z0-9_-',
  starts: UPPER,
  score: 0.95,
  skip: 18,
  minEntropy: 4,
});

// --- Azure -------------------------------------------------------------------------------------------------

const azureStorageAccountKey: Recognizer = {
  id: 'azure-storage-account-key',
  needs: '=',
  entity: 'SECRET',
  kind: 'secret',
  provider: 'Azure',
  // Storage and Cosmos DB connection strings: 64 random bytes in base64.
  pattern: /(?<![A-Za-z0-9])AccountKey[ \t]{0,2}=[ \t]{0,2}([A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])/i,
  starts: LETTERS,
  group: 1,
  score: 0.95,
  validate: (value) => !isMasked(value) && entropy(value) >= 4.5,
};

const azureStorageKeyContext = contextual({
  id: 'azure-storage-account-key-context',
  provider: 'Azure',
  source: '[A-Za-z0-9+/]{86}==',
  before: '(?<![A-Za-z0-9+/=_-])',
  afterChars: 'A-Za-z0-9+/=',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 4.5,
  context: [
    'azure',
    'storage',
    'accountkey',
    'account_key',
    'storage_key',
    'cosmos',
    'cosmosdb',
    'blob',
    'primary_key',
  ],
});

const azureSharedAccessKey: Recognizer = {
  id: 'azure-shared-access-key',
  needs: '=',
  entity: 'SECRET',
  kind: 'secret',
  provider: 'Azure',
  // Service Bus, Event Hubs, IoT Hub and Relay connection strings: 32 random bytes in base64.
  pattern: /(?<![A-Za-z0-9])SharedAccessKey[ \t]{0,2}=[ \t]{0,2}([A-Za-z0-9+/]{43}=)(?![A-Za-z0-9+/=])/i,
  starts: LETTERS,
  group: 1,
  score: 0.95,
  validate: (value) => !isMasked(value) && entropy(value) >= 4,
};

const azureSasToken: Recognizer = {
  id: 'azure-sas-token',
  needs: '=',
  entity: 'SECRET',
  kind: 'secret',
  provider: 'Azure',
  // The signature of a shared-access-signature URL: an HMAC-SHA256 in URL-encoded base64.
  pattern: /(?<![A-Za-z0-9_])sig=((?:[A-Za-z0-9]|%2[BFbf]|%3[Dd]|[+/=]){43,90})(?![A-Za-z0-9%+/=])/,
  starts: LOWER,
  group: 1,
  score: 0.75,
  validate: (value) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(value);
    } catch {
      return false;
    }
    return /^[A-Za-z0-9+/]{43}=$/.test(decoded) && !isMasked(decoded) && entropy(decoded) >= 4;
  },
  context: ['sv', 'se', 'sp', 'spr', 'srt', 'ss', 'sr', 'sas', 'blob', 'azure', 'windows'],
};

const azureAdClientSecret = token({
  id: 'azure-ad-client-secret',
  provider: 'Azure',
  // Entra ID (Azure AD) application secrets: three characters, a digit, "Q~", then 31 to 34 more.
  source: '[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}',
  before: '(?<![A-Za-z0-9_~.-])',
  afterChars: 'A-Za-z0-9_~.-',
  starts: ['upper', 'lower', 'digit', 'other'],
  score: 0.85,
  minEntropy: 3.5,
  check: mixedClasses,
  context: ['azure', 'client_secret', 'clientsecret', 'client', 'secret', 'entra', 'aad', 'tenant'],
});

const azureDevopsPat = contextual({
  id: 'azure-devops-pat',
  provider: 'Azure',
  source: '[a-z2-7]{52}',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 3.8,
  context: ['azure', 'devops', 'ado', 'azdo', 'azure_devops', 'system_accesstoken', 'vsts'],
});

// --- other clouds and platforms ----------------------------------------------------------------------------

const alibabaAccessKeyId = token({
  id: 'alibaba-access-key-id',
  provider: 'Alibaba Cloud',
  source: 'LTAI[A-Za-z0-9]{12,20}',
  starts: UPPER,
  score: 0.9,
  skip: 4,
  minEntropy: 3,
});

const alibabaSecret = contextual({
  id: 'alibaba-access-key-secret',
  provider: 'Alibaba Cloud',
  source: '[A-Za-z0-9]{30}',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 4,
  check: mixedClasses,
  context: ['alibaba', 'aliyun', 'accesskeysecret', 'access_key_secret', 'alicloud'],
});

const digitalOcean = ['dop', 'doo', 'dor'].map((kind) =>
  token({
    id: { dop: 'digitalocean-pat', doo: 'digitalocean-oauth-token', dor: 'digitalocean-refresh-token' }[kind]!,
    provider: 'DigitalOcean',
    source: `${kind}_v1_[a-f0-9]{64}`,
    starts: LOWER,
    score: 0.95,
    skip: 7,
    minEntropy: 3,
  }),
);

const herokuApiKeyV2 = token({
  id: 'heroku-api-key',
  provider: 'Heroku',
  source: 'HRKU-AA[A-Za-z0-9_-]{58}',
  afterChars: 'A-Za-z0-9_-',
  starts: UPPER,
  score: 0.95,
  skip: 7,
  minEntropy: 3.5,
});

const herokuApiKeyUuid = contextual({
  id: 'heroku-api-key-uuid',
  provider: 'Heroku',
  source: UUID,
  afterChars: 'A-Za-z0-9_-',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 3,
  context: ['heroku', 'heroku_api_key', 'heroku_api_token'],
});

const cloudflareOriginCaKey = token({
  id: 'cloudflare-origin-ca-key',
  provider: 'Cloudflare',
  source: 'v1\\.0-[a-f0-9]{24}-[a-f0-9]{146}',
  starts: LOWER,
  score: 0.95,
  skip: 5,
  minEntropy: 3,
});

const cloudflareApiToken = contextual({
  id: 'cloudflare-api-token',
  provider: 'Cloudflare',
  source: '[A-Za-z0-9_-]{40}',
  afterChars: 'A-Za-z0-9_-',
  starts: ANY_TOKEN,
  score: 0.6,
  minEntropy: 3.8,
  check: mixedClasses,
  context: ['cloudflare', 'cf_api_token', 'cf_token', 'cloudflare_api_token', 'cf'],
});

const cloudflareGlobalKey = contextual({
  id: 'cloudflare-global-api-key',
  provider: 'Cloudflare',
  source: '[a-f0-9]{37}',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 3.2,
  context: ['cloudflare', 'cf_api_key', 'cf'],
});

const fastlyApiToken = contextual({
  id: 'fastly-api-token',
  provider: 'Fastly',
  source: '[A-Za-z0-9_-]{32}',
  afterChars: 'A-Za-z0-9_-',
  starts: ANY_TOKEN,
  score: 0.6,
  minEntropy: 3.8,
  check: mixedClasses,
  context: ['fastly', 'fastly_api_token'],
});

const flyioToken = token({
  id: 'flyio-access-token',
  needs: '_',
  provider: 'Fly.io',
  source: '(?:fo1_[A-Za-z0-9_-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,4000}={0,3})',
  afterChars: 'A-Za-z0-9_+/=-',
  starts: LOWER,
  score: 0.9,
  skip: 4,
  minEntropy: 4,
});

const renderApiKey = token({
  id: 'render-api-key',
  provider: 'Render',
  source: 'rnd_[A-Za-z0-9]{32}',
  starts: LOWER,
  score: 0.9,
  skip: 4,
  minEntropy: 3.5,
});

const vercelToken = contextual({
  id: 'vercel-token',
  provider: 'Vercel',
  source: '[A-Za-z0-9]{24}',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 3.8,
  check: mixedClasses,
  context: ['vercel', 'vercel_token', 'now_token', 'zeit'],
});

const netlifyPat = token({
  id: 'netlify-pat',
  provider: 'Netlify',
  source: 'nfp_[A-Za-z0-9]{36,44}',
  starts: LOWER,
  score: 0.9,
  skip: 4,
  minEntropy: 3.5,
});

const netlifyToken = contextual({
  id: 'netlify-access-token',
  provider: 'Netlify',
  source: '[A-Za-z0-9_-]{40,46}',
  afterChars: 'A-Za-z0-9_-',
  starts: ANY_TOKEN,
  score: 0.6,
  minEntropy: 3.8,
  check: mixedClasses,
  context: ['netlify', 'netlify_auth_token', 'netlify_token'],
});

const supabaseManagementToken = token({
  id: 'supabase-access-token',
  provider: 'Supabase',
  source: 'sbp_(?:oauth_)?[a-f0-9]{40}',
  starts: LOWER,
  score: 0.95,
  skip: 4,
  minEntropy: 3,
});

const supabaseSecretKey = token({
  id: 'supabase-secret-key',
  provider: 'Supabase',
  source: 'sb_secret_[A-Za-z0-9_-]{20,80}',
  afterChars: 'A-Za-z0-9_-',
  starts: LOWER,
  score: 0.95,
  skip: 10,
  minEntropy: 3.5,
});

const planetscale = [
  ['planetscale-api-token', 'pscale_tkn_'],
  ['planetscale-password', 'pscale_pw_'],
  ['planetscale-oauth-token', 'pscale_oauth_'],
].map(([id, prefix]) =>
  token({
    id: id!,
    provider: 'PlanetScale',
    source: `${prefix}[A-Za-z0-9_=.-]{32,64}`,
    afterChars: 'A-Za-z0-9_=.-',
    starts: LOWER,
    score: 0.95,
    skip: prefix!.length,
    minEntropy: 3,
  }),
);

const databricksToken = token({
  id: 'databricks-api-token',
  provider: 'Databricks',
  source: 'dapi[a-f0-9]{32}(?:-[0-9])?',
  starts: LOWER,
  score: 0.9,
  skip: 4,
  minEntropy: 3,
  check: (value) => !/0123|1234|2345|3456|4567|5678|6789/.test(value),
});

const yandexApiKey = token({
  id: 'yandex-api-key',
  provider: 'Yandex',
  source: 'AQVN[A-Za-z0-9_-]{35,38}',
  afterChars: 'A-Za-z0-9_-',
  starts: UPPER,
  score: 0.9,
  skip: 4,
  minEntropy: 3.5,
});

const yandexIamToken = token({
  id: 'yandex-iam-token',
  provider: 'Yandex',
  source: 't1\\.[A-Za-z0-9_-]{10,200}={0,2}\\.[A-Za-z0-9_-]{86}={0,2}',
  afterChars: 'A-Za-z0-9_=-',
  starts: LOWER,
  score: 0.85,
  skip: 3,
  minEntropy: 4,
});

const yandexOauthToken = token({
  id: 'yandex-oauth-token',
  provider: 'Yandex',
  source: 'y[0-3]_[A-Za-z0-9_-]{55,60}',
  afterChars: 'A-Za-z0-9_-',
  starts: LOWER,
  score: 0.7,
  skip: 3,
  minEntropy: 4,
  context: ['yandex', 'oauth', 'token'],
});

const yandexAccessKey = contextual({
  id: 'yandex-static-access-key',
  provider: 'Yandex',
  source: 'YC[A-Za-z0-9_-]{38}',
  afterChars: 'A-Za-z0-9_-',
  starts: UPPER,
  score: 0.6,
  skip: 2,
  minEntropy: 4,
  context: ['yandex', 'yc', 'yandex_cloud', 'secret_key', 'aws_secret_access_key'],
});

const tailscaleKey = token({
  id: 'tailscale-key',
  provider: 'Tailscale',
  source: 'tskey-(?:auth|api|client|scim|webhook)-[A-Za-z0-9]{10,24}-[A-Za-z0-9]{20,48}',
  starts: LOWER,
  score: 0.95,
  skip: 10,
  minEntropy: 3.5,
});

const dopplerToken = token({
  id: 'doppler-token',
  provider: 'Doppler',
  source: 'dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}',
  starts: LOWER,
  score: 0.95,
  skip: 6,
  minEntropy: 3.5,
});

const vaultServiceToken = token({
  id: 'vault-service-token',
  needs: '.',
  provider: 'HashiCorp Vault',
  source: 'hv[sr]\\.[A-Za-z0-9_-]{24,130}',
  afterChars: 'A-Za-z0-9_-',
  starts: LOWER,
  score: 0.9,
  skip: 4,
  minEntropy: 3.5,
});

const vaultBatchToken = token({
  id: 'vault-batch-token',
  provider: 'HashiCorp Vault',
  source: 'hvb\\.[A-Za-z0-9_-]{100,300}',
  afterChars: 'A-Za-z0-9_-',
  starts: LOWER,
  score: 0.9,
  skip: 4,
  minEntropy: 4,
});

const vaultLegacyToken = contextual({
  id: 'vault-legacy-token',
  provider: 'HashiCorp Vault',
  // Vault before 1.10: "s." + 24 base62 characters, indistinguishable from a member access without context.
  source: 's\\.[A-Za-z0-9]{24}',
  before: '(?<![A-Za-z0-9_.$-])',
  starts: LOWER,
  score: 0.6,
  skip: 2,
  minEntropy: 3.5,
  check: (value) => charClasses(value.slice(2)) >= 3,
  context: ['vault', 'token', 'vault_token', 'root_token', 'client_token'],
});

const terraformCloudToken = token({
  id: 'terraform-cloud-token',
  needs: '.',
  provider: 'HashiCorp Terraform',
  source: '[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,70}',
  afterChars: 'A-Za-z0-9_=-',
  starts: ALNUM,
  score: 0.95,
  minEntropy: 3.5,
});

const pulumiToken = token({
  id: 'pulumi-access-token',
  provider: 'Pulumi',
  source: 'pul-[a-f0-9]{40}',
  before: BEFORE_STRICT,
  starts: LOWER,
  score: 0.95,
  skip: 4,
  minEntropy: 3,
});

const scalingoToken = token({
  id: 'scalingo-api-token',
  provider: 'Scalingo',
  source: 'tk-us-[A-Za-z0-9_-]{48}',
  afterChars: 'A-Za-z0-9_-',
  starts: LOWER,
  score: 0.9,
  skip: 6,
  minEntropy: 3.5,
});

const oktaToken = contextual({
  id: 'okta-api-token',
  provider: 'Okta',
  source: '00[A-Za-z0-9_-]{40}',
  afterChars: 'A-Za-z0-9_-',
  starts: DIGIT,
  score: 0.6,
  skip: 2,
  minEntropy: 4,
  check: mixedClasses,
  context: ['okta', 'okta_api_token', 'okta_token', 'ssws'],
});

const dynatraceToken = token({
  id: 'dynatrace-api-token',
  needs: '.',
  provider: 'Dynatrace',
  source: 'dt0[a-z][0-9]{2}\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}',
  starts: LOWER,
  score: 0.95,
  skip: 7,
  minEntropy: 3.5,
});

const datadogApiKey = contextual({
  id: 'datadog-api-key',
  provider: 'Datadog',
  source: '[a-f0-9]{32}',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 3.2,
  context: ['datadog', 'dd_api_key', 'datadog_api_key', 'ddapikey'],
});

const datadogAppKey = contextual({
  id: 'datadog-app-key',
  provider: 'Datadog',
  source: '[a-f0-9]{40}',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 3.2,
  context: ['datadog', 'dd_app_key', 'datadog_app_key', 'application_key', 'ddappkey'],
});

const newRelic = [
  token({
    id: 'new-relic-user-api-key',
    provider: 'New Relic',
    source: 'NRAK-[A-Z0-9]{27}',
    starts: UPPER,
    score: 0.95,
    skip: 5,
    minEntropy: 3,
  }),
  token({
    id: 'new-relic-insert-key',
    needs: '-',
    provider: 'New Relic',
    source: 'NRI[IQ]-[A-Za-z0-9_-]{32}',
    afterChars: 'A-Za-z0-9_-',
    starts: UPPER,
    score: 0.95,
    skip: 5,
    minEntropy: 3,
  }),
  token({
    id: 'new-relic-browser-key',
    provider: 'New Relic',
    source: 'NRJS-[a-f0-9]{19}',
    starts: UPPER,
    score: 0.85,
    skip: 5,
    minEntropy: 3,
  }),
  token({
    id: 'new-relic-license-key',
    provider: 'New Relic',
    source: '[a-f0-9]{36}NRAL',
    starts: ALNUM,
    score: 0.95,
    minEntropy: 3,
  }),
];

const grafana = [
  token({
    id: 'grafana-cloud-api-token',
    provider: 'Grafana',
    source: 'glc_[A-Za-z0-9+/]{32,400}={0,3}',
    afterChars: 'A-Za-z0-9+/=',
    starts: LOWER,
    score: 0.95,
    skip: 4,
    minEntropy: 3.5,
  }),
  token({
    id: 'grafana-service-account-token',
    provider: 'Grafana',
    source: 'glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}',
    starts: LOWER,
    score: 0.95,
    skip: 5,
    minEntropy: 3.5,
  }),
  token({
    id: 'grafana-api-key',
    provider: 'Grafana',
    // Base64 of `{"k":"…`.
    source: 'eyJrIjoi[A-Za-z0-9]{60,400}={0,3}',
    afterChars: 'A-Za-z0-9+/=',
    starts: LOWER,
    score: 0.9,
    skip: 8,
    minEntropy: 4,
  }),
];

const sentry = [
  token({
    id: 'sentry-org-token',
    provider: 'Sentry',
    // "sntrys_" + base64 JSON starting {"iat": … + "_" + 43 characters.
    source: 'sntrys_eyJpYXQiO[A-Za-z0-9+/=]{50,400}_[A-Za-z0-9+/]{43}',
    afterChars: 'A-Za-z0-9+/=',
    starts: LOWER,
    score: 0.95,
    skip: 7,
    minEntropy: 4,
  }),
  token({
    id: 'sentry-user-token',
    provider: 'Sentry',
    source: 'sntryu_[a-f0-9]{64}',
    starts: LOWER,
    score: 0.95,
    skip: 7,
    minEntropy: 3,
  }),
  contextual({
    id: 'sentry-auth-token',
    provider: 'Sentry',
    source: '[a-f0-9]{64}',
    starts: ALNUM,
    score: 0.6,
    minEntropy: 3.2,
    context: ['sentry', 'sentry_auth_token', 'sentry_token'],
  }),
];

const infracostToken = token({
  id: 'infracost-api-token',
  provider: 'Infracost',
  source: 'ico-[A-Za-z0-9]{32}',
  before: BEFORE_STRICT,
  starts: LOWER,
  score: 0.9,
  skip: 4,
  minEntropy: 3.5,
});

const clickhouseSecret = token({
  id: 'clickhouse-cloud-api-secret',
  provider: 'ClickHouse',
  source: '4b1d[A-Za-z0-9]{38}',
  starts: DIGIT,
  score: 0.85,
  skip: 4,
  minEntropy: 4,
});

const harnessToken = token({
  id: 'harness-api-key',
  needs: '.',
  provider: 'Harness',
  source: '(?:pat|sat)\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9]{24}\\.[A-Za-z0-9]{20}',
  starts: LOWER,
  score: 0.95,
  skip: 4,
  minEntropy: 3.5,
});

const octopusApiKey = token({
  id: 'octopus-deploy-api-key',
  provider: 'Octopus Deploy',
  source: 'API-[A-Z0-9]{26}',
  before: BEFORE_STRICT,
  starts: UPPER,
  score: 0.85,
  skip: 4,
  minEntropy: 3,
  check: (value) => /[0-9]/.test(value.slice(4)) && /[A-Z]/.test(value.slice(4)),
  context: ['octopus', 'apikey'],
});

const sumoLogicKey = contextual({
  id: 'sumologic-access-key',
  provider: 'Sumo Logic',
  source: '[A-Za-z0-9]{64}',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 4,
  check: mixedClasses,
  context: ['sumo', 'sumologic', 'sumo_access_key', 'sumologic_access_key'],
});

const ibmCloudIamKey = contextual({
  id: 'ibm-cloud-api-key',
  provider: 'IBM Cloud',
  source: '[A-Za-z0-9_-]{44}',
  afterChars: 'A-Za-z0-9_-',
  starts: ANY_TOKEN,
  score: 0.6,
  minEntropy: 4,
  check: mixedClasses,
  context: ['ibm', 'ibmcloud', 'ibm_cloud', 'iam_api_key', 'ibmcloud_api_key', 'ic_api_key', 'bluemix'],
});

export const cloudRecognizers: readonly Recognizer[] = [
  awsAccessKeyId,
  awsSecretAccessKeyAssignment,
  awsSecretAccessKey,
  awsSessionToken,
  awsBedrockLongLived,
  awsBedrockShortLived,
  amazonMwsToken,
  googleApiKey,
  googleOauthClientSecret,
  googleOauthAccessToken,
  gcpServiceAccount,
  firebaseCloudMessagingKey,
  azureStorageAccountKey,
  azureStorageKeyContext,
  azureSharedAccessKey,
  azureSasToken,
  azureAdClientSecret,
  azureDevopsPat,
  alibabaAccessKeyId,
  alibabaSecret,
  ...digitalOcean,
  herokuApiKeyV2,
  herokuApiKeyUuid,
  cloudflareOriginCaKey,
  cloudflareApiToken,
  cloudflareGlobalKey,
  fastlyApiToken,
  flyioToken,
  renderApiKey,
  vercelToken,
  netlifyPat,
  netlifyToken,
  supabaseManagementToken,
  supabaseSecretKey,
  ...planetscale,
  databricksToken,
  yandexApiKey,
  yandexIamToken,
  yandexOauthToken,
  yandexAccessKey,
  tailscaleKey,
  dopplerToken,
  vaultServiceToken,
  vaultBatchToken,
  vaultLegacyToken,
  terraformCloudToken,
  pulumiToken,
  scalingoToken,
  oktaToken,
  dynatraceToken,
  datadogApiKey,
  datadogAppKey,
  ...newRelic,
  ...grafana,
  ...sentry,
  infracostToken,
  clickhouseSecret,
  harnessToken,
  octopusApiKey,
  sumoLogicKey,
  ibmCloudIamKey,
];
