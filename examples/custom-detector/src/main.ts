/**
 * Writing your own detector: a company's internal project codenames must never reach the model or leave
 * in its answers. `defineDetector` validates the shape once, at startup; `detect` returns findings with a
 * span and a replacement, so the same detector can block on input and redact on output; its `rules` are
 * its recommended policy, and the application's policy can override them. It reads the normalized text
 * (so zero-width characters or look-alike letters do not hide a codename) and maps spans back; under
 * `guard.scanStream` it starts where a codename could still reach the window's new text.
 */
import { createGuard, defineDetector, type Finding, GuardBlockedError, streamScanStart } from '@parapet/core';

const CODENAMES = ['Falcon', 'Bluebird', 'Nightjar'];
// Built once: one alternation of escaped literals, bounded by word boundaries (linear: no nested quantifiers).
const PATTERN = new RegExp(`\\bproject\\s{1,3}(?:${CODENAMES.join('|')})\\b`, 'gi');
// The longest match: "project", three spaces, the longest codename.
const LONGEST = 'project'.length + 3 + Math.max(...CODENAMES.map((name) => name.length));

const codenames = defineDetector({
  id: 'internal-codenames',
  stages: ['input', 'output'],
  rules: [{ category: 'confidential', minScore: 0.5, action: 'redact' }],
  detect(_text, context) {
    const view = context.normalized;
    const findings: Finding[] = [];
    // 0 for a whole text; in a stream window, LONGEST characters before its new text (earlier windows
    // scanned the rest, and the stream keeps what they found).
    PATTERN.lastIndex = streamScanStart(context, LONGEST);
    for (let match = PATTERN.exec(view.text); match !== null; match = PATTERN.exec(view.text)) {
      findings.push({
        detector: 'internal-codenames',
        category: 'confidential',
        score: 1,
        severity: 'high',
        message: 'an internal project codename',
        span: view.toOriginal(match.index, match.index + match[0].length),
        replacement: '[internal project]',
      });
    }
    return findings;
  },
});

// The application's policy: on input, a codename blocks the request; on output it is redacted (the
// detector's own rule).
const guard = createGuard({
  input: [codenames],
  output: [codenames],
  policy: {
    rules: [{ detector: 'internal-codenames', minScore: 0.5, action: 'block' }],
    onBlock: { mode: 'fallback', fallback: 'I cannot discuss internal projects.' },
  },
});
const outputOnly = createGuard({ output: [codenames] });

const input = await guard.checkInput('What is the launch date of Project Falcon?');
console.log(`input:  ${input.action} (${input.findings.map((finding) => finding.message).join(', ')})`);
console.log(`reply:  ${guard.enforceBlock(input)}`);

const output = await outputOnly.checkOutput('The roadmap moves project  Bluebird to Q3 and Project Nightjar to Q4.');
console.log(`output: ${output.action} → ${output.text}`);

// Streamed output: the codename arrives split across token-sized chunks and is still redacted whole.
const answer = 'Status: project Nightjar ships next week; the rest of the roadmap is unchanged.'.match(/.{1,4}/g) ?? [];
let streamed = '';
for await (const piece of outputOnly.scanStream(answer)) streamed += piece;
console.log(`stream: ${streamed}`);

const clean = await guard.checkInput('What are your opening hours?');
console.log(`clean:  ${clean.action}`);

const strict = createGuard({
  input: [codenames],
  policy: { rules: [{ detector: 'internal-codenames', minScore: 0.5, action: 'block' }], onBlock: { mode: 'throw' } },
});
try {
  await strict.run([{ role: 'user', content: 'Summarize project falcon.' }], () => 'never called');
} catch (error) {
  if (!(error instanceof GuardBlockedError)) throw error;
  console.log(`throw:  ${error.name} (${error.code})`);
}
await Promise.all([guard.close(), outputOnly.close(), strict.close()]);
