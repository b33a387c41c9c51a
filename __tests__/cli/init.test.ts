// `readiness-gate init`: the django template is the seed checklist (every section, sub-section
// and item, same words, same order), loads without errors, and wires every item to a check;
// runInit and the CLI write a template but never overwrite a file unless forced.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatError, loadManifest } from '../../src/manifest/load.ts';
import { itemIds, type LocatedItem } from '../../src/manifest/ids.ts';
import { CHECK_KINDS, type CheckKind, type Item, type Manifest } from '../../src/manifest/schema.ts';
import { SCHEMA_URL } from '../../src/manifest/schema-url.ts';
import { parseRatio } from '../../src/manifest/units.ts';
import { runInit, TEMPLATES } from '../../src/cli/init.ts';
import { DJANGO_TEMPLATE } from '../../src/cli/templates/django.ts';
import { GENERIC_TEMPLATE } from '../../src/cli/templates/generic.ts';
import { runCheck } from '../../src/checks/index.ts';
import { HttpClient } from '../../src/http/client.ts';
import { isDataBuiltin } from '../../src/manifest/builtins.ts';
import { buildPlan } from '../../src/plan/plan.ts';
import { Redactor } from '../../src/util/redact.ts';
import { checkContext } from '../../test-support/check-context.ts';
import { runProcess, type ProcessOutput } from '../../test-support/run-process.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
// A byte-identical copy of shared/seed/production-ready-checklist.md, so the test does not
// depend on a path outside the repository.
const FIXTURE = join(root, '__tests__/fixtures/production-ready-checklist.md');
const ORIGINAL = join(root, '../shared/seed/production-ready-checklist.md');

// ---------------------------------------------------------------- the checklist

interface ChecklistLine {
  section: string;
  subsection: string;
  item: string;
}

interface DroppedLine {
  line: string;
  /** What a YAML comment must say for the line to count as mentioned. */
  mention: string;
}

