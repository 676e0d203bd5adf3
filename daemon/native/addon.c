/* The daemon's native helpers: reaping orphans as PID 1 (reap.c) and starting
 * commands without forking the whole daemon (spawn.c). */
#include <node_api.h>

napi_value reap_pid(napi_env env, napi_callback_info info);
napi_value spawn_piped(napi_env env, napi_callback_info info);
napi_value wait_pid(napi_env env, napi_callback_info info);

static void export_fn(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
  napi_set_named_property(env, exports, name, fn);
}

static napi_value init(napi_env env, napi_value exports) {
  export_fn(env, exports, "reapPid", reap_pid);
  export_fn(env, exports, "spawnPiped", spawn_piped);
  export_fn(env, exports, "waitPid", wait_pid);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
