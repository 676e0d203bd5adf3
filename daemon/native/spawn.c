/* Starting a command is most of an exec's time on a slow VM: libuv forks the
 * whole daemon (copying its page tables) before exec. posix_spawn uses
 * clone(CLONE_VM|CLONE_VFORK) instead, so the cost no longer grows with the
 * daemon's memory. The child gets three pipes, its own session (so its tree
 * can be killed as one), default signal dispositions and an empty signal mask
 * (Node ignores SIGPIPE, which exec would otherwise pass on). */
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

static char *take_string(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (s) napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

/* NULL-terminated copy of a JS string array; NULL if it is not one. */
static char **take_strings(napi_env env, napi_value arr) {
  uint32_t n = 0;
  if (napi_get_array_length(env, arr, &n) != napi_ok) return NULL;
  char **out = calloc(n + 1, sizeof(char *));
  for (uint32_t i = 0; out && i < n; i++) {
    napi_value item;
    napi_get_element(env, arr, i, &item);
    if (!(out[i] = take_string(env, item))) {
      for (uint32_t j = 0; j < i; j++) free(out[j]);
      free(out);
      return NULL;
    }
  }
  return out;
}

static void free_strings(char **v) {
  if (!v) return;
  for (char **p = v; *p; p++) free(*p);
  free(v);
}

static void throw_errno(napi_env env, int err, const char *what) {
  napi_value msg, code, error;
  char text[256];
  const char *name = err == ENOENT ? "ENOENT" : err == EACCES ? "EACCES" : err == ENOEXEC ? "ENOEXEC" : err == EAGAIN ? "EAGAIN" : err == ENOTDIR ? "ENOTDIR" : err == EMFILE ? "EMFILE" : "ESPAWN";
  snprintf(text, sizeof text, "%s: %s", what, strerror(err));
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, msg, &error);
  napi_throw(env, error);
}

/* spawnPiped(file, argv, envp, cwd, fd3) -> [pid, stdinFd, stdoutFd, stderrFd, fd3 | -1]; throws with code ENOENT etc.
 * With fd3 true the child also gets a socket pair end as fd 3, usable both ways like Node's 'pipe' there. */
napi_value spawn_piped(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4) {
    napi_throw_type_error(env, NULL, "spawnPiped(file, argv, envp, cwd, fd3)");
    return NULL;
  }
  bool want_fd3 = false;
  if (argc >= 5) napi_get_value_bool(env, argv[4], &want_fd3);
  char *file = take_string(env, argv[0]);
  char **args = take_strings(env, argv[1]);
  char **envp = take_strings(env, argv[2]);
  char *cwd = take_string(env, argv[3]);
  napi_value result = NULL;
  int fds[4][2] = {{-1, -1}, {-1, -1}, {-1, -1}, {-1, -1}};
  int err = 0;
  if (!file || !args || !envp || !cwd) {
    napi_throw_type_error(env, NULL, "spawnPiped: file and cwd must be strings, argv and envp string arrays");
    goto done;
  }
  for (int i = 0; i < 3; i++)
    if (pipe2(fds[i], O_CLOEXEC) != 0) {
      err = errno;
      throw_errno(env, err, "pipe");
      goto done;
    }
  if (want_fd3 && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds[3]) != 0) {
    err = errno;
    throw_errno(env, err, "socketpair");
    goto done;
  }
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&at);
  /* dup2 clears close-on-exec on the child's 0, 1 and 2 only. */
  posix_spawn_file_actions_adddup2(&fa, fds[0][0], 0);
  posix_spawn_file_actions_adddup2(&fa, fds[1][1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[2][1], 2);
  if (want_fd3) posix_spawn_file_actions_adddup2(&fa, fds[3][1], 3);
  posix_spawn_file_actions_addchdir_np(&fa, cwd);
  sigset_t all, none;
  sigfillset(&all);
  /* sigfillset leaves out glibc's internal signals 32 and 33, and posix_spawn
   * would then hand them to the command ignored (SIG_IGN survives exec). Set
   * their bits directly so the command starts like one libuv forks: nothing
   * ignored. glibc only (so is addchdir_np). */
  all.__val[0] |= (1UL << (32 - 1)) | (1UL << (33 - 1));
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&at, &all);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  err = posix_spawnp(&pid, file, &fa, &at, args, envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  if (err != 0) {
    throw_errno(env, err, file);
    goto done;
  }
  /* The child's ends close at done:, the parent's are handed over. */
  int keep[5] = {pid, fds[0][1], fds[1][0], fds[2][0], fds[3][0]};
  fds[0][1] = fds[1][0] = fds[2][0] = fds[3][0] = -1;
  napi_create_array_with_length(env, 5, &result);
  for (int i = 0; i < 5; i++) {
    napi_value v;
    napi_create_int32(env, keep[i], &v);
    napi_set_element(env, result, i, v);
  }
done:
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 2; j++)
      if (fds[i][j] >= 0) close(fds[i][j]);
  free(file);
  free(cwd);
  free_strings(args);
  free_strings(envp);
  return result;
}
