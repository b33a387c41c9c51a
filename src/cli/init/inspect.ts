// `init` looks at the repository it runs in: the Django settings, the tests, and what the
// project uses (Celery, REST framework, payments, a GDS). It only reads files, a bounded
// number of them and a bounded prefix of each; it never runs the project's code.
import type { Dirent } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';

/** What one concern was found from: the files that showed it (empty: not found). */
export interface Evidence {
  found: boolean;
  /** Repository-relative files that showed it, at most a few. */
  where: string[];
}

export interface ProjectFacts {
  dir: string;
  /** A manage.py or a settings module was found. */
  django: boolean;
  /** The folder of manage.py, relative to dir ('' at the top; undefined when there is none). */
  manageDir?: string;
  settings: {
    /** Dotted module names, relative to manage.py's folder, in the order found. */
    modules: string[];
    /** manage.py's DJANGO_SETTINGS_MODULE default. */
    managePyDefault?: string;
    /** The one commands should use: a production-named one if there is one. */
    chosen?: string;
    /** Where `chosen` lives, relative to dir. */
    chosenFile?: string;
    production: boolean;
  };
  tests: {
    runner: 'pytest' | 'django' | 'none';
    /** Test files (relative paths) found. */
    files: string[];
    /** What made the runner pytest (pytest.ini, [tool.pytest] in pyproject.toml, conftest.py). */
    pytestConfig?: string;
  };
  celery: Evidence;
  restFramework: Evidence;
  payments: Evidence & { providers: string[] };
  gds: Evidence & { systems: string[] };
  /** urls.py files read, and whether any mentions health (a /health/ view or health_check). */
  urls: {
    files: number;
    mentionsHealth: boolean;
    /** The root URLconf (ROOT_URLCONF) as a file, when the settings name one that was found. */
    root?: string;
    /** The path of the health route in the root URLconf ("/healthz"), when it has one. */
    healthPath?: string;
  };
  /** The inspection stopped early (too many files); what was not read is not known. */
  truncated: boolean;
}

export interface InspectLimits {
  maxFilesListed: number;
  maxFilesRead: number;
  maxBytesPerFile: number;
  maxDepth: number;
}

export const DEFAULT_LIMITS: InspectLimits = { maxFilesListed: 20_000, maxFilesRead: 3_000, maxBytesPerFile: 256 * 1024, maxDepth: 10 };

/** Folders that are never the project's own code. */
const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '.venv', 'venv', 'env', '.env', '.tox', '.nox', '__pycache__', 'site-packages', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'htmlcov', 'dist', 'build', 'staticfiles', 'media', '.idea', '.vscode']);

const PAYMENT_PROVIDERS = ['stripe', 'adyen', 'braintree', 'paypal'] as const;
const GDS_SYSTEMS = ['galileo', 'travelport', 'amadeus', 'sabre'] as const;

