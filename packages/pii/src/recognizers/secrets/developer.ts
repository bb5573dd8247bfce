import type { Recognizer } from '../../recognizer.js';
import {
  ALNUM,
  ANY_TOKEN,
  BEFORE_STRICT,
  charClasses,
  contextual,
  DIGIT,
  LOWER,
  mixedClasses,
  token,
  UPPER,
  UUID,
} from './shared.js';

// Code hosting, package registries, developer tools and AI APIs. Formats from the providers' documentation
// and the public gitleaks / detect-secrets rule sets; patterns are our own.

// --- GitHub ------------------------------------------------------------------------------------------------

const GITHUB_KINDS: readonly (readonly [string, string])[] = [
  ['ghp', 'github-pat'],
  ['gho', 'github-oauth-token'],
  ['ghu', 'github-user-to-server-token'],
  ['ghs', 'github-server-to-server-token'],
  ['ghr', 'github-refresh-token'],
];
const github = GITHUB_KINDS.map(([prefix, id]) =>
  token({
    id,
    provider: 'GitHub',
    // 36 base62 characters today; GitHub reserves the right to grow them.
    source: `${prefix}_[A-Za-z0-9]{36,251}`,
    starts: LOWER,
    score: 0.95,
    skip: 4,
    minEntropy: 3,
  }),
);

const githubFineGrainedPat = token({
  id: 'github-fine-grained-pat',
  provider: 'GitHub',
  source: 'github_pat_[A-Za-z0-9_]{82}',
  starts: LOWER,
  score: 0.95,
  skip: 11,
  minEntropy: 3.5,
});

// --- GitLab ------------------------------------------------------------------------------------------------

const GITLAB_KINDS: readonly (readonly [string, string, string])[] = [
  // Personal/project/group access tokens, also in the routable form "glpat-<base64>.<2><7>".
  ['gitlab-pat', 'glpat-', '[A-Za-z0-9_-]{20,300}(?:\\.[0-9a-z]{9})?'],
  ['gitlab-deploy-token', 'gldt-', '[A-Za-z0-9_-]{20,50}'],
  ['gitlab-runner-token', 'glrt-', '[A-Za-z0-9_-]{20,300}(?:\\.[0-9a-z]{9})?'],
  ['gitlab-pipeline-trigger-token', 'glptt-', '[A-Za-z0-9_-]{40}'],
  ['gitlab-scim-token', 'glsoat-', '[A-Za-z0-9_-]{20,50}'],
  ['gitlab-feed-token', 'glft-', '[A-Za-z0-9_-]{20,50}'],
  ['gitlab-incoming-mail-token', 'glimt-', '[A-Za-z0-9_-]{25}'],
  ['gitlab-agent-token', 'glagent-', '[A-Za-z0-9_-]{50,1024}'],
  ['gitlab-oauth-app-secret', 'gloas-', '[A-Za-z0-9_-]{64}'],
  ['gitlab-ci-job-token', 'glcbt-', '[A-Za-z0-9_-]{20,64}'],
  ['gitlab-feature-flag-token', 'glffct-', '[A-Za-z0-9_-]{20,50}'],
  ['gitlab-runner-registration-token', 'GR1348941', '[A-Za-z0-9_-]{20,50}'],
];
const gitlab = GITLAB_KINDS.map(([id, prefix, body]) =>
  token({
    id,
    provider: 'GitLab',
    source: `${prefix}${body}`,
    afterChars: 'A-Za-z0-9_-',
    starts: prefix.startsWith('GR') ? UPPER : LOWER,
    score: 0.95,
    skip: prefix.length,
    minEntropy: 3,
  }),
);

// --- Atlassian, Bitbucket, Sourcegraph ---------------------------------------------------------------------

const atlassianApiToken = token({
  id: 'atlassian-api-token',
  provider: 'Atlassian',
  source: 'ATATT3[A-Za-z0-9_=-]{100,300}',
  afterChars: 'A-Za-z0-9_=-',
  starts: UPPER,
  score: 0.95,
  skip: 6,
  minEntropy: 4,
});

const atlassianLegacyToken = contextual({
  id: 'atlassian-api-token-legacy',
  provider: 'Atlassian',
  source: '[A-Za-z0-9]{24}',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 3.8,
  check: mixedClasses,
  context: ['atlassian', 'jira', 'confluence', 'jira_api_token', 'confluence_api_token', 'jira_token'],
});

