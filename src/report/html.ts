// The report as one self-contained HTML page (report.html): the whole checklist with
// filters (failed / pending / all), every item's evidence and inline SVG latency charts.
// No network and no external assets: inline CSS and JS only, and a Content-Security-Policy
// that forbids loading anything, so a hostile body in the evidence can neither run nor call out.
import { failedAssertions, type Evidence, type Outcome, type ResponseEvidence } from '../checks/result.ts';
import { allItems, type ItemReport, type Report, type SectionReport } from './model.ts';
import { isWarning, pendingByActor } from './attention.ts';
import { latencyOf, type Latency } from './charts.ts';
import { plainBlock, plainText, singleLine } from './escape.ts';
import { formatDuration } from '../manifest/units.ts';

export interface HtmlOptions {
  sha?: string;
  runUrl?: string;
}

const ICON: Record<Outcome, string> = { pass: '✅', fail: '❌', error: '⚠️', flaky: '🔁', skip: '⏭', pending: '⏳', signed: '✍️' };

/** Text for HTML: element content and attribute values alike. */
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string);
}

/** A title written with `code`: code spans become <code>, the rest is text. */
function titleHtml(text: string): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ');
  const out: string[] = [];
  let last = 0;
  for (const match of flat.matchAll(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g)) {
    out.push(esc(flat.slice(last, match.index)), `<code>${esc((match[2] as string).trim())}</code>`);
    last = match.index + match[0].length;
  }
  out.push(esc(flat.slice(last)));
  return out.join('');
}

/** Which filter shows an item: failed (fail, error), pending, or neither (only under "all"). */
function filterOf(item: ItemReport): 'failed' | 'pending' | 'other' {
  if (item.outcome === 'fail' || item.outcome === 'error') return 'failed';
  return item.outcome === 'pending' ? 'pending' : 'other';
}

export function renderHtml(report: Report, options: HtmlOptions = {}): string {
  const items = allItems(report);
  const failed = items.filter((item) => filterOf(item) === 'failed').length;
  const pending = items.filter((item) => item.outcome === 'pending').length;
  const verdict = report.verdict.ready ? '✅ Ready' : '❌ Not ready';
  const { counts } = report;
  const countParts = [`${counts.pass} passed`, `${counts.fail} failed`, `${counts.error} errors`, `${counts.flaky} flaky`, `${counts.skip} skipped`, `${counts.pending} pending`, `${counts.signed} signed`, `score ${report.verdict.score}%`];
  const actors = pendingByActor(report);
  const body = [
    `<header class="${report.verdict.ready ? 'ready' : 'blocked'}">`,
    `<h1>${verdict}</h1>`,
    `<p class="headline">${titleHtml(singleLine(report.verdict.headline, 1000))}</p>`,
    `<p class="counts">${esc(countParts.join(' · '))}${report.target.url ? ` · target <code>${esc(report.target.url)}</code>` : ''}</p>`,
    ...report.notices.map((notice) => `<p class="notice">⚠️ ${esc(singleLine(notice, 1000))}</p>`),
    actors.length > 0
      ? `<p class="actors">Who must act: ${actors.map((group) => `${esc(group.actor ?? 'no owner set')} (${group.items.length}${group.required ? `, ${group.required} required` : ''})`).join(' · ')}</p>`
      : '',
    '</header>',
    '<nav class="filters" aria-label="Filter the checklist">',
    `<button type="button" data-filter="failed"${failed > 0 ? ' aria-pressed="true"' : ''}>Failed (${failed})</button>`,
    `<button type="button" data-filter="pending">Pending (${pending})</button>`,
    `<button type="button" data-filter="all"${failed === 0 ? ' aria-pressed="true"' : ''}>All (${items.length})</button>`,
    '</nav>',
    '<main>',
    ...report.sections.map((section) => sectionHtml(section, 2)),
    '<p class="empty" hidden>Nothing to show under this filter.</p>',
    '</main>',
    `<footer>${esc(`${report.tool.name} ${report.tool.version}`)} · <code>${esc(report.manifest)}</code> · ${esc(formatDuration(report.durationMs))} · started ${esc(report.startedAt)}${options.sha ? ` · commit <code>${esc(options.sha.slice(0, 7))}</code>` : ''}${options.runUrl && /^https?:\/\//.test(options.runUrl) ? ` · <a href="${esc(options.runUrl)}">workflow run</a>` : ''}</footer>`,
  ].join('\n');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(`${report.verdict.ready ? 'Ready' : 'Not ready'} — ${plainText(singleLine(report.verdict.headline, 200))}`)}</title>