export async function inspectProject(dir: string, limits: InspectLimits = DEFAULT_LIMITS): Promise<ProjectFacts> {
  const { files, truncated: listTruncated } = await listFiles(dir, limits);
  const reader = new BoundedReader(dir, limits);

  const facts: ProjectFacts = {
    dir,
    django: false,
    settings: { modules: [], production: false },
    tests: { runner: 'none', files: [] },
    celery: { found: false, where: [] },
    restFramework: { found: false, where: [] },
    payments: { found: false, where: [], providers: [] },
    gds: { found: false, where: [], systems: [] },
    urls: { files: 0, mentionsHealth: false },
    truncated: listTruncated,
  };

  // manage.py nearest the top is the project's.
  const managePy = files.filter((file) => basename(file) === 'manage.py').sort((a, b) => depth(a) - depth(b))[0];
  if (managePy !== undefined) {
    facts.manageDir = dirname(managePy) === '.' ? '' : dirname(managePy);
    const text = await reader.read(managePy);
    const match = /DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]/.exec(text ?? '');
    if (match?.[1]) facts.settings.managePyDefault = match[1];
  }

  // Settings modules: settings.py, or the modules of a settings/ package.
  const settingsFiles = files.filter((file) => file.endsWith('.py') && (basename(file) === 'settings.py' || (basename(dirname(file)) === 'settings' && basename(file) !== '__init__.py')));
  const base = facts.manageDir ?? '';
  const moduleOf = (file: string) => relative(base, file).replace(/\.py$/, '').split(sep).join('.');
  const modules = settingsFiles.filter((file) => !relative(base, file).startsWith('..')).map((file) => ({ file, module: moduleOf(file) }));
  facts.settings.modules = modules.map((entry) => entry.module);
  const production = modules.find((entry) => /(^|[._])(prod|production|live)$/.test(entry.module));
  const fromManagePy = modules.find((entry) => entry.module === facts.settings.managePyDefault);
  const chosen = production ?? fromManagePy ?? (modules.length === 1 ? modules[0] : undefined);
  if (chosen) {
    facts.settings.chosen = chosen.module;
    facts.settings.chosenFile = chosen.file;
    facts.settings.production = chosen === production;
  } else if (facts.settings.managePyDefault) {
    facts.settings.chosen = facts.settings.managePyDefault;
  }
  facts.django = managePy !== undefined || modules.length > 0;

  // Tests: pytest when it is configured, else Django's runner; none without test files.
  facts.tests.files = files.filter((file) => file.endsWith('.py') && isTestFile(file));
  const pytestConfig = await findPytestConfig(files, reader);
  if (facts.tests.files.length > 0) {
    facts.tests.runner = pytestConfig ? 'pytest' : 'django';
    if (pytestConfig) facts.tests.pytestConfig = pytestConfig;
  }

  // Requirements name what the project installs; the Python code shows what it imports.
  const requirementFiles = files.filter(isRequirementsFile);
  for (const file of requirementFiles) {
    const text = (await reader.read(file))?.toLowerCase();
    if (text === undefined) continue;
    if (requires(text, 'celery')) note(facts.celery, file);
    if (requires(text, 'djangorestframework')) note(facts.restFramework, file);
    for (const provider of PAYMENT_PROVIDERS) if (requires(text, provider, true)) notePayment(facts, provider, file);
    for (const system of GDS_SYSTEMS) if (requires(text, system, true)) noteGds(facts, system, file);
  }

  const rootUrlconfs: string[] = [];
  const healthRoutes = new Map<string, string>();
  for (const file of files.filter((name) => name.endsWith('.py'))) {
    const name = basename(file, '.py').toLowerCase();
    const folder = basename(dirname(file)).toLowerCase();
    if (name === 'celery') note(facts.celery, file);
    for (const system of GDS_SYSTEMS) if (name.includes(system) || folder.includes(system)) noteGds(facts, system, file);
    // Test files import the libraries they fake; they do not show that the project uses them.
    if (isTestFile(file)) continue;
    const text = await reader.read(file);
    if (text === undefined) continue;
    if (imports(text, 'celery')) note(facts.celery, file);
    if (/['"]rest_framework['"]/.test(text) || imports(text, 'rest_framework')) note(facts.restFramework, file);
    for (const provider of PAYMENT_PROVIDERS) if (imports(text, provider, true)) notePayment(facts, provider, file);
    for (const system of GDS_SYSTEMS) if (imports(text, system, true)) noteGds(facts, system, file);
    if (settingsFiles.includes(file)) {
      const urlconf = /^ROOT_URLCONF\s*=\s*['"]([\w.]+)['"]/m.exec(text)?.[1];
      if (urlconf) rootUrlconfs.push(urlconf);
    }
    if (name === 'urls' || folder === 'urls') {
      facts.urls.files++;
      if (/health/i.test(text)) facts.urls.mentionsHealth = true;
      const route = healthRoute(text);
      if (route !== undefined) healthRoutes.set(file, route);
    }
  }
  // Only a route of the root URLconf is a path on the site; an included one sits under a prefix.
  const root = rootUrlconfs.map((module) => join(base, ...module.split('.')) + '.py').find((file) => files.includes(file));
  if (root !== undefined) {
    facts.urls.root = root;
    const route = healthRoutes.get(root);
    if (route !== undefined) facts.urls.healthPath = route;
  }
  facts.truncated ||= reader.truncated;
  return facts;
}

/** The route of a path()/re_path()/url() on a line that mentions health, as a site path ("/healthz"). */
function healthRoute(text: string): string | undefined {
  for (const line of text.split('\n')) {
    if (!/health/i.test(line)) continue;
    const route = /\b(?:re_path|path|url)\(\s*r?["']([^"']*)["']/.exec(line)?.[1];
    if (route === undefined) continue;
    const plain = route.replace(/^\^/, '').replace(/\$$/, '').replace(/\/\?$/, '/');
    // A pattern with regex parts or a converter is not one path; nor is anything but a plain path.
    if (!/^[\w./-]*$/.test(plain)) continue;
    return `/${plain}`;
  }
  return undefined;
}

function depth(file: string): number {
  return file.split(sep).length;
}

function isTestFile(file: string): boolean {
  const name = basename(file);
  return /^test_.*\.py$|_test\.py$|^tests\.py$/.test(name) || (basename(dirname(file)) === 'tests' && name.startsWith('test'));
}

function isRequirementsFile(file: string): boolean {
  const name = basename(file).toLowerCase();
  if (['pyproject.toml', 'pipfile', 'setup.py', 'setup.cfg'].includes(name)) return true;
  return (name.startsWith('requirements') && (name.endsWith('.txt') || name.endsWith('.in'))) || (basename(dirname(file)) === 'requirements' && name.endsWith('.txt'));
}

/** A package named in a requirements text; `prefix` also matches dj-stripe, paypalrestsdk, amadeus-python... */
function requires(text: string, pkg: string, prefix = false): boolean {
  const name = prefix ? `[\\w.-]*${pkg}[\\w.-]*` : pkg;
  return new RegExp(`(^|["'\\s,\\[])${name}(?=$|[\\s"'<>=~!;\\[,])`, 'm').test(text);
}

/** `import x` or `from x... import` at the start of a line; `prefix` also matches x_sdk, paypalrestsdk. */
function imports(text: string, module: string, prefix = false): boolean {
  const name = prefix ? `${module}\\w*` : module;
  return new RegExp(`^\\s*(?:from\\s+${name}(?:\\.\\w+)*\\s+import|import\\s+${name}\\b)`, 'im').test(text);
}

function note(evidence: Evidence, file: string): void {
  evidence.found = true;
  if (evidence.where.length < 3 && !evidence.where.includes(file)) evidence.where.push(file);
}

function notePayment(facts: ProjectFacts, provider: string, file: string): void {
  note(facts.payments, file);
  if (!facts.payments.providers.includes(provider)) facts.payments.providers.push(provider);
}

function noteGds(facts: ProjectFacts, system: string, file: string): void {
  note(facts.gds, file);
  if (!facts.gds.systems.includes(system)) facts.gds.systems.push(system);
}

async function findPytestConfig(files: string[], reader: BoundedReader): Promise<string | undefined> {
  const top = files.filter((file) => depth(file) <= 2);
  const ini = top.find((file) => basename(file) === 'pytest.ini');
  if (ini) return ini;
  const sections: [string, RegExp][] = [
    ['pyproject.toml', /^\[tool\.pytest/m],
    ['setup.cfg', /^\[tool:pytest\]/m],
    ['tox.ini', /^\[pytest\]/m],
  ];
  for (const [name, section] of sections) {
    for (const file of top.filter((entry) => basename(entry) === name)) {
      if (section.test((await reader.read(file)) ?? '')) return file;
    }
  }
  return files.find((file) => basename(file) === 'conftest.py');
}

/** Lists the repository breadth first, so a cap keeps the top of the tree. */
async function listFiles(root: string, limits: InspectLimits): Promise<{ files: string[]; truncated: boolean }> {
  const files: string[] = [];
  let queue: { path: string; depth: number }[] = [{ path: '', depth: 0 }];
  while (queue.length > 0) {
    const next: typeof queue = [];
    for (const folder of queue) {
      let entries: Dirent[];
      try {
        entries = await readdir(join(root, folder.path), { withFileTypes: true });
      } catch {
        continue;
      }
      entries.sort((a, b) => a.name.localeCompare(b.name));
      // A virtualenv under any name holds other people's code.
      if (folder.depth > 0 && entries.some((entry) => entry.name === 'pyvenv.cfg')) continue;
      for (const entry of entries) {
        const path = folder.path === '' ? entry.name : join(folder.path, entry.name);
        if (entry.isDirectory()) {
          if (!SKIP_DIRS.has(entry.name) && folder.depth < limits.maxDepth) next.push({ path, depth: folder.depth + 1 });
        } else if (entry.isFile()) {
          if (files.length >= limits.maxFilesListed) return { files, truncated: true };
          files.push(path);
        }
      }
    }
    queue = next;
  }
  return { files, truncated: false };
}

/** Reads at most maxFilesRead files, each up to maxBytesPerFile, each once. */
class BoundedReader {
  private readonly cache = new Map<string, string | undefined>();
  private readonly root: string;
  private readonly limits: InspectLimits;
  truncated = false;

  constructor(root: string, limits: InspectLimits) {
    this.root = root;
    this.limits = limits;
  }

  async read(file: string): Promise<string | undefined> {
    if (this.cache.has(file)) return this.cache.get(file);
    if (this.cache.size >= this.limits.maxFilesRead) {
      this.truncated = true;
      return undefined;
    }
    let text: string | undefined;
    try {
      const handle = await open(join(this.root, file), 'r');
      try {
        const buffer = Buffer.alloc(this.limits.maxBytesPerFile);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
        text = buffer.subarray(0, bytesRead).toString('utf8');
      } finally {
        await handle.close();
      }
    } catch {
      text = undefined;
    }
    this.cache.set(file, text);
    return text;
  }
}
