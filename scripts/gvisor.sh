# Used by scripts/setup.sh --gvisor: gVisor's runsc and how an engine declares it.

# The runtime entry. --network=none: runsc cannot run in the host's network namespace with its own
# network stack here (sandboxes have no network anyway). Not --oci-seccomp: Debian 12's runsc
# (0.0~20221219) then denies calls the profile allows (select) and answers EPERM where the profile says
# ENOSYS (clone3, so no thread starts). Without it the program's calls go to gVisor's kernel, and only
# gVisor, under its own seccomp filter, talks to the host's kernel.
gvisor_runtime_json() {
  printf '{"path":"%s","runtimeArgs":["--network=none"]}' "$(command -v runsc)"
}

gvisor_runtime_config() {
  printf '{"runtimes":{"runsc":%s}}\n' "$(gvisor_runtime_json)"
}

# gvisor_install <state dir>: Debian's runsc package, when runsc is missing.
gvisor_install() {
  command -v runsc >/dev/null 2>&1 && return
  [[ $(id -u) -eq 0 && -f /etc/debian_version ]] || { echo "runsc is missing: install gVisor (Debian: apt-get install runsc)" >&2; exit 1; }
  printf '\033[1;34m==>\033[0m installing runsc (gVisor, apt-get)\n'
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q runsc >"$1/apt-runsc.log" 2>&1 \
    || { apt-get update -q >>"$1/apt-runsc.log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q runsc >>"$1/apt-runsc.log" 2>&1; } \
    || { echo "installing runsc failed, see $1/apt-runsc.log" >&2; exit 1; }
}
