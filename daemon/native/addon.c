/* The daemon's native helpers: starting commands without forking the whole
 * daemon (spawn.c), and waiting for them and for the orphans it reaps as PID 1 (wait.c). */
#include <node_api.h>

napi_value spawn_piped(napi_env env, napi_callback_info info);
napi_value wait_pid(napi_env env, napi_callback_info info);

static void export_fn(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
  napi_set_named_property(env, exports, name, fn);
}

static napi_value init(napi_env env, napi_value exports) {
  export_fn(env, exports, "spawnPiped", spawn_piped);
  export_fn(env, exports, "waitPid", wait_pid);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
