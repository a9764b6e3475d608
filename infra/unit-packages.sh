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
while IFS=$'\t' read -r dir pkg; do
  if grep -qE "$concurrent" "$dir"/*.go 2>/dev/null; then race+=("$pkg"); else plain+=("$pkg"); fi
done < <($GO list -f '{{.Dir}}{{"\t"}}{{.ImportPath}}' ./... | grep -vE $'\tattestation/internal/e2e(/portal)?$')

if [[ ${1:-} == list ]]; then
  echo "with -race: ${race[*]}"
  echo "without: ${plain[*]}"
  exit 0
fi

# infra/pkgtests builds each list's test binaries with go test -c into build/test and keeps them
# (a warm run links only what changed), and runs them two at a time, the slowest of the last run
# first, each benchmark once as a smoke test; see its comment for why not go test itself.
# -ldflags='-s -w' there: the test binaries are linked without a symbol table or DWARF, which only a
# debugger reads (a panic's trace and a race report name functions and lines from the binary's own
# tables): about a third of the CPU of linking them.
exec $GO run ./infra/pkgtests -race "${race[*]}" -plain "${plain[*]}"
