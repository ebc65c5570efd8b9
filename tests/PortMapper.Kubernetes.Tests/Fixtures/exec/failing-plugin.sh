#!/usr/bin/env bash
# A credential plugin whose login has expired: it explains on stderr and exits non-zero, as real ones do.
echo "error: the refresh token for user dev@example.com has expired; run 'example-login' again" >&2
exit 3
