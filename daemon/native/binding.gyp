{
  "targets": [
    { "target_name": "berth_native", "sources": ["reap.c"] }
  ]
}
