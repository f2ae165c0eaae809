#!/usr/bin/env bash
# Installs, from Debian packages, what the full test suite needs and a fresh machine lacks:
# a PostgreSQL server, headless Chromium, real syslog senders (logger, rsyslog with TLS and
# RELP), a CJK
# font (the browser's Chinese pages and the incident reports' PDFs embed it) and pdftotext
# (the PDF tests read the Chinese back out of the reports), and MinIO (an S3 server with
# Object Lock, for the vault's object-storage tests).
# Runs apt only when something is missing.
set -euo pipefail

need=()
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
[ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v logger >/dev/null 2>&1 || need+=(bsdutils)
command -v rsyslogd >/dev/null 2>&1 || need+=(rsyslog)
fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || need+=(fonts-wqy-microhei)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ -e /usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so ] || ls /usr/lib/*/rsyslog/lmnsd_gtls.so >/dev/null 2>&1 || need+=(rsyslog-gnutls)
ls /usr/lib/*/rsyslog/omrelp.so >/dev/null 2>&1 || need+=(rsyslog-relp)

if [ ${#need[@]} -gt 0 ]; then
  echo "installing test dependencies: ${need[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # The Debian package starts a system rsyslog; the tests run their own instances.
  if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now rsyslog >/dev/null 2>&1 || true; fi
fi

# MinIO is not packaged by Debian: it is built from source, a pinned version, once. It comes
# after the packages, which take seconds, so that a machine can run the other tests (and its
# browser) while MinIO builds for minutes.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
gobin="$(go env GOPATH)/bin"
if ! command -v minio >/dev/null 2>&1 && [ ! -x "$gobin/minio" ]; then
  echo "building MinIO $MINIO_VERSION into $gobin for the vault's object-storage tests (this takes several minutes, once)"
  GOFLAGS= go install "github.com/minio/minio@$MINIO_VERSION"
fi

