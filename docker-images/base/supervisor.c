// QuickTry's compiled supervisor: the main process of every sandbox container (after docker-init).
//
// It does what docker-images/base/runner (the bash fallback, Executor:Sandbox:Supervisor=script) does,
// in one process instead of a chain of them per run (setpriv to extract the job, timeout, time,
// prlimit, setpriv again, a kill loop in bash, setpriv and find to wipe): the protocol, the limits and the
// guarantees are the same, and the runner's header comment is their description. Briefly:
//
//   supervisor                         isolation "container": one job as uid 10001, then the container ends
//   supervisor <first uid> <max runs>  a slot: job i as the fresh uid <first uid>+i, wiped and verified between
//   supervisor <uid> <max runs> session  a session: every job as <uid>; files stay, processes do not
//
// Why it is safe to run as root inside the sandbox: the container gives it only CAP_SETUID, CAP_SETGID,
// CAP_SETPCAP and CAP_KILL (no DAC_OVERRIDE, no CHOWN, no SYS_PTRACE, no SYS_ADMIN), a read-only root file
// system, no network and no-new-privileges. Everything it does for a run (unpack the job's files, start the
// program, remove the run's files) happens in a child that first drops to the run's uid: supplementary
// groups cleared, bounding and ambient sets emptied, then setresgid/setresuid and every capability set
// cleared, checked before anything else runs. The program therefore cannot ptrace, signal or read the
// supervisor, cannot reach /run/quicktry (root's, 0700), and what the supervisor reports (exit code,
// timings, CPU time, memory, the wipe's verdict) is out of its reach. Nothing the user sent is parsed by a
// shell or used as a path outside /box: the job's archive is unpacked by this file's own reader, which
// refuses absolute paths, "..", links and anything but files and folders.
//
// It is the programs' parent and a child subreaper, so every process a run starts (double-forked,
// setsid) is reaped here: its CPU time and largest resident size come from wait4's rusage, which exists
// under gVisor too (where the cgroup is not readable from inside).
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PRIVATE "/run/quicktry"
#define WIPE_SCRIPT "/opt/quicktry/wipe"
// What may stay resident in a slot between runs (the supervisor and docker-init use well under 1 MB);
// more means something of the last run survived (an open deleted file, a shared memory segment).
#define IDLE_MEMORY_LIMIT (32LL * 1024 * 1024)
#define HEADER_MAX 256
#define NAME_MAX_LEN 4096
#define ARGS_MAX (1 << 20)

// Exit codes the executor knows (as the bash runner's): no readable job, a wipe that failed, a judged
// job's cases that could not each start clean. 125: the supervisor could not drop to the run's uid.
enum { EXIT_NO_JOB = 121, EXIT_WIPE = 122, EXIT_CASES = 123, EXIT_DROP = 125 };

static unsigned first_uid = 10001, uid;
static long max_runs = 1;
static int slot, session;

// The job's header fields.
static char nonce[65];
static long long compile_ms, compile_cap, run_ms, tar_bytes, nproc_limit, artifact_cap;
static int interactive, cases;
static struct timespec job_started;  // realtime, for a session's "files new in this run"

// The job's instructions, taken from the archive's .qt/ entries (never written to /box).
struct buffer { char *data; size_t len, cap; };
static struct buffer run_cmd, compile_cmd, user_args;
static int has_compile;
static int stdin_fd = -1;  // the program's stdin: a memfd with .qt/stdin

// What the processes reaped during a step used.
static pid_t step_pid;
static int step_status, step_done;
static long long step_cpu_ns, step_rss_kb;

static int oom_before;

// ---- small helpers ------------------------------------------------------------------------------

static void die(int code) { _exit(code); }

static int write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static void outf(int fd, const char *format, ...) {
  char text[512];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(text, sizeof text, format, args);
  va_end(args);
  if (n > 0) write_all(fd, text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
}

static long long now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void append(struct buffer *b, const void *data, size_t len) {
  if (b->len + len + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (b->len + len + 1 > cap) cap *= 2;
    b->data = realloc(b->data, cap);
    if (!b->data) die(EXIT_NO_JOB);
    b->cap = cap;
  }
  memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = 0;
}

// Splits NUL-separated values (each ended by a NUL, as the executor writes them) into argv after `prefix`.
static char **argv_of(struct buffer *prefix, struct buffer *rest) {
  size_t count = 0;
  struct buffer *parts[2] = {prefix, rest};
  for (int i = 0; i < 2; i++)
    for (size_t j = 0; parts[i] && j < parts[i]->len; j++)
      if (parts[i]->data[j] == 0) count++;
  char **argv = calloc(count + 2, sizeof *argv);
  if (!argv) die(EXIT_NO_JOB);
  size_t n = 0;
  for (int i = 0; i < 2; i++) {
    if (!parts[i]) continue;
    size_t start = 0;
    for (size_t j = 0; j < parts[i]->len; j++)
      if (parts[i]->data[j] == 0) {
        argv[n++] = parts[i]->data + start;
        start = j + 1;
      }
  }
  argv[n] = NULL;
  return argv;
}

// Reads up to `len` bytes, retrying short reads; returns what was read (less only at end of file).
static ssize_t read_full(int fd, void *data, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = read(fd, (char *)data + done, len - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) break;
    done += (size_t)n;
  }
  return (ssize_t)done;
}