const bitbucketAppPassword = token({
  id: 'bitbucket-app-password',
  provider: 'Bitbucket',
  source: 'ATBB[A-Za-z0-9_=.-]{24,64}',
  afterChars: 'A-Za-z0-9_=.-',
  starts: UPPER,
  score: 0.9,
  skip: 4,
  minEntropy: 3.8,
});

const bitbucketAccessToken = token({
  id: 'bitbucket-access-token',
  provider: 'Bitbucket',
  source: 'ATCTT3[A-Za-z0-9_=-]{100,300}',
  afterChars: 'A-Za-z0-9_=-',
  starts: UPPER,
  score: 0.95,
  skip: 6,
  minEntropy: 4,
});

const bitbucketClientSecret = contextual({
  id: 'bitbucket-client-secret',
  provider: 'Bitbucket',
  source: '[A-Za-z0-9_=-]{64}',
  afterChars: 'A-Za-z0-9_=-',
  starts: ANY_TOKEN,
  score: 0.6,
  minEntropy: 4,
  check: mixedClasses,
  context: ['bitbucket', 'bitbucket_secret', 'bitbucket_client_secret'],
});

const sourcegraphToken = token({
  id: 'sourcegraph-access-token',
  provider: 'Sourcegraph',
  source: 'sgp_(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40}',
  starts: LOWER,
  score: 0.95,
  skip: 4,
  minEntropy: 3,
});

const sourcegraphContext = contextual({
  id: 'sourcegraph-access-token-legacy',
  provider: 'Sourcegraph',
  source: '[a-fA-F0-9]{40}',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 3.2,
  context: ['sourcegraph', 'src_access_token', 'sourcegraph_token'],
});

// --- package registries ------------------------------------------------------------------------------------

const npmToken = token({
  id: 'npm-access-token',
  provider: 'npm',
  source: 'npm_[A-Za-z0-9]{36}',
  starts: LOWER,
  score: 0.95,
  skip: 4,
  minEntropy: 3,
});

const pypiToken = token({
  id: 'pypi-upload-token',
  provider: 'PyPI',
  // "pypi-" + a macaroon whose base64 starts with the issuing host: pypi.org or test.pypi.org.
  source: 'pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{100,1000}',
  afterChars: 'A-Za-z0-9_-',
  starts: LOWER,
  score: 0.95,
  skip: 20,
  minEntropy: 4,
});

const rubygemsKey = token({
  id: 'rubygems-api-key',
  provider: 'RubyGems',
  source: 'rubygems_[a-f0-9]{48}',
  starts: LOWER,
  score: 0.95,
  skip: 9,
  minEntropy: 3,
});

const clojarsToken = token({
  id: 'clojars-deploy-token',
  provider: 'Clojars',
  source: 'CLOJARS_[a-zA-Z0-9]{60}',
  starts: UPPER,
  score: 0.95,
  skip: 8,
  minEntropy: 3,
});

const nugetKey = token({
  id: 'nuget-api-key',
  provider: 'NuGet',
  source: 'oy2[a-z0-9]{43}',
  starts: LOWER,
  score: 0.9,
  skip: 3,
  minEntropy: 3.8,
});

const dockerHubToken = token({
  id: 'docker-hub-token',
  provider: 'Docker',
  source: 'dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,40}',
  afterChars: 'A-Za-z0-9_-',
  starts: LOWER,
  score: 0.95,
  skip: 9,
  minEntropy: 3.5,
});

const jfrogApiKey = token({
  id: 'jfrog-api-key',
  provider: 'JFrog',
  source: 'AKCp[A-Za-z0-9]{69}',
  starts: UPPER,
  score: 0.9,
  skip: 4,
  minEntropy: 4,
});

const jfrogReferenceToken = token({
  id: 'jfrog-reference-token',
  provider: 'JFrog',
  // Base64 of "reftkn:01:…".
  source: 'cmVmdGtuOjAx[A-Za-z0-9]{52}',
  starts: LOWER,
  score: 0.9,
  skip: 12,
  minEntropy: 4,
});

const jfrogContext = contextual({
  id: 'jfrog-identity-token',
  provider: 'JFrog',
  source: '(?:[A-Za-z0-9]{64}|[A-Za-z0-9]{73})',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 4,
  check: mixedClasses,
  context: ['jfrog', 'artifactory', 'bintray', 'xray'],
});

// --- developer tools ---------------------------------------------------------------------------------------

