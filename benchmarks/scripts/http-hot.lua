-- wrk script: every request checks the same key (the hot-key case).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"key":"bench:hot","tokens":1}'
