import { base58Check, entropy } from '../../checksums.js';
import type { Recognizer } from '../../recognizer.js';
import { ALNUM, contextual, DIGIT, isMasked, LOWER, token, UPPER, UUID } from './shared.js';

// Messaging, e-mail, payments, commerce and other SaaS APIs. Formats from the providers' documentation and
// the public gitleaks / detect-secrets rule sets; patterns are our own.

// --- Slack -------------------------------------------------------------------------------------------------

// Slack tokens are numeric team/user/bot ids (which may legitimately repeat digits) and a random tail: the
// mask and entropy checks look at the tail only.
const slackTail = (minEntropy: number) => (value: string) => {
  const tail = value.slice(value.lastIndexOf('-') + 1);
  return !isMasked(tail) && entropy(tail) >= minEntropy;
};

const slack = [
  token({
    id: 'slack-bot-token',
    provider: 'Slack',
    source: 'xoxb-[0-9]{8,14}-(?:[0-9]{8,14}-)?[A-Za-z0-9]{18,34}',
    starts: LOWER,
    score: 0.95,
    noMaskCheck: true,
    check: slackTail(3),
  }),
  token({
    id: 'slack-user-token',
    needs: '-',
    provider: 'Slack',
    source: 'xox[pe]-[0-9]{6,14}-[0-9]{6,14}-[0-9]{6,14}-[A-Za-z0-9]{12,64}',
    starts: LOWER,
    score: 0.95,
    noMaskCheck: true,
    check: slackTail(3),
  }),
  token({
    id: 'slack-legacy-token',
    needs: '-',
    provider: 'Slack',
    // Workspace (xoxa), refresh (xoxr) and the old xoxo / xoxs tokens.
    source: 'xox[aors]-(?:[0-9]-)?[0-9]{6,14}-[0-9]{6,14}-[0-9]{6,14}-[A-Za-z0-9]{8,64}',
    starts: LOWER,
    score: 0.9,
    noMaskCheck: true,
    check: slackTail(2.5),
  }),
  token({
    id: 'slack-app-token',
    provider: 'Slack',
    source: 'xapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{10,14}-[A-Za-z0-9]{32,64}',
    starts: LOWER,
    score: 0.95,
    noMaskCheck: true,
    check: slackTail(3),
  }),
  token({
    id: 'slack-config-access-token',
    provider: 'Slack',
    source: 'xoxe\\.xox[bp]-[0-9]-[A-Za-z0-9]{140,170}',
    starts: LOWER,
    score: 0.95,
    skip: 12,
    minEntropy: 4,
  }),
  token({
    id: 'slack-config-refresh-token',
    provider: 'Slack',
    source: 'xoxe-[0-9]-[A-Za-z0-9]{140,150}',
    starts: LOWER,
    score: 0.95,
    skip: 7,
    minEntropy: 4,
  }),
  token({
    id: 'slack-webhook-url',
    provider: 'Slack',
    source: '(?:https?://)?hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{40,100}',
    afterChars: 'A-Za-z0-9+/',
    starts: LOWER,
    score: 0.95,
    noMaskCheck: true,
    check: (value) => {
      const tail = value.slice(value.lastIndexOf('/') + 1);
      return !isMasked(tail) && entropy(tail) >= 3;
    },
  }),
];

// --- Discord, Telegram, Microsoft Teams --------------------------------------------------------------------

const discordBotToken = token({
  id: 'discord-bot-token',
  needs: '.',
  provider: 'Discord',
  // base64(user id).base64(timestamp).HMAC; user ids are decimal, so the first character is M, N or O.
  source: '[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.(?:[A-Za-z0-9_-]{27}|[A-Za-z0-9_-]{38})',
  afterChars: 'A-Za-z0-9_-',
  starts: UPPER,
  score: 0.85,
  minEntropy: 4,
  context: ['discord', 'bot', 'token', 'discord_token', 'bot_token'],
});

const discordWebhook = token({
  id: 'discord-webhook-url',
  provider: 'Discord',
  source: 'https://(?:(?:ptb|canary)\\.)?discord(?:app)?\\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,68}',
  afterChars: 'A-Za-z0-9_-',
  starts: LOWER,
  score: 0.95,
  noMaskCheck: true,
  check: (value) => {
    const tail = value.slice(value.lastIndexOf('/') + 1);
    return !isMasked(tail) && entropy(tail) >= 4;
  },
});