const postmanKey = token({
  id: 'postman-api-key',
  provider: 'Postman',
  source: 'PMAK-[a-f0-9]{24}-[a-f0-9]{34}',
  starts: UPPER,
  score: 0.95,
  skip: 5,
  minEntropy: 3,
});

const linear = [
  token({
    id: 'linear-api-key',
    provider: 'Linear',
    source: 'lin_api_[A-Za-z0-9]{40}',
    starts: LOWER,
    score: 0.95,
    skip: 8,
    minEntropy: 3.5,
  }),
  token({
    id: 'linear-oauth-token',
    provider: 'Linear',
    source: 'lin_oauth_[a-f0-9]{64}',
    starts: LOWER,
    score: 0.95,
    skip: 10,
    minEntropy: 3,
  }),
];

const notionToken = token({
  id: 'notion-api-token',
  provider: 'Notion',
  source: 'ntn_[0-9]{11}[A-Za-z0-9]{35}',
  starts: LOWER,
  score: 0.95,
  skip: 15,
  minEntropy: 3.5,
  check: (value) => /[A-Za-z]/.test(value.slice(15)),
});

const notionLegacyToken = contextual({
  id: 'notion-integration-secret',
  provider: 'Notion',
  source: 'secret_[A-Za-z0-9]{43}',
  starts: LOWER,
  score: 0.6,
  skip: 7,
  minEntropy: 4,
  context: ['notion', 'notion_token', 'notion_api_key', 'notion_secret'],
});

const figmaToken = token({
  id: 'figma-pat',
  needs: '_',
  provider: 'Figma',
  source: 'fig[du]_[A-Za-z0-9_-]{38,48}',
  afterChars: 'A-Za-z0-9_-',
  starts: LOWER,
  score: 0.9,
  skip: 5,
  minEntropy: 4,
});

const airtable = [
  token({
    id: 'airtable-pat',
    needs: '.',
    provider: 'Airtable',
    source: 'pat[A-Za-z0-9]{14}\\.[a-f0-9]{64}',
    starts: LOWER,
    score: 0.95,
    minEntropy: 3.5,
  }),
  contextual({
    id: 'airtable-api-key',
    provider: 'Airtable',
    source: 'key[A-Za-z0-9]{14}',
    starts: LOWER,
    score: 0.6,
    skip: 3,
    minEntropy: 3.2,
    check: (value) => charClasses(value.slice(3)) >= 2,
    context: ['airtable', 'airtable_api_key', 'airtable_key'],
  }),
];

const asanaPat = token({
  id: 'asana-pat',
  needs: '/:',
  provider: 'Asana',
  source: '[012]/[0-9]{10,20}(?:/[0-9]{10,20})?:[a-f0-9]{32}',
  starts: DIGIT,
  score: 0.85,
  minEntropy: 3,
  context: ['asana', 'asana_token', 'asana_pat'],
});

const contentful = [
  token({
    id: 'contentful-management-token',
    provider: 'Contentful',
    source: 'CFPAT-[A-Za-z0-9_-]{43}',
    afterChars: 'A-Za-z0-9_-',
    starts: UPPER,
    score: 0.95,
    skip: 6,
    minEntropy: 3.8,
  }),
  contextual({
    id: 'contentful-delivery-token',
    provider: 'Contentful',
    source: '[A-Za-z0-9_-]{43}',
    afterChars: 'A-Za-z0-9_-',
    starts: ANY_TOKEN,
    score: 0.6,
    minEntropy: 4,
    check: mixedClasses,
    context: ['contentful', 'contentful_access_token', 'contentful_delivery_token', 'cda', 'cpa'],
  }),
];

const readmeKey = token({
  id: 'readme-api-key',
  provider: 'ReadMe',
  source: 'rdme_[a-z0-9]{70}',
  starts: LOWER,
  score: 0.95,
  skip: 5,
  minEntropy: 3.5,
});

const prefectKey = token({
  id: 'prefect-api-key',
  provider: 'Prefect',
  source: 'pnu_[A-Za-z0-9]{36}',
  starts: LOWER,
  score: 0.95,
  skip: 4,
  minEntropy: 3.5,
});

const typeformToken = token({
  id: 'typeform-api-token',
  provider: 'Typeform',
  source: 'tfp_[A-Za-z0-9_.=-]{59}',
  afterChars: 'A-Za-z0-9_.=-',
  starts: LOWER,
  score: 0.9,
  skip: 4,
  minEntropy: 4,
});

