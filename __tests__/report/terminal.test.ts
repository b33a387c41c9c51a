import { describe, expect, test } from '@jest/globals';
import { finishedLine, progressLine, renderLogGroups, renderTerminal, shouldUseColor } from '../../src/report/terminal.ts';
import { fixtureReport, hugeReport } from './fixture.ts';

// ESC, CSI and OSC introducers: any of them means the text drives the terminal.
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const ANSI = /\u001b|\u009b|\u009d/;
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const SGR = /\u001b\[[0-9;]*m/g;

describe('renderTerminal', () => {
  const plain = renderTerminal(fixtureReport(), { color: false });
  const lines = plain.split('\n');

  test('without colour there is no escape sequence at all, even from a hostile server', () => {
    expect(plain).not.toMatch(ANSI);
    expect(plain).not.toContain('\u0007');
    // The text around the stripped sequence is kept.
    expect(plain).toContain('        timeout after 10 s ]0;pwned[2J');
  });

  test('with colour it is the same text, styled', () => {
    const colored = renderTerminal(fixtureReport(), { color: true });
    expect(colored).toMatch(SGR);
    expect(colored).toContain('\u001b[31m✘\u001b[39m `SECURE_SSL_REDIRECT = True`');
    expect(colored.replace(SGR, '')).toBe(plain);
  });

  test('sections, then one line per item with its symbol', () => {
    expect(lines.slice(0, 3)).toEqual(['Security', '  Django Security Settings', '    ✔ `DEBUG = False` in production']);
    expect(lines).toContain('    ✘ `X_FRAME_OPTIONS = \'DENY\'` (advisory)');
    expect(lines).toContain('    ! API rate limiting enabled');
    expect(lines).toContain('    ~ CORS properly configured');
    expect(lines).toContain('Database');
    expect(lines).toContain('  ⏭ Backup restoration tested');
    // A pending sign-off is counted in its section, listed by owner after the checklist.
    expect(lines).toContain('  ⏳ 1 sign-off pending');
    expect(lines).not.toContain('  ⏳ Migration rollback plan documented');
    expect(renderTerminal(fixtureReport(), { color: false, verbose: true }).split('\n')).toContain('  ⏳ Migration rollback plan documented');
    expect(lines).toContain('  ✔ Off-site backup storage');
    expect(lines).toContain('  Smoke tests');
  });

  test('anything not passing has its summary and failed assertions indented below it', () => {
    const at = lines.indexOf('    ✘ `SECURE_SSL_REDIRECT = True`');
    expect(lines[at + 1]?.startsWith('        status: expected one of [301, 308], got 200 <script>')).toBe(true);
    // The first assertion is the summary already; the second follows, the passing one does not.
    expect(lines[at + 2]?.startsWith('        header location: expected starts with https://, got <script>')).toBe(true);
    expect(lines[at + 3]).toBe("    ✘ `X_FRAME_OPTIONS = 'DENY'` (advisory)");
    expect(plain).not.toContain('header server');
    expect(lines[lines.indexOf('  ⏭ Backup restoration tested') + 1]).toBe('      needs BACKUP_URL');
    expect(lines[lines.indexOf('    ~ CORS properly configured') + 1]).toBe('        flaky: passed after 2 attempts — passed on attempt 2');
    // Passing items have no detail line.
    expect(lines[lines.indexOf('  ✔ All migrations applied') + 1]).toBe('  ⏭ Backup restoration tested');
  });

  test('ends with the notices, the counts and the verdict', () => {
    expect(lines.slice(-4)).toEqual([
      '! staging answered 503 <script>alert(1)</script> @octocat ``` fence-breaker ``` </details> # owned | a | b [click](https://evil.example) *bold* `x`',
      '2 passed, 4 failed, 1 error, 1 flaky, 1 skipped, 1 pending, 1 signed · score 40% · 4.32s',
      '✘ Not ready: 3 blocking items failed',
      '',
    ]);
  });
});

describe('renderTerminal: the recap after the checklist', () => {
  const lines = renderTerminal(fixtureReport(), { color: false }).split('\n');

  test('pending sign-offs one line per owner, then what failed or was not checked, blocking first', () => {
    const start = lines.indexOf('Pending sign-offs');
    expect(start).toBeGreaterThan(lines.indexOf('  Smoke tests'));
    expect(lines.slice(start, start + 2)).toEqual(['Pending sign-offs', '  ⏳ @dba-team: 1']);
    const failed = lines.indexOf('Failed or not checked');
    expect(failed).toBeGreaterThan(start);
    const recap = lines.slice(failed + 1, failed + 6);
    expect(recap.map((line) => line.slice(0, line.indexOf(' — ')))).toEqual([
      '  ✘ blocking SECURE_SSL_REDIRECT = True',
      '  ! blocking API rate limiting enabled',
      '  ✘ blocking Checkout flow works',
      "  ✘ advisory X_FRAME_OPTIONS = 'DENY'",
      '  ✘ advisory No unapplied migrations',
    ]);
    expect(recap.every((line) => line.length <= 180)).toBe(true);
  });

  test('with many items the recap is still one line per failure', () => {
    const report = hugeReport(600, 10);
    const text = renderTerminal(report, { color: false });
    const recap = text.slice(text.indexOf('Failed or not checked'));
    expect(recap.split('\n').filter((line) => line.startsWith('  ✘ blocking'))).toHaveLength(150);
  });
});

describe('renderLogGroups: the checklist in the Actions log', () => {
  const log = renderLogGroups(fixtureReport());
  const lines = log.split('\n');

  test('one ::group:: per top-level section, its title saying how it went', () => {
    expect(lines.filter((line) => line.startsWith('::group::'))).toEqual([
      '::group::Security — 1 of 5 passed · 2 blocking · 1 warning',
      '::group::Database — 1 of 4 passed · 1 pending',
      '::group::Performance — 0 of 2 passed · 1 blocking · 1 warning',
    ]);
    expect(lines.filter((line) => line === '::endgroup::')).toHaveLength(3);
    expect(lines.slice(lines.indexOf('::group::Database — 1 of 4 passed · 1 pending'), lines.indexOf('::group::Database — 1 of 4 passed · 1 pending') + 7)).toEqual([
      '::group::Database — 1 of 4 passed · 1 pending',
      '✔ All migrations applied',
      '⏭ Backup restoration tested',
      '    needs BACKUP_URL',
      '✔ Off-site backup storage',
      '⏳ 1 sign-off pending',
      '::endgroup::',
    ]);
    expect(log).toContain('\nPending sign-offs\n  ⏳ @dba-team: 1');
    // The action logs the failures after its headline; the recap can say them too.
    expect(log).not.toContain('Failed or not checked');
    expect(renderLogGroups(fixtureReport(), { failures: true })).toContain('\nFailed or not checked\n  ✘ blocking SECURE_SSL_REDIRECT = True — ');
  });

  test('no line is a workflow command but the groups: text with "::" cannot start one', () => {
    const report = fixtureReport();
    const first = report.sections[0]?.sections[0];
    if (first) first.title = '::error::owned';
    const text = renderLogGroups(report);
    const commands = text.split('\n').filter((line) => /^\s*::/.test(line));
    expect(commands.every((line) => line.startsWith('::group::') || line === '::endgroup::')).toBe(true);
    expect(text).toContain(':\u200B:error:\u200B:owned');
    expect(text).not.toMatch(ANSI);
  });
});

describe('finishedLine', () => {
  test('one line per finished item, its outcome and why', () => {
    expect(finishedLine({ title: '`DEBUG = False`' }, { outcome: 'pass', summary: 'ok', durationMs: 120 }, 3, 267)).toBe('[  3/267] ✔ DEBUG = False (120ms)');
    expect(finishedLine({ title: 'HSTS' }, { outcome: 'fail', summary: 'header missing\n\u001b[2J', durationMs: 1500 }, 10, 12)).toBe('[10/12] ✘ HSTS — header missing [2J (1.5s)');
  });
});

describe('shouldUseColor', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };

  test('follows the stream when nothing is set', () => {
    expect(shouldUseColor(tty, {})).toBe(true);
    expect(shouldUseColor(pipe, {})).toBe(false);
    expect(shouldUseColor({}, {})).toBe(false);
  });

  test('NO_COLOR with any non-empty value turns colour off, even with FORCE_COLOR', () => {
    expect(shouldUseColor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(shouldUseColor(tty, { NO_COLOR: '0' })).toBe(false);
    expect(shouldUseColor(tty, { NO_COLOR: 'yes', FORCE_COLOR: '1' })).toBe(false);
    // no-color.org: an empty value does not count.
    expect(shouldUseColor(tty, { NO_COLOR: '' })).toBe(true);
  });

  test('FORCE_COLOR turns colour on without a terminal, unless it is 0 or false', () => {
    expect(shouldUseColor(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldUseColor(pipe, { FORCE_COLOR: '' })).toBe(true);
    expect(shouldUseColor(pipe, { FORCE_COLOR: '3' })).toBe(true);
    expect(shouldUseColor(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(shouldUseColor(tty, { FORCE_COLOR: 'false' })).toBe(false);
  });
});

describe('progressLine', () => {
  test('counts and the current item on one line without a newline', () => {
    expect(progressLine(3, 10, 'Strong SECRET_KEY')).toBe('[3/10] 30% Strong SECRET_KEY');
    expect(progressLine(0, 0)).toBe('[0/0] 100%');
  });

  test('stays short and free of control characters', () => {
    const line = progressLine(7, 40, `${'very long title '.repeat(20)}\n\u001b[2J`);
    expect(line.length).toBeLessThanOrEqual(72);
    // eslint-disable-next-line no-control-regex -- control characters are what this matches
    expect(line).not.toMatch(/[\r\n\u001b]/);
    expect(line.startsWith('[7/40] 17% very long title')).toBe(true);
  });
});
