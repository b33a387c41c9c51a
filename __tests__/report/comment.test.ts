// The PR comment at every size: one item, the real checklist (the django template's 267
// items on a hardened staging) and 10,000 items. It leads with the verdict and who must
// act, fits a few screens at 267 items and never passes GitHub's 65,536 characters,
// because the hidden state is bounded (failing ids up to a budget, ten scores).
import { describe, expect, test } from '@jest/globals';
import { changesSince, COMMENT_LIMIT, COMMENT_TARGET, composeComment, HISTORY_RUNS, readState, STATE_IDS_BUDGET, type CommentState } from '../../src/report/comment.ts';
import { allItems, type SectionReport } from '../../src/report/model.ts';
import type { Outcome } from '../../src/checks/result.ts';
import { djangoReport } from './django-fixture.ts';
import { HOSTILE, item, reportFrom, structureProblems } from './fixture.ts';
import { pendingByActor, type ActorGroup } from '../../src/report/attention.ts';

const SHA = 'abc1234def5678abc1234def5678abc1234def56';
const RUN_URL = 'https://github.com/acme/shop/actions/runs/42';

function stateBlock(body: string): string {
  return /<!-- readiness-gate:state [^ ]* -->/.exec(body)?.[0] ?? '';
}

/** `count` items over 40 sections: mostly passing, a quarter manual (30 owners), one in 25 failing. */
function bigReport(count: number) {
  const sections: SectionReport[] = Array.from({ length: 40 }, (_, s) => ({ title: `Area ${s}`, items: [], sections: [] }));
  for (let i = 0; i < count; i++) {
    const section = sections[i % 40] as SectionReport;
    const outcome: Outcome = i % 25 === 0 ? 'fail' : i % 4 === 1 ? 'pending' : 'pass';
    section.items.push(
      item({
        id: `area-${i % 40}-check-number-${i}`,
        title: `Check number ${i} of the area`,
        sections: [section.title],
        outcome,
        kind: outcome === 'pending' ? 'manual' : 'http',
        ...(outcome === 'pending' ? { owner: `@team-${i % 30}` } : {}),
        summary: outcome === 'fail' ? `status: expected 200, got 500 ${HOSTILE}` : 'ok',
        evidence: outcome === 'fail' ? { request: `GET https://staging.example.com/${i}`, assertions: [{ subject: 'status', expected: '200', actual: '500', ok: false }] } : {},
      }),
    );
  }
  return reportFrom(sections);
}

describe('the comment at the size of the real checklist', () => {
  test('1 item: the verdict, the counts and the item', () => {
    const report = reportFrom([{ title: 'Only', items: [item({ id: 'a', title: 'Health answers', sections: ['Only'], outcome: 'pass' })], sections: [] }]);
    const { body } = composeComment(report, { manifest: report.manifest, sha: SHA });
    expect(body.length).toBeLessThan(1_000);
    expect(body).toContain('## ✅ Ready\n');
    expect(body).toContain('<details><summary>Only — 1 of 1 passed</summary>\n\n- [x] Health answers\n\n</details>');
  });

  test('267 items on a hardened staging: under 15,000 characters, who must act on top, every section folded', () => {
    const report = djangoReport({ owners: true });
    expect(allItems(report)).toHaveLength(267);
    const { body } = composeComment(report, { manifest: report.manifest, sha: SHA, runUrl: RUN_URL });
    expect(body.length).toBeLessThan(COMMENT_TARGET);
    expect(structureProblems(body)).toEqual([]);
    // Verdict, counts, then the people who must act, before anything else.
    const act = body.indexOf('### Who must act');
    expect(act).toBeGreaterThan(body.indexOf('score **'));
    expect(act).toBeLessThan(body.indexOf('## Checklist'));
    // The owner with the most pending items leads; owners past the tenth are summed on one line.
    const groups = pendingByActor(report);
    const top = groups[0] as ActorGroup;
    expect(body).toContain(`### Who must act\n\n- **${(top.actor as string).replace('@', '@\u200D')}** — ${top.items.length} sign-offs pending\n`);
    const rest = groups.slice(10);
    expect(body).toContain(`- ${rest.length} more owners — ${rest.reduce((sum, group) => sum + group.items.length, 0)} sign-offs pending\n`);
    // Every top-level section is one <details> whose summary says how it went.
    for (const section of report.sections) {
      const total = allItems({ sections: [section] }).length;
      expect(body).toMatch(new RegExp(`<details><summary>${section.title.replace(/[()&]/g, (c) => (c === '&' ? '&amp;' : `\\${c}`))} — \\d+ of ${total} passed`));
    }
    // Pending sign-offs are listed by owner; the hidden state is small.
    expect(body).toContain('## Pending sign-offs');
    expect(stateBlock(body).length).toBeLessThan(500);
  });

  test('267 items with failures: their evidence is shown and the comment still fits a few screens', () => {
    const report = djangoReport({ owners: true, failing: 3 });
    const { body } = composeComment(report, { manifest: report.manifest, sha: SHA, runUrl: RUN_URL });
    expect(body.length).toBeLessThan(COMMENT_TARGET);
    expect(body).toContain('## Needs attention (3)');
    expect(body.split('<details><summary>Evidence</summary>').length - 1).toBe(3);
    expect(body).toContain('**Request:** `GET https://staging.example.com/health/`');
  });

  test('10,000 items: under GitHub’s 65,536 characters, well-formed, with a bounded state', () => {
    const report = bigReport(10_000);
    const { body, state } = composeComment(report, { manifest: report.manifest, sha: SHA, runUrl: RUN_URL });
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(structureProblems(body)).toEqual([]);
    expect(body).toContain('### Who must act');
    expect(body).toContain('- 5 more owners — 732 sign-offs pending\n');
    // 400 failing ids do not fit the budget: the state keeps what fits and counts the rest.
    expect(stateBlock(body).length).toBeLessThan(Math.ceil((STATE_IDS_BUDGET + 500) * (4 / 3)));
    expect(state.bad.length + state.more).toBe(400);
    expect(state.more).toBeGreaterThan(0);
  });
});

