// `init --template django` fitted to fixture projects (written here under a tmp dir) and to
// a local staging: what it finds, which items it keeps and how it wires them, what it
// comments out and why, and that a fresh manifest's first run waits briefly and says so.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DJANGO_TEMPLATE } from '../../src/cli/templates/django.ts';
import { runInit } from '../../src/cli/init.ts';
import { inspectProject } from '../../src/cli/init/inspect.ts';
import { probeStaging } from '../../src/cli/init/probe.ts';
import { fitTemplate, templatePaths } from '../../src/cli/init/fit.ts';
import { loadManifest, type LoadedManifest } from '../../src/manifest/load.ts';
import { itemIds } from '../../src/manifest/ids.ts';
import { allItems, type Report } from '../../src/report/model.ts';
import { freePort, startServer, type RunningServer } from '../../test-support/servers.ts';
import { runProcess, type ProcessOutput } from '../../test-support/run-process.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
let base: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'readiness-init-fit-'));
  await project('shop', SHOP);
  await project('blog', BLOG);
  await project('travel', TRAVEL);
});
afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

async function project(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(base, name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

const MANAGE_PY = (settings: string) => `#!/usr/bin/env python\nimport os\nimport sys\n\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "${settings}")\n`;

/** A shop: settings package, pytest, Celery, REST framework, Stripe, a health URL. */
const SHOP = {
  'manage.py': MANAGE_PY('config.settings.local'),
  'config/__init__.py': 'from .celery import app as celery_app\n',
  'config/celery.py': 'from celery import Celery\napp = Celery("shop")\n',
  'config/settings/__init__.py': '',
  'config/settings/base.py': 'INSTALLED_APPS = ["django.contrib.admin", "rest_framework", "shop"]\nROOT_URLCONF = "config.urls"\n',
  'config/settings/local.py': 'from .base import *\nDEBUG = True\n',
  'config/settings/production.py': 'from .base import *\nDEBUG = False\n',
  'config/urls.py': 'urlpatterns = [path("health/", health), path("api/", include(router.urls))]\n',
  'shop/payments.py': 'import stripe\n\ndef charge(amount):\n    return stripe.PaymentIntent.create(amount=amount)\n',
  'shop/tests/__init__.py': '',
  'shop/tests/test_models.py': 'def test_order():\n    assert True\n',
  'shop/tests/test_views.py': 'def test_home(client):\n    assert True\n',
  'shop/tests/test_payments.py': 'import stripe\n',
  'conftest.py': '',
  'pyproject.toml': '[project]\nname = "shop"\ndependencies = ["django>=5", "celery[redis]>=5.3", "djangorestframework", "stripe"]\n\n[tool.pytest.ini_options]\nDJANGO_SETTINGS_MODULE = "config.settings.local"\n',
  // Never read: the project's own virtualenv and its node_modules.
  '.venv/pyvenv.cfg': 'home = /usr/bin\n',
  '.venv/lib/python3.12/site-packages/braintree/__init__.py': 'import galileo\n',
  'node_modules/amadeus/index.py': 'import amadeus\n',
};

/** A blog: one settings module, manage.py test with tests.py, nothing else, no health URL. */
const BLOG = {
  'manage.py': MANAGE_PY('blog.settings'),
  'blog/settings.py': 'INSTALLED_APPS = ["django.contrib.admin", "posts"]\n',
  'blog/urls.py': 'urlpatterns = [path("admin/", admin.site.urls), path("", include("posts.urls"))]\n',
  'posts/urls.py': 'urlpatterns = [path("", views.index)]\n',
  'posts/tests.py': 'from django.test import TestCase\n\nclass PostTests(TestCase):\n    def test_list(self):\n        pass\n',
  'requirements.txt': 'Django==5.1\npsycopg[binary]\n',
};

/** A travel site in a sub-folder: a GDS client and manage.py one level down, no tests. */
const TRAVEL = {
  'README.md': '# travel\n',
  'src/manage.py': MANAGE_PY('travel.settings'),
  'src/travel/settings.py': 'INSTALLED_APPS = ["bookings"]\n',
  'src/travel/urls.py': 'urlpatterns = [path("health/", views.health)]\n',
  'src/bookings/gds/galileo.py': 'import requests\n',
  'requirements/base.txt': 'Django==5.1\namadeus==9.0\n',
};

function load(text: string): LoadedManifest {
  const loaded = loadManifest(text, '.github/readiness.yml');
  if (!loaded.ok) throw new Error(`the fitted manifest does not load: ${JSON.stringify(loaded.errors.slice(0, 3))}`);
  return loaded.value;
}

const activeTitles = (text: string) => itemIds(load(text).manifest).items.map((entry) => entry.item.title);
const activeItem = (text: string, title: string) => itemIds(load(text).manifest).items.find((entry) => entry.item.title === title)?.item;

/** Every "- title:" line, written or commented out, in file order: the checklist's order. */
function titleLines(text: string): string[] {
  return [...text.matchAll(/^\s*(?:#\s*)?- title: (.+)$/gm)].map((match) => (match[1] as string).replace(/^"|"$/g, '').replace(/\\`/g, '`'));
}

/** The reason comment written right above a commented-out item. */
function reasonFor(text: string, title: string): string | undefined {
  const lines = text.split('\n');
  const at = lines.findIndex((line) => /^\s*# - title: /.test(line) && line.includes(title));
  return at > 0 ? lines[at - 1]?.replace(/^\s*# /, '') : undefined;
}

describe('inspectProject', () => {
  test('a shop: production settings, pytest, Celery, REST framework and Stripe; the virtualenv and node_modules are not read', async () => {
    const facts = await inspectProject(join(base, 'shop'));
    expect(facts.django).toBe(true);
    expect(facts.manageDir).toBe('');
    expect(facts.settings).toMatchObject({ managePyDefault: 'config.settings.local', chosen: 'config.settings.production', chosenFile: 'config/settings/production.py', production: true });
    expect(facts.settings.modules).toEqual(expect.arrayContaining(['config.settings.base', 'config.settings.local', 'config.settings.production']));
    expect(facts.tests.runner).toBe('pytest');
    expect(facts.tests.pytestConfig).toBe('pyproject.toml');
    expect(facts.tests.files.sort()).toEqual(['shop/tests/test_models.py', 'shop/tests/test_payments.py', 'shop/tests/test_views.py']);
    expect(facts.celery).toEqual({ found: true, where: expect.arrayContaining(['config/celery.py']) });
    expect(facts.restFramework.found).toBe(true);
    expect(facts.payments).toMatchObject({ found: true, providers: ['stripe'] });
    // braintree and galileo only appear inside .venv, amadeus only in node_modules.
    expect(facts.gds).toEqual({ found: false, where: [], systems: [] });
    expect(facts.urls).toEqual({ files: 1, mentionsHealth: true, root: 'config/urls.py', healthPath: '/health/' });
  });

  test('a blog: its one settings module, manage.py test, and nothing else', async () => {
    const facts = await inspectProject(join(base, 'blog'));
    expect(facts.settings).toMatchObject({ chosen: 'blog.settings', production: false });
    expect(facts.tests).toEqual({ runner: 'django', files: ['posts/tests.py'] });
    expect([facts.celery.found, facts.restFramework.found, facts.payments.found, facts.gds.found]).toEqual([false, false, false, false]);
    expect(facts.urls).toEqual({ files: 2, mentionsHealth: false });
  });

  test('a travel site in src/: manage.py found below the top, a GDS from a module and a requirement, no tests', async () => {
    const facts = await inspectProject(join(base, 'travel'));
    expect(facts.manageDir).toBe('src');
    expect(facts.settings).toMatchObject({ chosen: 'travel.settings', chosenFile: 'src/travel/settings.py' });
    expect(facts.tests.runner).toBe('none');
    expect(facts.gds).toMatchObject({ found: true, systems: expect.arrayContaining(['galileo', 'amadeus']) });
  });

  test("the health route of the root URLconf is a path on the site; an app's included one is not", async () => {
    const urls = (rootUrls: string) => ({
      'manage.py': MANAGE_PY('site.settings'),
      'site/settings.py': "ROOT_URLCONF = 'site.urls'\n",
      'site/urls.py': rootUrls,
      'ops/urls.py': 'urlpatterns = [path("health/", views.health)]\n',
    });
    const healthz = await inspectProject(await project('healthz', urls('urlpatterns = [\n    path("admin/", admin.site.urls),\n    path("healthz", views.healthz),\n]\n')));
    expect(healthz.urls).toEqual({ files: 2, mentionsHealth: true, root: 'site/urls.py', healthPath: '/healthz' });
    const ht = await inspectProject(await project('ht', urls('urlpatterns = [url(r"^ht/$", include("health_check.urls"))]\n')));
    expect(ht.urls.healthPath).toBe('/ht/');
    // Under a prefix: the route in ops/urls.py is /ops/health/, which init cannot know for sure.
    const included = await inspectProject(await project('included', urls('urlpatterns = [path("ops/", include("ops.urls"))]\n')));
    expect(included.urls).toEqual({ files: 2, mentionsHealth: true, root: 'site/urls.py' });

    const fitted = fitTemplate({ template: DJANGO_TEMPLATE, facts: healthz });
    expect(load(fitted.text).manifest.target?.ready).toMatchObject({ request: 'GET /healthz', timeout: '90s' });
    expect(activeItem(fitted.text, 'Health check passed')?.with).toEqual({ path: '/healthz' });
    expect(load(fitTemplate({ template: DJANGO_TEMPLATE, facts: included }).text).manifest.target?.ready?.request).toBe('GET /health/');
  });

  test('stops at its caps and says so', async () => {
    const facts = await inspectProject(join(base, 'shop'), { maxFilesListed: 3, maxFilesRead: 1, maxBytesPerFile: 64, maxDepth: 1 });
    expect(facts.truncated).toBe(true);
  });
});

describe('fitTemplate without staging', () => {
  test('the shop keeps Celery, REST framework and payment items, runs pytest, and uses the production settings', async () => {
    const facts = await inspectProject(join(base, 'shop'));
    const fitted = fitTemplate({ template: DJANGO_TEMPLATE, facts });
    const titles = activeTitles(fitted.text);
    expect(titles).toEqual(expect.arrayContaining(['Celery task monitoring (if using)', 'API rate limiting enabled', 'Webhook handling verified', 'Payment processing flow', 'Health check passed']));
    expect(fitted.active).toBe(titles.length);
    expect(fitted.active + fitted.commentedOut).toBe(267);

    // The checklist's order: every title still in its place, written or commented out.
    expect(titleLines(fitted.text)).toEqual(titleLines(DJANGO_TEMPLATE));

    const secretKey = activeItem(fitted.text, 'Strong `SECRET_KEY` (50+ characters, random)');
    expect(secretKey?.command?.env?.DJANGO_SETTINGS_MODULE).toBe('config.settings.production');
    expect(fitted.text).toContain('# the production settings init found (config/settings/production.py)');
    // Every "production settings" command shares that map.
    expect(activeItem(fitted.text, 'Static files collected')?.command?.env?.DJANGO_SETTINGS_MODULE).toBe('config.settings.production');

    expect(activeItem(fitted.text, 'Model tests passing')?.command).toMatchObject({
      run: 'flock /tmp/readiness-gate-tests.lock python -m pytest -q -o "python_files=test_models*.py"',
      expect: { output: { matches: '[1-9][0-9]* passed' } },
    });
    expect(activeItem(fitted.text, 'All tests passing')?.command?.run).toBe('flock /tmp/readiness-gate-tests.lock python -m pytest -q');
    expect(activeItem(fitted.text, 'Payment processing flow')?.command?.run).toContain('python_files=test_payment*.py');
    // No test_forms*.py: that item would find no test and fail, so it waits, with the reason.
    expect(activeItem(fitted.text, 'Form tests passing')).toBeUndefined();
    expect(reasonFor(fitted.text, 'Form tests passing')).toBe('no test_forms*.py file among the 3 test files: name them so (or change the pattern), then uncomment; "All tests passing" runs the whole suite');

    // No GDS: the whole sub-section is one commented block under one reason.
    expect(titles).not.toContain('Connection tested');
    expect(fitted.text).toMatch(/^ {6}# no GDS code found .*: uncomment if you book through a GDS\n {6}# - title: Galileo GDS\n {6}# {3}items:\n/m);

    // The health URL is in urls.py, and the first run waits at most 90s for it.
    expect(load(fitted.text).manifest.target?.ready).toMatchObject({ request: 'GET /health/', timeout: '90s', interval: '5s' });
    expect(fitted.text).toContain('Lengthen it (10m) when staging deploys right before the job.');
    expect(load(fitted.text).manifest.target?.url).toBe('{{ env.STAGING_URL }}');
  });

  test('the blog runs manage.py test, leaves out Celery, REST framework and payments with their reasons, and waits for / (no health URL)', async () => {
    const facts = await inspectProject(join(base, 'blog'));
    const fitted = fitTemplate({ template: DJANGO_TEMPLATE, facts });
    const titles = activeTitles(fitted.text);
    expect(titles).not.toEqual(expect.arrayContaining(['Celery task monitoring (if using)']));
    expect(titles).not.toContain('API rate limiting enabled');
    expect(titles).not.toContain('Webhook handling verified');
    expect(reasonFor(fitted.text, 'Celery task monitoring (if using)')).toBe('no Celery found (no celery.py, no celery import or requirement): uncomment if you add it');
    expect(reasonFor(fitted.text, 'API rate limiting enabled')).toMatch(/^no Django REST framework found/);
    expect(reasonFor(fitted.text, 'Payment processing flow')).toMatch(/^no payment code found .*: uncomment if you take payments$/);

    expect(activeItem(fitted.text, 'All tests passing')?.command).toMatchObject({ run: 'flock /tmp/readiness-gate-tests.lock python manage.py test --noinput', expect: { output: { matches: 'Ran [1-9][0-9]* tests? in' } } });
    // tests.py matches none of the test_<kind>*.py patterns.
    expect(titles).not.toContain('Model tests passing');

    const settings = activeItem(fitted.text, 'Use PostgreSQL in production (not SQLite)')?.command?.env?.DJANGO_SETTINGS_MODULE;
    expect(settings).toBe('blog.settings');
    expect(fitted.text).toContain('# the only settings init found (blog/settings.py); point it at your production settings');

    expect(load(fitted.text).manifest.target?.ready).toMatchObject({ request: 'GET /', timeout: '90s' });
    expect(titles).not.toContain('Health check passed');
    expect(reasonFor(fitted.text, 'Health check passed')).toBe('no URL pattern mentions health (2 urls.py read): add a /health/ view, then uncomment');
    // A security check that also looked at /health/ keeps checking the paths that remain.
    expect(activeItem(fitted.text, '`SECURE_CONTENT_TYPE_NOSNIFF = True`')?.with).toEqual({ paths: ['/'] });
    expect(titleLines(fitted.text)).toEqual(titleLines(DJANGO_TEMPLATE));
  });

  test('the travel site keeps the GDS, runs manage.py in src/, and comments out every test item (no tests)', async () => {
    const facts = await inspectProject(join(base, 'travel'));
    const fitted = fitTemplate({ template: DJANGO_TEMPLATE, facts });
    const titles = activeTitles(fitted.text);
    expect(titles).toEqual(expect.arrayContaining(['Connection tested', 'Set Galileo API credentials']));
    const noTests = 'no tests found (no test_*.py, tests.py or tests/ folder): uncomment when you add tests';
    for (const title of ['All tests passing', 'Authorization tests', 'Error handling verified']) {
      expect(titles).not.toContain(title);
      expect(reasonFor(fitted.text, title)).toBe(noTests);
    }
    // Every item of Unit Tests is a test run: the sub-section is commented out whole, under the one reason.
    expect(titles).not.toContain('Model tests passing');
    expect(reasonFor(fitted.text, 'Unit Tests')).toBe(noTests);
    expect(activeItem(fitted.text, 'All migrations created')?.command?.run).toBe('cd src && python manage.py makemigrations --check --dry-run');
    expect(activeItem(fitted.text, 'SQL injection prevention verified')?.command?.run).toMatch(/^bandit /);
  });
});

describe('runInit', () => {
  test('a folder name is one shell word in the commands, and file names never break a comment line', async () => {
    const dir = await project('odd', { "it's\n$(here)/manage.py": MANAGE_PY('site.settings'), "it's\n$(here)/site/settings/production.py": '' });
    const facts = await inspectProject(dir);
    expect(facts.manageDir).toBe("it's\n$(here)");
    const fitted = fitTemplate({ template: DJANGO_TEMPLATE, facts });
    expect(activeItem(fitted.text, 'All migrations created')?.command?.run).toBe(`cd 'it'\\''s\n$(here)' && python manage.py makemigrations --check --dry-run`);
    expect(fitted.text).toContain(`# the production settings init found (it's $(here)/site/settings/production.py)\n`);
  });

  test('says what the header lines wire, and refuses a --dir that is not a folder and --url for the generic template', async () => {
    const fitted = fitTemplate({ template: DJANGO_TEMPLATE, facts: await inspectProject(join(base, 'blog')) });
    expect(fitted.text.split('\n').slice(1, 4)).toEqual([
      `# Fitted by "readiness-gate init" to this repository: ${fitted.active} items apply, ${fitted.commentedOut} are`,
      '# commented out in their place, each with the reason above it. Uncomment an item when it applies.',
      '# The commands use blog.settings as DJANGO_SETTINGS_MODULE, so DJANGO_PRODUCTION_SETTINGS is not needed.',
    ]);
    const path = join(base, 'refused.yml');
    expect(await runInit({ template: 'django', path, force: false, dir: join(base, 'no-such-folder') })).toEqual({ ok: false, message: `--dir ${join(base, 'no-such-folder')} is not a directory` });
    expect(await runInit({ template: 'django', path, force: false, dir: base, url: 'ftp://staging.example.com' })).toEqual({ ok: false, message: '--url "ftp://staging.example.com" is not an http(s) URL (write it as https://staging.example.com)' });
    expect(await runInit({ template: 'generic', path, force: false, url: 'http://127.0.0.1:9' })).toMatchObject({ ok: false, message: expect.stringMatching(/^--url fits the django template/) });
  });

  test('a --url with credentials is refused before anything is probed or written, and the password is never shown', async () => {
    const path = join(base, 'with-credentials.yml');
    for (const url of ['https://bob:s3cret-pw@staging.example.com', 'https://s3cret-pw@staging.example.com/', 'ftp://bob:s3cret-pw@staging.example.com']) {
      const result = await runInit({ template: 'django', path, force: false, dir: join(base, 'shop'), url });
      expect(result.ok).toBe(false);
      expect(result.message).not.toContain('s3cret-pw');
      expect(result.message).toContain('staging.example.com');
    }
    expect((await runInit({ template: 'django', path, force: false, dir: join(base, 'shop'), url: 'https://bob:s3cret-pw@staging.example.com' })).message).toMatch(/carries credentials/);
    expect(existsSync(path)).toBe(false);
    const run = await cli(['init', '--template', 'django', '--dir', join(base, 'shop'), '--url', 'http://bob:s3cret-pw@127.0.0.1:9', '--path', path]);
    expect(run.code).toBe(2);
    expect(`${run.stdout}${run.stderr}`).not.toContain('s3cret-pw');
    expect(existsSync(path)).toBe(false);
  });
});

// ---------------------------------------------------------------- a local staging

/** Staging that serves some of the template's paths; `health` is where its health URL is (or none). */
function stagingHandler(options: { health?: string; homeStatus: () => number }) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (options.health !== undefined && path === options.health) {
      res.setHeader('content-type', 'application/json');
      res.end('{"status": "ok", "database": "ok"}');
    } else if (path === '/') {
      res.statusCode = options.homeStatus();
      res.end('<h1>Blog</h1>');
    } else if (path === '/accounts/login/') {
      res.end('<form method="post"></form>');
    } else if (path === '/admin/') {
      res.statusCode = 302;
      res.setHeader('location', '/admin/login/');
      res.end();
    } else if (path === '/payments/webhook/') {
      res.statusCode = req.method === 'POST' ? 400 : 405;
      res.end();
    } else {
      res.statusCode = 404;
      res.end('not found');
    }
  };
}

describe('with a staging URL', () => {
  let withHealthz: RunningServer;
  beforeAll(async () => {
    withHealthz = await startServer(stagingHandler({ health: '/healthz', homeStatus: () => 200 }));
  });
  afterAll(async () => {
    await withHealthz.close();
  });

  test('probes each distinct path once, finds /healthz, and wires it and target.url; paths staging lacks are commented out', async () => {
    const paths = templatePaths(DJANGO_TEMPLATE);
    expect(paths.map((entry) => entry.path)).toEqual(expect.arrayContaining(['/', '/health/', '/accounts/login/', '/api/flights/', '/api/bookings/', '/payments/webhook/', '/privacy/']));
    // Only ever POSTed: a 405 to GET means it is there.
    expect(paths.find((entry) => entry.path === '/payments/webhook/')?.getAllowed).toBe(false);

    const staging = await probeStaging(withHealthz.url, paths);
    expect(staging.health).toBe('/healthz');
    expect(staging.answers.get('/api/flights/')).toEqual({ status: 404 });
    expect(staging.answers.get('/payments/webhook/')).toEqual({ status: 405 });
    expect(staging.absent).toEqual(expect.arrayContaining(['/api/flights/', '/api/bookings/', '/privacy/']));
    expect(staging.absent).not.toEqual(expect.arrayContaining(['/payments/webhook/']));
    expect(staging.absent).not.toEqual(expect.arrayContaining(['/accounts/login/']));

    const facts = await inspectProject(join(base, 'shop'));
    const fitted = fitTemplate({ template: DJANGO_TEMPLATE, facts, staging, url: withHealthz.url });
    const manifest = load(fitted.text).manifest;
    expect(manifest.target?.url).toBe(withHealthz.url);
    expect(manifest.target?.ready).toMatchObject({ request: 'GET /healthz', timeout: '90s' });
    expect(activeItem(fitted.text, 'Health check passed')?.with).toEqual({ path: '/healthz' });
    expect(activeItem(fitted.text, '`SECURE_CONTENT_TYPE_NOSNIFF = True`')?.with).toEqual({ paths: ['/', '/healthz'] });
    expect(activeItem(fitted.text, 'Webhook handling verified')).toBeDefined();
    expect(activeItem(fitted.text, 'CSRF protection tests')).toBeDefined();

    for (const title of ['Input validation on all endpoints', 'API response time testing', 'End-to-end booking flow', 'Critical flows verified']) {
      expect(activeItem(fitted.text, title)).toBeUndefined();
    }
    expect(reasonFor(fitted.text, 'Input validation on all endpoints')).toBe('staging answered 404 to GET /api/flights/: point this item at an endpoint you have, then uncomment');
    // Both paths of the CORS check are missing, so it has nothing left to check.
    expect(reasonFor(fitted.text, 'CORS properly configured')).toBe('staging answered 404 to GET /api/flights/: point this item at an endpoint you have, then uncomment');
    expect(activeItem(fitted.text, "`X_FRAME_OPTIONS = 'DENY'`")?.with).toEqual({ paths: ['/', '/accounts/login/'], require: 'DENY' });
    expect(reasonFor(fitted.text, 'End-to-end booking flow')).toBe('staging answered 404 to GET /api/bookings/: point this item at an endpoint you have, then uncomment');
    expect(titleLines(fitted.text)).toEqual(titleLines(DJANGO_TEMPLATE));
  });

  test('the CLI prints one line per finding and the counts, and writes a manifest that validates', async () => {
    const path = join(base, 'cli-shop.yml');
    const result = await cli(['init', '--template', 'django', '--dir', join(base, 'shop'), '--url', withHealthz.url, '--path', path]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toEqual([
      '  settings: config.settings.production (config/settings/production.py)',
      '  tests: 3 test files, run with pytest (pyproject.toml)',
      '  Celery: found (pyproject.toml, config/celery.py)',
      expect.stringMatching(/^ {2}REST framework: found \(/),
      expect.stringMatching(/^ {2}payments: found: stripe \(/),
      '  GDS: not found; its items are commented out',
      expect.stringMatching(new RegExp(`^  staging: \\d+ paths probed at ${withHealthz.url.replace(/[.]/g, '\\.')}; not there: .*/api/flights/`)),
      '  target.ready: GET /healthz, up to 90s (it answered on staging)',
      expect.stringMatching(new RegExp(`^wrote ${path.replace(/[.]/g, '\\.')} from the django template \\(\\d+ items active, \\d+ commented out with the reason\\); check it with`)),
    ]);
    const validate = await cli(['validate', path]);
    expect(validate.code).toBe(0);
  });
});

describe('a staging that answers slowly or not at all', () => {
  let slow: RunningServer;
  beforeAll(async () => {
    // /api/flights/ never answers; /health/ is there but unhealthy.
    slow = await startServer((req, res) => {
      if (req.url === '/api/flights/') return;
      res.statusCode = req.url === '/health/' ? 503 : req.url === '/' ? 200 : 404;
      res.end();
    });
  });
  afterAll(async () => {
    await slow.close();
  });

  test('a path that does not answer in time is kept; an unhealthy /health/ is still the health URL; the cap is kept', async () => {
    const staging = await probeStaging(slow.url, templatePaths(DJANGO_TEMPLATE), { timeoutMs: 300, concurrency: 4, maxPaths: 40 });
    expect(staging.answers.get('/api/flights/')).toEqual({ problem: expect.stringMatching(/within 300ms/) });
    expect(staging.absent).not.toContain('/api/flights/');
    expect(staging.health).toBe('/health/');
    const fitted = fitTemplate({ template: DJANGO_TEMPLATE, facts: await inspectProject(join(base, 'shop')), staging, url: slow.url });
    expect(load(fitted.text).manifest.target?.ready).toMatchObject({ request: 'GET /health/', expect: { status: 200 } });
    expect(activeItem(fitted.text, 'Input validation on all endpoints')).toBeDefined();
    expect(activeItem(fitted.text, 'Health check passed')).toBeDefined();

    const capped = await probeStaging(slow.url, [{ path: '/', getAllowed: true }, { path: '/a/', getAllowed: true }], { timeoutMs: 300, concurrency: 1, maxPaths: 2 });
    expect([...capped.answers.keys()]).toEqual(['/', '/a/']);
    expect(capped.skipped).toEqual(expect.arrayContaining(['/health/', '/ping']));
  });

  test('a staging that answers nothing leaves every path and the health URL as the project shows them, and says so', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const path = join(base, 'down.yml');
    const result = await runInit({ template: 'django', path, force: false, dir: join(base, 'shop'), url: down, probe: { timeoutMs: 1000, concurrency: 4, maxPaths: 40 } });
    expect(result.findings).toContainEqual(expect.stringMatching(new RegExp(`^staging: no answer \\(.+\\) from ${down.replace(/[.]/g, '\\.')}; its paths were not checked`)));
    expect(result.findings).toContain('target.ready: GET /health/, up to 90s (the health route of config/urls.py)');
    const text = await readFile(path, 'utf8');
    expect(load(text).manifest.target?.url).toBe(down);
    expect(activeItem(text, 'Health check passed')).toBeDefined();
    expect(activeItem(text, 'End-to-end booking flow')).toBeDefined();
  });
});

test('a staging that refuses init without its key (401) is not read as missing every path', async () => {
  const locked = await startServer((_req, res) => {
    res.statusCode = 401;
    res.end();
  });
  try {
    const path = join(base, 'locked.yml');
    const result = await runInit({ template: 'django', path, force: false, dir: join(base, 'shop'), url: locked.url });
    expect(result.findings).toContain(`staging: answered 401 (init sends no credentials) from ${locked.url}; its paths were not checked, so every item that requests one is kept`);
    const text = await readFile(path, 'utf8');
    expect(load(text).manifest.target?.ready?.request).toBe('GET /health/');
    expect(activeItem(text, 'End-to-end booking flow')).toBeDefined();
  } finally {
    await locked.close();
  }
});

describe('the first run of a fresh init on a project without /health/', () => {
  let staging: RunningServer;
  const home = { unavailable: 0 };
  beforeAll(async () => {
    // The home page answers 503 while `unavailable` lasts, as a deploy in progress does.
    staging = await startServer(stagingHandler({ homeStatus: () => (home.unavailable-- > 0 ? 503 : 200) }));
  });
  afterAll(async () => {
    await staging.close();
  });

  test('init waits for / at most 90s, and the run says what it is waiting for, then concludes', async () => {
    const path = join(base, 'blog-readiness.yml');
    const result = await runInit({ template: 'django', path, force: false, dir: join(base, 'blog'), url: staging.url });
    expect(result.ok).toBe(true);
    expect(result.findings).toContain('target.ready: GET /, up to 90s (no health URL answered; tried /health/, /health, /healthz/, /healthz, /ht/, /status/, /ping)');
    const text = await readFile(path, 'utf8');
    const ready = load(text).manifest.target?.ready;
    expect(ready).toEqual({ request: 'GET /', expect: { status: 200 }, timeout: '90s', interval: '5s' });
    expect(reasonFor(text, 'Health check passed')).toBe('no health URL answered on staging (tried /health/, /health, /healthz/, /healthz, /ht/, /status/, /ping): add a /health/ view, then uncomment');

    // The whole fresh manifest, through the CLI as a user runs it, while staging is still starting.
    home.unavailable = 1;
    const run = await cli(['run', '--manifest', path, '--format', 'json'], join(base, 'blog'));
    expect(run.code === 0 || run.code === 1).toBe(true);
    const waiting = run.stderr.split('\n').filter((line) => line.startsWith('waiting for staging'));
    expect(waiting).toEqual([expect.stringMatching(new RegExp(`^waiting for staging \\(try 1, \\d+s of 1m30s\\): GET ${staging.url.replace(/[.]/g, '\\.')}/ → status: expected 200, got 503$`))]);
    const report = JSON.parse(run.stdout) as Report;
    // Staging became ready: no notice, and every active item concluded.
    expect(report.notices).toEqual([]);
    const items = allItems(report);
    expect(items).toHaveLength(activeTitles(text).length);
    expect(items.find((item) => item.title === '`X_FRAME_OPTIONS = \'DENY\'`')?.outcome).toBeDefined();
  });
});

function cli(args: string[], cwd = base): Promise<ProcessOutput> {
  return runProcess(process.execPath, [join(root, 'src/cli/index.ts'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
}
