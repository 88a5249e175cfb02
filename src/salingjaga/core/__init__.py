"""The layer every domain stands on: settings, the database and its sessions, errors, ids,
time, routing, batching, logging and the periodic runner. It imports no domain."""