const frameioToken = token({
  id: 'frameio-api-token',
  provider: 'Frame.io',
  source: 'fio-u-[A-Za-z0-9_=-]{64}',
  afterChars: 'A-Za-z0-9_=-',
  starts: LOWER,
  score: 0.95,
  skip: 6,
  minEntropy: 4,
});

const snykToken = contextual({
  id: 'snyk-api-token',
  provider: 'Snyk',
  source: UUID,
  afterChars: 'A-Za-z0-9_-',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 2.5,
  context: ['snyk', 'snyk_token', 'snyk_api_token', 'snyk_api_key', 'snyk_oauth_token'],
});

const sonar = [
  token({
    id: 'sonar-token',
    provider: 'SonarQube',
    source: 'sq[upa]_[a-f0-9]{40}',
    starts: LOWER,
    score: 0.95,
    skip: 4,
    minEntropy: 3,
  }),
  contextual({
    id: 'sonar-token-legacy',
    provider: 'SonarQube',
    source: '[A-Za-z0-9]{40}',
    starts: ALNUM,
    score: 0.6,
    minEntropy: 3,
    check: (value) => charClasses(value) >= 2,
    context: ['sonar', 'sonar_token', 'sonar_login', 'sonarqube', 'sonarcloud', 'sonar.login', 'sonar.token'],
  }),
];

const codecovToken = contextual({
  id: 'codecov-token',
  provider: 'Codecov',
  source: `(?:${UUID}|[a-f0-9]{32})`,
  afterChars: 'A-Za-z0-9_-',
  starts: ALNUM,
  score: 0.6,
  minEntropy: 3,
  context: ['codecov', 'codecov_token'],
});

const onePasswordServiceAccount = token({
  id: '1password-service-account-token',
  provider: '1Password',
  // "ops_" + base64 of a JSON object.
  source: 'ops_eyJ[A-Za-z0-9+/_-]{250,4000}={0,3}',
  afterChars: 'A-Za-z0-9+/_=-',
  starts: LOWER,
  score: 0.95,
  skip: 4,
  minEntropy: 4,
});

const onePasswordSecretKey = token({
  id: '1password-secret-key',
  provider: '1Password',
  source: 'A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}',
  before: BEFORE_STRICT,
  starts: UPPER,
  score: 0.9,
  skip: 3,
  minEntropy: 3.5,
});

const ageSecretKey = token({
  id: 'age-secret-key',
  provider: 'age',
  // Bech32, upper case; the prefix alone is unambiguous, so even an all-zero key is reported.
  source: 'AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}',
  starts: UPPER,
  score: 0.95,
  noMaskCheck: true,
});

const intra42Secret = token({
  id: 'intra42-client-secret',
  provider: '42 Intra',
  source: 's-s4t2(?:ud|af)-[a-f0-9]{64}',
  starts: LOWER,
  score: 0.95,
  skip: 9,
  minEntropy: 3,
});

const openshiftToken = token({
  id: 'openshift-user-token',
  provider: 'OpenShift',
  source: 'sha256~[A-Za-z0-9_-]{43}',
  afterChars: 'A-Za-z0-9_-',
  starts: LOWER,
  score: 0.9,
  skip: 7,
  minEntropy: 3.5,
});

// --- AI APIs -----------------------------------------------------------------------------------------------

const openaiKey = token({
  id: 'openai-api-key',
  provider: 'OpenAI',
  // Project, service-account, admin and legacy keys carry "T3BlbkFJ", base64 of "OpenAI".
  source: 'sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,156}T3BlbkFJ[A-Za-z0-9_-]{20,156}',
  afterChars: 'A-Za-z0-9_-',
  starts: LOWER,
  score: 0.95,
  skip: 3,
  minEntropy: 3.5,
});

const openaiProjectKey = token({
  id: 'openai-project-key',
  provider: 'OpenAI',
  source: 'sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{80,200}',
  afterChars: 'A-Za-z0-9_-',
  starts: LOWER,
  score: 0.85,
  skip: 8,
  minEntropy: 4,
});

const anthropic = [
  token({
    id: 'anthropic-api-key',
    provider: 'Anthropic',
    source: 'sk-ant-api03-[A-Za-z0-9_-]{93}AA',
    afterChars: 'A-Za-z0-9_-',
    starts: LOWER,
    score: 0.95,
    skip: 13,
    minEntropy: 3.5,
  }),
  token({
    id: 'anthropic-admin-key',
    provider: 'Anthropic',
    source: 'sk-ant-admin01-[A-Za-z0-9_-]{93}AA',
    afterChars: 'A-Za-z0-9_-',
    starts: LOWER,
    score: 0.95,
    skip: 15,
    minEntropy: 3.5,
  }),
];

