#!/usr/bin/env bash
# Monitoring without a platform: the Prometheus alert rules (promtool check and unit tests), and
# the status page for two fixture fleets (healthy; an offline site and an agent behind) rendered
# by the real renderer and loaded in headless Chromium: screenshots that are not blank, and the
# offline site's row first.
set -uo pipefail
source "$(dirname "$0")/../../scripts/env.sh"
source "$CMW_ROOT/tests/lib/tap.sh"
HERE="$CMW_ROOT/tests/monitoring"
# The pages and screenshots stay for a human to look at, until the next run replaces them.
rm -rf /var/tmp/cmw-monitoring-test.*
WORK=$(mktemp -d /var/tmp/cmw-monitoring-test.XXXXXX)
echo "# pages and screenshots in $WORK"

check "promtool check rules: alerts.yml is valid" promtool check rules "$CMW_ROOT/ops/monitoring/alerts.yml"
check "promtool test rules: every alert fires after its for: and clears" promtool test rules "$CMW_ROOT/ops/monitoring/alerts.test.yml"
check "every alert has a for:, a severity and a runbook section that exists" bash -c "
  alerts=\$(grep -c '^      - alert: ' '$CMW_ROOT/ops/monitoring/alerts.yml')
  [[ \$alerts -gt 0 && \$(grep -c '^        for: ' '$CMW_ROOT/ops/monitoring/alerts.yml') == \$alerts && \$(grep -c '^          severity: \(critical\|warning\)$' '$CMW_ROOT/ops/monitoring/alerts.yml') == \$alerts ]] || exit 1
  for a in \$(sed -n 's/^      - alert: //p' '$CMW_ROOT/ops/monitoring/alerts.yml'); do
    grep -q \"runbook.md#\${a,,}\\\"\" '$CMW_ROOT/ops/monitoring/alerts.yml' || { echo \"\$a: no runbook_url\"; exit 1; }
    grep -q \"^### \$a\$\" '$CMW_ROOT/docs/runbook.md' || { echo \"\$a: no section in docs/runbook.md\"; exit 1; }
  done"

# The renderer as npm run status compiles it.
check "the status CLI and its page renderer compile" bash -c "cd '$CMW_ROOT' && npx tsc -p tsconfig.cli.json"
shoot() { # shoot PAGE PNG: headless Chromium, a fresh profile, nothing fetched from anywhere
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$(mktemp -d "$WORK/profile.XXXXXX")" \
    --screenshot="$2" --window-size=1280,900 "file://$1" >"$2.log" 2>&1 && [[ -s $2 ]]
}
for fleet in healthy offline; do
  page="$WORK/$fleet.html"; png="$WORK/$fleet.png"
  check "$fleet fleet: the page renders" node "$HERE/render-page.js" "$HERE/fixtures/$fleet.json" "$page"
  check "$fleet fleet: no script and no external resource in the page" bash -c "! grep -qiE '<script|<[^>]*(src|href)=|url\\(' '$page'"
  check "$fleet fleet: Chromium takes its screenshot: $png" shoot "$page" "$png"
  # A blank page is one colour; text, tables and tags give hundreds.
  check "$fleet fleet: the screenshot is 1280x900 and not blank" bash -c "
    node '$HERE/png-check.js' '$png' | tee /dev/stderr | jq -e '.width == 1280 and .height == 900 and .colours > 50 and .commonestShare < 0.95'"
done
first_row() { grep -o 'data-facility="[^"]*"' "$1" | head -n1; }
check "healthy fleet: no problem list, every row healthy, no red on the screenshot" bash -c "
  ! grep -q '<h2>Problems</h2>' '$WORK/healthy.html' && ! grep -q '<tr class=\"bad\"' '$WORK/healthy.html' && ! node '$HERE/png-check.js' '$WORK/healthy.png' --has c62828 >/dev/null 2>&1"
check "offline fleet: the offline site's row comes first ($(first_row "$WORK/offline.html")), the agent behind next" bash -c "
  [[ \$(grep -o 'data-facility=\"[^\"]*\"' '$WORK/offline.html' | head -n2 | tr '\n' ' ') == 'data-facility=\"zombo-hc4\" data-facility=\"lira-rrh\" ' ]]"
check "offline fleet: the problem list comes before the table and names the offline site" bash -c "
  problems=\$(grep -n '<h2>Problems</h2>' '$WORK/offline.html' | cut -d: -f1); table=\$(grep -n '<table>' '$WORK/offline.html' | head -n1 | cut -d: -f1)
  [[ -n \$problems && \$problems -lt \$table ]] && grep -q '<li><bdi>zombo-hc4: host ssh://cmw@10.20.4.5 unreachable' '$WORK/offline.html'"
check "offline fleet: its hostile name arrives escaped, its bidi override shown, not obeyed" bash -c "
  grep -qF 'St. Mary&#39;s &lt;Zombo&gt; &amp; &quot;Hôpital&quot; [U+202E]evil[U+202C]' '$WORK/offline.html' && ! LC_ALL=C grep -qF \"\$(printf '\\342\\200\\256')\" '$WORK/offline.html'"
check "offline fleet: the red problem tag shows on the screenshot" node "$HERE/png-check.js" "$WORK/offline.png" --has c62828
rm -rf "$WORK"/profile.*  # Chromium's profiles; the pages and screenshots stay
echo "# screenshots: $WORK/healthy.png $WORK/offline.png"
tap_summary