// Stdin. A slot reads it through a buffer: it is the only reader of its stdin (its programs read files),
// and one read takes a whole job where a byte at a time would take a system call per byte (dear under
// gVisor). A one-run container reads its header a byte at a time instead, so that nothing past the job
// is consumed: an interactive program reads the rest, what its caller types.
static char input[65536];
static size_t input_start, input_end;
static int input_buffered;

static int input_byte(char *c) {
  if (input_start == input_end) {
    if (!input_buffered) {
      ssize_t r;
      while ((r = read(0, c, 1)) < 0 && errno == EINTR) {}
      return r == 1 ? 0 : -1;
    }
    ssize_t r;
    while ((r = read(0, input, sizeof input)) < 0 && errno == EINTR) {}
    if (r <= 0) return -1;
    input_start = 0;
    input_end = (size_t)r;
  }
  *c = input[input_start++];
  return 0;
}

// Exactly `len` bytes: what the buffer holds first, then straight from stdin, never more than asked.
static int input_exact(void *data, size_t len) {
  size_t buffered = input_end - input_start;
  if (buffered > len) buffered = len;
  memcpy(data, input + input_start, buffered);
  input_start += buffered;
  if (buffered == len) return 0;
  return read_full(0, (char *)data + buffered, len - buffered) == (ssize_t)(len - buffered) ? 0 : -1;
}

// One line from stdin; an oversized one is not a job.
static int read_line(char *line, size_t size) {
  size_t n = 0;
  for (;;) {
    char c;
    if (input_byte(&c) != 0) return -1;
    if (c == '\n') break;
    if (n + 1 >= size) return -1;
    line[n++] = c;
  }
  line[n] = 0;
  return 0;
}

// A decimal field of at most `digits` digits.
static int parse_number(const char *text, int digits, long long *value) {
  size_t len = strlen(text);
  if (len == 0 || len > (size_t)digits) return -1;
  long long v = 0;
  for (size_t i = 0; i < len; i++) {
    if (!isdigit((unsigned char)text[i])) return -1;
    v = v * 10 + (text[i] - '0');
  }
  *value = v;
  return 0;
}

// ---- the run's uid ------------------------------------------------------------------------------

// In a child: become the run's uid with no capability in any set and no way to regain one. Returns -1 if
// any step fails; the caller then exits without running anything.
static int drop_to_run_user(void) {
  if (setgroups(0, NULL) != 0) return -1;
  for (int cap = 0; cap < 64; cap++) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      if (errno == EINVAL) break;  // past the kernel's last capability
      return -1;
    }
  }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);  // also emptied by the capset below
  if (setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0) return -1;
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capset, &header, data) != 0) return -1;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
  // Checked, not assumed: the ids and every capability set.
  uid_t r, e, s;
  gid_t rg, eg, sg;
  if (getresuid(&r, &e, &s) != 0 || r != uid || e != uid || s != uid) return -1;
  if (getresgid(&rg, &eg, &sg) != 0 || rg != uid || eg != uid || sg != uid) return -1;
  if (syscall(SYS_capget, &header, data) != 0) return -1;
  for (int i = 0; i < 2; i++)
    if (data[i].effective || data[i].permitted || data[i].inheritable) return -1;
  return 0;
}

static void become_run_user(void) {
  if (drop_to_run_user() != 0) _exit(EXIT_DROP);
}

// A child process that first drops to the run's uid; returns its pid in the parent, 0 in the child.
static pid_t fork_as_run_user(void) {
  pid_t pid = fork();
  if (pid < 0) die(EXIT_NO_JOB);
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
  }
  return pid;
}

// ---- reaping and killing ------------------------------------------------------------------------

// Reaps every child that has ended (orphans of the run come here: this process is a subreaper), adding
// what each used to the step's figures.
static int reap(void) {
  int reaped = 0;
  for (;;) {
    int status;
    struct rusage usage;
    pid_t pid = wait4(-1, &status, WNOHANG | __WALL, &usage);
    if (pid <= 0) return reaped;
    reaped++;
    step_cpu_ns += (long long)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000000LL
                   + (long long)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000LL;
    if (usage.ru_maxrss > step_rss_kb) step_rss_kb = usage.ru_maxrss;
    if (pid == step_pid) {
      step_status = status;
      step_done = 1;
    }
  }
}

// Waits for the step's process (reaping others meanwhile) until `deadline_us` (monotonic; 0: no
// deadline). Returns 0 when it ended, 1 at the deadline.
static int wait_for_step(long long deadline_us) {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  for (;;) {
    reap();
    if (step_done) return 0;
    if (deadline_us == 0) {
      sigwaitinfo(&chld, NULL);
      continue;
    }
    long long left = deadline_us - now_us();
    if (left <= 0) return 1;
    struct timespec wait = {left / 1000000, (left % 1000000) * 1000};
    sigtimedwait(&chld, NULL, &wait);
  }
}

