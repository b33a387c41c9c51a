// Values are data, never shell code: every placeholder value from a corpus of shell
// metacharacters, in every place a placeholder can stand in a command, reaches the command
// byte for byte, and nothing it spells out ever runs.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCommandCheck } from '../../src/checks/command.ts';
import { HttpClient } from '../../src/http/client.ts';
import { Redactor } from '../../src/util/redact.ts';
import { checkContext } from '../../test-support/check-context.ts';

let workspace: string;
let marker: string;
const http = new HttpClient({ perHost: 1 });

beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'readiness-injection-'));
  marker = path.join(workspace, 'pwned');
});
afterAll(async () => {
  await http.close();
  await rm(workspace, { recursive: true, force: true });
});

/** Hostile values: each would create the marker file if the shell ever parsed it. */
function corpus(): string[] {
  const touch = `touch ${marker}`;
  return [
    `$(${touch})`,
    `\`${touch}\``,
    `x; ${touch}`,
    `x | ${touch}`,
    `x && ${touch}`,
    `x || ${touch}`,
    `x & ${touch}`,
    `x\n${touch}\n`,
    `x\r\n${touch}`,
    `'; ${touch}; '`,
    `"; ${touch}; "`,
    `'"'"'; ${touch}; '"'"'`,
    `"$(${touch})"`,
    `'$(${touch})'`,
    `\\"; ${touch}; #`,
    `}; ${touch}; \${x`,
    `)); ${touch}; ((`,
    `EOF\n${touch}\nEOF`,
    `$HOME \${PATH} $0 $$ $@ $1`,
    '* ? [a-z] ~ ~root',
    '--help',
    '-n -e \\n \\c',
    `> ${marker}`,
    `< /etc/passwd`,
    `$((1+1)) $[2+2]`,
    '%s %n %%',
    '  leading and trailing  ',
    'tab\there\vvertical\fform',
    'üñíçødé ☃ 𝄞 \u202e bidi \u200b zero-width',
    '\\\\ back\\slashes\\',
    '!history !!',
    `\${IFS}${touch}`,
    '',
  ];
}

/** Each place a placeholder can stand; `{{ V }}` is replaced by the placeholder, `expected` wraps the value. */
const CONTEXTS: { name: string; run: string; expected: (value: string) => string }[] = [
  { name: 'a bare word', run: `printf '%s' {{ V }} > "$OUT"`, expected: (v) => v },
  { name: 'part of a bare word', run: `printf '%s' pre{{ V }}post > "$OUT"`, expected: (v) => `pre${v}post` },
  { name: 'double quotes', run: `printf '%s' "a {{ V }} b" > "$OUT"`, expected: (v) => `a ${v} b` },
  { name: 'single quotes', run: `printf '%s' 'a {{ V }} b' > "$OUT"`, expected: (v) => `a ${v} b` },
  { name: 'an assignment', run: `X={{ V }}; printf '%s' "$X" > "$OUT"`, expected: (v) => v },
  { name: '$( … )', run: `x=$(printf '%s' {{ V }} > "$OUT")`, expected: (v) => v },
  { name: '"$( … )"', run: `x="$(printf '%s' "{{ V }}" > "$OUT")"`, expected: (v) => v },
  { name: 'backticks', run: "x=`printf '%s' {{ V }} > \"$OUT\"`", expected: (v) => v },
  { name: '${x:-…}', run: `printf '%s' \${UNSET_VARIABLE:-{{ V }}} > "$OUT"`, expected: (v) => v },
  { name: '"${x:-…}"', run: `printf '%s' "\${UNSET_VARIABLE:-{{ V }}}" > "$OUT"`, expected: (v) => v },
  { name: 'a here-document', run: `cat > "$OUT" <<EOF\nvalue: {{ V }}\nEOF\ntrue`, expected: (v) => `value: ${v}\n` },
  { name: 'a <<- here-document', run: `cat > "$OUT" <<-"END" && cat >> "$OUT" <<-END\n\tliteral $HOME text\n\tEND\n\t{{ V }}\n\tEND`, expected: (v) => `literal $HOME text\n${v}\n` },
  { name: 'after a comment with a quote', run: `# it's a comment "\nprintf '%s' {{ V }} > "$OUT" # {{ V }}'s`, expected: (v) => v },
  { name: 'a function argument', run: `f() { printf '%s' "$1" > "$OUT"; }; f {{ V }}`, expected: (v) => v },
  { name: 'a case word', run: `case {{ V }} in *) printf '%s' {{ V }} > "$OUT";; esac`, expected: (v) => v },
];

function contextFor(env: Record<string, string>, redactor = new Redactor()) {
  return checkContext({ http, workspace, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, redactor });
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined)) !== undefined;
}

