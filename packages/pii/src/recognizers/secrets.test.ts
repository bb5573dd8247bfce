import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compileRecognizers, resolveOverlaps, scanText } from '../engine.js';
import type { EntityMatch } from '../recognizer.js';
import { claimedByProvider, standaloneProviders } from './secrets/index.js';
import { secretRecognizers } from './secrets.js';

// Every value below is generated here from a seeded pseudo-random generator: fake, never a real credential.

const set = compileRecognizers(secretRecognizers);

/** Matches with score >= 0.5 after overlap resolution, as the detector reports them. */
function find(text: string): EntityMatch[] {
  const out: EntityMatch[] = [];
  scanText(text, set, { maxMatches: 1000 }, out);
  return resolveOverlaps(out).filter((match) => match.score >= 0.5);
}

let seed = 0x5eed;
function next(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
function pick(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
  return out;
}
/** Random characters with at least one of each given alphabet, so checks on character kinds pass. */
function mixed(length: number, ...alphabets: string[]): string {
  const all = alphabets.join('');
  for (;;) {
    const value = pick(all, length);
    if (alphabets.every((alphabet) => [...value].some((char) => alphabet.includes(char)))) return value;
  }
}
const alnum = (n: number) => mixed(n, LOWER, UPPER, DIGITS);
const lowerAlnum = (n: number) => mixed(n, LOWER, DIGITS);
const upperAlnum = (n: number) => mixed(n, UPPER, DIGITS);
const hex = (n: number) => mixed(n, 'abcdef', DIGITS);
const b64 = (n: number) => mixed(n, LOWER, UPPER, DIGITS, '+/');
const b64url = (n: number) => mixed(n, LOWER, UPPER, DIGITS) + pick('-_', 0);
const letters = (n: number) => mixed(n, LOWER, UPPER);
const digits = (n: number) => pick('123456789', 1) + pick(DIGITS, n - 1);
const uuid4 = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
const base64url = (text: string) => Buffer.from(text).toString('base64url');
const password = () => `${pick(UPPER, 2)}${pick(LOWER, 4)}${pick(DIGITS, 2)}!${pick(LOWER, 3)}`;

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
/** Base58Check of a version prefix and random payload bytes, as wallets encode keys. */
function base58check(prefix: readonly number[], payloadLength: number, suffix: readonly number[] = []): string {
  const payload = Buffer.from([
    ...prefix,
    ...Array.from({ length: payloadLength }, () => Math.floor(next() * 256)),
    ...suffix,
  ]);
  const sha = (data: Buffer) => createHash('sha256').update(data).digest();
  const bytes = Buffer.concat([payload, sha(sha(payload)).subarray(0, 4)]);
  let number = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (number > 0n) {
    out = BASE58[Number(number % 58n)] + out;
    number /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}

/** [recognizer id, text, the value that must be reported]. */
type Case = readonly [string, string, string];
function at(id: string, make: (value: string) => string, value: string): Case {
  return [id, make(value), value];
}
const bare = (value: string) => `leaked: ${value} (rotate it)`;
const spaced = (value: string) => `see ${value} here`;

const POSITIVES: readonly Case[] = [
  // AWS, Amazon
  at('aws-access-key-id', bare, `AKIA${pick('ABCDEFGHJKLMNPQRSTUVWXYZ234567', 16)}`),
  at('aws-access-key-id', (v) => `"AccessKeyId": "${v}"`, `ASIA${pick(`${UPPER}234567`, 16)}`),
  at('aws-secret-access-key', (v) => `aws_secret_access_key = ${v}`, b64(40)),
  at('aws-secret-access-key-context', (v) => `The AWS secret is ${v} so keep it`, b64(40)),
  at('aws-session-token', bare, `FwoGZXIvYXdzE${b64(220)}`),
  at('aws-bedrock-api-key', bare, `ABSKQmVkcm9ja0FQSUtleS${b64(110)}`),
  at('aws-bedrock-short-lived-key', bare, `bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t${b64url(60)}`),
  at('amazon-mws-auth-token', bare, `amzn.mws.${uuid4()}`),
  // Google
  at('google-api-key', (v) => `const firebaseConfig = { apiKey: "${v}" };`, `AIzaSy${b64url(33)}`),
  at('google-oauth-client-secret', bare, `GOCSPX-${b64url(28)}`),
  at('google-oauth-access-token', bare, `ya29.${b64url(160)}`),
  at('gcp-service-account', (v) => `{ ${v}, "project_id": "demo-project" }`, '"type": "service_account"'),
  at('firebase-cloud-messaging-server-key', bare, `AAAA${b64url(7)}:APA91b${b64url(134)}`),
  // Azure
  at(
    'azure-storage-account-key',
    (v) => `DefaultEndpointsProtocol=https;AccountName=demo;AccountKey=${v};EndpointSuffix=core.windows.net`,
    `${b64(86)}==`,
  ),
  at('azure-storage-account-key-context', (v) => `azure storage primary: ${v}`, `${b64(86)}==`),
  at(
    'azure-shared-access-key',
    (v) => `Endpoint=sb://demo.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=${v}`,
    `${b64(43)}=`,
  ),
  at(
    'azure-sas-token',
    (v) => `https://demo.blob.core.windows.net/c/report.pdf?sv=2022-11-02&se=2031-01-01&sp=r&sig=${v}`,
    encodeURIComponent(`${b64(43)}=`),
  ),
  at('azure-ad-client-secret', (v) => `client_secret: ${v}`, `${alnum(3)}8Q~${alnum(34)}`),
  at('azure-devops-pat', (v) => `AZURE_DEVOPS_EXT_PAT ${v}`, mixed(52, LOWER, '234567')),
  // other clouds
  at('alibaba-access-key-id', bare, `LTAI${alnum(20)}`),
  at('alibaba-access-key-secret', (v) => `aliyun AccessKeySecret ${v}`, alnum(30)),
  at('digitalocean-pat', bare, `dop_v1_${hex(64)}`),
  at('digitalocean-oauth-token', bare, `doo_v1_${hex(64)}`),
  at('digitalocean-refresh-token', bare, `dor_v1_${hex(64)}`),
  at('heroku-api-key', bare, `HRKU-AA${b64url(58)}`),
  at('heroku-api-key-uuid', (v) => `heroku api key ${v}`, uuid4()),
  at('cloudflare-origin-ca-key', bare, `v1.0-${hex(24)}-${hex(146)}`),
  at('cloudflare-api-token', (v) => `cloudflare api ${v}`, b64url(40)),
  at('cloudflare-global-api-key', (v) => `cloudflare global ${v}`, hex(37)),
  at('fastly-api-token', (v) => `fastly api ${v}`, b64url(32)),
  at('flyio-access-token', bare, `fo1_${b64url(43)}`),
  at('render-api-key', bare, `rnd_${alnum(32)}`),
  at('vercel-token', (v) => `vercel deploy ${v}`, alnum(24)),
  at('netlify-pat', bare, `nfp_${alnum(40)}`),
  at('netlify-access-token', (v) => `netlify site ${v}`, b64url(43)),
  at('supabase-access-token', bare, `sbp_${hex(40)}`),
  at('supabase-secret-key', bare, `sb_secret_${b64url(32)}`),
  at('planetscale-api-token', bare, `pscale_tkn_${b64url(43)}`),
  at('planetscale-password', bare, `pscale_pw_${b64url(43)}`),
  at('planetscale-oauth-token', bare, `pscale_oauth_${b64url(43)}`),
  at('databricks-api-token', bare, `dapi${hex(32)}`),
  at('yandex-api-key', bare, `AQVN${b64url(36)}`),
  at('yandex-iam-token', bare, `t1.${b64url(40)}.${b64url(86)}`),
  at('yandex-oauth-token', bare, `y0_${b64url(57)}`),
  at('yandex-static-access-key', (v) => `yandex cloud ${v}`, `YC${b64url(38)}`),
  at('tailscale-key', bare, `tskey-auth-${alnum(16)}-${alnum(32)}`),
  at('doppler-token', bare, `dp.pt.${alnum(43)}`),
  at('vault-service-token', bare, `hvs.${b64url(90)}`),
  at('vault-batch-token', bare, `hvb.${b64url(140)}`),
  at('vault-legacy-token', (v) => `vault login ${v}`, `s.${alnum(24)}`),
  at('terraform-cloud-token', bare, `${alnum(14)}.atlasv1.${b64url(67)}`),
  at('pulumi-access-token', bare, `pul-${hex(40)}`),
  at('scalingo-api-token', bare, `tk-us-${b64url(48)}`),
  at('okta-api-token', (v) => `okta api ${v}`, `00${b64url(40)}`),
  at('dynatrace-api-token', bare, `dt0c01.${upperAlnum(24)}.${upperAlnum(64)}`),
  at('datadog-api-key', (v) => `datadog api ${v}`, hex(32)),
  at('datadog-app-key', (v) => `datadog application ${v}`, hex(40)),
  at('new-relic-user-api-key', bare, `NRAK-${upperAlnum(27)}`),
  at('new-relic-insert-key', bare, `NRII-${b64url(32)}`),
  at('new-relic-browser-key', bare, `NRJS-${hex(19)}`),
  at('new-relic-license-key', bare, `${hex(36)}NRAL`),
  at('grafana-cloud-api-token', bare, `glc_${b64(60)}`),
  at('grafana-service-account-token', bare, `glsa_${alnum(32)}_${hex(8)}`),
  at('grafana-api-key', bare, `eyJrIjoi${alnum(80)}`),
  at('sentry-org-token', bare, `sntrys_eyJpYXQiO${b64(80)}_${b64(43)}`),
  at('sentry-user-token', bare, `sntryu_${hex(64)}`),
  at('sentry-auth-token', (v) => `sentry auth ${v}`, hex(64)),
  at('infracost-api-token', bare, `ico-${alnum(32)}`),
  at('clickhouse-cloud-api-secret', bare, `4b1d${alnum(38)}`),
  at('harness-api-key', bare, `pat.${b64url(22)}.${alnum(24)}.${alnum(20)}`),
  at('octopus-deploy-api-key', bare, `API-${upperAlnum(26)}`),
  at('sumologic-access-key', (v) => `sumologic access ${v}`, alnum(64)),
  at('ibm-cloud-api-key', (v) => `ibmcloud login ${v}`, b64url(44)),
  // code hosting, registries, developer tools
  at('github-pat', bare, `ghp_${alnum(36)}`),
  at('github-oauth-token', bare, `gho_${alnum(36)}`),
  at('github-user-to-server-token', bare, `ghu_${alnum(36)}`),
  at('github-server-to-server-token', bare, `ghs_${alnum(36)}`),
  at('github-refresh-token', bare, `ghr_${alnum(36)}`),
  at('github-fine-grained-pat', bare, `github_pat_${alnum(22)}_${alnum(59)}`),
  at('gitlab-pat', bare, `glpat-${b64url(20)}`),
  at('gitlab-deploy-token', bare, `gldt-${b64url(20)}`),
  at('gitlab-runner-token', bare, `glrt-${b64url(20)}`),
  at('gitlab-pipeline-trigger-token', bare, `glptt-${hex(40)}`),
  at('gitlab-scim-token', bare, `glsoat-${b64url(20)}`),
  at('gitlab-feed-token', bare, `glft-${b64url(20)}`),
  at('gitlab-incoming-mail-token', bare, `glimt-${b64url(25)}`),
  at('gitlab-agent-token', bare, `glagent-${b64url(50)}`),
  at('gitlab-oauth-app-secret', bare, `gloas-${b64url(64)}`),
  at('gitlab-ci-job-token', bare, `glcbt-${b64url(20)}`),
  at('gitlab-feature-flag-token', bare, `glffct-${b64url(20)}`),
  at('gitlab-runner-registration-token', bare, `GR1348941${b64url(20)}`),
  at('atlassian-api-token', bare, `ATATT3${b64url(180)}=${hex(8).toUpperCase()}`),
  at('atlassian-api-token-legacy', (v) => `jira api ${v}`, alnum(24)),
  at('bitbucket-app-password', bare, `ATBB${alnum(32)}`),
  at('bitbucket-access-token', bare, `ATCTT3${b64url(180)}`),
  at('bitbucket-client-secret', (v) => `bitbucket oauth ${v}`, b64url(64)),
  at('sourcegraph-access-token', bare, `sgp_${hex(16)}_${hex(40)}`),
  at('sourcegraph-access-token-legacy', (v) => `sourcegraph ${v}`, hex(40)),
  at('npm-access-token', bare, `npm_${alnum(36)}`),
  at('pypi-upload-token', bare, `pypi-AgEIcHlwaS5vcmc${b64url(150)}`),
  at('rubygems-api-key', bare, `rubygems_${hex(48)}`),
  at('clojars-deploy-token', bare, `CLOJARS_${lowerAlnum(60)}`),
  at('nuget-api-key', bare, `oy2${lowerAlnum(43)}`),
  at('docker-hub-token', bare, `dckr_pat_${b64url(27)}`),
  at('jfrog-api-key', bare, `AKCp${alnum(69)}`),
  at('jfrog-reference-token', bare, `cmVmdGtuOjAx${alnum(52)}`),
  at('jfrog-identity-token', (v) => `artifactory identity ${v}`, alnum(64)),
  at('postman-api-key', bare, `PMAK-${hex(24)}-${hex(34)}`),
  at('linear-api-key', bare, `lin_api_${alnum(40)}`),
  at('linear-oauth-token', bare, `lin_oauth_${hex(64)}`),
  at('notion-api-token', bare, `ntn_${digits(11)}${alnum(35)}`),
  at('notion-integration-secret', (v) => `notion integration ${v}`, `secret_${alnum(43)}`),
  at('figma-pat', bare, `figd_${b64url(40)}`),
  at('airtable-pat', bare, `pat${alnum(14)}.${hex(64)}`),
  at('airtable-api-key', (v) => `airtable ${v}`, `key${alnum(14)}`),
  at('asana-pat', bare, `1/${digits(16)}:${hex(32)}`),
  at('contentful-management-token', bare, `CFPAT-${b64url(43)}`),
  at('contentful-delivery-token', (v) => `contentful delivery ${v}`, b64url(43)),
  at('readme-api-key', bare, `rdme_${lowerAlnum(70)}`),
  at('prefect-api-key', bare, `pnu_${alnum(36)}`),
  at('typeform-api-token', bare, `tfp_${b64url(59)}`),
  at('frameio-api-token', bare, `fio-u-${b64url(64)}`),
  at('snyk-api-token', (v) => `snyk auth ${v}`, uuid4()),
  at('sonar-token', bare, `squ_${hex(40)}`),
  at('sonar-token-legacy', (v) => `sonar login ${v}`, alnum(40)),
  at('codecov-token', (v) => `codecov upload ${v}`, uuid4()),
  at('1password-service-account-token', bare, `ops_eyJ${b64(300)}`),
  at(
    '1password-secret-key',
    bare,
    `A3-${upperAlnum(6)}-${upperAlnum(11)}-${upperAlnum(5)}-${upperAlnum(5)}-${upperAlnum(5)}`,
  ),
  at('age-secret-key', bare, `AGE-SECRET-KEY-1${pick('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)}`),
  at('intra42-client-secret', bare, `s-s4t2ud-${hex(64)}`),
  at('openshift-user-token', bare, `sha256~${b64url(43)}`),
  // AI APIs
  at('openai-api-key', bare, `sk-${alnum(20)}T3BlbkFJ${alnum(20)}`),
  at('openai-project-key', bare, `sk-proj-${b64url(120)}`),
  at('anthropic-api-key', bare, `sk-ant-api03-${b64url(93)}AA`),
  at('anthropic-admin-key', bare, `sk-ant-admin01-${b64url(93)}AA`),
  at('huggingface-access-token', bare, `hf_${letters(34)}`),
  at('huggingface-org-token', bare, `api_org_${letters(34)}`),
  at('perplexity-api-key', bare, `pplx-${alnum(48)}`),
  at('groq-api-key', bare, `gsk_${alnum(52)}`),
  at('replicate-api-token', bare, `r8_${alnum(37)}`),
  at('xai-api-key', bare, `xai-${alnum(80)}`),
  at('langsmith-api-key', bare, `lsv2_pt_${hex(32)}_${hex(10)}`),
  at('pinecone-api-key', bare, `pcsk_${alnum(5)}_${alnum(64)}`),
  at('cohere-api-key', (v) => `cohere client ${v}`, alnum(40)),
  at('mistral-api-key', (v) => `mistral client ${v}`, alnum(32)),
  // messaging, e-mail
  at('slack-bot-token', bare, `xoxb-${digits(12)}-${digits(13)}-${alnum(24)}`),
  at('slack-user-token', bare, `xoxp-${digits(11)}-${digits(11)}-${digits(12)}-${hex(32)}`),
  at('slack-legacy-token', bare, `xoxs-${digits(12)}-${digits(9)}-${digits(10)}-${hex(10)}`),
  at('slack-app-token', bare, `xapp-1-A${upperAlnum(10)}-${digits(13)}-${hex(64)}`),
  at('slack-config-access-token', bare, `xoxe.xoxp-1-${alnum(163)}`),
  at('slack-config-refresh-token', bare, `xoxe-1-${alnum(146)}`),
  at('slack-webhook-url', spaced, `https://hooks.slack.com/services/T${upperAlnum(8)}/B${upperAlnum(8)}/${alnum(24)}`),
  at('discord-bot-token', bare, `M${b64url(23)}.${b64url(6)}.${b64url(27)}`),
  at('discord-webhook-url', spaced, `https://discord.com/api/webhooks/${digits(18)}/${b64url(68)}`),
  at('telegram-bot-token', bare, `${digits(10)}:AA${b64url(33)}`),
  at(
    'microsoft-teams-webhook-url',
    spaced,
    `https://acme.webhook.office.com/webhookb2/${uuid4()}@${uuid4()}/IncomingWebhook/${alnum(32)}/${uuid4()}`,
  ),
  at('twilio-api-key', bare, `SK${hex(32)}`),
  at('twilio-account-sid', bare, `AC${hex(32)}`),
  at('twilio-auth-token', (v) => `twilio auth ${v}`, hex(32)),
  at('sendgrid-api-key', bare, `SG.${b64url(22)}.${b64url(43)}`),
  at('mailgun-api-key', bare, `key-${hex(32)}`),
  at('mailgun-api-key-v2', bare, `${hex(32)}-${hex(8)}-${hex(8)}`),
  at('mailchimp-api-key', bare, `${hex(32)}-us21`),
  at('postmark-server-token', (v) => `postmark server ${v}`, uuid4()),
  at('messagebird-api-key', (v) => `messagebird access ${v}`, alnum(25)),
  at('messagebird-client-id', (v) => `messagebird client ${v}`, uuid4()),
  at('brevo-api-key', bare, `xkeysib-${hex(64)}-${alnum(16)}`),
  // payments, commerce
  at('stripe-secret-key', bare, `sk_live_${alnum(24)}`),
  at('stripe-test-secret-key', bare, `sk_test_${alnum(24)}`),
  at('stripe-restricted-key', bare, `rk_live_${alnum(24)}`),
  at('stripe-webhook-secret', bare, `whsec_${alnum(32)}`),
  at('square-access-token', bare, `EAAA${b64url(60)}`),
  at('square-oauth-secret', bare, `sq0csp-${b64url(43)}`),
  at('braintree-access-token', (v) => `leaked: access_token$production$${v}`, `${lowerAlnum(16)}$${hex(32)}`),
  at('shopify-access-token', bare, `shpat_${hex(32)}`),
  at('shopify-custom-app-token', bare, `shpca_${hex(32)}`),
  at('shopify-private-app-token', bare, `shppa_${hex(32)}`),
  at('shopify-shared-secret', bare, `shpss_${hex(32)}`),
  at('flutterwave-secret-key', bare, `FLWSECK_TEST-${mixed(32, 'abcdefgh', DIGITS)}-X`),
  at('flutterwave-encryption-key', bare, `FLWSECK_TEST${mixed(12, 'abcdefgh', DIGITS)}`),
  at('gocardless-api-token', (v) => `gocardless access ${v}`, `live_${b64url(40)}`),
  at('plaid-access-token', bare, `access-sandbox-${uuid4()}`),
  at('shippo-api-token', bare, `shippo_live_${hex(40)}`),
  at('duffel-api-token', bare, `duffel_test_${b64url(43)}`),
  at('easypost-api-key', bare, `EZAK${alnum(54)}`),
  // social, maps, storage, support
  at('facebook-access-token', bare, `EAAC${alnum(150)}`),
  at('facebook-app-access-token', bare, `${digits(15)}|${b64url(30)}`),
  at('facebook-app-secret', (v) => `facebook app ${v}`, hex(32)),
  at('twitter-bearer-token', bare, `${'A'.repeat(22)}${alnum(90)}`),
  at('twitter-access-token', (v) => `twitter access ${v}`, `${digits(19)}-${alnum(30)}`),
  at('twitter-api-secret', (v) => `twitter consumer ${v}`, alnum(50)),
  at('mapbox-secret-token', bare, `sk.eyJ${b64url(80)}.${b64url(22)}`),
  at('dropbox-short-lived-token', bare, `sl.${b64url(140)}`),
  at('dropbox-long-lived-token', (v) => `dropbox ${v}`, `${alnum(11)}AAAAAAAAAA${b64url(43)}`),
  at('zendesk-api-token', (v) => `zendesk api ${v}`, alnum(40)),
  at('adobe-client-secret', bare, `p8e-${alnum(32)}`),
  at('maxmind-license-key', bare, `${alnum(6)}_${alnum(29)}_mmk`),
  at('settlemint-access-token', bare, `sm_pat_${alnum(16)}`),
  at('algolia-admin-key', (v) => `algolia admin ${v}`, hex(32)),
  at('bitcoin-wif-private-key', bare, base58check([0x80], 32, [0x01])),
  at('bitcoin-wif-private-key', bare, base58check([0x80], 32)),
  at('bitcoin-extended-private-key', bare, base58check([0x04, 0x88, 0xad, 0xe4], 74)),
  at('crypto-private-key-hex', (v) => `wallet private key: ${v}`, `0x${hex(64)}`),
  at('sidekiq-credentials', (v) => `BUNDLE_GEMS__CONTRIBSYS__COM=${v}`, `${hex(8)}:${hex(8)}`),
  // structured
  at(
    'jwt',
    bare,
    `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url('{"sub":"user-42","iat":1700000000}')}.${b64url(43)}`,
  ),
  at('jwt-unsigned', bare, `${base64url('{"alg":"none"}')}.${base64url('{"sub":"user-42","admin":true}')}.`),
  at(
    'private-key',
    (v) => `key:\n${v}\n`,
    `-----BEGIN RSA PRIVATE KEY-----\n${b64(64)}\n${b64(64)}\n${b64(20)}==\n-----END RSA PRIVATE KEY-----`,
  ),
  at(
    'putty-private-key',
    (v) => `PuTTY-User-Key-File-3: ssh-ed25519\nPrivate-Lines: 2\n${v}\nPrivate-MAC: ${hex(64)}`,
    `${b64(64)}\n${b64(24)}`,
  ),
  at('connection-string-password', (v) => `DATABASE_URL postgres://app:${v}@db.internal:5432/app`, password()),
  at('url-password', (v) => `git clone https://deploy:${v}@git.acme.org/team/repo.git`, password()),
  at('curl-basic-auth', (v) => `curl -u ${v} https://api.acme.org/v1/me`, `admin:${password()}`),
  at(
    'http-basic-auth',
    (v) => `-H "Authorization: Basic ${v}"`,
    base64url(`svc:${password()}`).replace(/-/g, '+').replace(/_/g, '/'),
  ),
  at('http-bearer-token', (v) => `-H "Authorization: Bearer ${v}"`, b64url(40)),
  at('http-bearer-token', (v) => `send it with Bearer ${v} in the header`, b64url(40)),
  at('npmrc-auth-token', (v) => `//registry.npmjs.org/:_authToken=${v}`, uuid4()),
  at('nuget-config-password', (v) => `<add key="ClearTextPassword" value="${v}" />`, password()),
  // key/value
  at('password-assignment', (v) => `DB_PASSWORD=${v}`, password()),
  at('password-assignment', (v) => `{"user": "svc", "password": "${v}"}`, password()),
  at('password-assignment', (v) => `mot_de_passe: ${v}`, password()),
  at('password-assignment', (v) => `Passwort = "${v}"`, password()),
  at('password-assignment', (v) => `Server=db;User ID=svc;Password=${v};Database=app`, password()),
  at('secret-assignment', (v) => `"client_secret": "${v}"`, alnum(32)),
  at('secret-assignment', (v) => `export SERVICE_API_KEY=${v}`, alnum(40)),
  at('secret-assignment', (v) => `authToken: '${v}'`, b64url(28)),
  at('secret-assignment', (v) => `GET /callback?access_token=${v}&state=1`, alnum(30)),
  at('password-assignment-intl', (v) => `contraseña: ${v}`, password()),
  at('password-assignment-intl', (v) => `пароль: ${v}`, password()),
  at('password-assignment-intl', (v) => `密码：${v}`, password()),
  at('cli-secret-flag', (v) => `mysqladmin --password ${v} status`, password()),
  at('password-in-prose', (v) => `my password is ${v} for now`, password()),
];

describe('secret recognizers: positives', () => {
  for (const [id, text, value] of POSITIVES) {
    it(`${id}: ${text.length > 70 ? `${text.slice(0, 70)}…` : text}`, () => {
      const found = find(text).map((match) => [match.recognizer, text.slice(match.start, match.end)]);
      expect(found).toContainEqual([id, value]);
    });
  }

  it('covers every recognizer with an example', () => {
    const covered = new Set(POSITIVES.map(([id]) => id));
    const missing = secretRecognizers.filter((recognizer) => recognizer.score >= 0.5 && !covered.has(recognizer.id));
    expect(missing.map((recognizer) => recognizer.id)).toEqual([]);
  });

  it('every recognizer is a secret with a provider and a kebab-case id', () => {
    for (const recognizer of secretRecognizers) {
      expect(recognizer.kind).toBe('secret');
      expect(recognizer.entity).toBe('SECRET');
      expect(recognizer.provider).toBeTruthy();
      expect(recognizer.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    }
  });
});

const NEGATIVES: readonly string[] = [
  // placeholders and templates
  'password = "changeme"',
  'api_key: "<your-api-key>"',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell-style placeholder is the input under test
  'token: ${GITHUB_TOKEN}',
  'secret = xxxxxxxxxxxxxxxxxxxx',
  'password: ********',
  'export API_TOKEN=$(vault read -field=token secret/ci)',
  'password: "{{ vault_db_password }}"',
  `api_key = "${pick(LOWER, 6)}-example-${pick(LOWER, 6)}"`,
  'client_secret = "your_client_secret_here"',
  `token = "dummy-${pick(LOWER, 12)}"`,
  'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
  'AKIAXXXXXXXXXXXXXXXX',
  'aws_access_key_id = AKIAZ3QW5ERT7EXAMPLE',
  'sk_live_',
  'postgres://user:password@localhost:5432/app',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell-style placeholder is the input under test
  'mysql://root:${MYSQL_ROOT_PASSWORD}@db/app',
  'redis://:<password>@cache:6379',
  'curl -u username:password https://api.acme.org',
  'curl -u "$USER:$PASS" https://api.acme.org',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell-style placeholder is the input under test
  '//registry.npmjs.org/:_authToken=${NPM_TOKEN}',
  'Authorization: Bearer <token>',
  'Authorization: Bearer $ACCESS_TOKEN',
  // low entropy, sequences, repeats
  'token = "aaaaaaaaaaaaaaaaaaaaaaaa"',
  'password=12345678',
  'secret: abcdefghijkl',
  'api_key = "abcd1234abcd1234abcd1234"',
  `xoxb-1234-${alnum(24)}`,
  // identifiers, references, paths, URLs, versions, numbers
  'api_key = config.api_key',
  'secret_key = settings.SECRET_KEY',
  'token = os.environ',
  'password_file = /etc/app/secret.txt',
  'private_key = ./keys/deploy.pem',
  'access_token_url = https://auth.acme.org/oauth/token',
  'token = "v1.2.3-beta"',
  'password: true',
  'const token = getToken(request)',
  // keys that are not secrets
  'max_tokens = 4096',
  'num_tokens: 128000',
  `next_page_token: ${alnum(24)}`,
  `csrf_token = ${alnum(32)}`,
  `public_key = "${alnum(43)}"`,
  `credentialsId: '${uuid4()}'`,
  'token_type: bearer',
  `secret_length = ${digits(3)}`,
  // a time-based (version 1) UUID is an identifier
  `authToken=${hex(8)}-${hex(4)}-1${hex(3)}-a${hex(3)}-${hex(12)}`,
  // prose
  'The secret to good bread is time, and a password manager is the secret to good passwords.',
  'Use a token bucket that refills 1000 tokens per minute.',
  'Keep your API key safe; never share it with anyone.',
  'My password is something only I know.',
  // bare values that need a context word
  hex(32),
  hex(40),
  uuid4(),
  alnum(40),
  b64(40),
  `s.${alnum(24)}`,
  // boundaries: inside a longer token
  `x${'ghp_'}${alnum(36)}`,
  `${alnum(10)}AKIA${pick(`${UPPER}234567`, 16)}`,
  `+AKIA${pick(`${UPPER}234567`, 16)}`,
  `sha1-${'ghp_'}`,
  `bot${digits(9)}:AA${b64url(33)}`,
  // structures that fail their checks
  `${base64url('{"foo":"bar"}')}.${base64url('{"sub":"x"}')}.${b64url(43)}`,
  `${base64url('{"alg":"HS256"}')}.${b64url(30)}.${b64url(43)}`,
  '-----BEGIN PRIVATE KEY-----\nplaceholder\n-----END PRIVATE KEY-----',
  '-----BEGIN OPENSSH PRIVATE KEY----------END OPENSSH PRIVATE KEY-----',
  '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----',
  `sk-proj-${alnum(20)}T4BlbkFJ${alnum(20)}`,
  `SG.${b64url(22)}..${b64url(43)}`,
  `pypi-AgEIcHlwaS5vcmc${b64url(40)}`,
  `https://example.com:8080@mail.example.com`,
  `https://admin:${password()}@api.example.com/v1`,
  `sha256 ${hex(64)}`,
  // a WIF-shaped string with a wrong checksum
  `5H${pick(BASE58, 49)}`,
];

describe('claimedByProvider', () => {
  // The reference: the same standalone provider regexes tried in turn, ignoring their literal prefixes.
  const reference = (value: string): boolean =>
    standaloneProviders.some(({ recognizer, sticky }) => {
      sticky.lastIndex = 0;
      const match = sticky.exec(value);
      if (match === null || match[0].length < value.length * 0.9) return false;
      return recognizer.validate === undefined || recognizer.validate(match[0]);
    });

  it('claims provider tokens and agrees with trying every regex, on values, case variants and odd first characters', () => {
    const values = POSITIVES.map(([, , value]) => value);
    const variants = values.flatMap((value) => [
      value,
      value.toUpperCase(),
      value.toLowerCase(),
      `x${value}`,
      `${value}x`,
      // Characters case-insensitive regexes fold but a plain comparison does not (such patterns get no prefix
      // and are always tried; these variants would show it if that changed).
      `\u017f${value.slice(1)}`,
      `\u212a${value.slice(1)}`,
      `\u00e9${value}`,
    ]);
    let claimed = 0;
    for (const value of variants) {
      expect(claimedByProvider(value), value).toBe(reference(value));
      if (claimedByProvider(value)) claimed++;
    }
    // Not vacuous: most provider examples are claimed, and plain random values are not.
    expect(claimed).toBeGreaterThan(100);
    expect(claimedByProvider(pick(LOWER + DIGITS, 40))).toBe(false);
  });
});

describe('secret recognizers: negatives', () => {
  for (const text of NEGATIVES) {
    it(`not flagged: ${text.length > 70 ? `${text.slice(0, 70)}…` : text}`, () => {
      expect(find(text).map((match) => `${match.recognizer}: ${text.slice(match.start, match.end)}`)).toEqual([]);
    });
  }

  it('reports Stripe publishable keys below the reporting threshold', () => {
    const text = `pk_live_${alnum(24)}`;
    const out: EntityMatch[] = [];
    scanText(text, set, { maxMatches: 10 }, out);
    expect(out.map((match) => [match.recognizer, match.score])).toEqual([['stripe-publishable-key', 0.3]]);
    expect(find(text)).toEqual([]);
  });
});

describe('secret recognizers: behaviour', () => {
  it('leaves a provider token after a key to its provider recognizer', () => {
    const value = `ghp_${alnum(36)}`;
    for (const text of [
      `token: ${value}`,
      `GITHUB_TOKEN=${value}`,
      `"token": "${value}"`,
      `Authorization: token ${value}`,
    ]) {
      expect(find(text).map((match) => match.recognizer)).toEqual(['github-pat']);
    }
  });

  it('raises the score of a context-dependent value only with its context word', () => {
    const value = hex(32);
    expect(find(`id ${value}`)).toEqual([]);
    const [match] = find(`TWILIO_AUTH_TOKEN ${value}`);
    expect(match?.recognizer).toBe('twilio-auth-token');
    expect(match?.reasons).toContain('context');
  });

  it('reports the password of a connection string, not the URI', () => {
    const secret = password();
    const text = `mongodb+srv://svc:${secret}@cluster0.acme.mongodb.net/app?retryWrites=true`;
    const [match] = find(text);
    expect(match?.recognizer).toBe('connection-string-password');
    expect(text.slice(match!.start, match!.end)).toBe(secret);
  });

  it('finds a Telegram token inside a Bot API URL', () => {
    const token = `${digits(10)}:AA${b64url(33)}`;
    const text = `https://api.telegram.org/bot${token}/getMe`;
    expect(find(text).map((match) => text.slice(match.start, match.end))).toEqual([token]);
  });

  it('finds a private key in a JSON string with escaped newlines and a key cut short', () => {
    const body = `${b64(64)}\\n${b64(64)}\\n${b64(30)}=`;
    const json = `{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n${body}\\n-----END PRIVATE KEY-----\\n"}`;
    expect(find(json).map((match) => match.recognizer)).toEqual(['gcp-service-account', 'private-key']);
    const cut = `here it is:\n-----BEGIN EC PRIVATE KEY-----\n${b64(64)}\n${b64(64)}\n`;
    expect(find(cut).map((match) => match.recognizer)).toEqual(['private-key']);
  });

  it('finds letter-only tokens that hold no anchor character', () => {
    const key = `AKIA${pick(`${UPPER}`, 16)}`;
    expect(find(`the key is ${key} today`).map((match) => match.recognizer)).toEqual(['aws-access-key-id']);
    const token = `hf_${letters(34)}`;
    expect(find(`use ${token} to download`).map((match) => match.recognizer)).toEqual(['huggingface-access-token']);
  });

  it('cuts a query-string value at the next parameter', () => {
    const value = alnum(30);
    const text = `https://api.acme.org/v1/items?api_key=${value}&page=2`;
    expect(find(text).map((match) => text.slice(match.start, match.end))).toEqual([value]);
  });

  it('handles escaped JSON', () => {
    const value = password();
    const text = `{\\"username\\":\\"svc\\",\\"password\\":\\"${value}\\"}`;
    expect(find(text).map((match) => text.slice(match.start, match.end))).toEqual([value]);
  });

  it('stays fast on long hostile inputs', () => {
    const families = [
      'password='.repeat(20_000),
      'token: a1b2 '.repeat(15_000),
      '"secret_key": "a1", '.repeat(10_000),
      `${'a_'.repeat(20)}token=x1 `.repeat(4_000),
      'eyJ1-'.repeat(40_000),
      '-----BEGIN RSA PRIVATE KEY-----\n'.repeat(6_000),
      `-----BEGIN PRIVATE KEY-----${'a-'.repeat(9_000)}`.repeat(10),
      'postgres://u:p'.repeat(14_000),
      '-u a:b '.repeat(28_000),
      'пароль: a1 '.repeat(18_000),
    ];
    for (const text of families) {
      const started = performance.now();
      scanText(text, set, { maxMatches: 100_000 }, []);
      // Generous: linear work on 200 kB is tens of milliseconds; a backtracking blow-up is minutes.
      expect(performance.now() - started).toBeLessThan(5_000);
    }
  });
});
