// A staging server that echoes everything it is sent (query, path, headers) back in every
// encoding a real server might use, in the body, a header and a redirect, so that a test
// can see whether any of it reaches a report.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startServer, type RunningServer } from './servers.ts';

/** The forms an echoing server (or its framework) puts a value in. */
export function echoForms(value: string): string[] {
  const json = JSON.stringify(value);
  const html = value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c] as string);
  const middle = Math.floor(value.length / 2);
  return [
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    json,
    json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    html,
    value.replace(/[^A-Za-z0-9]/g, (c) => `&#${c.codePointAt(0)};`),
    Buffer.from(value).toString('base64'),
    Buffer.from(`user:${value}`).toString('base64'),
    Buffer.from(`ab${value}`).toString('base64url'),
    `${value.slice(0, middle)}\n${value.slice(middle)}`,
    `${value.slice(0, middle)}\r\n  ${value.slice(middle)}`,
  ];
}

/** Every value the request carried: query values, the path, header values. */
function received(req: IncomingMessage): string[] {
  const url = new URL(req.url ?? '/', 'http://staging');
  const values = [url.pathname + url.search, ...url.searchParams.values()];
  for (const [name, value] of Object.entries(req.headers)) if (name !== 'host' && typeof value === 'string') values.push(value);
  return values;
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://staging');
  const token = url.searchParams.get('token') ?? '';
  if (url.pathname === '/health') {
    res.end('ok');
    return;
  }
  if (url.pathname === '/redirect') {
    // The secret travels on in the Location, raw and in base64.
    res.writeHead(302, { location: `/landing?token=${encodeURIComponent(token)}&b=${Buffer.from(token).toString('base64url')}` });
    res.end();
    return;
  }
  const values = received(req);
  const format = url.searchParams.get('format');
  res.setHeader('x-echo', encodeURIComponent(token));
  if (format === 'json') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ token, received: values, forms: values.flatMap(echoForms) }));
    return;
  }
  res.setHeader('content-type', format === 'html' ? 'text/html' : 'text/plain');
  // The token straddles the places a report cuts text: 120 characters (a shown value) and
  // 2,000 (a body excerpt).
  const first = `${'y'.repeat(115)}${token}\n`;
  const pad = 'z'.repeat(Math.max(0, 1995 - first.length));
  res.end(`${first}${pad}${token}\n${values.flatMap(echoForms).join('\n')}\n`);
}

export function startHostileStaging(): Promise<RunningServer> {
  return startServer(handle);
}
