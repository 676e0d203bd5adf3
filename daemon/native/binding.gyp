{
  "targets": [
    { "target_name": "berth_native", "sources": ["addon.c", "reap.c", "spawn.c"] }
  ]
}
