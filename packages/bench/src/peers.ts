/**
 * The peer libraries a user would otherwise pick, each wrapped as `make() -> (text) => result`, so a
 * package's bench can time them beside Parapet in the same process and run. Calls follow each library's
 * documented offline API (see ../../../shared/peers/README.md for the reference calls and known traps).
 */

export type PeerCapability = 'pii' | 'secrets' | 'injection';

export interface Peer {
  readonly name: string;
  readonly capability: PeerCapability;
  make(): Promise<(text: string) => unknown>;
}

// hai-guardrails ships a worker path from its build machine; its heuristic mode throws asynchronously
// from that worker at import. Only that exact error is swallowed, so the pattern-based guards can run.
let trapInstalled = false;
function trapHaiWorkerError(): void {
  if (trapInstalled) return;
  trapInstalled = true;
  process.on('uncaughtException', (error) => {
    if (String((error as Error)?.message).includes('/home/runner/work/hai-guardrails')) return;
    throw error;
  });
}

const ALL_OFF = {
  pii: false,
  profanity: false,
  jailbreak: false,
  toxicity: false,
  relevance: false,
  promptInjection: false,
};

export const PEERS: readonly Peer[] = [
  {
    name: 'llm-guard (pii)',
    capability: 'pii',
    async make() {
      const { LLMGuard } = (await import('llm-guard')) as any;
      const guard = new LLMGuard({ ...ALL_OFF, pii: true });
      return (text) => guard.validate(text);
    },
  },
  {
    name: '@presidio-dev/hai-guardrails (pii)',
    capability: 'pii',
    async make() {
      trapHaiWorkerError();
      const hai = (await import('@presidio-dev/hai-guardrails')) as any;
      const guard = hai.piiGuard({ selection: hai.SelectionType.All });
      return (text) => guard([{ role: 'user', content: text }]);
    },
  },
  {
    name: '@openai/guardrails (pii)',
    capability: 'pii',
    async make() {
      const openai = (await import('@openai/guardrails')) as any;
      const config = openai.PIIConfig.parse({});
      return (text) => openai.pii({}, text, config);
    },
  },
  {
    name: '@redactpii/node',
    capability: 'pii',
    async make() {
      const { Redactor } = (await import('@redactpii/node')) as any;
      const redactor = new Redactor();
      return (text) => redactor.redact(text);
    },
  },
  {
    name: 'redact-pii (SyncRedactor)',
    capability: 'pii',
    async make() {
      const { SyncRedactor } = (await import('redact-pii')) as any;
      const redactor = new SyncRedactor();
      return (text) => redactor.redact(text);
    },
  },
  {
    name: 'openredaction',
    capability: 'pii',
    async make() {
      const { OpenRedaction } = (await import('openredaction')) as any;
      const redactor = new OpenRedaction();
      return (text) => redactor.detect(text);
    },
  },
  {
    name: '@openai/guardrails (secretKeys)',
    capability: 'secrets',
    async make() {
      const openai = (await import('@openai/guardrails')) as any;
      const config = openai.SecretKeysConfig.parse({ threshold: 'balanced' });
      return (text) => openai.secretKeysCheck({}, text, config);
    },
  },
  {
    name: '@presidio-dev/hai-guardrails (secret)',
    capability: 'secrets',
    async make() {
      trapHaiWorkerError();
      const hai = (await import('@presidio-dev/hai-guardrails')) as any;
      const guard = hai.secretGuard({ selection: hai.SelectionType.All });
      return (text) => guard([{ role: 'user', content: text }]);
    },
  },
  {
    name: 'secretlint (preset-recommend)',
    capability: 'secrets',
    async make() {
      const { lintSource } = (await import('@secretlint/core')) as any;
      const { creator } = (await import('@secretlint/secretlint-rule-preset-recommend')) as any;
      const config = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: creator }] };
      return (text) =>
        lintSource({
          source: { content: text, filePath: '/virtual/prompt.txt', ext: '.txt', contentType: 'text' },
          options: { config, noPhysicFilePath: true },
        });
    },
  },
  {
    name: '@presidio-dev/hai-guardrails (injection, pattern)',
    capability: 'injection',
    async make() {
      trapHaiWorkerError();
      const hai = (await import('@presidio-dev/hai-guardrails')) as any;
      const guard = hai.injectionGuard({ roles: ['user'] }, { mode: 'pattern', threshold: 0.5 });
      return (text) => guard([{ role: 'user', content: text }]);
    },
  },
  {
    name: 'llm-guard (injection + jailbreak)',
    capability: 'injection',
    async make() {
      const { LLMGuard } = (await import('llm-guard')) as any;
      const guard = new LLMGuard({ ...ALL_OFF, promptInjection: true, jailbreak: true });
      return (text) => guard.validate(text);
    },
  },
  {
    name: '@andersmyrmel/vard (moderate)',
    capability: 'injection',
    async make() {
      const vard = ((await import('@andersmyrmel/vard')) as any).default;
      const guard = vard.moderate().maxLength(1e9);
      return (text) => guard.safeParse(text);
    },
  },
];

/** The peers of one capability, each made ready (failures reported, not thrown: a broken peer is a finding). */
export async function loadPeers(
  capability: PeerCapability,
): Promise<{ name: string; run?: (text: string) => unknown; error?: string }[]> {
  const out: { name: string; run?: (text: string) => unknown; error?: string }[] = [];
  for (const peer of PEERS.filter((entry) => entry.capability === capability)) {
    try {
      out.push({ name: peer.name, run: await peer.make() });
    } catch (error) {
      out.push({ name: peer.name, error: (error as Error).message.slice(0, 120) });
    }
  }
  return out;
}
