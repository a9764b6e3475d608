#!/usr/bin/env bash
# The tools the project needs, each checked and, when missing, named with what to install on
# Debian/Ubuntu and on macOS. Called by the Makefile:
#   infra/prereq.sh run    what `make run` needs: Go (the version go.mod names), python3 with moto 5.2.1
#   infra/prereq.sh test   what `make test` needs besides: cfn-lint, Node and npm, chromium-headless-shell or chromium, poppler-utils
# It ends with one line, "all prerequisites present", or exits 1 after naming every missing tool.
set -uo pipefail
cd "$(dirname "$0")/.."

scope=${1:-test}
case $scope in run | test) ;; *) echo "usage: $0 run|test" >&2; exit 2 ;; esac

missing=0
ok() { printf '  ok       %-14s %s\n' "$1" "$2"; }
miss() { # NAME FOUND DEBIAN MACOS
  missing=$((missing + 1))
  printf '  MISSING  %-14s %s\n' "$1" "$2"
  printf '           Debian/Ubuntu: %s\n' "$3"
  printf '           macOS:         %s\n' "$4"
}
# at_least HAVE WANT: whether dotted version HAVE >= WANT
at_least() {
  awk -v have="$1" -v want="$2" 'BEGIN {
    n = split(have, h, "."); m = split(want, w, ".")
    for (i = 1; i <= (n > m ? n : m); i++) { if (h[i] + 0 > w[i] + 0) exit 0; if (h[i] + 0 < w[i] + 0) exit 1 }
    exit 0 }'
}

# Go: at least the version go.mod names (GOTOOLCHAIN=local: the installed one, not a download).
want_go=$(awk '$1 == "go" { print $2; exit }' go.mod)
go_hint_deb="the official tarball from https://go.dev/dl (Go $want_go or later; the distribution's golang package is older)"
go_hint_mac="brew install go   (or the installer from https://go.dev/dl; Go $want_go or later)"
if ! command -v "${GO:-go}" >/dev/null; then
  miss go "not on PATH" "$go_hint_deb" "$go_hint_mac"
else
  have_go=$(GOTOOLCHAIN=local "${GO:-go}" env GOVERSION 2>/dev/null | sed 's/^go//')
  if at_least "${have_go:-0}" "$want_go"; then ok go "$have_go (go.mod: $want_go)"; else
    miss go "$have_go found, go.mod needs $want_go" "$go_hint_deb" "$go_hint_mac"
  fi
fi

# Python 3 with exactly moto 5.2.1 and its server extras (the launcher patches that version).
pip_hint="python3 -m pip install 'moto[server]==5.2.1' cfn-lint   (where pip refuses the system Python: python3 -m venv ~/.venv/attestation && . ~/.venv/attestation/bin/activate, then the same)"
if ! command -v python3 >/dev/null; then
  miss python3 "not on PATH" "sudo apt-get install python3 python3-venv python3-pip" "brew install python"
else
  ok python3 "$(python3 --version 2>&1 | cut -d' ' -f2) ($(command -v python3))"
  moto=$(python3 -c 'import moto; print(moto.__version__)' 2>/dev/null)
  if [ -z "$moto" ]; then
    miss moto "not installed for $(command -v python3)" "$pip_hint" "$pip_hint"
  elif [ "$moto" != 5.2.1 ]; then
    miss moto "$moto found, the local stack needs exactly 5.2.1" "$pip_hint" "$pip_hint"
  elif ! python3 -c 'import flask, flask_cors' 2>/dev/null; then
    miss moto "5.2.1 without its server extras (flask, flask-cors)" "$pip_hint" "$pip_hint"
  else
    ok moto "$moto"
  fi
fi

if [ "$scope" = test ]; then
  if command -v cfn-lint >/dev/null; then ok cfn-lint "$(cfn-lint --version 2>&1 | awk '{ print $NF }')"; else
    miss cfn-lint "not on PATH" "python3 -m pip install cfn-lint   (in the venv above, if you made one)" "brew install cfn-lint   (or python3 -m pip install cfn-lint)"
  fi

  # Node 20 or later with npm: make lint-asl installs the pinned asl-validator from infra/package-lock.json.
  node_hint_deb="sudo apt-get install nodejs npm   (Node 20 or later: Debian 13, Ubuntu 24.04; older releases: https://nodejs.org)"
  node_hint_mac="brew install node"
  if ! command -v node >/dev/null; then
    miss node "not on PATH" "$node_hint_deb" "$node_hint_mac"
  else
    have_node=$(node --version | sed 's/^v//')
    if at_least "$have_node" 20; then ok node "$have_node"; else miss node "$have_node found, 20 or later needed" "$node_hint_deb" "$node_hint_mac"; fi
  fi
  if command -v npm >/dev/null; then ok npm "$(npm --version)"; else miss npm "not on PATH" "$node_hint_deb" "$node_hint_mac"; fi

  # chromium-headless-shell, or else chromium, opens the verification page and the web portal
  # (internal/e2e/browser): the shell, Chromium's headless build, costs them about two thirds of
  # chromium's CPU.
  shell_hint="sudo apt-get install chromium-headless-shell   (Debian 12 and later)"
  if command -v chromium-headless-shell >/dev/null; then
    ok chromium-headless-shell "$(chromium-headless-shell --version 2>/dev/null | head -n 1)"
  elif command -v chromium >/dev/null; then
    ok chromium "$(chromium --version 2>/dev/null | head -n 1) (the browser tests would take less CPU with: $shell_hint)"
  else
    miss chromium "neither \`chromium-headless-shell\` nor \`chromium\` on PATH" "$shell_hint   (Ubuntu: sudo snap install chromium)" \
      "brew install --cask chromium && ln -s /Applications/Chromium.app/Contents/MacOS/Chromium \"\$(brew --prefix)/bin/chromium\""
  fi

  # poppler-utils: pdftotext and pdftoppm read the certificate PDFs back (internal/certificate, internal/e2e).
  for tool in pdftotext pdftoppm; do
    if command -v $tool >/dev/null; then ok $tool "$($tool -v 2>&1 | head -n 1 | awk '{ print $NF }')"; else
      miss $tool "not on PATH" "sudo apt-get install poppler-utils" "brew install poppler"
    fi
  done
fi

if [ $missing -gt 0 ]; then
  echo "$missing missing: install what is named above, then run make prereq again"
  exit 1
fi
if [ "$scope" = run ]; then echo "all prerequisites of make run present"; else echo "all prerequisites present"; fi
