import type { DetectorRegistry } from '@parapet/core';
import { piiDetector, secretsDetector } from './pii-detector.js';

/** The detectors this package offers by id (`pii`, `secrets`), for the CLI and configuration files. */
export const piiDetectors: DetectorRegistry = [
  {
    id: 'pii',
    stages: ['input', 'output', 'tool_input', 'tool_output'],
    description:
      'Personal data (e-mail, phone, cards, IBAN, national ids, …); options: entities, operator, countries, …',
    defaultFor: ['input', 'output', 'tool_output'],
    create: (options) => piiDetector((options ?? {}) as never),
  },
  {
    id: 'secrets',
    stages: ['input', 'output', 'tool_input', 'tool_output'],
    description: 'Credentials: API keys of 90+ providers, JWTs, private keys, connection strings, password assignments',
    defaultFor: ['input', 'output', 'tool_input', 'tool_output'],
    create: (options) => secretsDetector((options ?? {}) as never),
  },
];
