#!/usr/bin/env bash
# Install nfmon as a systemd service on a Pi (Debian/Raspberry Pi OS). Run as root; safe to re-run
# (an upgrade is: new dist/, then this script again). See systemd/README.md.
#
#   sudo systemd/install.sh               user, /etc/nfmon, /var/lib/nfmon, units; enable + (re)start
#   sudo systemd/install.sh --no-start    the same without systemctl
#   sudo systemd/install.sh --uninstall   stop, disable and remove the units (keeps config and data)
#   sudo systemd/install.sh --uninstall --purge   ... and remove /etc/nfmon, /var/lib/nfmon, user
#
# Environment:
#   NFMON_DIR   where nfmon is installed (has dist/cli/main.js); default: this script's repository
#   NFMON_NODE  the node binary; default: `command -v node`
#   DESTDIR     prefix every path written (a throwaway root for tests); implies --no-start
set -euo pipefail

readonly USER_NAME=nfmon
readonly PIHOLE_GROUP=pihole
readonly MIN_NODE_MAJOR=20 MIN_NODE_MINOR=19

DESTDIR="${DESTDIR:-}"
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NFMON_DIR="${NFMON_DIR:-$(dirname "$script_dir")}"

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

start=yes action=install purge=no
for arg in "$@"; do
  case "$arg" in
    --no-start) start=no ;;
    --uninstall) action=uninstall ;;
    --purge) purge=yes ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $arg" ;;
  esac
done
[ "$purge" = no ] || [ "$action" = uninstall ] || die "--purge only goes with --uninstall"
[ "$(id -u)" -eq 0 ] || die "run as root (sudo $0)"

# systemctl only on a live systemd, never into a DESTDIR.
use_systemctl() {
  [ "$start" = yes ] && [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]
}
skip_systemctl_reason() {
  if [ -n "$DESTDIR" ]; then echo "DESTDIR is set"
  elif [ "$start" = no ]; then echo "--no-start"
  else echo "systemd is not running (a container?)"; fi
}

# useradd/usermod/userdel work on $DESTDIR/etc when DESTDIR is set.
prefix_opt=()
if [ -n "$DESTDIR" ]; then
  prefix_opt=(--prefix "$DESTDIR")
  mkdir -p "$DESTDIR/etc"
  for f in passwd group; do [ -e "$DESTDIR/etc/$f" ] || install -m 0644 /dev/null "$DESTDIR/etc/$f"; done
  for f in shadow gshadow; do [ -e "$DESTDIR/etc/$f" ] || install -m 0600 /dev/null "$DESTDIR/etc/$f"; done
fi

# Look users and groups up where useradd writes them.
entry() { # entry passwd|group NAME
  if [ -n "$DESTDIR" ]; then grep -m1 "^$2:" "$DESTDIR/etc/$1" || true
  else getent "$1" "$2" || true; fi
}
uid_of() { entry passwd "$1" | cut -d: -f3; }
gid_of() { entry group "$1" | cut -d: -f3; }

unit_dir="$DESTDIR/etc/systemd/system"
units=(nfmon.service nfmon-capture.service)

uninstall() {
  if use_systemctl; then
    systemctl disable --now nfmon-capture.service nfmon.service || true
  else
    say "not calling systemctl: $(skip_systemctl_reason)"
  fi
  for u in "${units[@]}"; do rm -f "$unit_dir/$u"; done
  if use_systemctl; then systemctl daemon-reload; fi
  say "removed the units"
  if [ "$purge" = yes ]; then
    rm -rf "$DESTDIR/var/lib/nfmon" "$DESTDIR/etc/nfmon"
    if [ -n "$(entry passwd "$USER_NAME")" ]; then userdel "${prefix_opt[@]}" "$USER_NAME"; fi
    # userdel keeps the user's group unless login.defs says USERGROUPS_ENAB yes.
    if [ -n "$(entry group "$USER_NAME")" ]; then groupdel "${prefix_opt[@]}" "$USER_NAME"; fi
    say "purged /etc/nfmon, /var/lib/nfmon and user $USER_NAME"
  else
    say "kept /etc/nfmon, /var/lib/nfmon and user $USER_NAME (--purge removes them)"
  fi
}

