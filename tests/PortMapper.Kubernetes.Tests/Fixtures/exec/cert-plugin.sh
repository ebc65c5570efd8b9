#!/usr/bin/env bash
# A credential plugin that answers with a client certificate instead of a token (as some cloud plugins do).
# Usage: cert-plugin.sh CERT_FILE KEY_FILE
set -euo pipefail
json_lines() { awk 'BEGIN { ORS = "\\n" } { print }' "$1"; }
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"%s","clientKeyData":"%s"}}\n' \
  "$(json_lines "$1")" "$(json_lines "$2")"