const telegramBotToken: Recognizer = {
  id: 'telegram-bot-token',
  needs: ':',
  entity: 'SECRET',
  kind: 'secret',
  provider: 'Telegram',
  // <bot id>:AA<33 characters>; also inside Bot API URLs (`…/bot<token>/getMe`), where "bot" is glued on.
  pattern: /(?:(?<=\/)bot|(?<![A-Za-z0-9_:/-]))([0-9]{8,12}:AA[A-Za-z0-9_-]{33})(?![A-Za-z0-9_-])/,
  starts: ['digit', 'lower'],
  group: 1,
  score: 0.9,
  validate: (value) => {
    const tail = value.slice(value.indexOf(':') + 3);
    return !isMasked(tail) && entropy(tail) >= 3.5;
  },
  context: ['telegram', 'bot', 'token', 'tg'],
};

const teamsWebhook = token({
  id: 'microsoft-teams-webhook-url',
  provider: 'Microsoft',
  source: `https://[A-Za-z0-9-]{1,60}\\.webhook\\.office\\.com/webhookb2/${UUID}@${UUID}/IncomingWebhook/[A-Za-z0-9]{32}/${UUID}(?:/[A-Za-z0-9_-]{20,80})?`,
  afterChars: 'A-Za-z0-9_-',
  starts: LOWER,
  score: 0.95,
  noMaskCheck: true,
});

// --- Twilio, SendGrid, Mailgun, Mailchimp, Postmark, Brevo -------------------------------------------------

const twilio = [
  token({
    id: 'twilio-api-key',
    provider: 'Twilio',
    source: 'SK[a-fA-F0-9]{32}',
    starts: UPPER,
    score: 0.85,
    skip: 2,
    minEntropy: 3,
    context: ['twilio', 'api_key', 'sid', 'key'],
  }),
  token({
    id: 'twilio-account-sid',
    provider: 'Twilio',
    // An identifier rather than a secret, but it travels with the auth token.
    source: 'AC[a-f0-9]{32}',
    starts: UPPER,
    score: 0.7,
    skip: 2,
    minEntropy: 3,
    context: ['twilio', 'account_sid', 'sid', 'account'],
  }),
  contextual({
    id: 'twilio-auth-token',
    provider: 'Twilio',
    source: '[a-f0-9]{32}',
    starts: ALNUM,
    score: 0.6,
    minEntropy: 3.2,
    context: ['twilio', 'twilio_auth_token', 'auth_token', 'authtoken'],
  }),
];

const sendgridKey = token({
  id: 'sendgrid-api-key',
  provider: 'SendGrid',
  source: 'SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}',
  afterChars: 'A-Za-z0-9_-',
  starts: UPPER,
  score: 0.95,
  skip: 3,
  minEntropy: 4,
});

const mailgun = [
  token({
    id: 'mailgun-api-key',
    provider: 'Mailgun',
    source: 'key-[a-f0-9]{32}',
    starts: LOWER,
    score: 0.6,
    skip: 4,
    minEntropy: 3,
    context: ['mailgun', 'mg', 'api', 'mailgun_api_key'],
  }),
  token({
    id: 'mailgun-api-key-v2',
    needs: '-',
    provider: 'Mailgun',
    source: '[a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8}',
    starts: ALNUM,
    score: 0.7,
    minEntropy: 3,
    context: ['mailgun', 'mg', 'mailgun_api_key', 'signing'],
  }),
];

const mailchimpKey = token({
  id: 'mailchimp-api-key',
  needs: '-',
  provider: 'Mailchimp',
  // 32 hex characters and the data-centre suffix.
  source: '[a-f0-9]{32}-us[0-9]{1,2}',
  starts: ALNUM,
  score: 0.85,
  minEntropy: 3,
  context: ['mailchimp', 'mc', 'api_key', 'apikey'],
});

const postmarkToken = contextual({
  id: 'postmark-server-token',
  provider: 'Postmark',
  source: UUID,
  afterChars: 'A-Za-z0-9_-',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 3,
  context: ['postmark', 'postmark_api_token', 'postmark_server_token', 'postmark_token'],
});

const messagebird = [
  contextual({
    id: 'messagebird-api-key',
    provider: 'MessageBird',
    source: '[A-Za-z0-9]{25}',
    starts: ALNUM,
    score: 0.6,
    minEntropy: 3.8,
    check: (value) => /[0-9]/.test(value) && /[A-Za-z]/.test(value),
    context: ['messagebird', 'message_bird', 'messagebird_api_key', 'messagebird_key', 'bird'],
  }),
  contextual({
    id: 'messagebird-client-id',
    provider: 'MessageBird',
    source: UUID,
    afterChars: 'A-Za-z0-9_-',
    starts: ALNUM,
    score: 0.6,
    minEntropy: 2.5,
    context: ['messagebird', 'message_bird', 'messagebird_client_id', 'messagebird_api_token'],
  }),
];

