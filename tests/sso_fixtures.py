"""SSO fixtures (the demo OpenID Connect provider as a real server)."""
