"""Keeping a shared studio safe: where the app may listen (exposure); sign-in and roles next."""