check_install_dir() {
  case "$NFMON_DIR" in
    /*) ;;
    *) die "NFMON_DIR must be an absolute path: $NFMON_DIR" ;;
  esac
  # ExecStart is rewritten with sed and parsed by systemd: keep the path plain.
  [[ "$NFMON_DIR" =~ ^[A-Za-z0-9._/+-]+$ ]] || die "NFMON_DIR has characters systemd or sed would misread: $NFMON_DIR"
  case "$NFMON_DIR/" in
    /home/*|/root/*|/run/user/*) die "$NFMON_DIR is hidden from the service by ProtectHome=yes; install to /opt/nfmon (or set NFMON_DIR)" ;;
  esac
  [ -f "$NFMON_DIR/dist/cli/main.js" ] ||
    die "$NFMON_DIR/dist/cli/main.js is missing: run \`npm ci && npm run build\` in $NFMON_DIR first"
  [ -d "$NFMON_DIR/node_modules/better-sqlite3" ] ||
    die "$NFMON_DIR/node_modules is missing: run \`npm ci --omit=dev\` in $NFMON_DIR first"
  [ -f "$NFMON_DIR/config/nfmon.example.yaml" ] || die "$NFMON_DIR/config/nfmon.example.yaml is missing"
}

find_node() {
  node="${NFMON_NODE:-$(command -v node || true)}"
  [ -n "$node" ] && [ -x "$node" ] || die "node not found: install Node.js >= $MIN_NODE_MAJOR.$MIN_NODE_MINOR (or set NFMON_NODE)"
  case "$node" in
    /*) ;;
    *) die "NFMON_NODE must be an absolute path: $node" ;;
  esac
  [[ "$node" =~ ^[A-Za-z0-9._/+-]+$ ]] || die "node path has characters systemd or sed would misread: $node"
  case "$node" in
    /home/*|/root/*) die "$node is hidden from the service by ProtectHome=yes (nvm?): install Node.js system-wide (NodeSource, or Debian's nodejs if new enough)" ;;
  esac
  local version major minor
  version="$("$node" --version)"
  version="${version#v}"
  major="${version%%.*}"
  minor="${version#*.}"; minor="${minor%%.*}"
  if [ "$major" -lt "$MIN_NODE_MAJOR" ] || { [ "$major" -eq "$MIN_NODE_MAJOR" ] && [ "$minor" -lt "$MIN_NODE_MINOR" ]; }; then
    die "$node is v$version; nfmon needs Node.js >= $MIN_NODE_MAJOR.$MIN_NODE_MINOR"
  fi
  say "node: $node (v$version)"
}

ensure_user() {
  if [ -z "$(entry passwd "$USER_NAME")" ]; then
    useradd "${prefix_opt[@]}" --system --user-group --home-dir /var/lib/nfmon --no-create-home \
      --shell /usr/sbin/nologin --comment "nfmon Netflix monitor" "$USER_NAME"
    say "created system user $USER_NAME"
  fi
  if [ -n "$(entry group "$PIHOLE_GROUP")" ]; then
    usermod "${prefix_opt[@]}" --append --groups "$PIHOLE_GROUP" "$USER_NAME"
    have_pihole_group=yes
  else
    have_pihole_group=no
    say "no group $PIHOLE_GROUP here (Pi-hole on another host?): the service runs without it"
  fi
}

ensure_dirs() {
  local uid gid
  uid="$(uid_of "$USER_NAME")"; gid="$(gid_of "$USER_NAME")"
  [ -n "$uid" ] && [ -n "$gid" ] || die "cannot find uid/gid of $USER_NAME"
  install -d -m 0750 -o 0 -g "$gid" "$DESTDIR/etc/nfmon"
  if [ ! -e "$DESTDIR/etc/nfmon/config.yaml" ]; then
    install -m 0640 -o 0 -g "$gid" "$NFMON_DIR/config/nfmon.example.yaml" "$DESTDIR/etc/nfmon/config.yaml"
    say "created /etc/nfmon/config.yaml from the example: check timezone, pihole.log and homeassistant"
  else
    say "kept the existing /etc/nfmon/config.yaml"
  fi
  if [ ! -e "$DESTDIR/etc/nfmon/capture.env" ]; then
    write_capture_env > "$DESTDIR/etc/nfmon/capture.env"
    chown "0:$gid" "$DESTDIR/etc/nfmon/capture.env"
    chmod 0640 "$DESTDIR/etc/nfmon/capture.env"
  fi
  install -d -m 0750 -o "$uid" -g "$gid" "$DESTDIR/var/lib/nfmon" "$DESTDIR/var/lib/nfmon/captures"
}

write_capture_env() {
  cat <<'EOF'
# Settings of nfmon-capture.service (tcpdump). Uncomment to change; the defaults are in the unit.
# After a change: systemctl restart nfmon-capture
# The interface that sees the devices' Internet traffic (the Pi must be their router, access point
# or on a mirror port; a plain Pi-hole only sees DNS).
#IFACE=eth0
# Bytes kept per packet: 128 keeps all headers and exact byte counts at ~1/10 of the size.
#SNAPLEN=128
# Seconds per capture file.
#ROTATE=300
# BPF filter (tcpdump syntax, one line, in double quotes). Add e.g. "and not host 192.168.1.10"
# to leave out a NAS.
#FILTER="port 53 or (ip and not ((src net 10.0.0.0/8 or src net 172.16.0.0/12 or src net 192.168.0.0/16) and (dst net 10.0.0.0/8 or dst net 172.16.0.0/12 or dst net 192.168.0.0/16 or dst net 224.0.0.0/4 or dst host 255.255.255.255))) or (ip6 and not ((src net fe80::/10 or src net fc00::/7) and (dst net fe80::/10 or dst net fc00::/7 or dst net ff00::/8)))"
EOF
}

install_units() {
  mkdir -p "$unit_dir"
  local tcpdump
  tcpdump="$(command -v tcpdump || true)"
  [ -n "$tcpdump" ] || say "tcpdump is not installed (apt-get install tcpdump): only needed for nfmon-capture.service"
  # A missing pihole group would stop the unit from starting (216/GROUP): drop the line then.
  local drop_group=()
  [ "$have_pihole_group" = yes ] || drop_group=(-e 's|^SupplementaryGroups=pihole$|# SupplementaryGroups=pihole (no pihole group on this host)|')
  sed -e "s|/usr/bin/node |$node |" -e "s|/opt/nfmon|$NFMON_DIR|g" "${drop_group[@]}" \
    "$script_dir/nfmon.service" > "$unit_dir/nfmon.service.tmp"
  sed -e "s|/opt/nfmon|$NFMON_DIR|g" ${tcpdump:+-e "s|^ExecStart=/usr/bin/tcpdump |ExecStart=$tcpdump |"} \
    "$script_dir/nfmon-capture.service" > "$unit_dir/nfmon-capture.service.tmp"
  for u in "${units[@]}"; do
    chmod 0644 "$unit_dir/$u.tmp"
    mv -f "$unit_dir/$u.tmp" "$unit_dir/$u"
  done
  say "installed ${units[*]} into /etc/systemd/system (ExecStart: $node $NFMON_DIR/dist/cli/main.js run)"
}

install_all() {
  check_install_dir
  find_node
  ensure_user
  ensure_dirs
  install_units
  if use_systemctl; then
    systemctl daemon-reload
    systemctl enable nfmon.service
    # restart, not start: a re-run after an upgrade must load the new dist/.
    systemctl restart nfmon.service
    say "nfmon is running: journalctl -u nfmon -f; sudo -u nfmon $node $NFMON_DIR/dist/cli/main.js status"
  else
    say "not calling systemctl: $(skip_systemctl_reason). Later: systemctl daemon-reload && systemctl enable --now nfmon"
  fi
  say "captures (optional): set captures.dir in /etc/nfmon/config.yaml, edit /etc/nfmon/capture.env, then systemctl enable --now nfmon-capture"
}

case "$action" in
  install) install_all ;;
  uninstall) uninstall ;;
esac
