#!/bin/bash
# test.sh runs every check the project has: formatting, go vet, unit
# tests and the QEMU integration tests in tests/.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "test: these files need gofmt:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go vet ./...
go test -count=1 -timeout 60m ./...