describe('the hidden state', () => {
  const report = (failing: string[]) =>
    reportFrom([
      {
        title: 'S',
        items: ['a', 'b', 'c'].map((id) => item({ id, title: `Item ${id}`, sections: ['S'], outcome: failing.includes(id) ? 'fail' : 'pass' })),
        sections: [],
      },
    ]);

  test('round-trips through the comment and says what changed', () => {
    const first = composeComment(report(['a']), { manifest: 'm', sha: SHA });
    const previous = readState(first.body) as CommentState;
    expect(previous).toEqual(first.state);
    expect(previous.bad).toEqual(['a']);
    const next = report(['b']);
    const changes = changesSince(previous, next);
    expect(changes?.newlyFailing.map((entry) => entry.id)).toEqual(['b']);
    expect(changes?.fixed.map((entry) => entry.id)).toEqual(['a']);
    const second = composeComment(next, { manifest: 'm', sha: 'bbbbbbb000', previous });
    expect(second.body).toContain('**Since the last run:** ❌ newly failing: Item b · ✅ fixed: Item a');
  });

  test('keeps the score of the last ten runs and shows the trend', () => {
    let previous: CommentState | undefined;
    let body = '';
    for (let run = 0; run < 12; run++) {
      const composed = composeComment(report(run % 2 ? ['a'] : []), { manifest: 'm', sha: `${run}`.padStart(7, '0'), ...(previous ? { previous } : {}) });
      previous = readState(composed.body);
      body = composed.body;
    }
    expect(previous?.history).toHaveLength(HISTORY_RUNS);
    expect(previous?.history.map((point) => point.sha)).toEqual(['0000002', '0000003', '0000004', '0000005', '0000006', '0000007', '0000008', '0000009', '0000010', '0000011']);
    expect(body).toContain('**Score over the last runs:** 100% ✅ → 66% → 100% ✅');
    expect(body).toContain('```mermaid\nxychart-beta\n  x-axis ["0000002", "0000003", "0000004"');
  });

  test('a re-run of the same commit is a run too: staging may have changed', () => {
    const first = composeComment(report([]), { manifest: 'm', sha: SHA });
    const second = composeComment(report(['a']), { manifest: 'm', sha: SHA, previous: first.state });
    expect(second.state.history).toEqual([
      { sha: SHA.slice(0, 7), score: 100, ready: true },
      { sha: SHA.slice(0, 7), score: 66, ready: false },
    ]);
  });

  test('past the budget, nothing is called new, because it may have failed before', () => {
    const previous: CommentState = { sha: SHA, digest: 'x', bad: ['a'], more: 5, history: [] };
    const changes = changesSince(previous, report(['a', 'b']));
    expect(changes).toMatchObject({ newlyFailing: [], incomplete: true });
    expect(composeComment(report(['a', 'b']), { manifest: 'm', sha: SHA, previous }).body).toContain('the previous run failed too many items to say which failures are new');
  });

  test('reads the state of comments written before it was bounded', () => {
    const old = Buffer.from(JSON.stringify({ sha: SHA, digest: 'd', outcomes: { a: 'fail', b: 'pass', c: 'error' } })).toString('base64');
    expect(readState(`<!-- readiness-gate:state ${old} -->`)).toEqual({ sha: SHA, digest: 'd', bad: ['a', 'c'], more: 0, history: [] });
    expect(readState('<!-- readiness-gate:state not base64 json -->')).toBeUndefined();
  });
});
