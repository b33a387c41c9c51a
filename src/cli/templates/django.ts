// `readiness-gate init --template django`: the Production Ready Checklist of a Django
// travel-booking site (Galileo GDS, payments), shared/seed/production-ready-checklist.md, as a
// manifest. Every section, sub-section and item of the checklist is here, in its order and
// words; __tests__/cli/init.test.ts compares them line by line with a copy of the checklist.
import { SCHEMA_URL } from '../../manifest/schema-url.ts';

export const DJANGO_TEMPLATE = `# yaml-language-server: $schema=${SCHEMA_URL}
# readiness-gate manifest: our Production Ready Checklist (Django travel booking: Galileo GDS,
# payments). It has every section, sub-section and item of the checklist, with the same words
# and in the same order, so the pull-request comment reads like the document we know.
# Reference: https://github.com/readiness-gate/readiness-gate#manifest-reference
#
# The checklist's title ("Production Ready Checklist ✅") and tagline ("Complete checklist to
# ensure 100% production-ready deployment") are not items: the report has its own heading.
# Headings keep the checklist's words. The one change is that the leading "✅" is dropped:
# in this report ✅ means "passed", and a heading cannot promise that before the run. The
# other icons (🚀 📊 🔧 📝) stay.
#
# How an item is checked, strongest first:
#   uses, http, tls, load, flow   requests to staging (target.url below)
#   command                       a command in this repository (manage.py, the test suite)
#   sql, metrics                  the staging database, Prometheus and Alertmanager (read-only)
#   file                          a document in this repository (runbooks, policies)
#   manual                        a person signs it off; \`owner\` is the role that does
#
# Paths are conventions. Change them to match your project: /health/, /accounts/login/,
# /api/flights/, /api/bookings/, /payments/webhook/, /privacy/, docs/..., test_<kind>*.py.
#
# What the job needs:
#   env      STAGING_URL; DJANGO_PRODUCTION_SETTINGS, e.g. config.settings.production
#   secrets  SMOKE_PASSWORD (the staging-only user "smoke"); DJANGO_SECRET_KEY and
#            STAGING_DATABASE_URL (staging's values: postgres://app:…@host:5432/db?sslmode=verify-full,
#            the app's own role; the sql items only run read-only queries)
#   env      PROMETHEUS_URL and ALERTMANAGER_URL for the monitoring items. Prometheus jobs are
#            conventions: django (django-prometheus), postgres (postgres_exporter), celery,
#            blackbox (blackbox_exporter probing the public endpoints)
#   tools    Python with the requirements, bandit and pip-audit; flock; a database for the tests
# Commands that say "production settings" import DJANGO_PRODUCTION_SETTINGS. A command gets
# the job's ordinary variables (PATH, HOME, locale, CI, GITHUB_SHA, ...) and only what its
# \`env:\` gives it: the production-env map passes SECRET_KEY and DATABASE_URL; add what else
# the settings module reads. The tests get no DATABASE_URL unless you add it to their \`env:\`.
#
# Severity: blocking items decide the verdict; advisory items are reported but never block.
# These are blocking: the Security section (the checklist marks it CRITICAL), and whatever
# breaks a deploy (migrations, tests, health, smoke tests, TLS, static files).
# These are advisory: "(optional)", "(if using)" and "(if applicable)" items, documents,
# measurements from the CI runner, metrics and post-launch follow-ups.
# Manual items show as pending with their owner, and they do not block. Add \`required: true\`
# to make the verdict wait for a sign-off (for example the Sign-Off section on a release branch).
#
# Every checkbox line of the checklist is an item, including the ones that are not really gates,
# such as "Team notified". They are manual and advisory. Lines that are not checkboxes are left
# out, with a comment where they were: the signature lines, Quick Reference and the Status footer.
version: 1

target:
  # The staging URL. The action's staging-url input (or --url) overrides it.
  url: "{{ env.STAGING_URL }}"
  timeout: 10s
  # Wait until the deployment answers before checking anything. Each failed try is a log
  # line saying what staging answered and how long of the timeout has gone.
  ready:
    request: GET /health/
    expect: { status: 200 }
    # Short, so a first run is quick. Lengthen it (10m) when staging deploys right before the job.
    timeout: 90s
    interval: 5s
  # Uncomment when staging is deployed from the commit under test (a deployment_status run).
  # The run then waits until /health/ reports that commit, so it never checks the previous
  # release. /health/ must answer JSON like {"status": "ok", "database": "ok", "version": "<sha>"}.
  # version:
  #   request: GET /health/
  #   json: $.version
  #   equals: "{{ git.sha }}"

defaults:
  severity: blocking
  # Database and monitoring checks read these. Without the secret or variable they are skipped,
  # and each one says what to set.
  sql: { url: "{{ secrets.STAGING_DATABASE_URL }}" }
  metrics: { url: "{{ env.PROMETHEUS_URL }}", alertmanager: "{{ env.ALERTMANAGER_URL }}" }
  # Transport errors and 502/503/504 are retried; a pass after a retry shows as flaky.
  retry: { attempts: 2, backoff: 2s }

limits:
  # Tests and load measurements make this run longer than the default 10 minutes.
  concurrency: 16
  deadline: 45m

sections:
  - title: Security (CRITICAL)
    # From outside, against staging, wherever the setting shows on the wire. The rest is
    # checked with Django's own checks under production settings, or signed off.
    sections:
      - title: Django Security Settings
        items:
          - title: "\`DEBUG = False\` in production"
            help: A DEBUG page leaks settings, paths and code. Set DEBUG=False in the production settings.
            uses: django/debug-off
          - title: Strong \`SECRET_KEY\` (50+ characters, random)
            help: >-
              Django's deploy checks with production settings. security.W009 is the SECRET_KEY
              warning, so make a new key with get_random_secret_key(). Any other warning in the
              output fails this item too: fix it, or add it to SILENCED_SYSTEM_CHECKS with a comment.
            command:
              # Without --fail-level WARNING, \`check --deploy\` exits 0 even when it warns.
              run: python manage.py check --deploy --fail-level WARNING
              # Commands get only the environment given here (never the job's tokens). The other
              # "production settings" commands reuse this map (*production-env); add what else
              # your settings module reads.
              env: &production-env
                DJANGO_SETTINGS_MODULE: "{{ env.DJANGO_PRODUCTION_SETTINGS }}"
                SECRET_KEY: "{{ secrets.DJANGO_SECRET_KEY }}"
                DATABASE_URL: "{{ secrets.STAGING_DATABASE_URL }}"
          - title: "\`ALLOWED_HOSTS\` configured with actual domain"
            help: Staging answered a request for a host it does not serve. List the real domains, never '*'.
            uses: django/allowed-hosts
          - title: "\`SECURE_SSL_REDIRECT = True\`"
            uses: https-redirect
          - title: "\`SESSION_COOKIE_SECURE = True\`"
            # Django sets the session cookie at login, so the check logs in first.
            uses: secure-cookies
            with:
              paths: [/, /accounts/login/]
              login: { path: /accounts/login/, username: smoke, password: "{{ secrets.SMOKE_PASSWORD }}" }
          - title: "\`CSRF_COOKIE_SECURE = True\`"
            http:
              request: GET /accounts/login/
              expect:
                status: 200
                # The csrftoken cookie is meant to be readable by JavaScript, so httpOnly is not expected.
                cookies: { csrftoken: { secure: true, sameSite: Lax } }
          - title: "\`SECURE_HSTS_SECONDS = 31536000\`"
            uses: hsts
            with: { minMaxAge: 31536000 }
          - title: "\`SECURE_CONTENT_TYPE_NOSNIFF = True\`"
            uses: nosniff
            with: { paths: [/, /health/] }
          - title: "\`X_FRAME_OPTIONS = 'DENY'\`"
            uses: frame-options
            with: { paths: [/, /accounts/login/], require: DENY }
          - title: Strong password validators configured
            help: AUTH_PASSWORD_VALIDATORS accepted the password "password". Add Django's four validators.
            command:
              # Production settings. A common password must be refused, which ends in a ValidationError.
              run: python manage.py shell -c "from django.contrib.auth.password_validation import validate_password; validate_password('password')"
              env: *production-env
              expect: { exitCode: 1, output: { contains: ValidationError } }

      - title: Environment Variables
        # The values live in the production secret store, which the gate cannot read. Staging
        # is deployed the same way, so where a variable shows on the wire it is checked there.
        # The others are signed off.
        items:
          - title: Generate strong SECRET_KEY
            manual: { owner: operations lead, note: "A new key in the secret store, never one from development or this repository." }
          - title: Set DEBUG=False
            uses: django/debug-off
          - title: Configure ALLOWED_HOSTS
            uses: django/allowed-hosts
          - title: Set database credentials
            help: /health/ does not report a working database connection.
            uses: health
            with: { path: /health/, json: { "$.database": ok } }
          - title: Configure email settings
            manual: { owner: operations lead }
          - title: Set Galileo API credentials
            manual: { owner: operations lead }
          - title: Configure payment gateway keys
            manual: { owner: operations lead }
          - title: Set AWS credentials (if using S3)
            severity: advisory
            manual: { owner: operations lead }

      - title: Database Security
        items:
          - title: Use PostgreSQL in production (not SQLite)
            command:
              # Production settings. Prints the database vendor; nothing connects.
              run: python manage.py shell -c "from django.db import connection; print(connection.vendor)"
              env: *production-env
              expect: { output: { contains: postgresql } }
          - title: Strong database password
            manual: { owner: DBA }
          - title: Database user with limited permissions
            help: Connect Django with a role that is not a superuser, cannot create roles or databases, and owns only its schema.
            uses: postgres/least-privilege
          - title: Enable SSL for database connections
            help: Set sslmode=require (or verify-full) in DATABASES OPTIONS, or ?sslmode=require in DATABASE_URL.
            command:
              # Production settings.
              run: python manage.py shell -c "from django.db import connection; print(connection.settings_dict['OPTIONS'].get('sslmode'))"
              env: *production-env
              expect: { output: { matches: "require|verify-ca|verify-full" } }
          - title: Regular database backups configured
            help: Archive WAL continuously (archive_mode, pgBackRest or WAL-G) or use the provider's point-in-time recovery.
            uses: postgres/backups
          - title: Backup encryption enabled
            manual: { owner: DBA }

      - title: API Security
        items:
          - title: API rate limiting enabled
            # A burst from the runner proves little (real limits are per user or per day), and it
            # must never hit production. So the check reads the throttle settings instead.
            help: Set REST_FRAMEWORK DEFAULT_THROTTLE_CLASSES and DEFAULT_THROTTLE_RATES (or use django-ratelimit, and change this check).
            command:
              # Production settings.
              run: python manage.py shell -c "from rest_framework.settings import api_settings; print(api_settings.DEFAULT_THROTTLE_CLASSES)"
              env: *production-env
              expect: { output: { contains: Throttle } }
          - title: API authentication required
            uses: auth-required
            with: { paths: [/api/bookings/] }
          - title: API key rotation policy
            file: { path: docs/security/api-key-rotation.md }
          - title: CORS properly configured
            help: The API must not grant other origins access. Check CORS_ALLOWED_ORIGINS.
            uses: cors
            with: { paths: [/api/flights/, /api/bookings/] }
          - title: Input validation on all endpoints
            # One endpoint is sampled. The API tests cover the rest.
            http:
              request: GET /api/flights/?from=LHR
              expect:
                status: 400
                json: { "$.to": { exists: true } }
          - title: SQL injection prevention verified
            # Static analysis: no SQL built from strings (B608), and no extra() (B610) or RawSQL (B611).
            help: Use the ORM or query parameters, never string formatting, in raw(), extra() and cursor.execute().
            command:
              run: bandit -q -r . -t B608,B610,B611 -x ./.venv,./venv,./node_modules

  - title: Database
    # Commands in this repository, and the DBA's sign-off.
    sections:
      - title: Migration Status
        items:
          - title: All migrations created
            help: A model change has no migration. Run \`python manage.py makemigrations\` and commit the result.
            command:
              run: python manage.py makemigrations --check --dry-run
          - title: All migrations applied
            help: >-
              The staging database has migrations that have not been applied. The check needs the staging
              database to be reachable from the job. If it is not, report pending migrations in /health/ and
              check them there.
            command:
              # Production settings, connected to the staging database.
              run: python manage.py migrate --check
              env: *production-env
          - title: Migration rollback plan documented
            severity: advisory
            file: { path: docs/runbooks/migration-rollback.md }
          - title: Database indexes optimized
            severity: advisory
            help: Big tables read only by sequential scans want an index on the columns their queries filter by.
            sql:
              # Tables over 10,000 rows that are scanned sequentially and never through an index.
              query: >-
                select count(*) as tables, count(*) filter (where n_live_tup > 10000 and seq_scan > 100 and coalesce(idx_scan, 0) = 0) as unindexed
                from pg_stat_user_tables
              expect: { json: { "$[0].tables": { gt: 0 }, "$[0].unindexed": 0 } }
          - title: Foreign key constraints verified
            severity: advisory
            uses: postgres/foreign-keys

      - title: Data Integrity
        items:
          - title: Chart of accounts initialized
            manual: { owner: finance, note: "python manage.py initialize_accounts has run on production." }
          - title: Default system data loaded
            manual: { owner: backend lead }
          - title: Test data removed
            severity: advisory
            help: Delete the test accounts (and what they own) from the database before launch.
            sql:
              query: "select count(*) as n from auth_user where username ilike 'test%' or email ilike '%@example.com'"
              expect: { json: { "$[0].n": 0 } }
          - title: Demo data cleaned
            severity: advisory
            help: Delete the demo and sample accounts before launch.
            sql:
              query: "select count(*) as n from auth_user where username ilike 'demo%' or username ilike 'sample%'"
              expect: { json: { "$[0].n": 0 } }
          - title: Data validation rules active
            manual: { owner: backend lead }

      - title: Backup Strategy
        items:
          - title: Automated daily backups
            severity: advisory
            uses: postgres/backups
          - title: Backup retention policy (30 days)
            manual: { owner: DBA }
          - title: Backup restoration tested
            manual: { owner: DBA, note: "Restore last night's backup into a scratch database and run the smoke tests against it." }
          - title: Off-site backup storage
            manual: { owner: operations lead }
          - title: Backup monitoring alerts
            severity: advisory
            uses: prometheus/alert-rule
            with: { matches: "(?i)backup|wal|archiv" }

  - title: Performance
    # Settings are read with commands, static files are checked from outside, and query work is
    # signed off. All of it is advisory except collectstatic, because that one breaks a deploy.
    sections:
      - title: Database Optimization
        items:
          - title: Database indexes created
            severity: advisory
            uses: postgres/foreign-keys
            with: { requireIndexes: true }
          - title: Query optimization completed
            manual: { owner: backend lead }
          - title: Connection pooling configured
            manual: { owner: DBA, note: "CONN_MAX_AGE, PgBouncer, or the pool option of Django 5.1+." }
          - title: Slow query logging enabled
            severity: advisory
            uses: postgres/slow-query-log
          - title: Database statistics updated
            severity: advisory
            uses: postgres/statistics

      - title: Caching
        items:
          - title: Redis/Memcached configured
            severity: advisory
            command:
              # Production settings.
              run: python manage.py shell -c "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
              env: *production-env
              expect: { output: { matches: "[Rr]edis|[Mm]emcache" } }
          - title: Cache warming strategy
            manual: { owner: backend lead }
          - title: Cache invalidation rules
            manual: { owner: backend lead }
          - title: Session caching enabled
            severity: advisory
            command:
              # Production settings.
              run: python manage.py shell -c "from django.conf import settings; print(settings.SESSION_ENGINE)"
              env: *production-env
              expect: { output: { contains: cache } }
          - title: Static file caching
            severity: advisory
            # static-assets fetches the CSS and JS the home page links to. It checks their
            # compression and Cache-Control.
            uses: static-assets
            with: { page: / }

      - title: Static Files
        items:
          - title: Static files collected
            help: collectstatic fails with production settings. Its output names the missing or clashing file.
            command:
              # Production settings. A dry run finds every file without copying it.
              run: python manage.py collectstatic --noinput --dry-run
              env: *production-env
          - title: WhiteNoise configured
            severity: advisory
            # From outside, WhiteNoise is only a fingerprint, never a failure, so the check reads the settings.
            command:
              # Production settings.
              run: python manage.py shell -c "from django.conf import settings; print(settings.MIDDLEWARE)"
              env: *production-env
              expect: { output: { contains: whitenoise.middleware.WhiteNoiseMiddleware } }
          - title: Static file compression enabled
            severity: advisory
            uses: static-assets
            with: { page: / }
          - title: CDN configured (optional)
            severity: advisory
            manual: { owner: operations lead }
          - title: Browser caching headers set
            severity: advisory
            uses: static-assets
            with: { page: /, minMaxAge: 31536000 }

      - title: Code Optimization
        items:
          - title: N+1 query issues resolved
            manual: { owner: backend lead }
          - title: select_related/prefetch_related used
            manual: { owner: backend lead }
          - title: Lazy loading implemented
            manual: { owner: backend lead }
          - title: Unnecessary queries removed
            manual: { owner: backend lead }
          - title: Database connection pooling
            manual: { owner: DBA }

  - title: Monitoring & Logging
    # The logging setup is read from the production settings (advisory). Services outside the
    # app (Sentry, uptime, alerting) are signed off by operations.
    sections:
      - title: Logging Configuration
        # The three checks print the handler classes of LOGGING (only the class names, never the
        # settings). If you log to stdout for the platform to collect, change what they expect.
        items:
          - title: Production logging configured
            severity: advisory
            command:
              run: python manage.py shell -c "from django.conf import settings; print([h.get('class') for h in settings.LOGGING['handlers'].values()])"
              env: *production-env
              expect: { output: { contains: Handler } }
          - title: Error logging to file
            severity: advisory
            command:
              run: python manage.py shell -c "from django.conf import settings; print([h.get('class') for h in settings.LOGGING['handlers'].values()])"
              env: *production-env
              expect: { output: { contains: FileHandler } }
          - title: Log rotation enabled
            severity: advisory
            command:
              run: python manage.py shell -c "from django.conf import settings; print([h.get('class') for h in settings.LOGGING['handlers'].values()])"
              env: *production-env
              # WatchedFileHandler means that logrotate rotates the files.
              expect: { output: { matches: "RotatingFileHandler|WatchedFileHandler" } }
          - title: Log aggregation service (optional)
            severity: advisory
            manual: { owner: operations lead }
          - title: Log retention policy
            manual: { owner: operations lead }

      - title: Error Tracking
        items:
          - title: Sentry/error tracking configured
            manual: { owner: operations lead }
          - title: Error notifications enabled
            severity: advisory
            uses: alertmanager/receiver
            with: { labels: { severity: critical } }
          - title: Error grouping configured
            manual: { owner: backend lead }
          - title: Performance monitoring
            manual: { owner: operations lead }
          - title: User feedback collection
            manual: { owner: product owner }

      - title: Application Monitoring
        items:
          - title: Uptime monitoring
            severity: advisory
            uses: prometheus/target-up
            with: { job: django }
          - title: Performance monitoring
            severity: advisory
            metrics:
              # django-prometheus records the latency of every view.
              query: sum(rate(django_http_requests_latency_seconds_by_view_method_count[1h]))
              expect: { value: { gt: 0 } }
          - title: Database monitoring
            severity: advisory
            uses: prometheus/target-up
            with: { job: postgres }
          - title: API endpoint monitoring
            severity: advisory
            metrics:
              # blackbox_exporter probes the public endpoints; every probe must succeed.
              query: probe_success{job="blackbox"}
              expect: { value: 1 }
          - title: Celery task monitoring (if using)
            severity: advisory
            uses: prometheus/target-up
            with: { job: celery }

      - title: Alerts
        items:
          - title: Error rate alerts
            severity: advisory
            uses: prometheus/alert-rule
            with: { matches: "(?i)error.?rate|5xx|errors" }
          - title: Performance degradation alerts
            severity: advisory
            uses: prometheus/alert-rule
            with: { matches: "(?i)latency|slow|response.?time|degrad" }
          - title: Database connection alerts
            severity: advisory
            uses: prometheus/alert-rule
            with: { matches: "(?i)postgres|database|db.?conn" }
          - title: Disk space alerts
            severity: advisory
            uses: prometheus/alert-rule
            with: { matches: "(?i)disk|filesystem" }
          - title: Memory usage alerts
            severity: advisory
            uses: prometheus/alert-rule
            with: { matches: "(?i)memory|oom" }

  - title: Testing
    # The test suite, one run per kind of test. Each run uses the test_<kind>*.py files of every
    # app, so name your test modules that way, or change the patterns. A run that finds no tests
    # fails: "Ran 0 tests" is not a pass. The runs share Django's test database, so flock makes
    # them take turns. Integration and security behaviour is checked against staging wherever
    # it can be. Load measurements are advisory. They come from the CI runner, so its distance
    # to staging is part of every number, and staging is not production capacity.
    sections:
      - title: Unit Tests
        items:
          - title: Model tests passing
            command:
              run: flock /tmp/readiness-gate-tests.lock python manage.py test --noinput --pattern "test_models*.py"
              timeout: 30m
              expect: { output: { matches: "Ran [1-9][0-9]* tests? in" } }
          - title: View tests passing
            command:
              run: flock /tmp/readiness-gate-tests.lock python manage.py test --noinput --pattern "test_views*.py"
              timeout: 30m
              expect: { output: { matches: "Ran [1-9][0-9]* tests? in" } }
          - title: Form tests passing
            command:
              run: flock /tmp/readiness-gate-tests.lock python manage.py test --noinput --pattern "test_forms*.py"
              timeout: 30m
              expect: { output: { matches: "Ran [1-9][0-9]* tests? in" } }
          - title: Service layer tests passing
            command:
              run: flock /tmp/readiness-gate-tests.lock python manage.py test --noinput --pattern "test_services*.py"
              timeout: 30m
              expect: { output: { matches: "Ran [1-9][0-9]* tests? in" } }
          - title: Signal tests passing
            command:
              run: flock /tmp/readiness-gate-tests.lock python manage.py test --noinput --pattern "test_signals*.py"
              timeout: 30m
              expect: { output: { matches: "Ran [1-9][0-9]* tests? in" } }

      - title: Integration Tests
        items:
          - title: End-to-end booking flow
            # Against staging, as the smoke-test user: log in, book, read the booking back,
            # then always delete it. Use a flight that the staging GDS (or its test double) always offers.
            flow: &booking-flow
              steps:
                - name: The login page sets the CSRF cookie
                  request: GET /accounts/login/
                  expect: { status: 200 }
                - name: Log in
                  request:
                    method: POST
                    url: /accounts/login/
                    form:
                      username: smoke
                      password: "{{ secrets.SMOKE_PASSWORD }}"
                      csrfmiddlewaretoken: "{{ cookies.csrftoken }}"
                  expect:
                    status: { in: [200, 302] }
                    cookies: { sessionid: { exists: true } }
                - name: Book a flight
                  request:
                    method: POST
                    url: /api/bookings/
                    headers: { X-CSRFToken: "{{ cookies.csrftoken }}" }
                    json: { flight: BA117 }
                  expect: { status: 201 }
                  capture: { booking_id: { json: $.id } }
                - name: Read the booking back
                  request: GET /api/bookings/{{ booking_id }}/
                  expect:
                    status: 200
                    json: { "$.flight": BA117, "$.status": confirmed }
              finally:
                - name: Delete the test booking
                  request:
                    method: DELETE
                    url: /api/bookings/{{ booking_id }}/
                    headers: { X-CSRFToken: "{{ cookies.csrftoken }}" }
                  expect: { status: 204 }
          - title: Payment processing flow
            command:
              run: flock /tmp/readiness-gate-tests.lock python manage.py test --noinput --pattern "test_payment*.py"
              timeout: 30m
              expect: { output: { matches: "Ran [1-9][0-9]* tests? in" } }
          - title: Automated accounting flow
            command:
              run: flock /tmp/readiness-gate-tests.lock python manage.py test --noinput --pattern "test_accounting*.py"
              timeout: 30m
              expect: { output: { matches: "Ran [1-9][0-9]* tests? in" } }
          - title: Email notification flow
            command:
              run: flock /tmp/readiness-gate-tests.lock python manage.py test --noinput --pattern "test_email*.py"
              timeout: 30m
              expect: { output: { matches: "Ran [1-9][0-9]* tests? in" } }
          - title: API integration tests
            command:
              run: flock /tmp/readiness-gate-tests.lock python manage.py test --noinput --pattern "test_api*.py"
              timeout: 30m
              expect: { output: { matches: "Ran [1-9][0-9]* tests? in" } }

      - title: Security Tests
        items:
          - title: SQL injection tests
            # A lone quote is harmless, but it must not reach SQL. A 500 or a database error
            # means SQL built from strings. A full scan (ZAP, sqlmap) needs permission and is not a gate.
            # A 404 tests nothing and is reported as an error: probe an endpoint that exists.
            help: Point the request at an endpoint of yours that filters on a query parameter (here /api/flights/?from=).
            http:
              request: GET /api/flights/?from=LHR%27&to=JFK
              expect:
                status: { lt: 500 }
                body: { not: { matches: "syntax error|ProgrammingError|DatabaseError|unterminated quoted string" } }
          - title: XSS vulnerability tests
            # Templates escape by default. A Content-Security-Policy without 'unsafe-inline' is the
            # second line of defence. Finding real XSS needs a ZAP scan, so this item is advisory.
            severity: advisory
            help: Add django-csp (or SECURE_CSP on Django 6.0+), starting with "default-src 'self'".
            http:
              request: GET /
              expect:
                headers:
                  content-security-policy: { exists: true, notContains: unsafe-inline }
          - title: CSRF protection tests
            # A POST to the login form without a token must be refused with 403.
            uses: csrf-active
            with: { path: /accounts/login/ }
          - title: Authentication tests
            flow:
              steps:
                - request: GET /accounts/login/
                  expect: { status: 200 }
                - name: A wrong password is refused
                  request:
                    method: POST
                    url: /accounts/login/
                    form:
                      username: readiness-gate-no-such-user
                      password: not-the-password
                      csrfmiddlewaretoken: "{{ cookies.csrftoken }}"
                  expect:
                    status: 200
                    body: { contains: Please enter a correct }
                    cookies: { sessionid: { exists: false } }
          - title: Authorization tests
            command:
              run: flock /tmp/readiness-gate-tests.lock python manage.py test --noinput --pattern "test_permissions*.py"
              timeout: 30m
              expect: { output: { matches: "Ran [1-9][0-9]* tests? in" } }

      - title: Performance Tests
        items:
          - title: Load testing completed
            severity: advisory
            load:
              request: GET /
              samples: 500
              concurrency: 10
              expect:
                status: 200
                latency: { p95: { lt: 1s } }
                errorRate: { lt: 1% }
          - title: Stress testing completed
            # Finding the breaking point is not something to do from a gate.
            manual: { owner: operations lead }
          - title: Concurrent user testing
            manual: { owner: QA lead, note: "A k6 or Locust scenario with logged-in users booking at the same time." }
          - title: Database performance testing
            manual: { owner: DBA }
          - title: API response time testing
            # The flight search calls Galileo, so keep the sample count low.
            severity: advisory
            load:
              request: GET /api/flights/?from=LHR&to=JFK
              samples: 50
              concurrency: 2
              expect:
                status: 200
                latency: { p95: { lt: 500ms } }

  - title: Third-Party Integrations
    # Staging's own calls show whether a connection works. Credentials and contracts are signed off.
    sections:
      - title: Galileo GDS
        items:
          - title: Production credentials obtained
            manual: { owner: operations lead }
          - title: Connection tested
            # A flight search on staging goes through Galileo (its pre-production system).
            timeout: 30s
            http:
              request: GET /api/flights/?from=LHR&to=JFK
              expect:
                status: 200
                json: { "$.count": { gte: 1 } }
          - title: Error handling verified
            command:
              run: flock /tmp/readiness-gate-tests.lock python manage.py test --noinput --pattern "test_galileo*.py"
              timeout: 30m
              expect: { output: { matches: "Ran [1-9][0-9]* tests? in" } }
          - title: Timeout handling configured
            manual: { owner: backend lead }
          - title: Failover strategy implemented
            manual: { owner: technical lead }

      - title: Payment Gateway
        items:
          - title: Production credentials configured
            manual: { owner: operations lead }
          - title: Payment flow tested
            manual: { owner: QA lead, note: "A card payment from staging through the gateway's sandbox, with 3-D Secure." }
          - title: Refund flow tested
            manual: { owner: finance }
          - title: Webhook handling verified
            # An unsigned event must be refused by the webhook view itself, not by the CSRF
            # middleware: if CSRF refuses it, the gateway's real webhooks are refused too.
            help: Verify the gateway's signature in the webhook view, and mark the view csrf_exempt.
            http:
              request: { method: POST, url: /payments/webhook/, json: {} }
              expect:
                status: { in: [400, 401, 403] }
                body: { notContains: CSRF }
          - title: PCI compliance verified
            manual: { owner: security lead }

      - title: Email Service
        items:
          - title: SMTP configured
            command:
              # Production settings.
              run: python manage.py shell -c "from django.conf import settings; print(settings.EMAIL_BACKEND)"
              env: *production-env
              expect: { output: { matches: "smtp|anymail" } }
          - title: Email templates tested
            manual: { owner: QA lead }
          - title: Bounce handling configured
            manual: { owner: operations lead }
          - title: Unsubscribe handling
            manual: { owner: backend lead }
          - title: Email delivery monitoring
            severity: advisory
            uses: prometheus/alert-rule
            with: { matches: "(?i)e-?mail|smtp|bounce" }

      - title: SMS Service (if using)
        items:
          - title: SMS provider configured
            severity: advisory
            manual: { owner: operations lead }
          - title: SMS templates tested
            severity: advisory
            manual: { owner: QA lead }
          - title: Delivery confirmation
            severity: advisory
            manual: { owner: backend lead }
          - title: Cost monitoring
            severity: advisory
            manual: { owner: finance }
          - title: Rate limiting
            severity: advisory
            manual: { owner: backend lead }

  - title: Documentation
    # Documents in this repository: the check passes when the file exists. Advisory.
    sections:
      - title: Technical Documentation
        items:
          - title: API documentation
            severity: advisory
            file: { path: docs/api.md }
          - title: Database schema documented
            severity: advisory
            file: { path: docs/database-schema.md }
          - title: Architecture diagrams
            severity: advisory
            file: { path: docs/architecture.md }
          - title: Deployment guide
            severity: advisory
            file: { path: docs/deployment.md }
          - title: Troubleshooting guide
            severity: advisory
            file: { path: docs/troubleshooting.md }

      - title: User Documentation
        items:
          - title: User manual created
            severity: advisory
            file: { path: docs/user/user-manual.md }
          - title: Admin guide created
            severity: advisory
            file: { path: docs/user/admin-guide.md }
          - title: FAQ documented
            severity: advisory
            file: { path: docs/user/faq.md }
          - title: Video tutorials (optional)
            severity: advisory
            manual: { owner: product owner }
          - title: Help center setup
            manual: { owner: support lead }

      - title: Operations Documentation
        items:
          - title: Deployment procedures
            severity: advisory
            file: { path: docs/runbooks/deployment.md }
          - title: Backup/restore procedures
            severity: advisory
            file: { path: docs/runbooks/backup-restore.md }
          - title: Incident response plan
            severity: advisory
            file: { path: docs/runbooks/incident-response.md }
          - title: Escalation procedures
            severity: advisory
            file: { path: docs/runbooks/escalation.md }
          - title: Maintenance procedures
            severity: advisory
            file: { path: docs/runbooks/maintenance.md }

  - title: Deployment
    # What staging shows after a deploy: TLS, domain, static files, health, smoke tests.
    # The server side is signed off by operations.
    sections:
      - title: Server Configuration
        items:
          - title: Server hardened
            manual: { owner: operations lead }
          - title: Firewall configured
            manual: { owner: operations lead }
          - title: SSL certificate installed
            uses: tls
          - title: Domain configured
            http:
              request: { url: /, follow_redirects: true }
              expect: { status: 200 }
          - title: DNS records set
            manual: { owner: operations lead, note: "A/AAAA, www, and for email MX, SPF, DKIM and DMARC." }

      - title: Application Deployment
        items:
          - title: Code deployed to production
            manual: { owner: release manager, note: "Uncomment target.version to make every run wait for the deployed commit." }
          - title: Static files collected
            # The stylesheet that the home page links to is served. The link must be a path on
            # staging; a CDN's host would have to be written in this file to be allowed.
            help: The home page links a stylesheet that staging does not serve. Run collectstatic in the deploy.
            flow:
              steps:
                - request: GET /
                  expect: { status: 200 }
                  capture: { stylesheet: { regex: '<link[^>]+href="([^"]+\\.css)"' } }
                - request: GET {{ stylesheet }}
                  expect: { status: 200 }
          - title: Migrations applied
            command:
              # Production settings, connected to the staging database (as for "All migrations applied").
              run: python manage.py migrate --check
              env: *production-env
          - title: Services restarted
            manual: { owner: operations lead }
          - title: Health check passed
            uses: health
            with: { path: /health/ }

      - title: Post-Deployment
        items:
          - title: Smoke tests passed
            flow: &smoke-tests
              steps:
                - request: GET /
                  expect: { status: 200 }
                - request: GET /accounts/login/
                  expect: { status: 200 }
                - request: GET /api/flights/?from=LHR&to=JFK
                  expect: { status: 200 }
          - title: Critical flows verified
            # The same flow as "End-to-end booking flow" (a YAML alias).
            flow: *booking-flow
          - title: Monitoring active
            severity: advisory
            uses: prometheus/target-up
            with: { job: django }
          - title: Alerts configured
            severity: advisory
            uses: alertmanager/receiver
            with: { labels: { severity: critical } }
          - title: Team notified
            # A message, not a gate. It stays so the checklist is complete.
            severity: advisory
            manual: { owner: release manager }

  - title: Compliance & Legal
    # Public pages and TLS are checked on staging. Everything else is signed off by legal,
    # finance and security.
    sections:
      - title: Data Protection
        items:
          - title: GDPR compliance (if applicable)
            severity: advisory
            manual: { owner: legal }
          - title: Data encryption at rest
            manual: { owner: operations lead }
          - title: Data encryption in transit
            # TLS 1.2 or later only, with a valid chain.
            tls:
              expect: { chainValid: true, hostnameMatch: true, legacyProtocols: false }
          - title: Privacy policy published
            severity: advisory
            http:
              request: GET /privacy/
              expect: { status: 200 }
          - title: Terms of service published
            severity: advisory
            http:
              request: GET /terms/
              expect: { status: 200 }

      - title: Financial Compliance
        items:
          - title: PCI DSS compliance (if handling cards)
            severity: advisory
            manual: { owner: security lead }
          - title: Financial audit trail
            manual: { owner: finance }
          - title: Transaction logging
            manual: { owner: backend lead }
          - title: Refund policy documented
            severity: advisory
            http:
              request: GET /refund-policy/
              expect: { status: 200 }
          - title: Tax compliance verified
            manual: { owner: finance }

      - title: Industry Compliance
        items:
          - title: IATA compliance (if applicable)
            severity: advisory
            manual: { owner: legal }
          - title: Local travel regulations
            manual: { owner: legal }
          - title: Consumer protection laws
            manual: { owner: legal }
          - title: Accessibility standards
            manual: { owner: product owner, note: "WCAG 2.1 AA audit of search, booking and payment." }
          - title: Industry certifications
            manual: { owner: legal }

  - title: Business Continuity
    # The plans are documents in this repository (advisory). The infrastructure is signed off.
    sections:
      - title: Disaster Recovery
        items:
          - title: Disaster recovery plan documented
            severity: advisory
            file: { path: docs/runbooks/disaster-recovery.md }
          - title: Recovery time objective (RTO) defined
            severity: advisory
            file: { path: docs/runbooks/disaster-recovery.md, matches: "RTO|[Rr]ecovery time objective" }
          - title: Recovery point objective (RPO) defined
            severity: advisory
            file: { path: docs/runbooks/disaster-recovery.md, matches: "RPO|[Rr]ecovery point objective" }
          - title: DR testing completed
            manual: { owner: operations lead }
          - title: Failover procedures documented
            severity: advisory
            file: { path: docs/runbooks/failover.md }

      - title: High Availability
        items:
          - title: Load balancer configured
            manual: { owner: operations lead }
          - title: Multiple server instances
            manual: { owner: operations lead }
          - title: Database replication
            severity: advisory
            help: No streaming replica is attached (managed databases may hide pg_stat_replication; then sign it off).
            sql:
              query: select count(*) as replicas from pg_stat_replication
              expect: { json: { "$[0].replicas": { gte: 1 } } }
          - title: Session persistence
            manual: { owner: operations lead, note: "Sessions in the database or a shared cache, never in one instance's memory." }
          - title: Zero-downtime deployment
            manual: { owner: operations lead }

      - title: Backup & Recovery
        items:
          - title: Automated backups
            severity: advisory
            uses: postgres/backups
          - title: Backup verification
            manual: { owner: DBA }
          - title: Recovery testing
            manual: { owner: DBA }
          - title: Backup retention
            manual: { owner: DBA }
          - title: Off-site storage
            manual: { owner: operations lead }

  - title: Team Readiness
    # People and processes: signed off. Written procedures are documents in this repository.
    sections:
      - title: Training
        items:
          - title: Admin staff trained
            manual: { owner: business lead }
          - title: Support staff trained
            manual: { owner: support lead }
          - title: Technical staff trained
            manual: { owner: technical lead }
          - title: Training materials created
            severity: advisory
            file: { path: docs/training }
          - title: Knowledge base setup
            manual: { owner: support lead }

      - title: Support
        items:
          - title: Support ticketing system
            manual: { owner: support lead }
          - title: Support procedures documented
            severity: advisory
            file: { path: docs/support/procedures.md }
          - title: Escalation matrix defined
            severity: advisory
            file: { path: docs/support/escalation-matrix.md }
          - title: On-call rotation scheduled
            manual: { owner: operations lead }
          - title: Support hours defined
            manual: { owner: support lead }

      - title: Communication
        items:
          - title: Status page setup
            manual: { owner: operations lead }
          - title: Incident communication plan
            severity: advisory
            file: { path: docs/runbooks/incident-communication.md }
          - title: Customer notification system
            manual: { owner: support lead }
          - title: Internal communication channels
            manual: { owner: release manager }
          - title: Emergency contacts list
            # Names and phone numbers belong in the on-call tool, not in this repository.
            manual: { owner: operations lead }

  - title: Pre-Launch
    # The whole test suite, the performance targets, and the go/no-go sign-offs.
    sections:
      - title: Final Checks
        items:
          - title: All tests passing
            command:
              run: flock /tmp/readiness-gate-tests.lock python manage.py test --noinput
              timeout: 30m
              expect: { output: { matches: "Ran [1-9][0-9]* tests? in" } }
          - title: Security audit completed
            manual: { owner: security lead }
          - title: Performance benchmarks met
            # The checklist's targets: p95 under 200ms and errors under 0.1%, measured on staging.
            severity: advisory
            uses: performance-slo
            with: { path: /, p95: 200ms, errorRate: 0.1%, samples: 3000, concurrency: 6 }
          - title: Documentation complete
            manual: { owner: technical lead }
          - title: Team ready
            manual: { owner: release manager }

      - title: Soft Launch
        items:
          - title: Beta testing completed
            manual: { owner: product owner }
          - title: User feedback collected
            manual: { owner: product owner }
          - title: Issues resolved
            manual: { owner: technical lead }
          - title: Performance validated
            manual: { owner: operations lead }
          - title: Monitoring verified
            severity: advisory
            uses: prometheus/target-up
            with: { job: django }

      - title: Go-Live Preparation
        items:
          - title: Launch date set
            manual: { owner: business lead }
          - title: Rollback plan ready
            severity: advisory
            file: { path: docs/runbooks/rollback.md }
          - title: Team on standby
            manual: { owner: release manager }
          - title: Monitoring active
            severity: advisory
            uses: prometheus/target-up
            with: { job: django }
          - title: Communication ready
            manual: { owner: release manager }

  - title: 🚀 Launch Day
    # The run of the day. Whatever staging (or production, through --url) can show is checked
    # again: health, smoke tests, the booking flow. The rest is signed off as it happens.
    sections:
      - title: Pre-Launch (T-2 hours)
        items:
          - title: Final backup taken
            manual: { owner: DBA }
          - title: All systems green
            uses: health
            with: { path: /health/ }
          - title: Team assembled
            manual: { owner: release manager }
          - title: Monitoring active
            severity: advisory
            uses: prometheus/target-up
            with: { job: django }
          - title: Communication channels open
            manual: { owner: release manager }

      - title: Launch (T-0)
        items:
          - title: Deploy to production
            manual: { owner: release manager }
          - title: Verify deployment
            uses: health
            with: { path: /health/ }
          - title: Run smoke tests
            # The same flow as "Smoke tests passed" (a YAML alias).
            flow: *smoke-tests
          - title: Monitor for errors
            severity: advisory
            uses: prometheus/slo
            with: &error-rate-1h
              objective: error-rate
              window: 1h
              max: 1%
              requests: django_http_responses_total_by_status_total
              errors: django_http_responses_total_by_status_total{status=~"5.."}
          - title: Announce launch
            # A message, not a gate.
            severity: advisory
            manual: { owner: product owner }

      - title: Post-Launch (T+2 hours)
        items:
          - title: Monitor error rates
            severity: advisory
            uses: prometheus/slo
            # The same query as "Monitor for errors" at launch (a YAML alias).
            with: *error-rate-1h
          - title: Check performance metrics
            severity: advisory
            uses: prometheus/slo
            with: { objective: latency, window: 1h, histogram: django_http_requests_latency_seconds_by_view_method, max: 200ms }
          - title: Verify critical flows
            # The same flow as "End-to-end booking flow" (a YAML alias).
            flow: *booking-flow
          - title: Review logs
            manual: { owner: operations lead }
          - title: Team debrief
            # A meeting, not a gate.
            severity: advisory
            manual: { owner: release manager }

  - title: 📊 Success Metrics
    # Technical targets are measured on staging where a short run can show them. All of them are
    # advisory, because the real figures come from production monitoring. By the rule of three,
    # showing an error rate under 0.1% takes at least 3000 requests, and under 1% takes 300.
    # Business metrics are read from production and signed off.
    sections:
      - title: Technical Metrics
        items:
          - title: Uptime > 99.9%
            severity: advisory
            metrics:
              query: avg_over_time(up{job="django"}[30d])
              expect: { value: { gte: 0.999 } }
          - title: Response time < 200ms (p95)
            severity: advisory
            load:
              request: GET /
              samples: 200
              concurrency: 4
              expect:
                status: 200
                latency: { p95: { lt: 200ms } }
          - title: Error rate < 0.1%
            severity: advisory
            # The same requests and load as "Performance benchmarks met" (Sign-Off): one
            # measurement of 3000 samples serves both, each item judging it with its own bounds.
            # A sample is an error unless it answers 2xx.
            load:
              request: GET /
              samples: 3000
              concurrency: 6
              expect:
                errorRate: { lt: 0.1% }
          - title: Database query time < 50ms
            severity: advisory
            uses: prometheus/slo
            # django-prometheus times every query (p95 over a day).
            with: { objective: latency, window: 1d, histogram: django_db_query_duration_seconds, max: 50ms }
          - title: API success rate > 99%
            # The flight search calls Galileo. 300 requests is the fewest that can show under 1%.
            severity: advisory
            load:
              request: GET /api/flights/?from=LHR&to=JFK
              samples: 300
              concurrency: 2
              expect:
                status: 200
                errorRate: { lt: 1% }

      - title: Business Metrics
        items:
          - title: Booking success rate > 95%
            severity: advisory
            uses: prometheus/slo
            # A counter the booking service exports: bookings_total{outcome="confirmed"|"failed"}.
            with: { objective: availability, window: 7d, min: 95%, requests: bookings_total, errors: 'bookings_total{outcome="failed"}' }
          - title: Payment success rate > 98%
            severity: advisory
            uses: prometheus/slo
            # A counter the payment service exports: payments_total{outcome="succeeded"|"failed"}.
            with: { objective: availability, window: 7d, min: 98%, requests: payments_total, errors: 'payments_total{outcome="failed"}' }
          - title: Customer satisfaction > 4.5/5
            severity: advisory
            manual: { owner: support lead }
          - title: Support ticket resolution < 24h
            severity: advisory
            manual: { owner: support lead }
          - title: System availability > 99.9%
            severity: advisory
            uses: prometheus/slo
            with:
              objective: availability
              window: 30d
              min: 99.9%
              requests: django_http_responses_total_by_status_total
              errors: django_http_responses_total_by_status_total{status=~"5.."}

  - title: 🔧 Post-Launch
    # Follow-ups after the launch. They are reported, but they never block.
    sections:
      - title: Week 1
        items:
          - title: Daily monitoring reviews
            severity: advisory
            manual: { owner: operations lead }
          - title: Performance optimization
            severity: advisory
            manual: { owner: technical lead }
          - title: Bug fixes deployed
            severity: advisory
            manual: { owner: technical lead }
          - title: User feedback collected
            severity: advisory
            manual: { owner: product owner }
          - title: Team retrospective
            severity: advisory
            manual: { owner: release manager }

      - title: Month 1
        items:
          - title: Performance review
            severity: advisory
            manual: { owner: technical lead }
          - title: Security audit
            severity: advisory
            manual: { owner: security lead }
          - title: Capacity planning
            severity: advisory
            manual: { owner: operations lead }
          - title: Feature prioritization
            severity: advisory
            manual: { owner: product owner }
          - title: Documentation updates
            severity: advisory
            manual: { owner: technical lead }

      - title: Ongoing
        items:
          - title: Regular security updates
            # No dependency with a known vulnerability.
            severity: advisory
            command:
              run: pip-audit -r requirements.txt
          - title: Performance monitoring
            severity: advisory
            manual: { owner: operations lead }
          - title: Capacity planning
            severity: advisory
            manual: { owner: operations lead }
          - title: Feature development
            severity: advisory
            manual: { owner: product owner }
          - title: Continuous improvement
            severity: advisory
            manual: { owner: technical lead }

  - title: 📝 Sign-Off
    # Each lead signs off their four items. They do not block until you add \`required: true\`.
    sections:
      - title: Technical Lead
        items:
          - title: Code review completed
            manual: { owner: technical lead }
          - title: Security review passed
            manual: { owner: technical lead }
          - title: Performance validated
            manual: { owner: technical lead }
          - title: Documentation approved
            manual: { owner: technical lead }
          # Left out: "Signature: ___ Date: ___". A sign-off records who signed and when.
      - title: Operations Lead
        items:
          - title: Infrastructure ready
            manual: { owner: operations lead }
          - title: Monitoring configured
            manual: { owner: operations lead }
          - title: Backup verified
            manual: { owner: operations lead }
          - title: Procedures documented
            manual: { owner: operations lead }
          # Left out: "Signature: ___ Date: ___". A sign-off records who signed and when.
      - title: Business Lead
        items:
          - title: Requirements met
            manual: { owner: business lead }
          - title: Testing completed
            manual: { owner: business lead }
          - title: Training completed
            manual: { owner: business lead }
          - title: Launch approved
            manual: { owner: business lead }
          # Left out: "Signature: ___ Date: ___". A sign-off records who signed and when.

  # Left out: "🎯 Quick Reference". It is a crib sheet, not a checklist.
  # - Critical Commands: the ones that check something are used above:
  #     python manage.py collectstatic --noinput   dry run: "Static files collected" (Performance)
  #     python manage.py migrate                   with --check: "All migrations applied", "Migrations applied"
  #     python manage.py check --deploy            with --fail-level WARNING: "Strong \`SECRET_KEY\` ..."
  #     python manage.py test                      "All tests passing", and the Testing section
  #     python manage.py initialize_accounts       the note on "Chart of accounts initialized"
  #   python manage.py createsuperuser and python manage.py clear_cache are operations, not checks.
  # - Emergency Contacts (Technical Lead, Operations Lead, Business Lead, On-Call Engineer,
  #   Escalation): names and numbers belong in the on-call tool. "Emergency contacts list"
  #   (Team Readiness) is the item.
  # - Important URLs: Production is target.url (or the staging-url input). Admin, Status Page,
  #   Documentation and Monitoring are links for people, not checks.
#
# Left out: the footer ("Status", "Last Updated", "Next Review"). The report states the status
# on every run, and git history records when this file was changed.
`;