// Kills every process but PID 1 and this one until none is left to signal: one forking while it is
// killed, or one in setsid/double-fork limbo, is caught by a later round. kill(-1) fails with ESRCH once
// no process is left; zombies count until reaped, and this process reaps them (it is their subreaper).
static int kill_leftovers(void) {
  long long give_up = now_us() + 5 * 1000000LL;
  for (;;) {
    if (kill(-1, SIGKILL) != 0 && errno == ESRCH) {
      reap();
      return 0;
    }
    if (reap() == 0) {
      if (now_us() > give_up) return -1;
      struct timespec pause = {0, 100000};
      nanosleep(&pause, NULL);
    }
  }
}

// ---- cgroup figures (-1 where the cgroup is not readable, as under gVisor) ----------------------

static long long read_number(const char *path) {
  char text[64];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return -1;
  text[n] = 0;
  return atoll(text);
}

static long long peak_memory_bytes(void) {
  long long v = read_number("/sys/fs/cgroup/memory/memory.max_usage_in_bytes");
  return v >= 0 ? v : read_number("/sys/fs/cgroup/memory.peak");
}

// Sums the values of `keys` (NULL-ended) in a "key value" file; -1 when it cannot be read.
static long long sum_keys(const char *path, const char *const *keys) {
  FILE *f = fopen(path, "re");
  if (!f) return -1;
  char key[128];
  long long value, sum = 0;
  while (fscanf(f, "%127s %lld", key, &value) == 2)
    for (const char *const *k = keys; *k; k++)
      if (strcmp(key, *k) == 0) sum += value;
  fclose(f);
  return sum;
}

static int oom_kills(void) {
  static const char *const keys[] = {"oom_kill", NULL};
  long long v = sum_keys("/sys/fs/cgroup/memory/memory.oom_control", keys);
  if (v < 0) v = sum_keys("/sys/fs/cgroup/memory.events", keys);
  return v < 0 ? 0 : (int)v;
}

static long long resident_bytes(void) {
  static const char *const v1[] = {"rss", "shmem", NULL};
  static const char *const v2[] = {"anon", "shmem", NULL};
  long long v = sum_keys("/sys/fs/cgroup/memory/memory.stat", v1);
  if (v < 0) v = sum_keys("/sys/fs/cgroup/memory.stat", v2);
  return v < 0 ? 0 : v;
}

// ---- the job's archive --------------------------------------------------------------------------

static long long octal(const char *field, size_t len) {
  long long v = 0;
  size_t i = 0;
  while (i < len && field[i] == ' ') i++;
  for (; i < len && field[i] >= '0' && field[i] <= '7'; i++) v = v * 8 + (field[i] - '0');
  return v;
}

// A path the archive may create: relative, no "." or ".." component, no empty one.
static int safe_path(const char *path) {
  if (!*path || *path == '/') return 0;
  const char *p = path;
  while (*p) {
    const char *end = strchr(p, '/');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == 0 && end && end[1] != 0) return 0;
    if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.')) return 0;
    if (!end) break;
    p = end + 1;
  }
  return 1;
}

static int make_parents(char *path) {
  for (char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
    *slash = 0;
    int failed = mkdir(path, 0755) != 0 && errno != EEXIST;
    *slash = '/';
    if (failed) return -1;
  }
  return 0;
}

// Bytes left of the job's archive on stdin; the reader never reads past them.
static long long archive_left;

static int archive_read(void *data, size_t len) {
  if ((long long)len > archive_left) return -1;
  if (input_exact(data, len) != 0) return -1;
  archive_left -= (long long)len;
  return 0;
}

static int archive_skip(long long len) {
  char scratch[8192];
  while (len > 0) {
    size_t n = len > (long long)sizeof scratch ? sizeof scratch : (size_t)len;
    if (archive_read(scratch, n) != 0) return -1;
    len -= (long long)n;
  }
  return 0;
}

static long long padded(long long size) { return (size + 511) / 512 * 512; }

// Sends an instruction entry to the supervisor: name length, name, data length, data.
static int forward(int to, const char *name, long long size) {
  uint32_t name_len = (uint32_t)strlen(name);
  uint64_t data_len = (uint64_t)size;
  if (write_all(to, &name_len, sizeof name_len) || write_all(to, name, name_len)
      || write_all(to, &data_len, sizeof data_len))
    return -1;
  char chunk[65536];
  while (size > 0) {
    size_t n = size > (long long)sizeof chunk ? sizeof chunk : (size_t)size;
    if (archive_read(chunk, n) != 0 || write_all(to, chunk, n) != 0) return -1;
    size -= (long long)n;
  }
  return 0;
}

