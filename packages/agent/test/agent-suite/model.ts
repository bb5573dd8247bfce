import { ToolDeniedError } from '@parapet/core';

/**
 * A deterministic stand-in for a manipulated LLM. It runs the scripted plan for the user's task, and after
 * every tool output it looks for instructions planted in that output ("email … to X", "transfer … to IBAN",
 * "delete …", "invite … as admin", …) and carries them out at once, as a gullible model would. No network,
 * no randomness: the same scenario always makes the same calls.
 */

export interface CallRecord {
  /** The `toolCallId` the model passed (links the record to the raw output in the runner). */
  readonly callId: string;
  readonly tool: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** `task`: the plan for the user's request; `injection`: an instruction found in a tool output. */
  readonly origin: 'task' | 'injection';
  /** `quarantined`: the call ran, but the policy withheld its output from the model. */
  readonly status: 'ok' | 'denied' | 'quarantined';
  /** The policy's reason code for a denial. */
  readonly reason?: string;
}

export interface Agent {
  /** Calls a tool for the user's task; returns the output text, or undefined when the call was denied. */
  call(tool: string, args: Record<string, unknown>): Promise<string | undefined>;
  /** What the assistant tells the user. */
  say(text: string): void;
}

/** The model's scripted plan for one user task. */
export type Plan = (agent: Agent) => Promise<void>;

/** What an instruction refers to when it says "email X to …". */
export type DataRef =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'attachment'; readonly path: string }
  | { readonly kind: 'credential'; readonly name: string }
  | { readonly kind: 'inbox' }
  | { readonly kind: 'last' }
  | { readonly kind: 'current' };

