#!/usr/bin/env bash
# Installs the Debian 12 packages iffa needs to build, test and run its
# demo, when any is missing. As root it runs apt-get; otherwise it prints
# the command to run and fails.
set -euo pipefail

packages=(gcc make libc6-dev cmake pkg-config libigraph-dev libpq-dev libssl-dev
	libcriterion-dev libxml2-dev postgresql postgresql-client python3 openssl
	python3-networkx chromium)
# python3-networkx reads case exports back in the tests (GraphML, GEXF);
# chromium prints reports to PDF and renders them to PNG for the render
# check (about 30 s to install on the 2-core machine).

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing Debian packages: ${missing[*]}" >&2
	echo "deps.sh: run as root: apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
