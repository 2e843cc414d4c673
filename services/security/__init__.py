"""Keeping a shared studio safe: where the app may listen (exposure), who may do what (roles,
guarded_backend), what was done by whom (audit), and showing endpoint keys (endpoint_keys)."""
