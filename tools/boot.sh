#!/bin/bash
# boot.sh boots Starry-Go under QEMU: on a terminal, to an interactive
# shell (busybox sh under the repository's init; "exit" powers off with
# its status); without one, it runs the kernel self-test. Extra
# arguments go to "starry run" (e.g. --machine q35, --timeout 2m).
# It builds the CLI and execs it rather than using "go run", because
# go run turns every non-zero exit status into 1 and the guest's status
# must come through.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
go build -o build/starry ./tools/starry
if [ -t 0 ]; then
	exec build/starry run "$@"
fi
exec build/starry run --selftest "$@"