const huggingFace = [
  token({
    id: 'huggingface-access-token',
    provider: 'Hugging Face',
    source: 'hf_[A-Za-z0-9]{34}',
    starts: LOWER,
    score: 0.9,
    skip: 3,
    minEntropy: 4,
    check: (value) => /[a-z]/.test(value.slice(3)) && /[A-Z]/.test(value.slice(3)),
    // Letters only, so often nothing anchors it.
    literals: ['hf_'],
  }),
  token({
    id: 'huggingface-org-token',
    provider: 'Hugging Face',
    source: 'api_org_[A-Za-z0-9]{34}',
    starts: LOWER,
    score: 0.9,
    skip: 8,
    minEntropy: 4,
    check: (value) => /[a-z]/.test(value.slice(8)) && /[A-Z]/.test(value.slice(8)),
    literals: ['api_org_'],
  }),
];

const aiKeys = [
  token({
    id: 'perplexity-api-key',
    provider: 'Perplexity',
    source: 'pplx-[A-Za-z0-9]{48}',
    starts: LOWER,
    score: 0.95,
    skip: 5,
    minEntropy: 4,
  }),
  token({
    id: 'groq-api-key',
    provider: 'Groq',
    source: 'gsk_[A-Za-z0-9]{52}',
    starts: LOWER,
    score: 0.95,
    skip: 4,
    minEntropy: 4,
  }),
  token({
    id: 'replicate-api-token',
    provider: 'Replicate',
    source: 'r8_[A-Za-z0-9]{37}',
    starts: LOWER,
    score: 0.9,
    skip: 3,
    minEntropy: 4,
  }),
  token({
    id: 'xai-api-key',
    provider: 'xAI',
    source: 'xai-[A-Za-z0-9]{80}',
    starts: LOWER,
    score: 0.95,
    skip: 4,
    minEntropy: 4,
  }),
  token({
    id: 'langsmith-api-key',
    provider: 'LangChain',
    source: 'lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}',
    starts: LOWER,
    score: 0.95,
    skip: 8,
    minEntropy: 3,
  }),
  token({
    id: 'pinecone-api-key',
    provider: 'Pinecone',
    source: 'pcsk_[A-Za-z0-9]{4,8}_[A-Za-z0-9]{50,80}',
    starts: LOWER,
    score: 0.95,
    skip: 5,
    minEntropy: 4,
  }),
  contextual({
    id: 'cohere-api-key',
    provider: 'Cohere',
    source: '[A-Za-z0-9]{40}',
    starts: ALNUM,
    score: 0.6,
    minEntropy: 4,
    check: mixedClasses,
    context: ['cohere', 'co_api_key', 'cohere_api_key'],
  }),
  contextual({
    id: 'mistral-api-key',
    provider: 'Mistral',
    source: '[A-Za-z0-9]{32}',
    starts: ALNUM,
    score: 0.6,
    minEntropy: 4,
    check: mixedClasses,
    context: ['mistral', 'mistral_api_key'],
  }),
];

export const developerRecognizers: readonly Recognizer[] = [
  ...github,
  githubFineGrainedPat,
  ...gitlab,
  atlassianApiToken,
  atlassianLegacyToken,
  bitbucketAppPassword,
  bitbucketAccessToken,
  bitbucketClientSecret,
  sourcegraphToken,
  sourcegraphContext,
  npmToken,
  pypiToken,
  rubygemsKey,
  clojarsToken,
  nugetKey,
  dockerHubToken,
  jfrogApiKey,
  jfrogReferenceToken,
  jfrogContext,
  postmanKey,
  ...linear,
  notionToken,
  notionLegacyToken,
  figmaToken,
  ...airtable,
  asanaPat,
  ...contentful,
  readmeKey,
  prefectKey,
  typeformToken,
  frameioToken,
  snykToken,
  ...sonar,
  codecovToken,
  onePasswordServiceAccount,
  onePasswordSecretKey,
  ageSecretKey,
  intra42Secret,
  openshiftToken,
  openaiKey,
  openaiProjectKey,
  ...anthropic,
  ...huggingFace,
  ...aiKeys,
];
