#!/bin/sh
# Installs (or, with --uninstall, removes) the afterpatch agent on this host:
#   PREFIX/lib/afterpatch/afterpatch-agent.mjs   the self-contained agent (needs only Node.js >= 20)
#   PREFIX/bin/afterpatch-agent                  a wrapper that runs it with this host's node
#   SYSTEMDDIR/afterpatch-agent.service          the hardened unit (packaging/systemd/)
#   SYSCONFDIR/apt/apt.conf.d/99afterpatch       rescan after dpkg runs (APT hosts)
#   SYSCONFDIR/dnf/...                           rescan after dnf transactions (dnf 4 and dnf5)
#   SYSCONFDIR/afterpatch/agent.json             config template, never overwritten
# then, with --server and a token, enrols the host (afterpatch-agent agent --once) and starts the
# unit. Safe to run again: an upgrade replaces the program files and keeps config and state.
# DESTDIR installs into a staging tree (packaging, tests): nothing is started or enrolled
# outside it. Reference: docs/deployment.md#install-script.
set -eu

usage() {
  cat <<'USAGE'
Usage: install.sh [--server URL] [--token TOKEN | --token-file FILE] [options]
       install.sh --uninstall [--purge]

  --server URL        the afterpatch server (written to agent.json when it is created)
  --token TOKEN       enrolment token (visible in ps: prefer --token-file or
                      AFTERPATCH_ENROLL_TOKEN in the environment)
  --token-file FILE   read the enrolment token from FILE
  --bundle FILE       the agent bundle (default: afterpatch-agent.mjs beside this script,
                      else ../dist/afterpatch-agent.mjs)
  --hooks WHICH       auto (default: apt if dpkg exists, dnf if dnf/dnf5 exists), all, none
  --no-start          install and enrol, but do not enable or start the unit
  --uninstall         stop and remove the agent (config and state are kept)
  --purge             with --uninstall: also remove the config and the state directory
  -h, --help          this text

Environment: DESTDIR (staging root), PREFIX (/usr), SYSCONFDIR (/etc),
SYSTEMDDIR (/etc/systemd/system), LOCALSTATEDIR (/var/lib), NODE (node on PATH).
USAGE
}

die() {
  echo "install.sh: $*" >&2
  exit 1
}

DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr}
SYSCONFDIR=${SYSCONFDIR:-/etc}
SYSTEMDDIR=${SYSTEMDDIR:-/etc/systemd/system}
LOCALSTATEDIR=${LOCALSTATEDIR:-/var/lib}
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)

server=''
token=${AFTERPATCH_ENROLL_TOKEN:-}
bundle=''
hooks=auto
start=yes
action=install
purge=no
while [ $# -gt 0 ]; do
  case $1 in
    --server) [ $# -ge 2 ] || die "--server needs a URL"; server=$2; shift 2 ;;
    --token) [ $# -ge 2 ] || die "--token needs a value"; token=$2; shift 2 ;;
    --token-file)
      [ $# -ge 2 ] || die "--token-file needs a file"
      [ -r "$2" ] || die "cannot read the token file $2"
      token=$(tr -d ' \t\r\n' <"$2"); shift 2 ;;
    --bundle) [ $# -ge 2 ] || die "--bundle needs a file"; bundle=$2; shift 2 ;;
    --hooks) [ $# -ge 2 ] || die "--hooks needs auto, all or none"; hooks=$2; shift 2 ;;
    --no-start) start=no; shift ;;
    --uninstall) action=uninstall; shift ;;
    --purge) purge=yes; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
done
case $hooks in auto | all | none) ;; *) die "--hooks must be auto, all or none, not '$hooks'" ;; esac

libdir=$PREFIX/lib/afterpatch
wrapper=$PREFIX/bin/afterpatch-agent
unit=$SYSTEMDDIR/afterpatch-agent.service
confdir=$SYSCONFDIR/afterpatch
statedir=$LOCALSTATEDIR/afterpatch-agent
apt_hook=$SYSCONFDIR/apt/apt.conf.d/99afterpatch
dnf_hook=$SYSCONFDIR/dnf/plugins/post-transaction-actions.d/afterpatch.action
dnf5_hook=$SYSCONFDIR/dnf/libdnf5-plugins/actions.d/afterpatch.actions

