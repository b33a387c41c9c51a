// Reports for the renderer tests: every outcome, nested sections, and evidence full of
// text a hostile staging server could send.
import type { Outcome } from '../../src/checks/result.ts';
import { REPORT_SCHEMA_VERSION, allItems, type Counts, type ItemReport, type Report, type SectionReport } from '../../src/report/model.ts';

/** Tries every way out of its place: HTML, a mention, a code fence, </details>, a heading, a table, a link. */
export const HOSTILE = '<script>alert(1)</script> @octocat ``` fence-breaker\n```\n</details>\n# owned | a | b [click](https://evil.example) *bold* `x`';

export function item(fields: Partial<ItemReport> & Pick<ItemReport, 'id' | 'title' | 'sections' | 'outcome'>): ItemReport {
  const severity = fields.severity ?? 'blocking';
  const failing = fields.outcome === 'fail' || fields.outcome === 'error';
  return {
    kind: 'http',
    severity,
    blocks: severity === 'blocking' && failing,
    summary: `${fields.outcome} summary of ${fields.id}`,
    evidence: {},
    durationMs: 120,
    attempts: 1,
    line: 1,
    column: 1,
    ...fields,
  };
}

/** A report around the given sections, with counts and verdict worked out from its items. */
export function reportFrom(sections: SectionReport[], notices: string[] = []): Report {
  const items = allItems({ sections });
  const counts: Counts = { total: items.length, pass: 0, fail: 0, error: 0, skip: 0, flaky: 0, pending: 0, signed: 0, waived: 0 };
  for (const entry of items) counts[entry.outcome]++;
  const blocking = items.filter((entry) => entry.blocks);
  const applicable = counts.total - counts.skip;
  const done = counts.pass + counts.flaky + counts.signed;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'readiness-gate', version: '0.1.0' },
    manifest: '.github/readiness.yml',
    target: { url: 'https://staging.example.com' },
    startedAt: '2025-01-02T03:04:05.000Z',
    durationMs: 4321,
    verdict: {
      ready: blocking.length === 0,
      state: blocking.length === 0 ? 'ready' : 'not-ready',
      awaiting: [],
      headline: blocking.length === 0 ? 'Ready: all checks passed' : `Not ready: ${blocking.length} blocking items failed`,
      score: applicable === 0 ? 0 : Math.floor((100 * done) / applicable),
      blocking: blocking.map((entry) => entry.id),
    },
    counts,
    notices,
    sections,
  };
}

const DJANGO = ['Security', 'Django Security Settings'];
const API = ['Security', 'API Security'];

/** Every outcome, blocking and advisory, sub-sections, a flow with steps, a command, and hostile text everywhere the server can reach. */
export function fixtureReport(): Report {
  const debugOff = item({ id: 'debug-off', title: '`DEBUG = False` in production', sections: DJANGO, outcome: 'pass', summary: 'no debug page' });
  const sslRedirect = item({
    id: 'ssl-redirect',
    title: '`SECURE_SSL_REDIRECT = True`',
    sections: DJANGO,
    outcome: 'fail',
    owner: '@platform-team',
    help: 'Set `SECURE_SSL_REDIRECT = True`.\nSee the Django deployment checklist.',
    summary: `status: expected one of [301, 308], got 200 ${HOSTILE}`,
    evidence: {
      request: 'GET http://staging.example.com/',
      assertions: [
        { subject: 'status', expected: 'one of [301, 308]', actual: '200', ok: false },
        { subject: 'header location', expected: 'starts with https://', actual: HOSTILE, ok: false },
        { subject: 'header server', expected: 'present', actual: 'nginx', ok: true },
      ],
      response: {
        status: 200,
        headers: [
          ['content-type', 'text/html; charset=utf-8'],
          ['x-hostile', HOSTILE],
        ],
        body: `<html>${HOSTILE}\n\`\`\`\`\`\`\`\`\n</html>`,
        bodyBytes: 4096,
        truncated: true,
        redirects: ['302 → http://staging.example.com/<img src=x onerror=alert(1)>'],
      },
      facts: { 'tls subject': 'CN=@octocat <b>' },
      notes: ['plain HTTP is not redirected @octocat'],
    },
  });
  const frameOptions = item({
    id: 'frame-options',
    title: "`X_FRAME_OPTIONS = 'DENY'`",
    sections: DJANGO,
    outcome: 'fail',
    severity: 'advisory',
    summary: 'header x-frame-options: expected DENY, got <none>',
  });
  const rateLimit = item({
    id: 'rate-limit',
    title: 'API rate limiting enabled',
    sections: API,
    outcome: 'error',
    summary: 'timeout after 10 s \u001b]0;pwned\u0007\u001b[2J',
    evidence: { request: 'GET https://staging.example.com/api/', notes: ['no response within 10 s'] },
  });
  const cors = item({ id: 'cors', title: 'CORS properly configured', sections: API, outcome: 'flaky', attempts: 2, summary: 'passed on attempt 2' });
  const migrations = item({ id: 'migrations', title: 'All migrations applied', sections: ['Database'], outcome: 'pass', kind: 'command' });
  const restore = item({ id: 'restore', title: 'Backup restoration tested', sections: ['Database'], outcome: 'skip', summary: 'needs BACKUP_URL' });
  const rollback = item({
    id: 'rollback',
    title: 'Migration rollback plan documented',
    sections: ['Database'],
    outcome: 'pending',
    kind: 'manual',
    owner: '@dba-team',
    summary: 'waiting for sign-off',
  });
  const offsite = item({ id: 'offsite', title: 'Off-site backup storage', sections: ['Database'], outcome: 'signed', kind: 'manual', summary: 'signed by @alice' });
  const checkout = item({
    id: 'checkout',
    title: 'Checkout flow works',
    sections: ['Performance', 'Smoke tests'],
    outcome: 'fail',
    kind: 'flow',
    summary: 'step "pay" failed: status: expected 200, got 500',
    evidence: {
      steps: [
        { name: 'login', outcome: 'pass', summary: 'logged in', durationMs: 80 },
        {
          name: 'pay',
          outcome: 'fail',
          summary: 'status: expected 200, got 500',
          request: 'POST https://staging.example.com/pay/',
          assertions: [{ subject: 'status', expected: '200', actual: '500', ok: false }],
          response: { status: 500, headers: [['content-type', 'application/json']], body: '{"error": "@octocat <script>"}', bodyBytes: 30, truncated: false },
        },
        { name: 'receipt', outcome: 'skip', summary: 'an earlier step failed' },
      ],
    },
  });
  const migrateCheck = item({
    id: 'migrate-check',
    title: 'No unapplied migrations',
    sections: ['Performance', 'Smoke tests'],
    outcome: 'fail',
    kind: 'command',
    severity: 'advisory',
    summary: 'exit code 1',
    evidence: { facts: { 'exit code': 1 }, output: `Running migrations…\n${HOSTILE}\n\u001b[31mred\u001b[0m` },
  });

  const sections: SectionReport[] = [
    {
      title: 'Security',
      items: [],
      sections: [
        { title: 'Django Security Settings', items: [debugOff, sslRedirect, frameOptions], sections: [] },
        { title: 'API Security', items: [rateLimit, cors], sections: [] },
      ],
    },
    { title: 'Database', items: [migrations, restore, rollback, offsite], sections: [] },
    { title: 'Performance', items: [], sections: [{ title: 'Smoke tests', items: [checkout, migrateCheck], sections: [] }] },
  ];
  return reportFrom(sections, [`staging answered 503 ${HOSTILE}`]);
}