const brevoKey = token({
  id: 'brevo-api-key',
  needs: '-',
  provider: 'Brevo',
  // Formerly Sendinblue: API keys (xkeysib-) and SMTP keys (xsmtpsib-).
  source: 'x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}',
  starts: LOWER,
  score: 0.95,
  skip: 8,
  minEntropy: 3,
});

// --- payments and commerce ---------------------------------------------------------------------------------

const stripe = [
  token({
    id: 'stripe-secret-key',
    provider: 'Stripe',
    source: 'sk_(?:live|prod)_[A-Za-z0-9]{16,247}',
    starts: LOWER,
    score: 0.95,
    skip: 8,
    minEntropy: 3,
  }),
  token({
    id: 'stripe-test-secret-key',
    provider: 'Stripe',
    source: 'sk_test_[A-Za-z0-9]{16,247}',
    starts: LOWER,
    score: 0.8,
    skip: 8,
    minEntropy: 3,
  }),
  token({
    id: 'stripe-restricted-key',
    provider: 'Stripe',
    source: 'rk_(?:live|test|prod)_[A-Za-z0-9]{16,247}',
    starts: LOWER,
    score: 0.9,
    skip: 8,
    minEntropy: 3,
  }),
  token({
    id: 'stripe-webhook-secret',
    provider: 'Stripe',
    source: 'whsec_[A-Za-z0-9]{32,64}',
    starts: LOWER,
    score: 0.9,
    skip: 6,
    minEntropy: 3.5,
  }),
  token({
    id: 'stripe-publishable-key',
    provider: 'Stripe',
    // Publishable keys are meant to be embedded in web pages: reported below the usual threshold.
    source: 'pk_(?:live|test)_[A-Za-z0-9]{16,247}',
    starts: LOWER,
    score: 0.3,
    skip: 8,
    minEntropy: 3,
  }),
];

const square = [
  token({
    id: 'square-access-token',
    provider: 'Square',
    source: '(?:EAAA[A-Za-z0-9_-]{60}|sq0atp-[A-Za-z0-9_-]{22})',
    afterChars: 'A-Za-z0-9_-',
    starts: ['upper', 'lower'],
    score: 0.9,
    skip: 4,
    minEntropy: 3.5,
  }),
  token({
    id: 'square-oauth-secret',
    needs: '-',
    provider: 'Square',
    source: 'sq0csp-[A-Za-z0-9_-]{43}',
    afterChars: 'A-Za-z0-9_-',
    starts: LOWER,
    score: 0.95,
    skip: 7,
    minEntropy: 4,
  }),
];

const braintreeToken = token({
  id: 'braintree-access-token',
  provider: 'PayPal',
  // access_token$production$<merchant id>$<secret>: '$' ends a token, so the match starts at the merchant id.
  source: '(?<=access_token\\$(?:production|sandbox)\\$)[a-z0-9]{16}\\$[a-f0-9]{32}',
  before: '',
  starts: ALNUM,
  score: 0.95,
  minEntropy: 3,
});

const SHOPIFY_KINDS: readonly (readonly [string, string])[] = [
  ['shpat', 'shopify-access-token'],
  ['shpca', 'shopify-custom-app-token'],
  ['shppa', 'shopify-private-app-token'],
  ['shpss', 'shopify-shared-secret'],
];
const shopify = SHOPIFY_KINDS.map(([prefix, id]) =>
  token({
    id,
    provider: 'Shopify',
    source: `${prefix}_[a-fA-F0-9]{32}`,
    starts: LOWER,
    score: 0.95,
    skip: 6,
    minEntropy: 3,
  }),
);

const flutterwave = [
  token({
    id: 'flutterwave-secret-key',
    provider: 'Flutterwave',
    source: 'FLWSECK(?:_TEST)?-[a-hA-H0-9]{32}-X',
    starts: UPPER,
    score: 0.95,
    minEntropy: 3,
  }),
  token({
    id: 'flutterwave-encryption-key',
    provider: 'Flutterwave',
    source: 'FLWSECK_TEST[a-hA-H0-9]{12}',
    starts: UPPER,
    score: 0.9,
    skip: 12,
    minEntropy: 2.5,
  }),
];