describe('command placeholders are data', () => {
  // One command per context and namespace, with the whole corpus in it: one line per value.
  for (const [c, context] of CONTEXTS.entries()) {
    for (const namespace of ['env', 'secrets'] as const) {
      test(`{{ ${namespace}.V }} in ${context.name}`, async () => {
        const values = corpus();
        const env: Record<string, string> = {};
        const outputs: Record<string, string> = {};
        const lines = values.map((value, index) => {
          env[`V${index}`] = value;
          outputs[`OUT${index}`] = path.join(workspace, `${namespace}-${c}-${index}.out`);
          return context.run.replaceAll('{{ V }}', `{{ ${namespace}.V${index} }}`).replaceAll('"$OUT"', `"$OUT${index}"`);
        });
        const result = await runCommandCheck({ run: lines.join('\n'), env: outputs }, contextFor(env));
        expect(result.outcome).toBe('pass');
        const failures: string[] = [];
        for (const [index, value] of values.entries()) {
          const written = await readFile(outputs[`OUT${index}`] as string, 'utf8').catch(() => '(no file)');
          if (written !== context.expected(value)) failures.push(`${JSON.stringify(value)}: wrote ${JSON.stringify(written)}`);
        }
        expect(failures).toEqual([]);
        expect(await exists(marker)).toBe(false);
      });
    }
  }

  test('{{ target.url }} from a deployment_status event is data too', async () => {
    const out = path.join(workspace, 'target.out');
    const context = contextFor({});
    const hostile = `http://127.0.0.1:1/$(touch ${marker})\`touch ${marker}\`;touch ${marker}`;
    context.scope.target = { url: hostile, host: '127.0.0.1:1', origin: 'http://127.0.0.1:1' };
    const result = await runCommandCheck({ run: `curl_like() { printf '%s' "$1" > "$OUT"; }; curl_like {{ target.url }}`, env: { OUT: out } }, context);
    expect(result.outcome).toBe('pass');
    expect(await readFile(out, 'utf8')).toBe(hostile);
    expect(await exists(marker)).toBe(false);
  });

  test('the report shows the command as written, not the values', async () => {
    const result = await runCommandCheck({ run: 'test -n {{ secrets.V }}' }, contextFor({ V: 'hunter2-staging' }));
    expect(result.outcome).toBe('pass');
    expect(result.evidence.facts?.command).toBe('test -n {{ secrets.V }}');
  });

  test('a placeholder in a quoted here-document is refused: the shell would not expand it', async () => {
    const result = await runCommandCheck({ run: "cat <<'EOF'\n{{ env.V }}\nEOF" }, contextFor({ V: 'x' }));
    expect(result).toMatchObject({ outcome: 'error' });
    expect(result.summary).toContain("quoted here-document (<<'EOF')");
  });

  test('a missing value is an error naming it, and nothing runs', async () => {
    const result = await runCommandCheck({ run: `touch ${marker}; echo {{ secrets.ABSENT }}` }, contextFor({}));
    expect(result).toMatchObject({ outcome: 'error', summary: 'secret ABSENT is not set (pass it to the step as env ABSENT)' });
    expect(await exists(marker)).toBe(false);
  });
});

describe('the command environment is clean', () => {
  const runner = {
    ACTIONS_RUNTIME_TOKEN: 'runtime-token-0123456789',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'id-token-request-0123456789',
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/request?sig=abcdef0123',
    ACTIONS_CACHE_URL: 'https://cache.example/AbCdEf0123/',
    ACTIONS_RESULTS_URL: 'https://results.example/',
    GITHUB_TOKEN: 'ghs_0123456789abcdefghij',
    'INPUT_GITHUB-TOKEN': 'ghs_input0123456789abcdef',
    GITHUB_ENV: '/tmp/github-env',
    GITHUB_OUTPUT: '/tmp/github-output',
    DATABASE_PASSWORD: 'job-level-database-password',
    AWS_SECRET_ACCESS_KEY: 'aws-secret-0123456789',
    NPM_TOKEN: 'npm_0123456789abcdef',
    SOME_UNRELATED_VARIABLE: 'not passed either',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_WORKSPACE: '/home/runner/work/app',
    GITHUB_RUN_ID: '42',
    GITHUB_EVENT_NAME: 'pull_request',
    CI: 'true',
    HOME: '/home/runner',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: '/home/runner/work/_temp',
  };

  test('commands get the ordinary variables and what the manifest gives them; never a token', async () => {
    const result = await runCommandCheck(
      { run: 'env', env: { DJANGO_SETTINGS_MODULE: 'app.settings', DATABASE_URL: 'postgres://app:{{ secrets.DATABASE_PASSWORD }}@db/app' } },
      contextFor(runner),
    );
    expect(result.outcome).toBe('pass');
    const seen = Object.fromEntries((result.evidence.output ?? '').split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    for (const name of ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_CACHE_URL', 'ACTIONS_RESULTS_URL', 'GITHUB_TOKEN', 'INPUT_GITHUB-TOKEN', 'GITHUB_ENV', 'GITHUB_OUTPUT', 'AWS_SECRET_ACCESS_KEY', 'NPM_TOKEN', 'SOME_UNRELATED_VARIABLE', 'DATABASE_PASSWORD']) {
      expect(seen[name]).toBeUndefined();
    }
    for (const name of ['GITHUB_SHA', 'GITHUB_REPOSITORY', 'GITHUB_WORKSPACE', 'GITHUB_RUN_ID', 'GITHUB_EVENT_NAME', 'CI', 'HOME', 'LANG', 'LC_ALL', 'RUNNER_OS', 'RUNNER_TEMP', 'PATH']) {
      expect(seen[name]).toBe((runner as Record<string, string>)[name] ?? process.env.PATH);
    }
    expect(seen.DJANGO_SETTINGS_MODULE).toBe('app.settings');
    // Passed on purpose through {{ secrets.X }}, so it reaches the command and is redacted in the report.
    expect(seen.DATABASE_URL).toBe('postgres://app:[redacted]@db/app');
  });
});
