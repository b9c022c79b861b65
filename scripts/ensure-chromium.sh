#!/bin/sh
# Installs Debian's chromium for the end-to-end browser test (test/browser-login.test.ts), only
# when /usr/bin/chromium is missing. Needs root (CI runs as root); apt-get is the only source.
set -eu
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium
/usr/bin/chromium --version
