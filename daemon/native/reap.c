/* The daemon runs as PID 1, so every orphan in the sandbox becomes its child.
 * libuv only waits for the pids it spawned; this reaps one given pid without
 * blocking so the daemon can collect the orphans libuv does not know about.
 * Returns the pid if reaped, 0 if it is still running, -1 if it is not our child. */
#include <node_api.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>

napi_value reap_pid(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t pid = 0;
  napi_value out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &pid) != napi_ok || pid <= 0) {
    napi_throw_type_error(env, NULL, "reapPid(pid) needs a positive integer pid");
    return NULL;
  }
  int status = 0;
  pid_t r;
  do { r = waitpid((pid_t)pid, &status, WNOHANG); } while (r == -1 && errno == EINTR);
  napi_create_int32(env, (int32_t)r, &out);
  return out;
}

