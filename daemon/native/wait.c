/* waitpid(pid, WNOHANG) for one child. libuv waits only for the pids it
 * spawned itself, so this collects the rest: commands started by spawn.c, and
 * the orphans the daemon inherits as PID 1 (daemon/reaper.ts). */
#include <node_api.h>
#include <errno.h>
#include <sys/types.h>
#include <sys/wait.h>

/* waitPid(pid) -> null while it runs, else [exitCode | null, signalNumber | null]; [null, null] if it is not our child. */
napi_value wait_pid(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out, a, b;
  int32_t pid = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &pid) != napi_ok || pid <= 0) {
    napi_throw_type_error(env, NULL, "waitPid(pid) needs a positive integer pid");
    return NULL;
  }
  int status = 0;
  pid_t r;
  do { r = waitpid((pid_t)pid, &status, WNOHANG); } while (r == -1 && errno == EINTR);
  if (r == 0) {
    napi_get_null(env, &out);
    return out;
  }
  napi_get_null(env, &a);
  napi_get_null(env, &b);
  if (r == pid && WIFEXITED(status)) napi_create_int32(env, WEXITSTATUS(status), &a);
  if (r == pid && WIFSIGNALED(status)) napi_create_int32(env, WTERMSIG(status), &b);
  napi_create_array_with_length(env, 2, &out);
  napi_set_element(env, out, 0, a);
  napi_set_element(env, out, 1, b);
  return out;
}