// In the child, as the run's uid, in /box: unpacks the job's archive (exactly tar_bytes of stdin). The
// user's files are written here; the .qt/ instructions go to the supervisor through `to` instead.
// Returns 0 when the whole archive was read and every entry was made.
static int unpack(int to) {
  archive_left = tar_bytes;
  char header[512], name[NAME_MAX_LEN + 1];
  char long_name[NAME_MAX_LEN + 1] = "";
  long long pax_mtime = -1;
  int ended = 0;
  while (!ended && archive_left >= 512) {
    if (archive_read(header, 512) != 0) return -1;
    int zero = 1;
    for (int i = 0; i < 512 && zero; i++) zero = header[i] == 0;
    if (zero) {
      ended = 1;
      break;
    }
    long long sum = 0, stored = octal(header + 148, 8);
    for (int i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : (unsigned char)header[i];
    if (sum != stored) return -1;
    if ((unsigned char)header[124] & 0x80) return -1;  // base-256 sizes: nothing we send is that large
    long long size = octal(header + 124, 12);
    long long mtime = octal(header + 136, 12);
    int mode = (int)octal(header + 100, 8) & 0777 & ~022;
    char type = header[156];
    if (type == 'x' || type == 'L') {
      if (size > 65536) return -1;
      char *data = malloc((size_t)size + 1);
      if (!data || archive_read(data, (size_t)size) != 0 || archive_skip(padded(size) - size) != 0) return -1;
      data[size] = 0;
      if (type == 'L') {
        if (size > NAME_MAX_LEN) return -1;
        memcpy(long_name, data, (size_t)size + 1);
      } else {
        // PAX records: "<length> <key>=<value>\n".
        for (long long at = 0; at < size;) {
          char *end;
          long long len = strtoll(data + at, &end, 10);
          if (len <= 0 || at + len > size || *end != ' ') return -1;
          char *key = end + 1, *record_end = data + at + len - 1;
          char *eq = memchr(key, '=', (size_t)(record_end - key));
          if (!eq || *record_end != '\n') return -1;
          *eq = 0;
          *record_end = 0;
          if (strcmp(key, "path") == 0) {
            if (strlen(eq + 1) > NAME_MAX_LEN) return -1;
            strcpy(long_name, eq + 1);
          } else if (strcmp(key, "mtime") == 0) {
            pax_mtime = atoll(eq + 1);
          }
          at += len;
        }
      }
      free(data);
      continue;
    }
    if (type == 'g') {
      if (archive_skip(padded(size)) != 0) return -1;
      continue;
    }
    if (long_name[0]) {
      strcpy(name, long_name);
    } else if (memcmp(header + 257, "ustar", 5) == 0 && header[345]) {
      snprintf(name, sizeof name, "%.155s/%.100s", header + 345, header);
    } else {
      snprintf(name, sizeof name, "%.100s", header);
    }
    long_name[0] = 0;
    if (pax_mtime >= 0) mtime = pax_mtime;
    pax_mtime = -1;
    size_t len = strlen(name);
    while (len > 0 && name[len - 1] == '/') name[--len] = 0;
    if (!safe_path(name)) return -1;
    int instruction = strncmp(name, ".qt", 3) == 0 && (name[3] == 0 || name[3] == '/');
    if (type == '5') {
      if (!instruction && make_parents(name) == 0 && mkdir(name, (mode_t)(mode | 0700)) != 0 && errno != EEXIST)
        return -1;
      if (archive_skip(padded(size)) != 0) return -1;
      continue;
    }
    if (type != '0' && type != 0 && type != '7') return -1;  // links, devices, fifos: never sent
    if (instruction) {
      if (forward(to, name, size) != 0 || archive_skip(padded(size) - size) != 0) return -1;
      continue;
    }
    if (make_parents(name) != 0) return -1;
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
    if (fd < 0) return -1;
    char chunk[65536];
    for (long long left = size; left > 0;) {
      size_t n = left > (long long)sizeof chunk ? sizeof chunk : (size_t)left;
      if (archive_read(chunk, n) != 0 || write_all(fd, chunk, n) != 0) {
        close(fd);
        return -1;
      }
      left -= (long long)n;
    }
    // As tar does: the file's time is the archive's, so a session's "new in this run" means written by it.
    struct timespec times[2] = {{mtime, 0}, {mtime, 0}};
    futimens(fd, times);
    close(fd);
    if (archive_skip(padded(size) - size) != 0) return -1;
  }
  // The end-of-archive blocks and any padding: the whole archive is consumed, and nothing more.
  return archive_skip(archive_left);
}

// Per test case, its stdin (a root-only file) and arguments.
static struct buffer *case_args;
static int *case_seen;

static int receive_instruction(const char *name, int from, uint64_t size) {
  char chunk[65536];
  struct buffer *target = NULL;
  int out = -1;
  if (strcmp(name, ".qt/run") == 0) target = &run_cmd;
  else if (strcmp(name, ".qt/compile") == 0) target = &compile_cmd, has_compile = 1;
  else if (strcmp(name, ".qt/args") == 0) target = &user_args;
  else if (strcmp(name, ".qt/stdin") == 0) {
    out = stdin_fd = memfd_create("stdin", MFD_CLOEXEC);
    if (out < 0) return -1;
  } else if (strncmp(name, ".qt/cases/", 10) == 0) {
    char *end;
    long i = strtol(name + 10, &end, 10);
    if (i < 1 || i > cases) return -1;
    if (strcmp(end, "/args") == 0) {
      target = &case_args[i];
      case_seen[i] |= 1;
    } else if (strcmp(end, "/stdin") == 0) {
      char path[64];
      snprintf(path, sizeof path, PRIVATE "/case-%ld.stdin", i);
      out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (out < 0) return -1;
      case_seen[i] |= 2;
    } else {
      return -1;
    }
  } else {
    return -1;
  }
  if (target && size > ARGS_MAX) return -1;
  while (size > 0) {
    size_t n = size > sizeof chunk ? sizeof chunk : (size_t)size;
    if (read_full(from, chunk, n) != (ssize_t)n) return -1;
    if (target) append(target, chunk, n);
    else if (write_all(out, chunk, n) != 0) return -1;
    size -= n;
  }
  if (target) append(target, "", 0);  // an empty value still exists
  if (out >= 0 && out != stdin_fd) close(out);
  return 0;
}

// Unpacks the job: a child as the run's uid writes the files, and hands the instructions back here.
static int receive_job(void) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork_as_run_user();
  if (pid == 0) {
    close(pipe_fds[0]);
    become_run_user();
    _exit(unpack(pipe_fds[1]) == 0 ? 0 : 1);
  }
  close(pipe_fds[1]);
  int failed = 0;
  for (;;) {
    uint32_t name_len;
    uint64_t size;
    char name[128];
    ssize_t n = read_full(pipe_fds[0], &name_len, sizeof name_len);
    if (n == 0) break;
    if (n != sizeof name_len || name_len >= sizeof name || read_full(pipe_fds[0], name, name_len) != name_len
        || read_full(pipe_fds[0], &size, sizeof size) != sizeof size) {
      failed = 1;
      break;
    }
    name[name_len] = 0;
    if (receive_instruction(name, pipe_fds[0], size) != 0) {
      failed = 1;
      break;
    }
  }
  close(pipe_fds[0]);
  if (failed) kill(pid, SIGKILL);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_DROP) die(EXIT_DROP);
  if (failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  // The child read the whole archive, first from its copy of the buffer: drop those bytes here too.
  size_t buffered = input_end - input_start;
  input_start += (long long)buffered < tar_bytes ? buffered : (size_t)tar_bytes;
  if (!run_cmd.data || !user_args.data) return -1;
  if (stdin_fd < 0) stdin_fd = memfd_create("stdin", MFD_CLOEXEC);
  if (stdin_fd >= 0) lseek(stdin_fd, 0, SEEK_SET);
  for (int i = 1; i <= cases; i++)
    if (case_seen[i] != 3) return -1;
  return stdin_fd < 0 ? -1 : 0;
}