const gocardlessToken = contextual({
  id: 'gocardless-api-token',
  provider: 'GoCardless',
  source: '(?:live|sandbox)_[A-Za-z0-9_=-]{40}',
  afterChars: 'A-Za-z0-9_=-',
  starts: LOWER,
  score: 0.6,
  skip: 5,
  minEntropy: 4,
  context: ['gocardless', 'gocardless_access_token', 'gocardless_token'],
});

const plaidToken = token({
  id: 'plaid-access-token',
  provider: 'Plaid',
  source: `access-(?:sandbox|development|production)-${UUID}`,
  starts: LOWER,
  score: 0.9,
  minEntropy: 3,
});

const shippoToken = token({
  id: 'shippo-api-token',
  provider: 'Shippo',
  source: 'shippo_(?:live|test)_[a-fA-F0-9]{40}',
  starts: LOWER,
  score: 0.95,
  skip: 12,
  minEntropy: 3,
});

const duffelToken = token({
  id: 'duffel-api-token',
  provider: 'Duffel',
  source: 'duffel_(?:test|live)_[A-Za-z0-9_=-]{43}',
  afterChars: 'A-Za-z0-9_=-',
  starts: LOWER,
  score: 0.95,
  skip: 12,
  minEntropy: 4,
});

const easypostToken = token({
  id: 'easypost-api-key',
  provider: 'EasyPost',
  source: 'EZ[AT]K[A-Za-z0-9]{54}',
  starts: UPPER,
  score: 0.95,
  skip: 4,
  minEntropy: 4,
});

// --- social, maps, storage, support ------------------------------------------------------------------------

const facebook = [
  token({
    id: 'facebook-access-token',
    provider: 'Facebook',
    source: 'EAA[A-Z][A-Za-z0-9]{100,400}',
    starts: UPPER,
    score: 0.9,
    skip: 4,
    minEntropy: 4,
  }),
  token({
    id: 'facebook-app-access-token',
    provider: 'Facebook',
    // <app id>|<app secret>.
    source: '[0-9]{15,16}(?:\\||%7[Cc])[A-Za-z0-9_-]{27,40}',
    afterChars: 'A-Za-z0-9_-',
    starts: DIGIT,
    score: 0.8,
    minEntropy: 3.5,
    context: ['facebook', 'fb', 'access_token', 'graph', 'meta'],
  }),
  contextual({
    id: 'facebook-app-secret',
    provider: 'Facebook',
    source: '[a-f0-9]{32}',
    starts: ALNUM,
    score: 0.6,
    minEntropy: 3.2,
    context: ['facebook', 'fb_app_secret', 'facebook_app_secret', 'facebook_secret', 'app_secret'],
  }),
];

const twitter = [
  token({
    id: 'twitter-bearer-token',
    provider: 'Twitter',
    // 22 "A"s, then URL-encoded base64.
    source: 'A{22}[A-Za-z0-9%]{80,120}',
    afterChars: 'A-Za-z0-9%',
    starts: UPPER,
    score: 0.9,
    skip: 22,
    minEntropy: 4,
  }),
  contextual({
    id: 'twitter-access-token',
    provider: 'Twitter',
    source: '[0-9]{15,25}-[A-Za-z0-9]{20,40}',
    starts: DIGIT,
    score: 0.6,
    minEntropy: 3.5,
    context: ['twitter', 'twitter_access_token', 'access_token', 'x_access_token'],
  }),
  contextual({
    id: 'twitter-api-secret',
    provider: 'Twitter',
    source: '[A-Za-z0-9]{50}',
    starts: ALNUM,
    score: 0.6,
    minEntropy: 4,
    context: ['twitter', 'twitter_api_secret', 'consumer_secret', 'twitter_consumer_secret', 'access_token_secret'],
  }),
];

const mapboxSecret = token({
  id: 'mapbox-secret-token',
  provider: 'Mapbox',
  source: 'sk\\.eyJ[A-Za-z0-9_-]{50,200}\\.[A-Za-z0-9_-]{20,30}',
  afterChars: 'A-Za-z0-9_-',
  starts: LOWER,
  score: 0.95,
  skip: 3,
  minEntropy: 4,
});

const dropbox = [
  token({
    id: 'dropbox-short-lived-token',
    provider: 'Dropbox',
    source: 'sl\\.(?:u\\.)?[A-Za-z0-9_-]{130,1500}',
    afterChars: 'A-Za-z0-9_-',
    starts: LOWER,
    score: 0.8,
    skip: 3,
    minEntropy: 4,
    context: ['dropbox', 'access_token', 'bearer'],
  }),
  contextual({
    id: 'dropbox-long-lived-token',
    provider: 'Dropbox',
    source: '[A-Za-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_=-]{43}',
    afterChars: 'A-Za-z0-9_=-',
    starts: ALNUM,
    score: 0.6,
    allowRuns: true,
    minEntropy: 3.5,
    context: ['dropbox', 'dropbox_token', 'dropbox_access_token'],
  }),
];

