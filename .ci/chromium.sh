#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (playwright-core drives /usr/bin/chromium;
# Playwright's own browser download cannot work on these machines), and a CJK font so the
# Chinese UI renders in screenshots instead of empty boxes. Idempotent.
set -euo pipefail
have_font() { fc-list 2>/dev/null | grep -qi 'wqy\|noto sans cjk'; }
if [ -x /usr/bin/chromium ] && have_font; then
  echo "chromium.sh: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) and a CJK font already installed" >&2
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "chromium.sh: ERROR: run as root to apt-get install chromium" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]' || apt-get update -q >/tmp/chromium-apt.log 2>&1 </dev/null
apt-get install -y -q -o DPkg::Lock::Timeout=120 chromium fonts-wqy-microhei >>/tmp/chromium-apt.log 2>&1 </dev/null ||
  { tail -n 30 /tmp/chromium-apt.log >&2; echo "chromium.sh: ERROR: apt-get install chromium fonts-wqy-microhei failed" >&2; exit 1; }
echo "chromium.sh: installed $(/usr/bin/chromium --version 2>/dev/null) and fonts-wqy-microhei" >&2