# systemctl only on the live system (no DESTDIR) and when systemd is PID 1.
live_systemd() {
  [ -z "$DESTDIR" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1
}

if [ "$action" = uninstall ]; then
  if live_systemd; then
    systemctl disable --now afterpatch-agent.service >/dev/null 2>&1 || true
  fi
  rm -f "$DESTDIR$unit" "$DESTDIR$wrapper" "$DESTDIR$apt_hook" "$DESTDIR$dnf_hook" "$DESTDIR$dnf5_hook"
  rm -f "$DESTDIR$libdir/afterpatch-agent.mjs"
  rmdir "$DESTDIR$libdir" 2>/dev/null || true
  if [ "$purge" = yes ]; then
    rm -rf "$DESTDIR$confdir" "$DESTDIR$statedir"
  fi
  if live_systemd; then systemctl daemon-reload || true; fi
  echo "afterpatch agent removed$([ "$purge" = yes ] && echo ' (config and state purged)' || echo '; kept '"$confdir"' and '"$statedir")"
  exit 0
fi

# --- install -------------------------------------------------------------------------------
if [ -z "$bundle" ]; then
  for candidate in "$here/afterpatch-agent.mjs" "$here/../dist/afterpatch-agent.mjs"; do
    if [ -f "$candidate" ]; then bundle=$candidate; break; fi
  done
fi
if [ -z "$bundle" ] || [ ! -f "$bundle" ]; then
  die "no agent bundle: build it (npm run bundle:agent) or pass --bundle FILE"
fi
if [ -n "$server" ] && [ -z "$token" ] && [ ! -f "$DESTDIR$statedir/credentials.json" ]; then
  die "--server needs an enrolment token to enrol this host (--token-file FILE)"
fi

node=${NODE:-$(command -v node || true)}
[ -n "$node" ] || die "Node.js >= 20 is required (no node on PATH; set NODE=/path/to/node)"
major=$("$node" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$major" -ge 20 ] 2>/dev/null || die "Node.js >= 20 is required, $node is $("$node" --version 2>/dev/null || echo unknown)"

# Each file is written beside its target and renamed over it, so a rerun during an upgrade
# never leaves a half-written program (and a running agent keeps its open copy).
put() { # put MODE SOURCE TARGET
  mkdir -p "$(dirname -- "$3")"
  cp -- "$2" "$3.tmp.$$"
  chmod "$1" "$3.tmp.$$"
  mv -f -- "$3.tmp.$$" "$3"
}

put 0644 "$bundle" "$DESTDIR$libdir/afterpatch-agent.mjs"
wrapper_text=$(mktemp)
trap 'rm -f "$wrapper_text"' EXIT
cat >"$wrapper_text" <<WRAPPER
#!/bin/sh
# afterpatch agent (installed by install.sh): runs the bundled agent with the node found at
# install time, so that systemd's and the package hooks' PATH do not matter. Without V8's JIT:
# less memory, and no writable+executable memory (agent/daemon/agent-node-flags.ts).
exec "$node" --jitless --no-expose-wasm --max-semi-space-size=1 --expose-gc "$libdir/afterpatch-agent.mjs" "\$@"
WRAPPER
put 0755 "$wrapper_text" "$DESTDIR$wrapper"
put 0644 "$here/systemd/afterpatch-agent.service" "$DESTDIR$unit"

want_apt=no
want_dnf=no
case $hooks in
  all) want_apt=yes; want_dnf=yes ;;
  auto)
    if command -v dpkg >/dev/null 2>&1; then want_apt=yes; fi
    if command -v dnf >/dev/null 2>&1 || command -v dnf5 >/dev/null 2>&1; then want_dnf=yes; fi ;;
esac
if [ "$want_apt" = yes ]; then put 0644 "$here/apt/99afterpatch" "$DESTDIR$apt_hook"; fi
if [ "$want_dnf" = yes ]; then
  put 0644 "$here/dnf/afterpatch.action" "$DESTDIR$dnf_hook"
  put 0644 "$here/dnf/afterpatch.actions" "$DESTDIR$dnf5_hook"
fi

mkdir -p "$DESTDIR$confdir"
if [ ! -e "$DESTDIR$confdir/agent.json" ]; then
  umask 022
  if [ -n "$server" ]; then
    printf '{\n  "agent": { "serverUrl": "%s" },\n  "scan": {}\n}\n' "$server" >"$DESTDIR$confdir/agent.json"
  else
    printf '{\n  "agent": {},\n  "scan": {}\n}\n' >"$DESTDIR$confdir/agent.json"
    echo "note: set agent.serverUrl in $confdir/agent.json before starting the agent"
  fi
elif [ -n "$server" ]; then
  echo "note: $confdir/agent.json exists and is kept; check that its agent.serverUrl is $server"
fi
if ! check=$("$node" "$DESTDIR$libdir/afterpatch-agent.mjs" config check --agent "$DESTDIR$confdir/agent.json" 2>&1 >/dev/null); then
  echo "$check" >&2
  die "$confdir/agent.json is not a valid agent configuration (see above)"
fi

# Enrol once: the credential lands in the state directory; the token is not needed afterwards.
if [ -f "$DESTDIR$statedir/credentials.json" ]; then
  echo "already enrolled ($statedir/credentials.json)"
elif [ -n "$server" ]; then
  echo "enrolling with $server ..."
  # Through the environment, not argv: ps would show the token.
  AFTERPATCH_ENROLL_TOKEN=$token AFTERPATCH_CONFIG="$DESTDIR$confdir/agent.json" \
    "$node" "$DESTDIR$libdir/afterpatch-agent.mjs" agent --once --server "$server" \
    --state-dir "$DESTDIR$statedir" >/dev/null ||
    [ -f "$DESTDIR$statedir/credentials.json" ] ||
    die "enrolment failed (see the log lines above); fix and run install.sh again"
  echo "enrolled; first report sent"
fi

if live_systemd; then
  systemctl daemon-reload
  if [ "$start" = yes ] && [ -f "$statedir/credentials.json" ]; then
    systemctl enable afterpatch-agent.service >/dev/null
    systemctl restart afterpatch-agent.service
    echo "afterpatch-agent.service enabled and (re)started"
  else
    echo "unit installed; start it with: systemctl enable --now afterpatch-agent.service"
  fi
fi
echo "afterpatch agent installed in $DESTDIR$libdir"
