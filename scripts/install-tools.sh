#!/usr/bin/env bash
# Installs the Go tools the Makefile uses, at pinned versions, into bin/ at the repository root,
# from the Go module proxy. Safe to run again: a tool already at its pinned version is kept.
set -euo pipefail

# staticcheck v0.8.2 is release 2026.2.2; it builds with Go 1.26.
STATICCHECK_VERSION=v0.8.2

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/bin"
mkdir -p "$bin"

if "$bin/staticcheck" -version 2>/dev/null | grep -qF "(${STATICCHECK_VERSION#v})"; then
	echo "staticcheck ${STATICCHECK_VERSION} already in bin/"
else
	echo "installing staticcheck ${STATICCHECK_VERSION} into bin/"
	# GOWORK=off: a tool's own go.mod decides its dependencies, not this workspace.
	GOWORK=off GOBIN="$bin" go install "honnef.co/go/tools/cmd/staticcheck@${STATICCHECK_VERSION}"
fi
"$bin/staticcheck" -version
