#!/usr/bin/env bash
# A real IMAP server (and an LMTP delivery port) on 127.0.0.1 for the e-mail connector's tests: Debian's dovecot with
# a private configuration in its own folder, so nothing of the machine's mail set-up is used or changed.
#
#   eval "$(scripts/mailserver.sh start [DIR])"   # starts dovecot, prints the WEBCARE_TEST_* variables to export
#   scripts/mailserver.sh stop DIR                # stops it (DIR is $WEBCARE_TEST_MAIL_DIR)
#
# Any user name logs in with the password $WEBCARE_TEST_MAIL_PASSWORD and gets its own mailbox, so every test uses a
# fresh address and tests never see each other's mail. Needs the Debian packages dovecot-imapd and dovecot-lmtpd.
set -euo pipefail

command_name="${1:-}"
case "$command_name" in
  start) ;;
  stop)
    dir="${2:?usage: mailserver.sh stop DIR}"
    if [ -f "$dir/dovecot.conf" ]; then
      /usr/sbin/dovecot -c "$dir/dovecot.conf" stop 2>/dev/null || true
    fi
    exit 0 ;;
  *) echo "usage: mailserver.sh start [DIR] | stop DIR" >&2; exit 2 ;;
esac

if [ ! -x /usr/sbin/dovecot ] || [ ! -d /usr/lib/dovecot ] || [ ! -x /usr/lib/dovecot/imap ] || [ ! -x /usr/lib/dovecot/lmtp ]; then
  echo "dovecot is missing; install it with: apt-get install -y dovecot-imapd dovecot-lmtpd" >&2
  exit 1
fi

dir="${2:-$(mktemp -d -t webcare-mail.XXXXXX)}"
mkdir -p "$dir/run" "$dir/mail" "$dir/state"
password="${WEBCARE_TEST_MAIL_PASSWORD:-webcare-test-secret}"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
imap_port="${WEBCARE_TEST_IMAP_PORT:-$(free_port)}"
lmtp_port="${WEBCARE_TEST_LMTP_PORT:-$(free_port)}"

if [ "$(id -u)" -eq 0 ]; then
  # Dovecot refuses to keep mail as root: mailboxes belong to nobody; the services run as Debian's dovecot users.
  mail_user="nobody"; mail_group="$(id -gn nobody)"
  internal_user="dovecot"; login_user="dovenull"
  chmod 755 "$dir"
  chown "$mail_user:$mail_group" "$dir/mail"
else
  # Unprivileged: every process runs as the calling user.
  mail_user="$(id -un)"; mail_group="$(id -gn)"
  internal_user="$mail_user"; login_user="$mail_user"
fi
mail_uid="$(id -u "$mail_user")"; mail_gid="$(getent group "$mail_group" | cut -d: -f3)"

cat >"$dir/dovecot.conf" <<EOF
# Written by scripts/mailserver.sh for webcare's tests; not for production.
base_dir = $dir/run
state_dir = $dir/state
instance_name = webcare-test-$(basename "$dir")
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
listen = 127.0.0.1
protocols = imap lmtp
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests try wrong passwords on purpose; the production default (2 s) would only slow them down. (Dovecot still adds
# its growing per-address penalty after repeated failures: a few seconds in the test that checks refused logins.)
auth_failure_delay = 0
default_internal_user = $internal_user
default_login_user = $login_user
first_valid_uid = 1
mail_location = maildir:$dir/mail/%u
mail_uid = $mail_uid
mail_gid = $mail_gid
passdb {
  driver = static
  args = password=$password
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$dir/mail/%u allow_all_users=yes
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp_port
  }
}
protocol lmtp {
  postmaster_address = postmaster@example.test
}
EOF

# Detached from this script's output, so "$(mailserver.sh start)" and subprocess pipes end when the script does.
/usr/sbin/dovecot -c "$dir/dovecot.conf" </dev/null >>"$dir/dovecot.log" 2>&1

# Ready when both ports answer.
python3 - "$imap_port" "$lmtp_port" <<'PY'
import socket, sys, time
deadline = time.monotonic() + 15
for port in map(int, sys.argv[1:]):
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(f"dovecot did not open 127.0.0.1:{port}")
            time.sleep(0.1)
PY

echo "export WEBCARE_TEST_MAIL_DIR=$dir"
echo "export WEBCARE_TEST_IMAP_PORT=$imap_port"
echo "export WEBCARE_TEST_LMTP_PORT=$lmtp_port"
echo "export WEBCARE_TEST_MAIL_PASSWORD=$password"