// ---- running a program --------------------------------------------------------------------------

// Starts argv as the run's user with fds 0, 1, 2 as given, first in line for the OOM killer, its own
// process limit (RLIMIT_NPROC counts per uid, and the uid is the run's alone). Returns the pid; a program
// that cannot be started exits 126 or 127 with the reason on its stderr, as a shell would.
static pid_t start_program(char **argv, int in, int out, int err) {
  // The child says "D" here when it could not drop to the run's uid; exec closes the pipe unwritten.
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) die(EXIT_DROP);
  pid_t pid = fork_as_run_user();
  if (pid != 0) {
    close(report[1]);
    char failure;
    ssize_t n;
    while ((n = read(report[0], &failure, 1)) < 0 && errno == EINTR) {}
    close(report[0]);
    if (n == 1) die(EXIT_DROP);
    return pid;
  }
  close(report[0]);
  int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    write_all(fd, "1000", 4);
    close(fd);
  }
  struct rlimit limit = {(rlim_t)nproc_limit, (rlim_t)nproc_limit};
  if ((nproc_limit > 0 && setrlimit(RLIMIT_NPROC, &limit) != 0)
      || (in != 0 && dup2(in, 0) < 0) || (out != 1 && dup2(out, 1) < 0) || (err != 2 && dup2(err, 2) < 0)
      || drop_to_run_user() != 0) {
    write_all(report[1], "D", 1);
    _exit(EXIT_DROP);
  }
  execvp(argv[0], argv);
  int code = errno == ENOENT ? 127 : 126;
  outf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
  _exit(code);
}

static int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

// Runs argv to its end or `limit_ms`, then kills every process it left. Sets the exit code (128 + signal
// for a killed program, as a shell reports it), the wall time and whether the limit ended it.
struct outcome { int code, timed_out; long long wall_us, cpu_ns, rss_kb; };

static struct outcome run_program(char **argv, long long limit_ms, int in, int out, int err) {
  struct outcome result = {0, 0, 0, -1, -1};
  step_cpu_ns = 0;
  step_rss_kb = 0;
  long long start = now_us();
  step_pid = start_program(argv, in, out, err);
  step_done = 0;
  result.timed_out = wait_for_step(start + limit_ms * 1000);
  if (result.timed_out) {
    kill_leftovers();
    wait_for_step(0);
  }
  result.wall_us = now_us() - start;
  step_pid = 0;
  result.code = exit_code(step_status);
  // Background processes the program left behind die here, so nothing of theirs follows the trailer.
  if (kill_leftovers() != 0) die(EXIT_WIPE);
  result.cpu_ns = step_cpu_ns;
  result.rss_kb = step_rss_kb;
  return result;
}