/** The checklist's items in order, and every other line that carries content. */
function parseChecklist(markdown: string): { items: ChecklistLine[]; dropped: DroppedLine[] } {
  const items: ChecklistLine[] = [];
  const dropped: DroppedLine[] = [];
  const headings: { text: string; section: string; sub: boolean }[] = [];
  let section = '';
  let subsection = '';
  let inCode = false;
  for (const raw of markdown.split('\n')) {
    const line = raw.trim();
    let match: RegExpExecArray | null;
    if (line.startsWith('```')) {
      inCode = !inCode;
    } else if (inCode) {
      // The commands of Quick Reference; the "# Collect static files" lines only describe them.
      if (line !== '' && !line.startsWith('#')) dropped.push({ line, mention: line });
    } else if (line === '' || line === '---') {
      continue;
    } else if ((match = /^# (.+)$/.exec(line))) {
      dropped.push({ line, mention: match[1] as string });
    } else if ((match = /^## (.+)$/.exec(line))) {
      section = match[1] as string;
      subsection = '';
      headings.push({ text: section, section, sub: false });
    } else if ((match = /^### (.+)$/.exec(line))) {
      subsection = match[1] as string;
      headings.push({ text: subsection, section, sub: true });
    } else if ((match = /^- \[[ x]\] (.+)$/.exec(line))) {
      items.push({ section, subsection, item: match[1] as string });
    } else if ((match = /^- ([^:]+):/.exec(line))) {
      // "- Signature: ___ Date: ___", "- Technical Lead: ___", "- Production: https://___"
      dropped.push({ line, mention: match[1] as string });
    } else if ((match = /^\*\*([^*]+)\*\*/.exec(line))) {
      // The tagline and the footer ("**Status**: Ready for Production ✅")
      dropped.push({ line, mention: match[1] as string });
    } else {
      throw new Error(`a checklist line this test does not know: ${line}`);
    }
  }
  // A heading with no item under it (Quick Reference and its sub-headings) is not a section.
  for (const heading of headings) {
    const has = heading.sub
      ? items.some((item) => item.section === heading.section && item.subsection === heading.text)
      : items.some((item) => item.section === heading.section);
    if (!has) dropped.push({ line: heading.text, mention: heading.text });
  }
  return { items, dropped };
}

/**
 * The title normalisation of the template: section headings keep the checklist's words and
 * icons (🚀 📊 🔧 📝) but drop its leading "✅", because in the report ✅ means "passed" and a
 * heading cannot promise that. Sub-section and item titles are exactly the checklist's.
 */
function sectionTitle(heading: string): string {
  return heading.replace(/^✅ /, '');
}

function manifestLines(manifest: Manifest): ChecklistLine[] {
  return manifest.sections.flatMap((section) =>
    (section.sections ?? []).flatMap((sub) => sub.items.map((item) => ({ section: section.title, subsection: sub.title, item: item.title }))),
  );
}

/** The text of the full-line YAML comments, whitespace collapsed. */
function commentText(yaml: string): string {
  return collapse(
    yaml
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('#'))
      .map((line) => line.replace(/^#+/, ''))
      .join(' '),
  );
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------- the template

function load(text: string): Manifest {
  const result = loadManifest(text, '.github/readiness.yml');
  if (!result.ok) throw new Error(`the template is invalid:\n${result.errors.map(formatError).join('\n')}`);
  return result.value.manifest;
}

function kindOf(item: Item): CheckKind {
  const kinds = CHECK_KINDS.filter((kind) => item[kind] !== undefined);
  if (kinds.length !== 1) throw new Error(`${item.title}: expected one check, found ${kinds.join(', ') || 'none'}`);
  return kinds[0] as CheckKind;
}

const checklist = parseChecklist(await readFile(FIXTURE, 'utf8'));
const manifest = load(DJANGO_TEMPLATE);
const located = itemIds(manifest).items;

/** The one item with this title (the test names only titles that occur once). */
function item(title: string): Item {
  const found = located.filter((entry) => entry.item.title === title);
  if (found.length !== 1) throw new Error(`${found.length} items are titled ${title}`);
  return (found[0] as LocatedItem).item;
}

describe('the checklist fixture', () => {
  test('is a byte-identical copy of shared/seed/production-ready-checklist.md', async () => {
    // The original sits beside the repository in the workplace; a bare clone has only the copy.
    if (!existsSync(ORIGINAL)) return;
    expect((await readFile(FIXTURE)).equals(await readFile(ORIGINAL))).toBe(true);
  });

  test('parses into 16 sections, 52 sub-sections and 267 items', () => {
    expect(new Set(checklist.items.map((line) => line.section)).size).toBe(16);
    expect(new Set(checklist.items.map((line) => `${line.section} › ${line.subsection}`)).size).toBe(52);
    expect(checklist.items).toHaveLength(267);
  });
});

describe('init --template django', () => {
  test('starts with the schema line and loads without errors', () => {
    expect(DJANGO_TEMPLATE.split('\n')[0]).toBe(`# yaml-language-server: $schema=${SCHEMA_URL}`);
    expect(loadManifest(DJANGO_TEMPLATE, 'readiness.yml')).toMatchObject({ ok: true });
    expect(TEMPLATES.django).toBe(DJANGO_TEMPLATE);
  });

  test('has every section, sub-section and item of the checklist, with its words, in its order', () => {
    const expected = checklist.items.map((line) => ({ ...line, section: sectionTitle(line.section) }));
    expect(manifestLines(manifest)).toEqual(expected);
    // Sections hold sub-sections only, as the checklist's ## hold ###.
    expect(manifest.sections.filter((section) => section.items !== undefined)).toEqual([]);
    expect(manifest.sections.map((section) => section.title)).toEqual([...new Set(expected.map((line) => line.section))]);
  });

  test('mentions every line it leaves out in a YAML comment', () => {
    const comments = commentText(DJANGO_TEMPLATE);
    const missing = checklist.dropped.filter((dropped) => !comments.includes(collapse(dropped.mention)));
    expect(missing).toEqual([]);
    // The three signature lines are left out where they were, one comment for each.
    const signatures = checklist.dropped.filter((dropped) => dropped.mention === 'Signature');
    expect(signatures).toHaveLength(3);
    expect(comments.match(/Left out: "Signature: ___ Date: ___"/g)).toHaveLength(3);
    // What is left out: the title and tagline, 3 signature lines, Quick Reference (its heading,
    // 3 sub-headings, 7 commands, 5 contacts, 5 URLs) and the 3 footer lines.
    expect(checklist.dropped).toHaveLength(2 + 3 + 4 + 7 + 5 + 5 + 3);
  });

  test('gives every item a unique id', () => {
    expect(itemIds(manifest).duplicates).toEqual([]);
    const ids = located.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Repeated titles are told apart by their sub-section.
    expect(ids).toEqual(expect.arrayContaining(['monitoring-active', 'go-live-preparation/monitoring-active', 'pre-launch-t-2-hours/monitoring-active']));
  });

  test('wires every item: 136 automated checks, 131 manual sign-offs by a role', () => {
    const counts: Partial<Record<CheckKind, number>> = {};
    for (const { item: entry } of located) counts[kindOf(entry)] = (counts[kindOf(entry)] ?? 0) + 1;
    expect(counts).toEqual({ uses: 52, http: 10, tls: 1, load: 5, flow: 7, command: 30, file: 24, sql: 4, metrics: 3, manual: 131 });
    // Manual is what is left when nothing can check a line: training, sign-offs, contracts,
    // post-launch follow-ups. About one item in two.
    expect(counts.manual).toBe(131);

    const roles = new Set(['technical lead', 'backend lead', 'operations lead', 'DBA', 'security lead', 'QA lead', 'product owner', 'support lead', 'finance', 'legal', 'release manager', 'business lead']);
    const owners = located.filter(({ item: entry }) => entry.manual !== undefined).map(({ item: entry }) => entry.manual?.owner);
    expect(owners.filter((owner) => owner === undefined || !roles.has(owner))).toEqual([]);
  });

  test('reads the database and monitoring behind one secret and two variables; without them those items skip and say what to set', async () => {
    expect(manifest.defaults?.sql).toEqual({ url: '{{ secrets.STAGING_DATABASE_URL }}' });
    expect(manifest.defaults?.metrics).toEqual({ url: '{{ env.PROMETHEUS_URL }}', alertmanager: '{{ env.ALERTMANAGER_URL }}' });
    const loaded = loadManifest(DJANGO_TEMPLATE, '.github/readiness.yml');
    if (!loaded.ok) throw new Error('invalid template');
    const plan = buildPlan(loaded.value, { env: { STAGING_URL: 'https://staging.example.com' }, git: {}, redactor: new Redactor() });
    const data = plan.items.filter((entry) => entry.check.kind === 'sql' || entry.check.kind === 'metrics' || (entry.check.kind === 'uses' && isDataBuiltin(entry.check.uses)));
    expect(data.length).toBe(38);
    const http = new HttpClient({ perHost: 1 });
    try {
      const results = await Promise.all(data.map(async (entry) => ({ title: entry.title, ...(await runCheck(entry.check, checkContext({ http, env: {} }))) })));
      const wrong = results.filter((result) => result.outcome !== 'skip' || !/secret STAGING_DATABASE_URL is not set|environment variable (PROMETHEUS|ALERTMANAGER)_URL is not set/.test(result.summary));
      expect(wrong.map((result) => `${result.title}: ${result.outcome} — ${result.summary}`)).toEqual([]);
    } finally {
      await http.close();
    }
    // With the variables set, requests may reach Prometheus and Alertmanager.
    const withMonitoring = buildPlan(loaded.value, { env: { STAGING_URL: 'https://staging.example.com', PROMETHEUS_URL: 'http://prometheus.internal:9090', ALERTMANAGER_URL: 'http://alertmanager.internal:9093' }, git: {}, redactor: new Redactor() });
    expect([...withMonitoring.allowedHosts]).toEqual(expect.arrayContaining(['prometheus.internal', 'alertmanager.internal']));
  });

  test('checks from outside every line that security-anchors §6 can verify from outside', () => {
    const fromOutside = [
      '`DEBUG = False` in production', // §6.1
      'Set DEBUG=False',
      '`ALLOWED_HOSTS` configured with actual domain', // §6.2
      'Configure ALLOWED_HOSTS',
      '`SECURE_SSL_REDIRECT = True`', // §6.3
      '`SECURE_HSTS_SECONDS = 31536000`', // §6.4
      '`SECURE_CONTENT_TYPE_NOSNIFF = True`', // §6.5
      "`X_FRAME_OPTIONS = 'DENY'`", // §6.6
      '`SESSION_COOKIE_SECURE = True`', // §6.7
      '`CSRF_COOKIE_SECURE = True`', // §6.8
      'CSRF protection tests',
      'CORS properly configured', // §6.9
      'API authentication required', // §6.11
      'Static file compression enabled', // §6.12
      'Browser caching headers set', // §6.13
      'SSL certificate installed', // §6.15
      'Response time < 200ms (p95)', // §6.16
      'Error rate < 0.1%', // §6.17
      'Health check passed', // §6.18
      'SQL injection tests', // §6.19
      'XSS vulnerability tests',
    ];
    const blackBox = new Set<CheckKind>(['uses', 'http', 'tls', 'load', 'flow']);
    expect(fromOutside.filter((title) => !blackBox.has(kindOf(item(title))))).toEqual([]);
    // §6.10 (a burst that hits no limit is "never FAIL") and §6.14 (WhiteNoise is "INFO only,
    // never FAIL") cannot fail from outside, so they read the settings, as §7 says.
    expect(kindOf(item('API rate limiting enabled'))).toBe('command');
    expect(kindOf(item('WhiteNoise configured'))).toBe('command');
  });

  test('runs the repository commands the checklist implies', () => {
    const run = (title: string) => item(title).command?.run ?? '';
    expect(run('All migrations created')).toBe('python manage.py makemigrations --check --dry-run');
    expect(run('All migrations applied')).toBe('python manage.py migrate --check');
    // check --deploy exits 0 on warnings unless told otherwise; it needs production settings.
    const secretKey = item('Strong `SECRET_KEY` (50+ characters, random)');
    expect(secretKey.command?.run).toBe('python manage.py check --deploy --fail-level WARNING');
    // Commands inherit no credentials from the job: the settings' own secrets are passed explicitly.
    expect(secretKey.command?.env).toEqual({
      DJANGO_SETTINGS_MODULE: '{{ env.DJANGO_PRODUCTION_SETTINGS }}',
      SECRET_KEY: '{{ secrets.DJANGO_SECRET_KEY }}',
      DATABASE_URL: '{{ secrets.STAGING_DATABASE_URL }}',
    });
    expect(secretKey.help).toMatch(/production settings/);
    // A test run that finds no test is not a pass.
    for (const title of ['Model tests passing', 'View tests passing', 'Form tests passing', 'Service layer tests passing', 'Signal tests passing', 'All tests passing']) {
      expect(run(title)).toMatch(/python manage\.py test --noinput/);
      expect(item(title).command?.expect?.output).toEqual({ matches: 'Ran [1-9][0-9]* tests? in' });
    }
  });

  test('logs in with CSRF, books, reads back and always deletes in the booking flow', () => {
    const flow = item('End-to-end booking flow').flow;
    const text = JSON.stringify(flow);
    expect(text).toContain('{{ secrets.SMOKE_PASSWORD }}');
    expect(text).toContain('{{ cookies.csrftoken }}');
    expect(flow?.steps.map((step) => step.capture)).toContainEqual({ booking_id: { json: '$.id' } });
    expect(flow?.finally).toEqual([expect.objectContaining({ request: expect.objectContaining({ method: 'DELETE', url: '/api/bookings/{{ booking_id }}/' }) })]);
    // The same flow, written once (a YAML alias).
    expect(item('Critical flows verified').flow).toEqual(flow);
    expect(item('Verify critical flows').flow).toEqual(flow);
    expect(item('Run smoke tests').flow).toEqual(item('Smoke tests passed').flow);
  });

  test('claims no error rate that its sample count cannot show (rule of three)', () => {
    const bounds = located.flatMap(({ item: entry }) => {
      const bound = entry.load?.expect?.errorRate ?? (entry.uses === 'performance-slo' ? { lt: entry.with?.errorRate } : undefined);
      if (bound === undefined || typeof bound !== 'object' || bound === null || !('lt' in bound)) return [];
      const samples = entry.load?.samples ?? (entry.with?.samples as number | undefined);
      return [{ title: entry.title, rate: parseRatio(bound.lt) as number, samples: samples ?? 0 }];
    });
    expect(bounds.map((bound) => bound.title)).toEqual(['Load testing completed', 'Performance benchmarks met', 'Error rate < 0.1%', 'API success rate > 99%']);
    expect(bounds.filter((bound) => bound.samples < Math.ceil(3 / bound.rate - 1e-9))).toEqual([]);
    expect(item('Error rate < 0.1%').load?.samples).toBe(3000);
  });

  test('blocks on security and on what breaks a deploy; optional lines and follow-ups are advisory', () => {
    const severity = (entry: Item) => entry.severity ?? manifest.defaults?.severity ?? 'blocking';
    const automatedSecurity = located.filter((entry) => entry.sections[0] === 'Security (CRITICAL)' && entry.item.manual === undefined);
    expect(automatedSecurity.filter((entry) => severity(entry.item) !== 'blocking').map((entry) => entry.item.title)).toEqual([]);

    const deployBreaking = ['All migrations created', 'All migrations applied', 'Migrations applied', 'Health check passed', 'Smoke tests passed', 'Critical flows verified', 'End-to-end booking flow', 'All tests passing', 'SSL certificate installed'];
    expect(deployBreaking.filter((title) => severity(item(title)) !== 'blocking')).toEqual([]);
    expect(located.filter((entry) => entry.item.title === 'Static files collected').map((entry) => severity(entry.item))).toEqual(['blocking', 'blocking']);

    const optional = /\((?:optional|if using|if applicable|if handling cards)[^)]*\)/;
    const shouldBeAdvisory = located.filter(
      (entry) => optional.test(entry.item.title) || optional.test(entry.sections[1] ?? '') || entry.sections[0] === '🔧 Post-Launch' || entry.sections[1] === 'Business Metrics',
    );
    expect(shouldBeAdvisory.length).toBeGreaterThan(30);
    expect(shouldBeAdvisory.filter((entry) => severity(entry.item) !== 'advisory').map((entry) => entry.item.title)).toEqual([]);
    // Nothing waits for a sign-off until the team says so with `required: true`.
    expect(located.filter((entry) => entry.item.manual?.required === true)).toEqual([]);
  });

  test('the sign-offs belong to the lead their sub-section names', () => {
    const signOff = located.filter((entry) => entry.sections[0] === '📝 Sign-Off');
    expect(signOff).toHaveLength(12);
    expect(signOff.filter((entry) => entry.item.manual?.owner !== entry.sections[1]?.toLowerCase())).toEqual([]);
  });

  test('targets the staging URL, waits for /health/, and explains the version probe', () => {
    expect(manifest.target?.url).toBe('{{ env.STAGING_URL }}');
    expect(manifest.target?.ready?.request).toBe('GET /health/');
    expect(manifest.target?.version).toBeUndefined();
    expect(DJANGO_TEMPLATE).toMatch(/^ {2}# version:\n {2}# {3}request: GET \/health\/\n {2}# {3}json: \$\.version\n {2}# {3}equals: "\{\{ git\.sha \}\}"$/m);
  });
});

describe('init --template generic', () => {
  test('loads without errors', () => {
    expect(GENERIC_TEMPLATE.split('\n')[0]).toBe(`# yaml-language-server: $schema=${SCHEMA_URL}`);
    expect(load(GENERIC_TEMPLATE).sections.length).toBeGreaterThan(0);
  });

  test('measures enough samples to show the default error rate of performance-slo (0.1%)', () => {
    const slo = itemIds(load(GENERIC_TEMPLATE)).items.find((entry) => entry.item.uses === 'performance-slo');
    expect(slo?.item.with).toEqual({ samples: 3000 });
  });
});

// ---------------------------------------------------------------- writing the file

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'readiness-init-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('runInit', () => {
  test('writes the template, creating the folders', async () => {
    const path = join(dir, 'run/.github/readiness.yml');
    const result = await runInit({ template: 'django', path, force: false });
    expect(result).toEqual({ ok: true, message: `wrote ${path} from the django template; check it with "readiness-gate validate ${path}"` });
    expect(await readFile(path, 'utf8')).toBe(DJANGO_TEMPLATE);
  });

  test('never overwrites an existing file without force, and does with it', async () => {
    const path = join(dir, 'existing/readiness.yml');
    await runInit({ template: 'generic', path, force: false });
    await writeFile(path, 'version: 1 # ours\n');
    expect(await runInit({ template: 'django', path, force: false })).toEqual({ ok: false, message: `${path} already exists; pass --force to overwrite it` });
    expect(await readFile(path, 'utf8')).toBe('version: 1 # ours\n');
    expect(await runInit({ template: 'django', path, force: true })).toMatchObject({ ok: true });
    expect(await readFile(path, 'utf8')).toBe(DJANGO_TEMPLATE);
  });

  test('an unknown template gets a did-you-mean and writes nothing', async () => {
    const path = join(dir, 'unknown/readiness.yml');
    expect(await runInit({ template: 'djagno', path, force: false })).toEqual({
      ok: false,
      message: 'unknown template "djagno"; did you mean "django"? (templates: generic, django)',
    });
    expect(existsSync(path)).toBe(false);
  });
});

function cli(args: string[]): Promise<ProcessOutput> {
  return runProcess(process.execPath, [join(root, 'src/cli/index.ts'), ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
}

describe('readiness-gate init (the CLI as a child process)', () => {
  test('writes the file, refuses to write it again with exit 2, and the file validates', async () => {
    const path = join(dir, 'cli/.github/readiness.yml');
    const first = await cli(['init', '--template', 'django', '--path', path]);
    expect(first).toEqual({ code: 0, stdout: `wrote ${path} from the django template; check it with "readiness-gate validate ${path}"\n`, stderr: '' });
    expect(await readFile(path, 'utf8')).toBe(DJANGO_TEMPLATE);

    const again = await cli(['init', '--template', 'django', '--path', path]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');

    const validate = await cli(['validate', path]);
    expect(validate).toEqual({ code: 0, stdout: `${path} is valid: 16 sections, 267 items (136 automated, 131 manual).\n`, stderr: '' });
  });
});
