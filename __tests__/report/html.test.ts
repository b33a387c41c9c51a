// report.html opened in headless Chromium (Debian's): no console errors, nothing loaded
// from anywhere, the hostile evidence inert, the failing item visible, the filters working.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderHtml } from '../../src/report/html.ts';
import type { Report } from '../../src/report/model.ts';
import { fixtureReport, item, reportFrom } from './fixture.ts';
import { djangoReport } from './django-fixture.ts';
import { pendingByActor, type ActorGroup } from '../../src/report/attention.ts';

const CHROMIUM = '/usr/bin/chromium';
// Flags that keep Chromium quiet and offline on a CI machine.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'readiness-html-'));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
}

async function open(report: Report, name: string): Promise<Opened> {
  const file = join(dir, name);
  await writeFile(file, renderHtml(report, { sha: 'abc1234def', runUrl: 'https://github.com/acme/shop/actions/runs/42' }));
  const page = await browser.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(file).href);
  return { page, problems, requests };
}

describe('report.html in headless Chromium', () => {
  test('no console errors, no requests, hostile evidence inert; the failing item is visible first', async () => {
    const { page, problems, requests } = await open(fixtureReport(), 'fixture.html');
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(join(dir, 'fixture.html')).href]);
    // The hostile <script> and <img onerror> are text, not elements.
    expect(await page.locator('main script, main img').count()).toBe(0);
    expect(await page.locator('#item-ssl-redirect pre.body').textContent()).toContain('<script>alert(1)</script>');

    // Failed items are shown by default, open, with their evidence.
    await expect(page.locator('#item-ssl-redirect').isVisible()).resolves.toBe(true);
    expect(await page.locator('#item-ssl-redirect').getAttribute('open')).toBe('');
    expect(await page.locator('#item-ssl-redirect summary .title code').textContent()).toBe('SECURE_SSL_REDIRECT = True');
    expect(await page.locator('#item-ssl-redirect table.assertions tr.bad').count()).toBe(2);
    await expect(page.locator('#item-debug-off').isVisible()).resolves.toBe(false);
    await page.close();
  }, 60_000);

  test('the filters: failed, pending, all', async () => {
    const { page, problems } = await open(fixtureReport(), 'filters.html');
    const visible = async () => {
      const ids = await Promise.all((await page.locator('details.item:visible').all()).map((entry) => entry.getAttribute('id')));
      return ids.map((id) => (id ?? '').replace(/^item-/, ''));
    };
    expect(await visible()).toEqual(['ssl-redirect', 'frame-options', 'rate-limit', 'checkout', 'migrate-check']);
    await page.getByRole('button', { name: /^Pending/ }).click();
    expect(await visible()).toEqual(['rollback']);
    // Sections without a pending item are hidden with their headings.
    expect(await page.locator('main > section:visible h2').allTextContents()).toEqual(['Database 1 of 4 passed']);
    expect(await page.getByRole('button', { name: /^Pending/ }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: /^All/ }).click();
    expect(await visible()).toHaveLength(11);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  test('a ready report opens on all items, and load items carry an SVG chart', async () => {
    const report = djangoReport({ owners: true });
    const { page, problems } = await open(report, 'django.html');
    expect(problems).toEqual([]);
    expect(await page.locator('details.item:visible').count()).toBe(267);
    expect(await page.locator('svg.latency').count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('svg.latency rect').first().getAttribute('height')).not.toBe('0.0');
    const top = pendingByActor(report)[0] as ActorGroup;
    expect(await page.locator('header .actors').textContent()).toContain(`${top.actor as string} (${top.items.length})`);
    await page.close();
  }, 60_000);

  test('nothing pending: the pending filter says so', async () => {
    const report = reportFrom([{ title: 'Only', items: [item({ id: 'a', title: 'A', sections: ['Only'], outcome: 'fail' })], sections: [] }]);
    const { page, problems } = await open(report, 'empty.html');
    await page.getByRole('button', { name: /^Pending/ }).click();
    await expect(page.locator('.empty').isVisible()).resolves.toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
