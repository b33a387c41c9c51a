// Latency charts of load items and the score trend, as Mermaid xychart-beta blocks in
// the markdown: only measured numbers enter a chart, never text from the server.
import { describe, expect, test } from '@jest/globals';
import { latencyChart, latencyOf, scoreChart } from '../../src/report/charts.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { composeComment } from '../../src/report/comment.ts';
import type { Evidence } from '../../src/checks/result.ts';
import { djangoReport } from './django-fixture.ts';
import { HOSTILE, item, reportFrom, structureProblems } from './fixture.ts';

const MEASURED: Evidence = {
  request: 'GET https://staging.example.com/api/flights/',
  facts: { samples: 200, p50: 41.24, p90: 88, p95: 97.5, p99: 160.3, max: 212, mean: 52.1, errorRate: '0%' },
  assertions: [{ subject: 'latency p95', expected: '< 200ms', actual: '97.5ms', ok: true }],
};

describe('latency charts', () => {
  test('percentiles as bars and the asserted bound as a line', () => {
    const latency = latencyOf(MEASURED);
    expect(latency).toEqual({
      bars: [
        { stat: 'p50', ms: 41.24 },
        { stat: 'p90', ms: 88 },
        { stat: 'p95', ms: 97.5 },
        { stat: 'p99', ms: 160.3 },
        { stat: 'max', ms: 212 },
      ],
      limitMs: 200,
      limitStat: 'p95',
    });
    expect(latencyChart(latency as NonNullable<typeof latency>)).toBe(
      ['```mermaid', 'xychart-beta', '  x-axis [p50, p90, p95, p99, max]', '  y-axis "latency (ms)" 0 --> 250', '  bar [41.2, 88, 97.5, 160.3, 212]', '  line [200, 200, 200, 200, 200]', '```'].join('\n'),
    );
  });

  test('no chart without numbers: strings in facts are not plotted', () => {
    expect(latencyOf({ facts: { p50: HOSTILE, p95: '1e9' } })).toBeUndefined();
    expect(latencyOf({})).toBeUndefined();
  });

  test('a passing load item gets a folded chart, a failing one shows it open above its evidence', () => {
    const report = reportFrom([
      {
        title: 'Performance',
        items: [
          item({ id: 'fast', title: 'Search answers in `200ms`', sections: ['Performance'], outcome: 'pass', kind: 'load', evidence: MEASURED }),
          item({ id: 'slow', title: 'Checkout is fast', sections: ['Performance'], outcome: 'fail', kind: 'load', evidence: { ...MEASURED, assertions: [{ subject: 'latency p95', expected: '< 50ms', actual: '97.5ms', ok: false }] } }),
        ],
        sections: [],
      },
    ]);
    const text = renderMarkdown(report);
    expect(structureProblems(text)).toEqual([]);
    expect(text).toContain('## Latency\n\n<details><summary>📈 Search answers in <code>200ms</code> — p50 41.2ms · p90 88ms · p95 97.5ms · p99 160.3ms · max 212ms · line: p95 bound 200ms</summary>\n\n```mermaid\nxychart-beta\n');
    const slow = text.indexOf('**Checkout is fast**');
    const chart = text.indexOf('  line [50, 50, 50, 50, 50]');
    expect(chart).toBeGreaterThan(slow);
    expect(chart).toBeLessThan(text.indexOf('<details><summary>Evidence</summary>', slow));
  });

  test('the real checklist: its load items are charted and the comment still fits a few screens', () => {
    const report = djangoReport({ owners: true });
    const { body } = composeComment(report, { manifest: report.manifest, sha: 'abc1234' });
    expect(body.length).toBeLessThan(15_000);
    expect(body.split('```mermaid').length - 1).toBeGreaterThanOrEqual(5);
  });
});

describe('score trend', () => {
  test('a line over the last runs, labelled by commit; anything that is not hex is not a label', () => {
    expect(scoreChart([{ sha: 'abc1234', score: 40 }, { sha: 'x"]; evil', score: 55.55 }, { sha: 'def5678', score: 140 }])).toBe(
      ['```mermaid', 'xychart-beta', '  x-axis ["abc1234", "run2", "def5678"]', '  y-axis "score (%)" 0 --> 100', '  line [40, 55.6, 100]', '```'].join('\n'),
    );
  });
});
