// What a `command` check inherits from the job, and which of the job's values are the
// runner's own credentials. A command (possibly a PR's code) gets the ordinary variables a
// program expects and the CI context; never a token: the runner's tokens would otherwise
// be one `env` away from the report and the public PR comment.

/** Variables passed through by exact name. */
const ORDINARY = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TMPDIR', 'TEMP', 'TMP', 'TZ', 'LANG', 'LANGUAGE', 'TERM', 'CI',
  // Toolchains set up earlier in the job (setup-python, virtualenvs, setup-java, setup-go).
  'VIRTUAL_ENV', 'pythonLocation', 'LD_LIBRARY_PATH', 'PKG_CONFIG_PATH', 'JAVA_HOME', 'GOROOT', 'GOPATH',
  'RUNNER_OS', 'RUNNER_ARCH', 'RUNNER_TEMP', 'RUNNER_TOOL_CACHE', 'RUNNER_ENVIRONMENT', 'RUNNER_DEBUG',
  // GitHub's context, none of it a credential (GITHUB_TOKEN, GITHUB_ENV and GITHUB_OUTPUT are not here:
  // a command neither authenticates as the job nor changes the job's environment or outputs).
  'GITHUB_ACTIONS', 'GITHUB_SHA', 'GITHUB_REF', 'GITHUB_REF_NAME', 'GITHUB_REF_TYPE', 'GITHUB_HEAD_REF', 'GITHUB_BASE_REF',
  'GITHUB_REPOSITORY', 'GITHUB_REPOSITORY_OWNER', 'GITHUB_REPOSITORY_ID', 'GITHUB_WORKSPACE', 'GITHUB_RUN_ID',
  'GITHUB_RUN_NUMBER', 'GITHUB_RUN_ATTEMPT', 'GITHUB_EVENT_NAME', 'GITHUB_ACTOR', 'GITHUB_TRIGGERING_ACTOR',
  'GITHUB_WORKFLOW', 'GITHUB_JOB', 'GITHUB_SERVER_URL', 'GITHUB_API_URL', 'GITHUB_GRAPHQL_URL',
]);
/** Locale: LC_ALL, LC_CTYPE, … */
const ORDINARY_PREFIX = /^LC_[A-Z]+$/;

/** The job's ordinary variables, for a command's environment; the manifest's `env:` is added on top. */
export function ordinaryEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && (ORDINARY.has(name) || ORDINARY_PREFIX.test(name))) kept[name] = value;
  }
  return kept;
}

/** Names of the runner's credentials, and of anything else in the job's environment that looks like one. */
const CREDENTIAL_NAMES = new Set(['GITHUB_TOKEN', 'ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'ACTIONS_CACHE_URL', 'ACTIONS_RESULTS_URL', 'ACTIONS_ID_TOKEN_REQUEST_URL']);
const CREDENTIAL_LIKE = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY|API_KEY|ACCESS_KEY/i;

/**
 * Values the run never prints: the runner's tokens, the github-token input and any variable
 * named like a credential. (Cache and results URLs can carry signed tokens in their query.)
 */
export function runnerCredentials(env: Readonly<Record<string, string | undefined>>): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    // Only the exact names for short values: `PASSWORD_RESET=true` must not redact every "true".
    if (CREDENTIAL_NAMES.has(name) || (CREDENTIAL_LIKE.test(name) && value.length >= 8)) values.push(value);
  }
  return values;
}
