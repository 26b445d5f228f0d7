/*
 * A process that holds files the way real programs do, so that the integration tests can
 * create genuine stale-code situations and ask the scanner about them.
 *
 * It is linked against libstale.so (found through its RUNPATH or LD_LIBRARY_PATH), performs
 * the actions given as arguments in order, prints one line
 *     READY pid=<pid> libstale=<version>
 * on stdout and then sleeps until killed (or exits after exit-after-ms=N).
 *
 * Actions (one argument each):
 *   dlopen=PATH       dlopen() a plugin and call plugin_version()
 *   map-exec=PATH     mmap the file PROT_READ|PROT_EXEC (like a loaded library)
 *   map-ro=PATH       mmap the file PROT_READ only (a data file, not code)
 *   open=PATH         open the file for appending and keep the descriptor (a log)
 *   unlink=PATH       unlink the path
 *   memfd-exec=NAME   memfd_create + mmap PROT_EXEC (what runc/crun/systemd and JITs do)
 *   shm-exec=KEYHEX   SysV shm segment with that key (or the next free one) attached with SHM_EXEC
 *   ffi-tramp=DIR     libffi's closure trick: mkostemp(DIR/ffiXXXXXX), unlink, map RW and RX
 *   exit-after-ms=N   instead of sleeping forever, exit N milliseconds after READY
 *
 * Every failure exits with status 2 and a message on stderr BEFORE the READY line, so that the
 * test helper reports it instead of waiting for a READY that never comes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

extern const char *stale_version(void);

#define PAGE 4096

static void die(const char *what, const char *arg) {
  fprintf(stderr, "holder: %s %s: %s\n", what, arg, strerror(errno));
  exit(2);
}

static void map_file(const char *path, int prot) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open", path);
  /* The mapping keeps the inode alive; the descriptor is closed so that only maps shows it. */
  if (mmap(NULL, PAGE, prot, MAP_PRIVATE, fd, 0) == MAP_FAILED) die("mmap", path);
  close(fd);
}

static void memfd_exec(const char *name) {
  int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) die("memfd_create", name);
  if (ftruncate(fd, PAGE) != 0) die("ftruncate", name);
  if (mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0) == MAP_FAILED) die("mmap", name);
}

static void shm_exec(const char *keyhex) {
  key_t key = (key_t)strtoul(keyhex, NULL, 16);
  int id = -1;
  /* Another run may own the key: take the next free one, the test only needs "some key". */
  for (int i = 0; i < 1000 && id < 0; i++, key++) {
    id = shmget(key, PAGE, IPC_CREAT | IPC_EXCL | 0600);
    if (id < 0 && errno != EEXIST) die("shmget", keyhex);
  }
  if (id < 0) die("shmget (no free key)", keyhex);
  if (shmat(id, NULL, SHM_EXEC) == (void *)-1) die("shmat", keyhex);
  /* Marked for removal now: the segment disappears when the holder exits, however it exits. */
  if (shmctl(id, IPC_RMID, NULL) != 0) die("shmctl", keyhex);
}

static void ffi_tramp(const char *dir) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s/ffiXXXXXX", dir) >= (int)sizeof path) die("path too long", dir);
  int fd = mkostemp(path, O_CLOEXEC);
  if (fd < 0) die("mkostemp", path);
  if (unlink(path) != 0) die("unlink", path);
  if (ftruncate(fd, PAGE) != 0) die("ftruncate", path);
  if (mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED) die("mmap rw", path);
  if (mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0) == MAP_FAILED) die("mmap rx", path);
}

static void load_plugin(const char *path) {
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    fprintf(stderr, "holder: dlopen %s: %s\n", path, dlerror());
    exit(2);
  }
  const char *(*version)(void) = (const char *(*)(void))dlsym(handle, "plugin_version");
  if (version == NULL || version() == NULL) {
    fprintf(stderr, "holder: plugin_version missing in %s\n", path);
    exit(2);
  }
}

static int starts(const char *arg, const char *prefix, const char **value) {
  size_t n = strlen(prefix);
  if (strncmp(arg, prefix, n) != 0) return 0;
  *value = arg + n;
  return 1;
}

int main(int argc, char **argv) {
  long exit_after_ms = -1;
  for (int i = 1; i < argc; i++) {
    const char *v;
    if (starts(argv[i], "dlopen=", &v)) load_plugin(v);
    else if (starts(argv[i], "map-exec=", &v)) map_file(v, PROT_READ | PROT_EXEC);
    else if (starts(argv[i], "map-ro=", &v)) map_file(v, PROT_READ);
    else if (starts(argv[i], "open=", &v)) {
      if (open(v, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600) < 0) die("open", v);
    } else if (starts(argv[i], "unlink=", &v)) {
      if (unlink(v) != 0) die("unlink", v);
    } else if (starts(argv[i], "memfd-exec=", &v)) memfd_exec(v);
    else if (starts(argv[i], "shm-exec=", &v)) shm_exec(v);
    else if (starts(argv[i], "ffi-tramp=", &v)) ffi_tramp(v);
    else if (starts(argv[i], "exit-after-ms=", &v)) exit_after_ms = strtol(v, NULL, 10);
    else {
      fprintf(stderr, "holder: unknown action %s\n", argv[i]);
      return 2;
    }
  }

  printf("READY pid=%d libstale=%s\n", (int)getpid(), stale_version());
  fflush(stdout);

  if (exit_after_ms >= 0) {
    struct timespec ts = {exit_after_ms / 1000, (exit_after_ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    return 0;
  }
  for (;;) pause();
}