// A helper command (tar, find, the wipe script) as the run's uid; its exit code, or -1 past `limit_ms`.
static int run_helper(char **argv, long long limit_ms, int in, int out) {
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  struct outcome result = run_program(argv, limit_ms, in < 0 ? null : in, out < 0 ? null : out, null);
  close(null);
  return result.timed_out ? -1 : result.code;
}

// ---- reporting ----------------------------------------------------------------------------------

// Writes the first `size` bytes of `from`'s file to `to`.
static void send_file(int from, long long size, int to) {
  lseek(from, 0, SEEK_SET);
  char chunk[65536];
  while (size > 0) {
    ssize_t n = read(from, chunk, size > (long long)sizeof chunk ? sizeof chunk : (size_t)size);
    if (n <= 0) break;
    write_all(to, chunk, (size_t)n);
    size -= n;
  }
}

// Writes "\x1eQTC <prefix><size> <truncated>\n" and at most compile_cap bytes of `fd`'s file to `to`.
static void emit_capped(int fd, const char *prefix, int to) {
  struct stat st;
  long long size = fstat(fd, &st) == 0 ? st.st_size : 0;
  int truncated = 0;
  if (size > compile_cap) size = compile_cap, truncated = 1;
  outf(to, "\x1eQTC %s%lld %d\n", prefix, size, truncated);
  send_file(fd, size, to);
  ftruncate(fd, 0);
}

static int private_file(const char *name) {
  char path[128];
  snprintf(path, sizeof path, PRIVATE "/%s", name);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) die(EXIT_NO_JOB);
  return fd;
}

// The regular files the run wrote under /box/out, as a tar archive the run's uid makes (it reads nothing
// the run could not), cut at artifact_cap. /box/out must be a folder, not a link out of /box.
static void emit_artifacts(void) {
  long long size = 0;
  int truncated = 0;
  int archive = private_file("artifacts.tar");
  struct stat st;
  if (lstat("/box/out", &st) == 0 && S_ISDIR(st.st_mode)) {
    char since[48], cap[24];
    snprintf(since, sizeof since, "@%lld.%09ld", (long long)job_started.tv_sec, job_started.tv_nsec);
    if (!session) strcpy(since, "@0");
    snprintf(cap, sizeof cap, "%lld", artifact_cap + 1);
    char *argv[] = {"bash", "-c",
                    "cd /box/out && find . -type f -newermt \"$1\" -print0 | tar -c --null --no-recursion -T - -f - | head -c \"$2\"",
                    "_", since, cap, NULL};
    run_helper(argv, 10000, -1, archive);
    size = fstat(archive, &st) == 0 ? st.st_size : 0;
    if (size > artifact_cap) size = artifact_cap, truncated = 1;
  }
  outf(1, "\x1eQTA %s %lld %d\n", nonce, size, truncated);
  send_file(archive, size, 1);
  close(archive);
  unlink(PRIVATE "/artifacts.tar");
}

static int last_code;

// The end of a step: a marker on stdout and the trailer on stderr, after every process of the run is gone.
static void finish(int code, long long wall_us, long long cpu_ns, long long rss_kb, int timed_out) {
  long long rss = rss_kb > 0 ? rss_kb * 1024 : -1;
  outf(1, "\x1eQTE %s\x1e", nonce);
  outf(2, "\x1eQTR %s %d %lld %lld %lld %lld %d %d\x1e", nonce, code, wall_us, cpu_ns, peak_memory_bytes(), rss,
       oom_kills() - oom_before, timed_out);
  if (artifact_cap > 0 && cases == 0) emit_artifacts();
  last_code = code;
}

static void run_step(struct buffer *args, int in) {
  char **argv = argv_of(&run_cmd, args);
  struct outcome o = run_program(argv, run_ms, in, 1, 2);
  free(argv);
  finish(o.code, o.wall_us, o.cpu_ns, o.rss_kb, o.timed_out);
}

// ---- wiping -------------------------------------------------------------------------------------

static const char *const places[] = {"/box", "/tmp", "/dev/shm", "/dev/mqueue"};

// In a child as the run's uid: removes everything under `dir` it can (the common case: all of it).
static void remove_contents(int dir) {
  DIR *d = fdopendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (unlinkat(dirfd(d), e->d_name, 0) == 0) continue;
    int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub >= 0) {
      remove_contents(sub);
      unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
    }
  }
  closedir(d);
}

