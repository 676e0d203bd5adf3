{
  "targets": [
    { "target_name": "berth_native", "sources": ["addon.c", "spawn.c", "wait.c"] }
  ]
}
