import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { rejection, thrown } from '../test/helpers.js';
import { findPolicyFile, loadPolicy, parsePolicyText } from './config.js';
import { ConfigError } from './errors.js';
import { createGuard } from './guard.js';
import { parsePolicy } from './policy.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures');
const fixture = (name: string) => join(fixtures, name);

// Malformed files are written here, not kept as fixtures: biome parses .json and .yaml files in the repo.
const scratch = mkdtempSync(join(tmpdir(), 'parapet-config-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadPolicy', () => {
  it('reads and validates a JSON policy file', async () => {
    const policy = await loadPolicy(fixture('policy.json'));
    expect(policy).toMatchObject({
      version: 1,
      failMode: 'closed',
      timeoutMs: 250,
      mode: 'enforce',
      onBlock: { mode: 'fallback', fallback: 'Sorry, no.' },
      tenants: { bank: { minScore: 0.3 } },
    });
    expect(policy.rules).toEqual([
      { category: 'pii', minScore: 0.6, action: 'redact' },
      { detector: 'starter-injection', minScore: 0.5, action: 'block' },
    ]);
    expect(policy.detectors.pattern).toMatchObject({
      enabled: true,
      failMode: 'open',
      options: { keywords: ['codename'] },
    });
  });

  it('reads and validates a YAML policy file', async () => {
    const policy = await loadPolicy(fixture('policy.yaml'));
    expect(policy).toMatchObject({
      mode: 'shadow',
      timeoutMs: 500,
      failMode: 'closed',
      review: { timeoutMs: 2000, onTimeout: 'allow' },
    });
    expect(policy.rules).toEqual([
      { category: 'pii', minScore: 0.6, action: 'redact' },
      { detector: 'starter-injection', minScore: 0.5, action: 'block' },
    ]);
  });

  it('reads a .yml file whose policy sits under a "policy" key', async () => {
    const policy = await loadPolicy(fixture('wrapped.yml'));
    expect(policy.failMode).toBe('open');
    expect(policy.shortCircuit).toBe(true);
  });

  it('reads an empty YAML file as the defaults', async () => {
    expect(await loadPolicy(fixture('empty.yaml'))).toEqual(parsePolicy({}));
  });

  it('gives a policy createGuard accepts', async () => {
    const guard = createGuard({ policy: await loadPolicy(fixture('policy.json')) });
    expect(guard.policy.timeoutMs).toBe(250);
  });

  it('refuses a file extension other than .json, .yaml or .yml, naming the file', async () => {
    const error = await configError(loadPolicy(fixture('policy.toml')));
    expect(error.message).toContain('policy.toml');
    expect(error.message).toContain('.json');
    expect(error.message).toContain('.yaml');
  });

  it('refuses an empty or non-string path', async () => {
    await configError(loadPolicy(''));
    await configError(loadPolicy(42 as never));
  });

  it('reports a missing file with its path', async () => {
    const error = await configError(loadPolicy(fixture('does-not-exist.yaml')));
    expect(error.message).toContain('does-not-exist.yaml');
    expect(error.message).toContain('ENOENT');
  });

  it('reports a JSON syntax error with the file name', async () => {
    const path = join(scratch, 'broken-policy.json');
    writeFileSync(path, '{ "failMode": "closed", ');
    const error = await configError(loadPolicy(path));
    expect(error.message).toContain('broken-policy.json');
    expect(error.message).toContain('JSON');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('reports a YAML syntax error with the file name', async () => {
    const path = join(scratch, 'bad-syntax.yaml');
    writeFileSync(path, 'rules:\n  - category: pii\n     action: [redact\n');
    const error = await configError(loadPolicy(path));
    expect(error.message).toContain('bad-syntax.yaml');
    expect(error.message).toContain('YAML');
  });

  it.each([
    ['invalid-field.json', 'policy.detectors.x.failMode', '"closed"'],
    ['invalid-field.yaml', 'policy.rules[0].minScore', '<= 1'],
    ['unknown-key.yaml', 'fail_mode', 'Unrecognized'],
    ['loosening-tenant.yaml', 'policy.tenants.acme.failMode', 'tighten'],
  ])('reports an invalid field in %s with the file name and field path', async (name, path, allowed) => {
    const error = await configError(loadPolicy(fixture(name)));
    expect(error.message).toContain(name);
    expect(error.message).toContain(path);
    expect(error.message).toContain(allowed);
    expect(error.issues.length).toBeGreaterThan(0);
  });
});

describe('parsePolicyText', () => {
  it('parses JSON and YAML text to the same policy', () => {
    const json = parsePolicyText('{"failMode":"open","rules":[{"category":"x","action":"flag"}]}', 'json');
    const yaml = parsePolicyText('failMode: open\nrules:\n  - category: x\n    action: flag\n', 'yaml');
    expect(yaml).toEqual(json);
    expect(json.rules[0]).toEqual({ category: 'x', minScore: 0.5, action: 'flag' });
  });

  it('names the source in syntax and validation errors', () => {
    const syntax = thrown(() => parsePolicyText('{ nope', 'json', 'inline.json'));
    expect(syntax).toBeInstanceOf(ConfigError);
    expect((syntax as Error).message).toContain('inline.json');
    const invalid = thrown(() => parsePolicyText('timeoutMs: -3', 'yaml', 'team.yaml'));
    expect(invalid).toBeInstanceOf(ConfigError);
    expect((invalid as Error).message).toContain('team.yaml');
    expect((invalid as Error).message).toContain('policy.timeoutMs');
  });

  it('rejects a top level that is not an object', () => {
    expect(thrown(() => parsePolicyText('[1, 2]', 'json'))).toBeInstanceOf(ConfigError);
    expect(thrown(() => parsePolicyText('just a string', 'yaml'))).toBeInstanceOf(ConfigError);
  });

  it('keeps a "policy" key with siblings as an unknown key', () => {
    const error = thrown(() => parsePolicyText('{"policy": {}, "extra": 1}', 'json'));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('extra');
  });
});

describe('findPolicyFile', () => {
  it('finds parapet.config.* in a directory, in the documented order', () => {
    expect(findPolicyFile(join(fixtures, 'project'))).toBe(join(fixtures, 'project', 'parapet.config.yaml'));
  });

  it('returns undefined when there is none', () => {
    expect(findPolicyFile(scratch)).toBeUndefined();
  });
});