static int quick_wipe(void) {
  pid_t pid = fork_as_run_user();
  if (pid == 0) {
    become_run_user();
    for (size_t i = 0; i < sizeof places / sizeof *places; i++) {
      int dir = open(places[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir >= 0) remove_contents(dir);
    }
    _exit(0);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_DROP) die(EXIT_DROP);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

// Whether anything is left in the places a run may write; a place that cannot be read is not empty.
static int files_left(void) {
  for (size_t i = 0; i < sizeof places / sizeof *places; i++) {
    DIR *d = opendir(places[i]);
    if (!d) {
      if (errno == ENOENT) continue;
      return 1;
    }
    struct dirent *e;
    int left = 0;
    while (!left && (e = readdir(d))) left = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    if (left) return 1;
  }
  return 0;
}

// How many SysV IPC objects (shared memory, semaphores, message queues) exist in the sandbox's IPC
// namespace, from the kernel's own counts (gVisor answers them too); -1 when they cannot be read:
// what cannot be checked is not reported clean.
static long sysv_objects(void) {
  struct shm_info shm;
  struct seminfo sem;
  struct msginfo msg;
  if (shmctl(0, SHM_INFO, (struct shmid_ds *)&shm) < 0) return -1;
  union semun { int val; struct semid_ds *buf; unsigned short *array; struct seminfo *__buf; } arg = {.__buf = &sem};
  if (semctl(0, 0, SEM_INFO, arg) < 0) return -1;
  if (msgctl(0, MSG_INFO, (struct msqid_ds *)&msg) < 0) return -1;
  return (long)shm.used_ids + sem.semusz + msg.msgpool;
}

// Kills what is left of a run and removes its files and IPC objects, verified; returns NULL or what failed.
static const char *clear_run(void) {
  if (kill_leftovers() != 0) return "processes-survived";
  long objects = sysv_objects();
  if (objects < 0) return "ipc-unverifiable";
  // Files and IPC objects are removed by their owner, the finished run's uid (the supervisor has no
  // DAC_OVERRIDE, and needs none: a run can only create what its own uid owns). Folders the program made
  // unreadable, and SysV objects, take the full wipe script.
  if (quick_wipe() != 0) return "wipe-failed";
  if (files_left() || objects > 0) {
    char *argv[] = {WIPE_SCRIPT, NULL};
    if (run_helper(argv, 30000, -1, -1) != 0) return "wipe-failed";
  }
  if (kill_leftovers() != 0) return "processes-survived";
  if (files_left()) return "files-survived";
  if (sysv_objects() != 0) return "ipc-survived";
  return NULL;
}

static const char *wipe(void) {
  const char *failure = clear_run();
  if (failure) return failure;
  if (resident_bytes() > IDLE_MEMORY_LIMIT) return "memory-not-released";
  return NULL;
}

// ---- judged jobs --------------------------------------------------------------------------------

// What /box holds after the compile step, archived by the run's uid into the root-only scratch space.
static int snapshot_box(int archive) {
  DIR *d = opendir("/box");
  if (!d) return -1;
  struct buffer entries = {0};
  struct dirent *e;
  int count = 0;
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    append(&entries, "./", 2);
    append(&entries, e->d_name, strlen(e->d_name) + 1);
    count++;
  }
  closedir(d);
  if (count == 0) return 0;
  struct buffer prefix = {0};
  static const char tar_create[] = "tar\0-c\0-f\0-\0--";
  append(&prefix, tar_create, sizeof tar_create);
  char **argv = argv_of(&prefix, &entries);
  int code = run_helper(argv, 60000, -1, archive);
  free(argv);
  free(prefix.data);
  free(entries.data);
  return code == 0 ? 0 : -1;
}

// Between two test cases: nothing of the last case is left, and /box holds the build again.
static int restore_box(int archive) {
  if (clear_run() != NULL) return -1;
  struct stat st;
  if (fstat(archive, &st) != 0) return -1;
  if (st.st_size == 0) return 0;
  lseek(archive, 0, SEEK_SET);
  char *argv[] = {"tar", "-x", "--no-same-owner", "-f", "-", NULL};
  return run_helper(argv, 60000, archive, -1) == 0 ? 0 : -1;
}

// ---- one job ------------------------------------------------------------------------------------

static void reset_job(void) {
  free(run_cmd.data), free(compile_cmd.data), free(user_args.data);
  memset(&run_cmd, 0, sizeof run_cmd);
  memset(&compile_cmd, 0, sizeof compile_cmd);
  memset(&user_args, 0, sizeof user_args);
  has_compile = 0;
  if (stdin_fd >= 0) close(stdin_fd);
  stdin_fd = -1;
  if (case_args) {
    for (int i = 0; i <= cases; i++) free(case_args[i].data);
    free(case_args);
    free(case_seen);
  }
  case_args = NULL;
  case_seen = NULL;
}

// Parses "<nonce> <compile ms> <compile cap> <run ms> <tar bytes> <nproc> [<interactive> [<cases> [<artifact bytes>]]]".
static int parse_header(char *line) {
  char *fields[10];
  int count = 0;
  for (char *save, *token = strtok_r(line, " ", &save); token; token = strtok_r(NULL, " ", &save)) {
    if (count == 10) return -1;
    fields[count++] = token;
  }
  if (count < 6 || count > 9) return -1;
  if (strlen(fields[0]) >= sizeof nonce) return -1;
  for (const char *c = fields[0]; *c; c++)
    if (!isgraph((unsigned char)*c)) return -1;
  strcpy(nonce, fields[0]);
  long long interactive_value = 0, cases_value = 0;
  artifact_cap = 0;
  if (parse_number(fields[1], 9, &compile_ms) || parse_number(fields[2], 12, &compile_cap)
      || parse_number(fields[3], 9, &run_ms) || parse_number(fields[4], 12, &tar_bytes)
      || parse_number(fields[5], 9, &nproc_limit)
      || (count > 6 && (parse_number(fields[6], 1, &interactive_value) || interactive_value > 1))
      || (count > 7 && parse_number(fields[7], 4, &cases_value))
      || (count > 8 && parse_number(fields[8], 9, &artifact_cap)))
    return -1;
  interactive = (int)interactive_value;
  cases = (int)cases_value;
  return 0;
}

// One job, from its header to its last trailer. Returns -1 only when the job could not be read.
static int job(void) {
  char line[HEADER_MAX];
  reset_job();
  cases = 0;
  if (read_line(line, sizeof line) != 0 || parse_header(line) != 0) return -1;
  clock_gettime(CLOCK_REALTIME, &job_started);
  if (cases) interactive = 0;
  // A slot's stdin carries its next job: only a one-run container hands its stdin to the program.
  if (slot) interactive = 0;
  case_args = calloc((size_t)cases + 1, sizeof *case_args);
  case_seen = calloc((size_t)cases + 1, sizeof *case_seen);
  if (!case_args || !case_seen) return -1;
  if (receive_job() != 0) return -1;
  oom_before = oom_kills();

  if (has_compile) {
    int out = private_file("compile.out"), err = private_file("compile.err");
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    char **argv = argv_of(&compile_cmd, NULL);
    struct outcome o = run_program(argv, compile_ms, null, out, err);
    free(argv);
    close(null);
    char prefix[48];
    snprintf(prefix, sizeof prefix, "%d %lld ", o.code, o.wall_us);
    emit_capped(out, prefix, 1);
    emit_capped(err, "", 2);
    close(out);
    close(err);
    // A failed compile ends the job; its code stands in the trailer so a killed compiler is looked into.
    if (o.code != 0) {
      finish(o.code, 0, -1, o.rss_kb, 0);
      return 0;
    }
  }

  if (cases == 0) {
    run_step(&user_args, interactive ? 0 : stdin_fd);
    return 0;
  }
  // The build every case starts from, unless there is only one case. A job whose cases cannot each start
  // from it clean ends here, without their reports; a slot that ends so is replaced.
  int build = private_file("build.tar");
  if (cases > 1 && snapshot_box(build) != 0) die(EXIT_CASES);
  for (int i = 1; i <= cases; i++) {
    if (i > 1) {
      char decision[16];
      if (read_line(decision, sizeof decision) != 0 || strcmp(decision, "next") != 0) break;
      if (restore_box(build) != 0) die(EXIT_CASES);
      oom_before = oom_kills();
    }
    char path[64];
    snprintf(path, sizeof path, PRIVATE "/case-%d.stdin", i);
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0) die(EXIT_CASES);
    run_step(&case_args[i], in);
    close(in);
  }
  // Every case's input, also those a stop left unrun.
  for (int i = 1; i <= cases; i++) {
    char path[64];
    snprintf(path, sizeof path, PRIVATE "/case-%d.stdin", i);
    unlink(path);
  }
  close(build);
  unlink(PRIVATE "/build.tar");
  return 0;
}