<style>${STYLE}</style>
</head>
<body data-filter="${failed > 0 ? 'failed' : 'all'}">
${body}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function sectionHtml(section: SectionReport, depth: number): string {
  const items = allItems({ sections: [section] });
  const passed = items.filter((item) => item.outcome === 'pass').length;
  const heading = `<h${Math.min(depth, 6)}>${titleHtml(section.title)} <small>${passed} of ${items.length} passed</small></h${Math.min(depth, 6)}>`;
  return ['<section>', heading, ...section.items.map(itemHtml), ...section.sections.map((child) => sectionHtml(child, depth + 1)), '</section>'].join('\n');
}

function itemHtml(item: ItemReport): string {
  const tags: string[] = [];
  if (item.blocks) tags.push('<span class="tag blocking">blocking</span>');
  else if (isWarning(item)) tags.push('<span class="tag warning">advisory</span>');
  if (item.owner) tags.push(`<span class="tag">owner: ${esc(item.owner)}</span>`);
  const icon = item.outcome === 'fail' && isWarning(item) ? '⚠️' : ICON[item.outcome];
  const open = filterOf(item) === 'failed' ? ' open' : '';
  const detail = [
    item.help ? `<p class="help">💡 ${titleHtml(item.help)}</p>` : '',
    `<p class="meta">${esc(item.kind)} · ${esc(formatDuration(item.durationMs))}${item.attempts > 1 ? ` · ${item.attempts} attempts` : ''} · <code>${esc(item.id)}</code> · manifest line ${item.line}</p>`,
    evidenceHtml(item.evidence),
  ].join('\n');
  return `<details class="item ${item.outcome}" data-show="${filterOf(item)}" id="item-${esc(item.id)}"${open}>
<summary><span class="icon">${icon}</span> <span class="title">${titleHtml(item.title)}</span> — <span class="summary">${esc(singleLine(item.summary, 500))}</span> ${tags.join(' ')}</summary>
${detail}
</details>`;
}

