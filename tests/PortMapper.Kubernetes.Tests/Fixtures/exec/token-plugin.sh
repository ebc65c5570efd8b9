#!/usr/bin/env bash
# A client-go exec credential plugin for tests. It prints an ExecCredential holding TOKEN that expires in
# TTL seconds, and counts its runs in COUNTER_FILE so a test can tell a cached credential from a fresh one.
# Usage: token-plugin.sh API_VERSION TOKEN TTL COUNTER_FILE
set -euo pipefail
api_version="$1"
token="$2"
ttl="$3"
counter="$4"
echo $(( $(cat "$counter" 2>/dev/null || echo 0) + 1 )) > "$counter"
# client-go tells the plugin what it expects in KUBERNETES_EXEC_INFO; a plugin answers in the same version.
if [[ "${KUBERNETES_EXEC_INFO:-}" != *"\"apiVersion\":\"$api_version\""* ]]; then
  echo "token-plugin: KUBERNETES_EXEC_INFO does not ask for $api_version: ${KUBERNETES_EXEC_INFO:-unset}" >&2
  exit 2
fi
expiry=$(date -u -d "+${ttl} seconds" +%Y-%m-%dT%H:%M:%SZ)
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' "$api_version" "$token" "$expiry"