int main(int argc, char **argv) {
  umask(022);
  if (chdir("/box") != 0) return 120;
  long long value;
  if (argc >= 2) {
    if (parse_number(argv[1], 10, &value) || value < 1 || value > 2000000000) return 120;
    first_uid = (unsigned)value;
  }
  if (argc >= 3) {
    if (parse_number(argv[2], 10, &value) || value < 1) return 120;
    max_runs = (long)value;
    slot = 1;
  }
  session = argc >= 4 && strcmp(argv[3], "session") == 0;
  input_buffered = slot;
  // Every process a run starts ends up here to be reaped and measured, even when its parent left first.
  // Where the kernel cannot (gVisor's releases before 2023), orphans go to docker-init, which reaps them;
  // the kill loop still waits until they are gone, and only their CPU time is missing from the figure.
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  signal(SIGCHLD, SIG_DFL);

  for (long index = 0; index < max_runs; index++) {
    uid = session ? first_uid : first_uid + (unsigned)index;
    nonce[0] = 0;
    // No job (the executor closed stdin) or an unreadable one: this container is done.
    if (job() != 0) return EXIT_NO_JOB;
    // A one-run container ends with the program's code (docker inspect shows it).
    if (!slot) return last_code;
    if (session) {
      // The session's files stay; nothing of the run's processes does.
      if (kill_leftovers() != 0) {
        outf(1, "\x1eQTW %s processes-survived\x1e", nonce);
        return EXIT_WIPE;
      }
      outf(1, "\x1eQTW %s ok\x1e", nonce);
      continue;
    }
    const char *failure = wipe();
    if (failure) {
      outf(1, "\x1eQTW %s %s\x1e", nonce, failure);
      return EXIT_WIPE;
    }
    if (index + 1 == max_runs) {
      outf(1, "\x1eQTW %s last-run\x1e", nonce);
      return 0;
    }
    outf(1, "\x1eQTW %s ok\x1e", nonce);
  }
  return 0;
}