function evidenceHtml(evidence: Evidence): string {
  const parts: string[] = [];
  const latency = latencyOf(evidence);
  if (latency) parts.push(latencySvg(latency));
  if (evidence.request) parts.push(`<p><b>Request:</b> <code>${esc(singleLine(evidence.request, 2000))}</code></p>`);
  const failed = failedAssertions(evidence.assertions);
  if ((evidence.assertions ?? []).length > 0) {
    const rows = (evidence.assertions ?? []).map((assertion) => `<tr class="${assertion.ok ? 'ok' : 'bad'}"><td>${assertion.ok ? '✔' : '✘'}</td><td>${esc(assertion.subject)}</td><td><code>${esc(assertion.expected)}</code></td><td><code>${esc(assertion.actual)}</code></td></tr>`);
    parts.push(`<table class="assertions"><caption>${failed.length} of ${(evidence.assertions ?? []).length} assertions failed</caption><tr><th></th><th>subject</th><th>expected</th><th>got</th></tr>${rows.join('')}</table>`);
  }
  if (evidence.response) parts.push(responseHtml('Response', evidence.response));
  if (evidence.steps && evidence.steps.length > 0) {
    const steps = evidence.steps.map((step) => {
      const inner = [
        `${ICON[step.outcome]} <b>${esc(step.name)}</b> — ${esc(singleLine(step.summary, 500))}${step.durationMs === undefined ? '' : ` · ${esc(formatDuration(step.durationMs))}`}`,
        step.request ? `<br><code>${esc(singleLine(step.request, 2000))}</code>` : '',
        ...failedAssertions(step.assertions).map((assertion) => `<br>✘ ${esc(assertion.subject)}: expected <code>${esc(assertion.expected)}</code>, got <code>${esc(assertion.actual)}</code>`),
        step.response && (step.outcome === 'fail' || step.outcome === 'error') ? responseHtml('Response', step.response) : '',
      ];
      return `<li>${inner.join('')}</li>`;
    });
    parts.push(`<ol class="steps">${steps.join('')}</ol>`);
  }
  const facts = Object.entries(evidence.facts ?? {});
  if (facts.length > 0) parts.push(`<dl class="facts">${facts.map(([name, value]) => `<dt>${esc(name)}</dt><dd>${esc(String(value))}</dd>`).join('')}</dl>`);
  if (evidence.notes && evidence.notes.length > 0) parts.push(`<ul class="notes">${evidence.notes.map((note) => `<li>${esc(note)}</li>`).join('')}</ul>`);
  if (evidence.output) parts.push(`<p><b>Output:</b></p><pre>${esc(plainBlock(evidence.output))}</pre>`);
  return parts.join('\n');
}

function responseHtml(label: string, response: ResponseEvidence): string {
  const head = [`HTTP ${response.status}`, ...response.headers.map(([name, value]) => `${name}: ${value}`)].join('\n');
  return [
    `<p><b>${esc(label)}:</b> <code>${response.status}</code> · ${response.bodyBytes.toLocaleString('en-US')} bytes${response.truncated ? ', excerpt' : ''}</p>`,
    response.redirects && response.redirects.length > 0 ? `<ul class="redirects">${response.redirects.map((hop) => `<li>${esc(hop)}</li>`).join('')}</ul>` : '',
    `<pre class="headers">${esc(plainBlock(head))}</pre>`,
    response.body ? `<pre class="body">${esc(plainBlock(response.body))}</pre>` : '',
  ].join('\n');
}

/** The percentiles as an inline SVG bar chart, the asserted bound as a dashed line. */
export function latencySvg(latency: Latency): string {
  const width = 360;
  const height = 160;
  const left = 48;
  const bottom = 24;
  const top = Math.max(...latency.bars.map((bar) => bar.ms), latency.limitMs ?? 0) * 1.15 || 1;
  const plotHeight = height - bottom - 8;
  const slot = (width - left) / latency.bars.length;
  const y = (ms: number) => 8 + plotHeight - (ms / top) * plotHeight;
  const bars = latency.bars.map((bar, index) => {
    const x = left + index * slot + slot * 0.2;
    const barTop = y(bar.ms);
    return `<rect x="${x.toFixed(1)}" y="${barTop.toFixed(1)}" width="${(slot * 0.6).toFixed(1)}" height="${(8 + plotHeight - barTop).toFixed(1)}"><title>${esc(`${bar.stat} ${bar.ms}ms`)}</title></rect><text x="${(x + slot * 0.3).toFixed(1)}" y="${height - 8}" text-anchor="middle">${esc(bar.stat)}</text><text x="${(x + slot * 0.3).toFixed(1)}" y="${(barTop - 3).toFixed(1)}" text-anchor="middle" class="value">${esc(String(Math.round(bar.ms * 10) / 10))}</text>`;
  });
  const limit =
    latency.limitMs === undefined
      ? ''
      : `<line x1="${left}" x2="${width}" y1="${y(latency.limitMs).toFixed(1)}" y2="${y(latency.limitMs).toFixed(1)}" class="limit"/><text x="${width - 2}" y="${(y(latency.limitMs) - 3).toFixed(1)}" text-anchor="end" class="limit-label">${esc(`${latency.limitStat ?? ''} bound ${latency.limitMs}ms`)}</text>`;
  const axis = `<line x1="${left}" x2="${left}" y1="8" y2="${8 + plotHeight}" class="axis"/><line x1="${left}" x2="${width}" y1="${8 + plotHeight}" y2="${8 + plotHeight}" class="axis"/><text x="4" y="16">ms</text><text x="${left - 4}" y="${8 + plotHeight}" text-anchor="end">0</text>`;
  return `<svg class="latency" role="img" aria-label="latency percentiles in milliseconds" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${axis}${bars.join('')}${limit}</svg>`;
}

