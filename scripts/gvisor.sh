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

# gvisor_install: Debian's runsc package, when runsc is missing (scripts/lib.sh must be sourced).
gvisor_install() {
  ensure_command runsc runsc
}
