# Shared by the scripts (source it; it needs $state, the state folder, and uses $task in failures):
# messages, and Debian's packages installed when a command is missing.

step() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
fail() { printf '\033[1;31mquicktry %s failed:\033[0m %s\n' "${task:-set-up}" "$*" >&2; exit 1; }

is_debian_root() { [[ $(id -u) -eq 0 && -f /etc/debian_version ]]; }

# apt_install <package...>: from the package lists the machine has; only if that fails are they fetched
# again (a fresh machine may have none, or old ones) and the install tried once more. Log: $state/apt.log.
apt_install() {
  is_debian_root || fail "missing $*: install it (Debian/Ubuntu: apt-get install $*) and run this again"
  step "installing $* (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$state/apt.log" 2>&1 && return
  apt-get update -q >>"$state/apt.log" 2>&1 || fail "apt-get update failed, see $state/apt.log"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$state/apt.log" 2>&1 \
    || fail "apt-get install $* failed, see $state/apt.log"
}

# ensure_command <command> <package...>: installs the packages when the command is missing.
ensure_command() {
  local command="$1"
  shift
  command -v "$command" >/dev/null 2>&1 || apt_install "$@"
}
