#!/usr/bin/env bash
# The packages' own tests for make test (every package but the end-to-end suite and the browser
# tests, which make test runs apart), each benchmark once as a smoke test:
#   - with the race detector, the packages whose own files (code or tests) start a goroutine or use
#     sync, sync/atomic, errgroup or t.Parallel: there the detector has something to find;
#   - without it, the others: no goroutine of theirs can race, and the detector made them up to
#     18 times slower (register: 25 s against 1.4 s). Like the end-to-end suite, the two suites that
#     run a local stack of their own (internal/e2e/enforce, internal/e2e/edsrequired) fall here.
# A package that gains a goroutine moves to the first list by itself.
#   infra/unit-packages.sh list   print both lists and run nothing
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}

concurrent='^\s*go (func|[A-Za-z_][A-Za-z0-9_.]*\()|"sync"|"sync/atomic"|errgroup|t\.Parallel\(\)'
race=() plain=()
while read -r dir pkg; do
  if grep -qE "$concurrent" "$dir"/*.go 2>/dev/null; then race+=("$pkg"); else plain+=("$pkg"); fi
done < <($GO list -f '{{.Dir}} {{.ImportPath}}' ./... | grep -vE ' attestation/internal/e2e(/portal)?$')

if [[ ${1:-} == list ]]; then
  echo "with -race: ${race[*]}"
  echo "without: ${plain[*]}"
  exit 0
fi

# -ldflags='-s -w': the test binaries are linked without a symbol table or DWARF, which only a
# debugger reads (a panic's trace and a race report name functions and lines from the binary's own
# tables): about a third of the CPU of linking 60 binaries, every run.
flags=(-count=1 -timeout 30m -bench . -benchtime=1x -ldflags='-s -w')
rc=0
$GO test -race "${flags[@]}" "${race[@]}" || rc=1
$GO test "${flags[@]}" "${plain[@]}" || rc=1
exit $rc