const zendeskToken = contextual({
  id: 'zendesk-api-token',
  provider: 'Zendesk',
  source: '[A-Za-z0-9]{40}',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 4,
  check: (value) => /[A-Za-z]/.test(value) && /[0-9]/.test(value),
  context: ['zendesk', 'zendesk_api_token', 'zendesk_token', 'zd'],
});

const adobeSecret = token({
  id: 'adobe-client-secret',
  provider: 'Adobe',
  source: 'p8e-[A-Za-z0-9]{32}',
  starts: LOWER,
  score: 0.9,
  skip: 4,
  minEntropy: 3.5,
});

const maxmindKey = token({
  id: 'maxmind-license-key',
  needs: '_',
  provider: 'MaxMind',
  source: '[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk',
  starts: ALNUM,
  score: 0.9,
  minEntropy: 4,
});

const settlemintToken = token({
  id: 'settlemint-access-token',
  provider: 'SettleMint',
  source: 'sm_(?:aat|pat|sat)_[A-Za-z0-9]{16}',
  starts: LOWER,
  score: 0.85,
  skip: 7,
  minEntropy: 3,
});

const algoliaKey = contextual({
  id: 'algolia-admin-key',
  provider: 'Algolia',
  source: '[a-f0-9]{32}',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 3.2,
  context: ['algolia', 'algolia_admin_key', 'algolia_api_key', 'algolia_write_key'],
});

const sidekiqCredentials: Recognizer = {
  id: 'sidekiq-credentials',
  entity: 'SECRET',
  kind: 'secret',
  provider: 'Sidekiq',
  pattern:
    /BUNDLE_(?:ENTERPRISE|GEMS)__CONTRIBSYS__COM["']?[ \t]{0,4}(?::=|=|:)[ \t]{0,4}["']?([a-f0-9]{8}:[a-f0-9]{8})(?![A-Za-z0-9])/i,
  starts: ['upper', 'lower'],
  group: 1,
  score: 0.9,
};

// --- cryptocurrency wallets --------------------------------------------------------------------------------

const BASE58 = '[1-9A-HJ-NP-Za-km-z]';
const wallets = [
  token({
    id: 'bitcoin-wif-private-key',
    provider: 'Bitcoin',
    // Wallet Import Format: 5… (uncompressed) or K…/L… (compressed), with a Base58Check checksum.
    source: `(?:5[HJK]${BASE58}{49}|[KL]${BASE58}{51})`,
    starts: ['digit', 'upper'],
    score: 0.9,
    minEntropy: 4,
    check: base58Check,
  }),
  token({
    id: 'bitcoin-extended-private-key',
    provider: 'Bitcoin',
    // BIP32 extended private keys (xprv, and the tprv / yprv / zprv variants), Base58Check.
    source: `[xtyzuv]prv${BASE58}{107,108}`,
    starts: LOWER,
    score: 0.95,
    minEntropy: 4,
    check: base58Check,
  }),
  contextual({
    id: 'crypto-private-key-hex',
    provider: 'Cryptocurrency',
    source: '(?:0x)?[a-fA-F0-9]{64}',
    starts: DIGIT.concat(ALNUM),
    score: 0.6,
    minEntropy: 3.3,
    context: [
      'private key',
      'private_key',
      'privatekey',
      'privkey',
      'priv_key',
      'wallet',
      'secret key',
      'eth',
      'ethereum',
      'mnemonic',
    ],
  }),
];

export const serviceRecognizers: readonly Recognizer[] = [
  ...slack,
  discordBotToken,
  discordWebhook,
  telegramBotToken,
  teamsWebhook,
  ...twilio,
  sendgridKey,
  ...mailgun,
  mailchimpKey,
  postmarkToken,
  ...messagebird,
  brevoKey,
  ...stripe,
  ...square,
  braintreeToken,
  ...shopify,
  ...flutterwave,
  gocardlessToken,
  plaidToken,
  shippoToken,
  duffelToken,
  easypostToken,
  ...facebook,
  ...twitter,
  mapboxSecret,
  ...dropbox,
  zendeskToken,
  adobeSecret,
  maxmindKey,
  settlemintToken,
  algoliaKey,
  sidekiqCredentials,
  ...wallets,
];
