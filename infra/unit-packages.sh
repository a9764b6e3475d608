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

# Each list's test binaries are built with go test -c into build/test/<list>/ and run from there,
# not by go test itself, which links every test binary again on every run (it keeps a passing
# package's result, never its binary; -count=1 asks for a new result). go test -c writes a binary
# only when its build ID (a hash of everything it is built from) differs from the one already there,
# so a warm run links only what changed: the 50-odd links were about 54 CPU-s of each make test.
# Packages of one name (internal/notify, internal/wiring/notify) would write one file: each goes to
# build/test/<list>/<n>/, n counting the packages of its name before it.
#
# -ldflags='-s -w': the test binaries are linked without a symbol table or DWARF, which only a
# debugger reads (a panic's trace and a race report name functions and lines from the binary's own
# tables): about a third of the CPU of linking them.
#
# The binaries run as go test runs them (in the package's directory, with -test.paniconexit0 and a
# timeout), two at a time (go test's -p on two cores), the longest of the last run first, each
# benchmark once (-test.benchtime=1x: a smoke test, its figures are not asserted). The output of a
# package is printed whole when it fails, else its benchmarks' lines and its "ok" line.
out=$PWD/build/test
mkdir -p "$out"
durations=$out/durations
touch "$durations"

# build LIST FLAGS... -- PKG...: go test -c the packages that have tests into $out/LIST/<n>/ and
# append "dir<TAB>binary<TAB>importpath" for each to $out/jobs.
build() {
  local list=$1; shift
  local flags=()
  while [[ $1 != -- ]]; do flags+=("$1"); shift; done
  shift
  [[ $# -gt 0 ]] || return 0
  local -A count=()
  local -a groups=()
  local dir pkg name n
  while IFS=$'\t' read -r dir pkg; do
    name=${pkg##*/}
    n=${count[$name]:-0}
    count[$name]=$((n + 1))
    groups[n]+=" $pkg"
    printf '%s\t%s\t%s\n' "$dir" "$out/$list/$n/$name.test" "$pkg" >> "$out/jobs"
  done < <($GO list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.Dir}}{{"\t"}}{{.ImportPath}}{{end}}' "$@")
  for n in "${!groups[@]}"; do
    # shellcheck disable=SC2086 # the group is a list of import paths
    $GO test -c "${flags[@]}" -ldflags='-s -w' -o "$out/$list/$n/" ${groups[n]} || return 1
  done
}

# runone DIR BINARY PKG: run one package's test binary and print its result.
runone() {
  local dir=$1 bin=$2 pkg=$3 log rc start secs
  log=$(mktemp)
  start=$(date +%s.%N)
  (cd "$dir" && exec "$bin" -test.paniconexit0 -test.count=1 -test.timeout=30m -test.bench=. -test.benchtime=1x) > "$log" 2>&1 && rc=0 || rc=$?
  secs=$(printf '%.3f' "$(echo "$(date +%s.%N) - $start" | bc)")
  {
    flock 9
    if [[ $rc -eq 0 ]]; then
      # What the binary printed besides its tests' passing (the benchmarks' lines, a suite's
      # summary), as go test prints it.
      grep -vE '^(PASS|goos: |goarch: |cpu: |pkg: )' "$log" || true
      printf 'ok  \t%s\t%ss\n' "$pkg" "$secs"
    else
      cat "$log"
      printf 'FAIL\t%s\t%ss\n' "$pkg" "$secs"
    fi
    printf '%s\t%s\n' "$secs" "$pkg" >> "$durations.new"
  } 9> "$out/lock"
  rm -f "$log"
  return $rc
}

rm -f "$out/jobs" "$durations.new"
touch "$durations.new"
rc=0
build race -race -- "${race[@]}" || rc=1
build plain -- "${plain[@]}" || rc=1
[[ $rc -eq 0 ]] || exit 1

# The jobs, the slowest of the last run first (a package new to it first of all).
mapfile -t jobs < <(awk -F'\t' 'FILENAME == ARGV[1] { t[$2] = $1; next } { print (($3 in t) ? t[$3] : 1e9) "\t" $0 }' "$durations" "$out/jobs" | sort -t$'\t' -k1,1gr | cut -f2-)
running=0
for job in "${jobs[@]}"; do
  if [[ $running -ge ${UNIT_JOBS:-$(nproc)} ]]; then
    wait -n || rc=1
    running=$((running - 1))
  fi
  IFS=$'\t' read -r dir bin pkg <<< "$job"
  runone "$dir" "$bin" "$pkg" &
  running=$((running + 1))
done
while [[ $running -gt 0 ]]; do
  wait -n || rc=1
  running=$((running - 1))
done
mv "$durations.new" "$durations"
exit $rc