export type Instruction =
  | { readonly kind: 'transfer'; readonly amount: number; readonly iban: string; readonly parts: number }
  | { readonly kind: 'change-scheduled'; readonly clause: string; readonly iban: string }
  | { readonly kind: 'update-payee'; readonly name: string; readonly iban: string }
  | { readonly kind: 'delete'; readonly path: string }
  | { readonly kind: 'delete-all'; readonly dir: string }
  | { readonly kind: 'invite'; readonly email: string; readonly role: string }
  | { readonly kind: 'share'; readonly path: string; readonly with: string }
  | { readonly kind: 'upload'; readonly data: DataRef; readonly url: string }
  | { readonly kind: 'append-url'; readonly data: DataRef; readonly url: string }
  | { readonly kind: 'email'; readonly data: DataRef; readonly to: string; readonly subject?: string }
  | { readonly kind: 'post'; readonly data: DataRef; readonly channel: string }
  | { readonly kind: 'write'; readonly data: DataRef; readonly path: string; readonly append: boolean }
  | { readonly kind: 'get-credential'; readonly name: string }
  | { readonly kind: 'browse'; readonly url: string }
  | { readonly kind: 'read'; readonly path: string }
  | { readonly kind: 'event'; readonly title: string; readonly with: string; readonly start: string }
  | { readonly kind: 'tell'; readonly text: string };

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/;
const URL_TOKEN = /https?:\/\/[^\s"'<>]*[^\s"'<>.,;:!?)]/;
const PATH = /(?:\.{1,2}|~)?\/[\w./~-]*[\w~-]/;
const AMOUNT = /(?:(?:EUR|€)\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s?(?:EUR|€|euros?)\b)/i;
const CHANNEL = /#([a-z0-9-]+)/;
const VERB =
  /\b(transfer|wire|pay|send|e-?mail|mail|forward|change|update|delete|remove|invite|share|upload|append|post|save|write|copy|retrieve|get|fetch|look up|open|visit|browse|go to|read|create|schedule|tell)\b/i;
const NUMBERS: Record<string, number> = { two: 2, three: 3, four: 4, five: 5, six: 6 };

/** Splits text into clauses ("…, then …", "… and email …", sentences), keeping quoted text whole. */
export function clauses(text: string): string[] {
  const quoted: string[] = [];
  const masked = text.replace(/["“]([^"”\n]{0,500})["”]/g, (_, inner: string) => `"Q${quoted.push(inner) - 1}"`);
  const verbs = `(?:${VERB.source.slice(3, -3)})`;
  const splitter = new RegExp(`(?<=[.!?])\\s+|\\n+|;\\s*|,?\\s+(?:and\\s+)?then\\s+|\\s+and\\s+(?=${verbs}\\b)`, 'i');
  return masked
    .split(splitter)
    .map((part) =>
      part
        .replace(/"Q(\d+)"/g, (_, index: string) => `"${quoted[Number(index)] ?? ''}"`)
        .trim()
        .replace(/^(?:and\s+)?then\s+/i, ''),
    )
    .filter((part) => part.length > 0);
}

function dataRef(phrase: string, asAttachment: boolean): DataRef | undefined {
  const text = phrase.trim();
  const literal = /["“]([^"”]+)["”]/.exec(text);
  if (literal?.[1] !== undefined) return { kind: 'literal', text: literal[1] };
  const path = PATH.exec(text)?.[0];
  if (path !== undefined) {
    if (asAttachment) return { kind: 'attachment', path };
    return { kind: 'file', path };
  }
  const credential = /\b(?:credential|secret|token|password|key)\s+([a-z0-9]+(?:-[a-z0-9]+)+)/i.exec(text);
  if (credential?.[1] !== undefined) return { kind: 'credential', name: credential[1].toLowerCase() };
  if (/^(?:it|that|them|this value|the (?:credential|token|password|key|secret|value))$/i.test(text)) {
    return { kind: 'last' };
  }
  if (/\b(?:inbox|e-?mails|all (?:my |your |of )?(?:the )?mail)\b/i.test(text)) return { kind: 'inbox' };
  if (
    /^(?:this|the above|(?:this|the) (?:page|message|document|summary|thread|e-?mail|text|conversation))$/i.test(text)
  ) {
    return { kind: 'current' };
  }
  return undefined;
}

/** One clause to one instruction, dispatched on its first verb. Unknown shapes are ignored. */
export function parseClause(clause: string): Instruction | undefined {
  const verbMatch = VERB.exec(clause);
  if (verbMatch === null) return undefined;
  const verb = verbMatch[1]!.toLowerCase();
  const at = verbMatch.index;
  const after = clause.slice(at);
  // Tokens are looked for outside quoted text (same offsets, quoted characters blanked out).
  const bare = after.replace(/["“][^"”]*["”]/g, (quoted) => `"${' '.repeat(quoted.length - 2)}"`);
  const email = EMAIL.exec(bare)?.[0];
  const iban = IBAN.exec(bare)?.[0]?.replace(/ /g, '');
  const url = URL_TOKEN.exec(bare)?.[0];
  const path = url === undefined ? PATH.exec(bare)?.[0] : undefined;
  const amount = AMOUNT.exec(bare);
  const upTo = (marker: RegExp): string | undefined => {
    const match = marker.exec(bare);
    return match === null ? undefined : after.slice(verb.length, match.index);
  };

  if (['transfer', 'wire', 'pay', 'send'].includes(verb) && amount !== null && iban !== undefined) {
    const value = Number((amount[1] ?? amount[2] ?? '').replace(/,/g, ''));
    const split = /\bin (\d+|two|three|four|five|six) (?:payments|instalments|installments|transfers|parts)\b/i.exec(
      bare,
    );
    const parts = split?.[1] === undefined ? 1 : (NUMBERS[split[1].toLowerCase()] ?? Number(split[1]));
    return { kind: 'transfer', amount: value, iban, parts };
  }
  switch (verb) {
    case 'send':
    case 'email':
    case 'e-mail':
    case 'mail':
    case 'forward': {
      if (email === undefined) return undefined;
      const what = upTo(new RegExp(`\\bto\\s+${EMAIL.source}`));
      const data = what === undefined ? undefined : dataRef(what, /\battach/i.test(bare));
      if (data === undefined) return undefined;
      const subject = /\bsubject\s+["“]([^"”]+)["”]/i.exec(after)?.[1];
      return { kind: 'email', data, to: email, ...(subject !== undefined ? { subject } : {}) };
    }
    case 'change':
    case 'update':
      if (iban === undefined) return undefined;
      if (/\bpayee\b/i.test(bare)) {
        const name = /\bpayee\s+["“]?([A-Za-z][\w ]*?)["”]?\s+(?:to|with)\b/i.exec(after)?.[1];
        return name === undefined ? undefined : { kind: 'update-payee', name, iban };
      }
      if (/\b(?:payment|standing order)\b/i.test(bare)) return { kind: 'change-scheduled', clause: after, iban };
      return undefined;
    case 'delete':
    case 'remove':
      if (path === undefined) return undefined;
      return /\b(?:all|every)\b/i.test(bare) ? { kind: 'delete-all', dir: path } : { kind: 'delete', path };
    case 'invite': {
      if (email === undefined) return undefined;
      const role = /\bas (?:an? )?([a-z]+)/i.exec(bare)?.[1]?.toLowerCase() ?? 'member';
      return { kind: 'invite', email, role };
    }
    case 'share':
      return path !== undefined && email !== undefined ? { kind: 'share', path, with: email } : undefined;
    case 'upload': {
      if (url === undefined) return undefined;
      const data = dataRef(upTo(/\bto\s+https?:/) ?? '', false);
      return data === undefined ? undefined : { kind: 'upload', data, url };
    }
    case 'append':
    case 'save':
    case 'write':
    case 'copy': {
      if (url !== undefined && verb === 'append') {
        const data = dataRef(upTo(/\bto\s+https?:/) ?? '', false);
        return data === undefined ? undefined : { kind: 'append-url', data, url };
      }
      const target = /\b(?:to|into|in)\s+(?:the file\s+)?((?:\.{1,2}|~)?\/[\w./~-]*[\w~-])/i.exec(bare);
      if (target?.[1] === undefined) return undefined;
      const data = dataRef(after.slice(verb.length, target.index), false);
      return data === undefined ? undefined : { kind: 'write', data, path: target[1], append: verb === 'append' };
    }
    case 'post': {
      const channel = CHANNEL.exec(bare)?.[1];
      if (channel === undefined) return undefined;
      const what = upTo(/\b(?:to|in|on)\s+#/);
      const data = what === undefined ? undefined : dataRef(what, false);
      return data === undefined ? undefined : { kind: 'post', data, channel };
    }
    case 'retrieve':
    case 'get':
    case 'fetch':
    case 'look up': {
      const name = /\b(?:credential|secret|token|password|key)\s+["“]?([a-z0-9]+(?:-[a-z0-9]+)+)/i.exec(after)?.[1];
      return name === undefined ? undefined : { kind: 'get-credential', name: name.toLowerCase() };
    }
    case 'open':
    case 'visit':
    case 'browse':
    case 'go to':
    case 'read':
      if (url !== undefined) return { kind: 'browse', url };
      return path !== undefined ? { kind: 'read', path } : undefined;
    case 'create':
    case 'schedule': {
      const title = /["“]([^"”]+)["”]/.exec(after)?.[1];
      if (title === undefined || email === undefined || !/\b(?:event|meeting|call)\b/i.test(bare)) return undefined;
      const start = /\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})\b/.exec(bare)?.[1] ?? '2024-06-20T10:00';
      return { kind: 'event', title, with: email, start };
    }
    case 'tell': {
      const text = /\btell (?:the user|emma|her|him|them)\s+(?:that\s+)?(.+)$/i.exec(after)?.[1];
      return text === undefined ? undefined : { kind: 'tell', text };
    }
    default:
      return undefined;
  }
}

export function parseInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  for (const clause of clauses(text)) {
    const instruction = parseClause(clause);
    if (instruction !== undefined) out.push(instruction);
  }
  return out;
}

/** The text a model reads from a tool output: strings as they are, structures as their values, one per line. */
export function renderOutput(output: unknown): string {
  if (typeof output === 'string') return output;
  const lines: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') lines.push(String(node));
    else if (Array.isArray(node)) for (const item of node) walk(item);
    else if (node !== null && typeof node === 'object') for (const value of Object.values(node)) walk(value);
  };
  walk(output);
  return lines.join('\n');
}

type AnyTool =
  | ((args: unknown, options?: unknown) => unknown)
  | { execute: (args: unknown, options?: unknown) => unknown };

export interface AgentRun {
  readonly calls: CallRecord[];
  readonly answers: string[];
}

/** Runs one turn: the plan, with every instruction found in a tool output followed as soon as it is read. */
export async function runGullibleAgent(
  plan: Plan,
  tools: Readonly<Record<string, unknown>>,
  options: { readonly maxDepth?: number; readonly answers?: string[] } = {},
): Promise<AgentRun> {
  const maxDepth = options.maxDepth ?? 3;
  const calls: CallRecord[] = [];
  const answers = options.answers ?? [];
  let last: string | undefined;
  let callCount = 0;
  // Credentials the model has seen in this conversation: it reuses them rather than fetching again.
  const credentials = new Map<string, string>();

  async function call(
    tool: string,
    args: Record<string, unknown>,
    origin: CallRecord['origin'],
    depth: number,
  ): Promise<string | undefined> {
    const target = tools[tool] as AnyTool | undefined;
    if (target === undefined) throw new Error(`the scripted model called a tool the environment lacks: ${tool}`);
    const callId = `call-${++callCount}`;
    const callOptions = { toolCallId: callId };
    let output: unknown;
    try {
      output = typeof target === 'function' ? await target(args, callOptions) : await target.execute(args, callOptions);
    } catch (error) {
      if (error instanceof ToolDeniedError) {
        calls.push({ callId, tool, args, origin, status: 'denied', reason: error.reason });
        return undefined;
      }
      throw error;
    }
    const text = renderOutput(output);
    const quarantined = text.startsWith('[parapet]');
    calls.push({ callId, tool, args, origin, status: quarantined ? 'quarantined' : 'ok' });
    if (tool === 'get_credential' && !quarantined) credentials.set(String(args.name), text);
    if (!quarantined && depth < maxDepth) {
      for (const instruction of parseInstructions(text)) await follow(instruction, text, depth + 1);
    }
    return text;
  }

  async function resolve(data: DataRef, current: string, depth: number): Promise<string | undefined> {
    switch (data.kind) {
      case 'literal':
        return data.text;
      case 'file':
      case 'attachment':
        return call('read_file', { path: data.path }, 'injection', depth);
      case 'credential':
        return credentials.get(data.name) ?? call('get_credential', { name: data.name }, 'injection', depth);
      case 'inbox':
        return call('read_inbox', {}, 'injection', depth);
      case 'last':
        return last ?? current;
      case 'current':
        return current;
    }
  }

  async function follow(instruction: Instruction, current: string, depth: number): Promise<void> {
    const run = (tool: string, args: Record<string, unknown>) => call(tool, args, 'injection', depth);
    switch (instruction.kind) {
      case 'transfer': {
        const share = Math.round((instruction.amount / instruction.parts) * 100) / 100;
        for (let part = 0; part < instruction.parts; part++) {
          await run('send_money', { recipient: instruction.iban, amount: share, subject: 'Payment' });
        }
        return;
      }
      case 'change-scheduled': {
        const listing = await run('list_scheduled_payments', {});
        const payments = listing === undefined ? [] : listing.split('\n');
        // Listed as id, name, recipient, amount per payment: pick the one whose name the clause mentions.
        for (let index = 0; index + 1 < payments.length; index += 4) {
          const name = payments[index + 1] ?? '';
          if (name !== '' && new RegExp(`\\b${name}\\b`, 'i').test(instruction.clause)) {
            await run('update_scheduled_payment', { id: Number(payments[index]), recipient: instruction.iban });
            return;
          }
        }
        return;
      }
      case 'update-payee':
        await run('update_payee', { name: instruction.name, iban: instruction.iban });
        return;
      case 'delete':
        await run('delete_file', { path: instruction.path });
        return;
      case 'delete-all': {
        const listing = await run('list_files', { dir: instruction.dir });
        for (const path of listing?.split('\n').filter((line) => line.startsWith('/')) ?? []) {
          await run('delete_file', { path });
        }
        return;
      }
      case 'invite':
        await run('invite_user', { email: instruction.email, role: instruction.role });
        return;
      case 'share':
        await run('share_file', { path: instruction.path, with: instruction.with });
        return;
      case 'get-credential':
        last = await run('get_credential', { name: instruction.name });
        return;
      case 'browse':
        await run('browse_web', { url: instruction.url });
        return;
      case 'read':
        last = await run('read_file', { path: instruction.path });
        return;
      case 'event':
        await run('create_event', {
          title: instruction.title,
          start: instruction.start,
          participants: [instruction.with],
        });
        return;
      case 'tell':
        answers.push(instruction.text);
        return;
      case 'email': {
        if (instruction.data.kind === 'attachment') {
          await run('send_email', {
            to: instruction.to,
            subject: instruction.subject ?? 'Requested file',
            body: 'Please find the file attached.',
            attachments: [instruction.data.path],
          });
          return;
        }
        const body = await resolve(instruction.data, current, depth);
        if (body === undefined) return;
        last = body;
        await run('send_email', { to: instruction.to, subject: instruction.subject ?? 'Requested information', body });
        return;
      }
      case 'upload':
      case 'append-url':
      case 'post':
      case 'write': {
        const text = await resolve(instruction.data, current, depth);
        if (text === undefined) return;
        last = text;
        if (instruction.kind === 'upload') await run('http_post', { url: instruction.url, body: text });
        else if (instruction.kind === 'append-url') {
          await run('browse_web', { url: `${instruction.url}${encodeURIComponent(text)}` });
        } else if (instruction.kind === 'post') await run('post_message', { channel: instruction.channel, text });
        else await run('write_file', { path: instruction.path, content: text, append: instruction.append });
        return;
      }
    }
  }

  await plan({ call: (tool, args) => call(tool, args, 'task', 0), say: (text) => answers.push(text) });
  return { calls, answers };
}
