// A failed command says why in its summary: the runner's verdict line and the last
// traceback's exception, not the last line printed ("Destroying test database…").
// Real child processes print real Django/unittest output.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCommandCheck } from '../../src/checks/command.ts';
import { HttpClient } from '../../src/http/client.ts';
import { checkContext } from '../../test-support/check-context.ts';

let workspace: string;
const http = new HttpClient({ perHost: 1 });

const TEST_ERRORS = `Creating test database for alias 'default'...
System check identified no issues (0 silenced).
EE
======================================================================
ERROR: test_create (bookings.tests.BookingTests.test_create)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/app/bookings/tests.py", line 12, in test_create
    Booking.objects.create(flight="BA117")
django.db.utils.ProgrammingError: relation "bookings_booking" does not exist

----------------------------------------------------------------------
Ran 21 tests in 0.412s

FAILED (errors=21)
Destroying test database for alias 'default'...
`;

const NO_TESTS = `Found 0 test(s).
Creating test database for alias 'default'...
System check identified no issues (0 silenced).

----------------------------------------------------------------------
Ran 0 tests in 0.000s

OK
Destroying test database for alias 'default'...
`;

const SETTINGS_CRASH = `Traceback (most recent call last):
  File "/app/manage.py", line 22, in <module>
    main()
  File "/usr/lib/python3/dist-packages/django/conf/__init__.py", line 71, in _setup
    raise ImproperlyConfigured(
django.core.exceptions.ImproperlyConfigured: Requested setting DEBUG, but settings are not configured.
`;

const DEPLOY_CHECK = `System check identified some issues:

WARNINGS:
?: (security.W009) Your SECRET_KEY has less than 50 characters, less than 5 unique characters, or it's prefixed with 'django-insecure-'.
?: (security.W018) You should not have DEBUG set to True in deployment.

System check identified 2 issues (0 silenced).
`;

beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'readiness-command-reasons-'));
  await Promise.all(
    Object.entries({ 'errors.txt': TEST_ERRORS, 'none.txt': NO_TESTS, 'crash.txt': SETTINGS_CRASH, 'deploy.txt': DEPLOY_CHECK }).map(([name, text]) => writeFile(path.join(workspace, name), text)),
  );
});
afterAll(async () => {
  await http.close();
  await rm(workspace, { recursive: true, force: true });
});

const context = () => checkContext({ http, workspace, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });

describe('command failure summaries', () => {
  test('unittest errors: the FAILED line and the exception, not "Destroying test database"', async () => {
    const result = await runCommandCheck({ run: 'cat errors.txt; exit 1' }, context());
    expect(result.summary).toBe('exit code: expected 0, got 1 — FAILED (errors=21) · django.db.utils.ProgrammingError: relation "bookings_booking" does not exist');
  });

  test('no tests ran: "Ran 0 tests", even though the run ended with OK', async () => {
    const result = await runCommandCheck({ run: 'cat none.txt', expect: { output: { matches: 'Ran [1-9][0-9]* tests? in' } } }, context());
    expect(result.outcome).toBe('fail');
    expect(result.summary).toMatch(/ — Ran 0 tests in 0\.000s$/);
  });

  test('a crash: the traceback\'s last line', async () => {
    const result = await runCommandCheck({ run: 'cat crash.txt >&2; exit 1' }, context());
    expect(result.summary).toBe('exit code: expected 0, got 1 — django.core.exceptions.ImproperlyConfigured: Requested setting DEBUG, but settings are not configured.');
  });

  test("Django's deploy checks: the first issue, not the count", async () => {
    const result = await runCommandCheck({ run: 'cat deploy.txt >&2; exit 1' }, context());
    expect(result.summary).toMatch(/^exit code: expected 0, got 1 — \?: \(security\.W009\) Your SECRET_KEY has less than 50 characters/);
  });

  test('a finished command leaves no timer behind (the output drain is cleared)', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    await runCommandCheck({ run: 'echo done' }, context());
    expect(timers()).toBe(before);
  });
});