/** `count` items over 20 sections, every fourth one failing with `evidenceSize` characters of hostile body. */
export function hugeReport(count: number, evidenceSize: number): Report {
  const sections: SectionReport[] = [];
  for (let s = 0; s < 20; s++) sections.push({ title: `Section ${s}`, items: [], sections: [{ title: `Sub-section ${s}`, items: [], sections: [] }] });
  for (let i = 0; i < count; i++) {
    const outcome: Outcome = i % 4 === 0 ? 'fail' : 'pass';
    const section = sections[i % 20] as SectionReport;
    const target = i % 2 === 0 ? section : (section.sections[0] as SectionReport);
    const body = `${HOSTILE}\n`.repeat(Math.ceil(evidenceSize / HOSTILE.length)).slice(0, evidenceSize);
    target.items.push(
      item({
        id: `item-${i}`,
        title: `Item number ${i} with a reasonably long title`,
        sections: target === section ? [section.title] : [section.title, target.title],
        outcome,
        summary: outcome === 'fail' ? `status: expected 200, got 500 ${HOSTILE}` : 'ok',
        evidence:
          outcome === 'fail'
            ? {
                request: `GET https://staging.example.com/${i}`,
                assertions: [{ subject: 'status', expected: '200', actual: '500', ok: false }],
                response: { status: 500, headers: [['content-type', 'text/html']], body, bodyBytes: body.length, truncated: true },
                output: body,
              }
            : {},
      }),
    );
  }
  return reportFrom(sections);
}

/** Checks that a markdown document closes everything it opens (code fences, <details>) and closes nothing it did not open. */
export function structureProblems(markdown: string): string[] {
  const problems: string[] = [];
  let fence: string | undefined;
  let openDetails = 0;
  markdown.split('\n').forEach((line, index) => {
    if (fence !== undefined) {
      if (line.startsWith(fence) && /^`+\s*$/.test(line)) fence = undefined;
      return;
    }
    const opening = /^(`{3,})/.exec(line);
    if (opening) {
      fence = opening[1];
      return;
    }
    // A tag inside a code span is text (it cannot start a line, where an HTML block would begin).
    const markup = withoutCodeSpans(line);
    openDetails += (markup.match(/<details>/g) ?? []).length;
    openDetails -= (markup.match(/<\/details>/g) ?? []).length;
    if (openDetails < 0) problems.push(`line ${index + 1}: </details> without <details>`);
  });
  if (fence !== undefined) problems.push('a code fence is never closed');
  if (openDetails > 0) problems.push(`${openDetails} <details> never closed`);
  return problems;
}

/**
 * The markdown a reader sees as markup, not as code: fenced blocks and code spans removed
 * (a backslash-escaped backtick does not open a span, as in CommonMark).
 */
export function textOutsideCode(markdown: string): string {
  const kept: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    if (fence !== undefined) {
      if (line.startsWith(fence) && /^`+\s*$/.test(line)) fence = undefined;
      continue;
    }
    const opening = /^(`{3,})/.exec(line);
    if (opening) {
      fence = opening[1];
      continue;
    }
    kept.push(withoutCodeSpans(line));
  }
  return kept.join('\n');
}

function withoutCodeSpans(line: string): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const char = line[i] as string;
    if (char === '\\') {
      out += line.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (char !== '`') {
      out += char;
      i++;
      continue;
    }
    const run = /^`+/.exec(line.slice(i))?.[0] ?? '`';
    // The span closes at the next run of exactly the same length.
    let close = -1;
    for (let j = i + run.length; j < line.length; ) {
      const next = /^`+/.exec(line.slice(j))?.[0];
      if (next === undefined) {
        j++;
        continue;
      }
      if (next.length === run.length) {
        close = j;
        break;
      }
      j += next.length;
    }
    if (close === -1) {
      out += run;
      i += run.length;
    } else {
      out += '<code/>';
      i = close + run.length;
    }
  }
  return out;
}
