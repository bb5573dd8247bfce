import { toolPolicy } from '@parapet/agent';
import { type AuditEvent, createGuard, defineDetector, type GuardOptions } from '@parapet/core';
import { promptInjection } from '@parapet/detectors';
import { piiDetector } from '@parapet/pii';
import { z } from 'zod';

/** Output rule for the tests: the internal codename must never reach the user. */
export const codename = defineDetector({
  id: 'codename',
  stages: ['output', 'tool_output'],
  rules: [{ minScore: 0, action: 'block' }],
  detect(text) {
    const at = text.indexOf('BLUEBIRD');
    return at < 0
      ? []
      : [{ category: 'codename', score: 1, message: 'internal codename', span: { start: at, end: at + 8 } }];
  },
});

export const injection = promptInjection();
export const emails = piiDetector({ entities: ['EMAIL_ADDRESS'] });

export function testGuard(extra: Partial<GuardOptions> = {}, events: AuditEvent[] = []) {
  return createGuard({
    input: [injection, emails],
    output: [codename, emails],
    toolOutput: [emails, codename],
    audit: { write: (event) => void events.push(event) },
    ...extra,
  });
}

export const tools = () =>
  toolPolicy({
    tools: {
      lookup_order: { access: 'read', args: z.object({ id: z.string() }) },
      refund: { access: 'write', args: z.object({ amount: z.number().max(100) }) },
    },
  });

/** A prefix longer than the stream hold-back (64), so it is released before the match arrives. */
export const LONG_PREFIX = 'Our opening hours are nine to five on weekdays, and ten to two on Saturdays. ';
