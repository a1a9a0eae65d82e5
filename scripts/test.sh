#!/usr/bin/env bash
# Install everything and run the whole test suite: lint, then pytest on SQLite and on PostgreSQL.
# Starts PostgreSQL if it is down. Extra arguments go to pytest (e.g. -k worker, -x).
source "$(dirname "$0")/_env.sh"
cd "$ROOT"
echo "== installing"
make_venv "[test]"

echo "== services"
PG_URL="${WEBCARE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/webcare}"
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }

# The browser tests drive Debian's Chromium through Playwright (Playwright's own browser download is not used).
if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing Debian's chromium for the browser tests"
  if [ "$(id -u)" -ne 0 ]; then echo "chromium is missing; install it with: sudo apt-get install chromium" >&2; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# The e-mail tests talk to a real IMAP server: Debian's dovecot, started by the tests with a private configuration
# (scripts/mailserver.sh); nothing of the machine's own mail set-up is used.
if [ ! -x /usr/sbin/dovecot ] || [ ! -x /usr/lib/dovecot/lmtp ] || [ ! -x /usr/lib/dovecot/imap ]; then
  echo "== installing Debian's dovecot for the e-mail tests"
  if [ "$(id -u)" -ne 0 ]; then
    echo "dovecot is missing; install it with: sudo apt-get install dovecot-imapd dovecot-lmtpd" >&2; exit 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd dovecot-lmtpd >/dev/null
  # Debian starts the system-wide dovecot on install; the tests run their own, so the system one is not needed.
  (command -v service >/dev/null && service dovecot stop >/dev/null 2>&1) || pkill -x dovecot || true
fi
# Real servers are part of the suite: a test that cannot reach one fails instead of skipping.
export WEBCARE_REQUIRE_SERVICES=1

echo "== lint (ruff) and types (mypy)"
"$VENV/bin/ruff" check webcare tests benchmarks
WEBCARE_DATA_DIR="$(mktemp -d)" "$VENV/bin/mypy" webcare

echo "== security lint (bandit; [tool.bandit] in pyproject.toml)"
# bandit warns on stderr for every node of a line marked `# nosec` that did not need it; only findings matter.
"$VENV/bin/bandit" -c pyproject.toml -r webcare -q 2> >(grep -v "nosec encountered" >&2)

echo "== known vulnerabilities in the installed packages (pip-audit, PyPI's vulnerability data)"
AUDIT_JSON="$(mktemp)"
audit_status=0
"$VENV/bin/pip-audit" --skip-editable --local --progress-spinner off --desc on -f json -o "$AUDIT_JSON" || audit_status=$?
# Packages pip-audit could not look up (PyPI's per-release data unreachable) are audited from the project-level
# data where the installed version is the latest, and named otherwise: a run that checked nothing is never a pass.
"$VENV/bin/python" scripts/audit_report.py "$AUDIT_JSON" || audit_status=1
rm -f "$AUDIT_JSON"
[ "$audit_status" -eq 0 ] || { echo "pip-audit found known vulnerabilities (above)" >&2; exit "$audit_status"; }

# The two databases' runs go side by side, each with its own data directory, test databases and mail server: on 2
# cores they share the machine better than one after the other (one pytest process uses about one core, the other
# waits on PostgreSQL and the browser), and the suite stays well inside CI's 30 minutes.
TMP_SQLITE="$(mktemp -d)"; TMP_PG="$(mktemp -d)"; TMP_MAIL="$(mktemp -d)"; TMP_MAIL_PG="$(mktemp -d)"
trap 'bash scripts/mailserver.sh stop "$TMP_MAIL"; bash scripts/mailserver.sh stop "$TMP_MAIL_PG";
      rm -rf "$TMP_SQLITE" "$TMP_PG" "$TMP_MAIL" "$TMP_MAIL_PG"' EXIT
echo "== mail servers (dovecot, private configurations) for the e-mail tests"
MAIL_ENV_SQLITE="$(bash scripts/mailserver.sh start "$TMP_MAIL")"
MAIL_ENV_PG="$(bash scripts/mailserver.sh start "$TMP_MAIL_PG")"
echo "== tests on SQLite and on PostgreSQL, side by side (each run's output follows when it ends)"
(eval "$MAIL_ENV_SQLITE"; env -u DATABASE_URL WEBCARE_DATA_DIR="$TMP_SQLITE" \
   "$VENV/bin/pytest" -p no:cacheprovider "$@") > "$TMP_SQLITE/pytest.log" 2>&1 &
sqlite_pid=$!
# The PostgreSQL run keeps only the tests that touch a database (tests/conftest.py): the pure ones ran on SQLite.
(eval "$MAIL_ENV_PG"; DATABASE_URL="$PG_URL" WEBCARE_DATA_DIR="$TMP_PG" WEBCARE_TEST_DATABASE_ONLY=1 \
   "$VENV/bin/pytest" -p no:cacheprovider --create-db "$@") > "$TMP_PG/pytest.log" 2>&1 &
pg_pid=$!
sqlite_status=0; pg_status=0
wait "$sqlite_pid" || sqlite_status=$?
echo "== tests on SQLite (exit $sqlite_status)"; cat "$TMP_SQLITE/pytest.log"
wait "$pg_pid" || pg_status=$?
echo "== tests on PostgreSQL (exit $pg_status)"; cat "$TMP_PG/pytest.log"
status=$(( sqlite_status != 0 ? sqlite_status : pg_status ))
if [ "$status" -eq 0 ]; then echo "== all green on SQLite and PostgreSQL"; fi
exit "$status"
