// The action's inputs (action.yml), read through a getter and validated once. Every
// problem is collected (input name, allowed values), so the run can still report them
// on the check it was asked to keep, instead of leaving that check missing.

export interface ActionInputs {
  manifest: string;
  stagingUrl?: string;
  githubToken?: string;
  /** A token that can read org team membership (policy.roles teams); default github-token. */
  policyToken?: string;
  checkName: string;
  comment: 'always' | 'on-failure' | 'never';
  failOn: 'blocking' | 'any' | 'never';
  reportDir: string;
  allowUntrustedCommands: boolean;
  prNumber?: number;
  /** Publish this report (file or directory) instead of running the checks: the fork recipe's second stage. */
  report?: string;
  sha?: string;
}

/** The inputs, with defaults where a value was wrong, and what was wrong. */
export function readInputs(get: (name: string) => string): { inputs: ActionInputs; problems: string[] } {
  const problems: string[] = [];
  const text = (name: string) => get(name).trim();
  const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = text(name) || fallback;
    if (allowed.includes(value as T)) return value as T;
    problems.push(`input ${name} must be one of ${allowed.join(', ')}; got "${value}"`);
    return fallback;
  };
  const bool = (name: string): boolean => {
    const value = text(name);
    if (value === '' || /^(false|no|0)$/i.test(value)) return false;
    if (/^(true|yes|1)$/i.test(value)) return true;
    problems.push(`input ${name} must be true or false; got "${value}"`);
    return false;
  };

  const inputs: ActionInputs = {
    manifest: text('manifest') || '.github/readiness.yml',
    checkName: text('check-name') || 'Production readiness',
    comment: choice('comment', ['always', 'on-failure', 'never'] as const, 'always'),
    failOn: choice('fail-on', ['blocking', 'any', 'never'] as const, 'blocking'),
    reportDir: text('report-dir') || 'readiness-report',
    allowUntrustedCommands: bool('allow-untrusted-commands'),
  };
  const optional = (name: string) => text(name) || undefined;
  const stagingUrl = optional('staging-url');
  if (stagingUrl) inputs.stagingUrl = stagingUrl;
  const token = optional('github-token');
  if (token) inputs.githubToken = token;
  const policyToken = optional('policy-token');
  if (policyToken) inputs.policyToken = policyToken;
  const report = optional('report');
  if (report) inputs.report = report;
  const sha = optional('sha');
  if (sha) inputs.sha = sha;
  const pr = optional('pr-number');
  if (pr && /^\d+$/.test(pr)) inputs.prNumber = Number(pr);
  else if (pr) problems.push(`input pr-number must be a pull request number; got "${pr}"`);
  return { inputs, problems };
}
