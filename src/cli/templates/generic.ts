// `readiness-gate init --template generic`: a short manifest for any web service.
import { SCHEMA_URL } from '../../manifest/schema-url.ts';

export const GENERIC_TEMPLATE = `# yaml-language-server: $schema=${SCHEMA_URL}
# readiness-gate manifest. Reference: https://github.com/readiness-gate/readiness-gate#manifest-reference
version: 1

target:
  # The staging URL. The action's staging-url input (or --url) overrides it.
  url: "{{ env.STAGING_URL }}"
  timeout: 10s
  # Wait until the deployment answers before checking anything.
  ready:
    request: GET /
    expect: { status: { lt: 500 } }
    timeout: 5m
    interval: 10s

defaults:
  severity: blocking
  # Transport errors and 502/503/504 are retried; a pass after a retry shows as flaky.
  retry: { attempts: 2, backoff: 2s }

sections:
  - title: Availability
    items:
      - title: Home page answers
        http:
          request: GET /
          expect: { status: 200, duration: { lt: 2s } }
      - title: Health check passed
        uses: health
        with: { path: /health }

  - title: Security
    items:
      - title: HTTP redirects to HTTPS
        uses: https-redirect
      - title: HSTS for at least a year
        uses: hsts
      - title: TLS certificate valid for 14 days or more
        uses: tls
      - title: X-Content-Type-Options nosniff
        uses: nosniff
      - title: Clickjacking protection (X-Frame-Options)
        uses: frame-options

  - title: Performance
    items:
      - title: Response time < 200ms (p95), error rate < 0.1%
        severity: advisory
        uses: performance-slo
        # Showing an error rate under 0.1% takes at least 3000 requests (the rule of three).
        with: { samples: 3000 }

  - title: Operations
    items:
      - title: Incident response plan in the repository
        severity: advisory
        file: { path: docs/runbooks/incident-response.md }
      - title: Rollback plan ready
        manual: { owner: release manager }
`;