const STYLE = `
:root { color-scheme: light dark; --fail: #cf222e; --warn: #9a6700; --ok: #1a7f37; --muted: #6e7781; }
body { font: 14px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 16px; }
header.ready h1 { color: var(--ok); } header.blocked h1 { color: var(--fail); }
.headline { font-weight: 600; font-size: 16px; } .counts, .meta, footer, small { color: var(--muted); }
.notice { border-left: 4px solid var(--warn); padding-left: 8px; }
.filters { position: sticky; top: 0; background: Canvas; padding: 8px 0; display: flex; gap: 8px; }
.filters button { font: inherit; padding: 4px 12px; border: 1px solid var(--muted); border-radius: 16px; background: transparent; color: inherit; cursor: pointer; }
.filters button[aria-pressed="true"] { background: #0969da; color: #fff; border-color: #0969da; }
details.item { border: 1px solid #d0d7de; border-radius: 6px; margin: 4px 0; padding: 4px 8px; }
details.item.fail, details.item.error { border-left: 4px solid var(--fail); }
details.item > summary { cursor: pointer; }
.summary { color: var(--muted); }
.tag { font-size: 12px; border-radius: 10px; padding: 0 6px; border: 1px solid var(--muted); }
.tag.blocking { color: var(--fail); border-color: var(--fail); } .tag.warning { color: var(--warn); border-color: var(--warn); }
pre { background: rgba(127,127,127,.12); padding: 8px; overflow: auto; max-height: 24em; white-space: pre-wrap; word-break: break-all; }
table.assertions { border-collapse: collapse; } table.assertions td, table.assertions th { padding: 2px 8px; text-align: left; vertical-align: top; }
tr.bad { color: var(--fail); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0 12px; } dl.facts dd { margin: 0; }
svg.latency rect { fill: #0969da; } svg.latency text { font-size: 11px; fill: currentColor; }
svg.latency .axis { stroke: var(--muted); } svg.latency .limit { stroke: var(--fail); stroke-dasharray: 4 3; } svg.latency .limit-label { fill: var(--fail); }
body[data-filter="failed"] details.item:not([data-show="failed"]) { display: none; }
body[data-filter="pending"] details.item:not([data-show="pending"]) { display: none; }
section.hidden { display: none; }
`;

// The filters: a data attribute on <body> picks which items CSS shows; sections left
// without a visible item are hidden too.
const SCRIPT = `
(function () {
  var buttons = document.querySelectorAll('.filters button');
  function apply(filter) {
    document.body.setAttribute('data-filter', filter);
    buttons.forEach(function (button) { button.setAttribute('aria-pressed', String(button.getAttribute('data-filter') === filter)); });
    var sections = Array.prototype.slice.call(document.querySelectorAll('main section')).reverse();
    sections.forEach(function (section) {
      var visible = Array.prototype.some.call(section.querySelectorAll('details.item'), function (item) {
        return filter === 'all' || item.getAttribute('data-show') === filter;
      });
      section.classList.toggle('hidden', !visible);
    });
    document.querySelector('.empty').hidden = document.querySelector('main section:not(.hidden)') !== null;
  }
  buttons.forEach(function (button) {
    button.addEventListener('click', function () { apply(button.getAttribute('data-filter')); });
  });
  apply(document.body.getAttribute('data-filter'));
})();
`;
