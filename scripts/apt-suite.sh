#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run apt-get or apt-cache on one Debian suite through a private apt
# configuration in the cache, never touching the host's sources or lists.
#
#   scripts/apt-suite.sh SUITE apt-get|apt-cache ARGS...
#   scripts/apt-suite.sh SUITE update      refresh its lists now
#   scripts/apt-suite.sh SUITE --dir       print the private directory
#
# SUITE "host" runs the command on the host's own configuration as it is.
# Any other suite (bookworm, bookworm-backports, trixie, sid, experimental,
# ...) gets $SHMR_CACHE/apt/SUITE/ with its own sources.list, lists and
# package cache; the mirror URI and the Signed-By keyring are those of the
# host's Debian entry in /etc/apt/sources.list and sources.list.d/ (deb822
# .sources or one-line .list), read at run time: no host name is written
# into the repository.  The lists are refreshed (apt-get update, no root
# needed) when older than SHMR_APT_MAXAGE seconds (default one day).
# Environment: SHMR_CACHE, SHMR_MIRROR (a mirror URI to use instead of the
# host's), SHMR_APT_MAXAGE.
set -eu

suite=${1:?usage: apt-suite.sh SUITE apt-get|apt-cache ARGS...}
shift
cache=${SHMR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shmregion}
dir=$cache/apt/$suite

if [ "$suite" = host ]; then
	[ "${1:-}" = --dir ] && { echo /; exit 0; }
	c=$1
	shift
	# apt's binary cache of the host's lists kept in ours (many images
	# disable the host's), checked against the lists at each run; apt-get
	# download into a directory _apt cannot write: not as _apt
	mkdir -p "$dir"
	exec "$c" -o Dir::Cache::pkgcache="$dir/pkgcache.bin" \
		-o Dir::Cache::srcpkgcache="$dir/srcpkgcache.bin" \
		-o APT::Sandbox::User="$(id -un)" "$@"
fi
[ "${1:-}" = --dir ] && { echo "$dir"; exit 0; }
cmd=${1:?apt-get or apt-cache}
shift

# The host's Debian archive entry: "URI<TAB>keyring" (keyring may be
# empty). Preferred is the entry for the host's own codename, else any
# entry with the main component that is not a security archive.
host_entry() {
	codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
	{
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -r "$f" ] || continue
			awk '$1 == "deb" {
				opts = ""; i = 2
				if ($2 ~ /^\[/) {
					while (i <= NF) { opts = opts " " $i; if ($i ~ /\]$/) break; i++ }
					i++
				}
				key = ""
				if (match(opts, /signed-by=[^] ]*/))
					key = substr(opts, RSTART + 10, RLENGTH - 10)
				comps = ""
				for (j = i + 2; j <= NF; j++) comps = comps " " $j
				print $(i) "\t" key "\t" $(i + 1) "\t" comps
			}' "$f"
		done
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -r "$f" ] || continue
			# one stanza a paragraph; an inline Signed-By key block
			# (continuation lines) is not a file name: left empty
			awk 'function flush() {
				if (types ~ /(^| )deb( |$)/ && enabled != "no")
					for (u = 1; u <= nu; u++)
						for (s = 1; s <= ns; s++)
							print uri[u] "\t" key "\t" suites[s] "\t " comps
				types = ""; key = ""; comps = ""; nu = 0; ns = 0; enabled = ""
			}
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			/^[ \t]/ { next }
			{
				f = tolower($1); sub(/:$/, "", f); $1 = ""; sub(/^ +/, "")
				if (f == "types") types = $0
				else if (f == "uris") nu = split($0, uri, " ")
				else if (f == "suites") ns = split($0, suites, " ")
				else if (f == "components") comps = $0
				else if (f == "enabled") enabled = tolower($0)
				else if (f == "signed-by" && $0 ~ /^\//) key = $0
			}
			END { flush() }' "$f"
		done
	} | awk -F '\t' -v cn="$codename" '
		$4 !~ / main( |$)/ || $3 ~ /-security$/ || $3 ~ /\// { next }
		$3 == cn && !best { best = $1 "\t" $2 }
		!any { any = $1 "\t" $2 }
		END { if (best) print best; else if (any) print any }'
}

mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
if [ ! -s "$dir/sources.list" ] || [ -n "${SHMR_MIRROR:-}" ]; then
	entry=$(host_entry)
	uri=${SHMR_MIRROR:-$(printf '%s\n' "$entry" | cut -f 1)}
	key=$(printf '%s\n' "$entry" | cut -f 2)
	if [ -z "$uri" ]; then
		echo "apt-suite: no Debian archive in /etc/apt/sources.list(.d) to take a mirror from; set SHMR_MIRROR" >&2
		exit 1
	fi
	[ -z "${SHMR_MIRROR:-}" ] || key=
	opt=
	[ -z "$key" ] || opt=" [signed-by=$key]"
	echo "deb$opt $uri $suite main" > "$dir/sources.list.tmp"
	mv "$dir/sources.list.tmp" "$dir/sources.list"
fi

# the command with the private configuration
run() {
	c=$1
	shift
	"$c" -o Dir::Etc::sourcelist="$dir/sources.list" -o Dir::Etc::sourceparts=- \
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" \
		-o Dir::Cache::pkgcache="$dir/cache/pkgcache.bin" \
		-o Dir::Cache::srcpkgcache="$dir/cache/srcpkgcache.bin" \
		-o Acquire::Languages=none \
		-o Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false \
		-o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false \
		-o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false \
		-o APT::Sandbox::User="$(id -un)" "$@"
}

update() {
	echo "apt-suite: apt-get update for $suite ($(cut -d ' ' -f 2- "$dir/sources.list"))" >&2
	run apt-get -q update >"$dir/update.log" 2>&1 ||
		{ cat "$dir/update.log" >&2; echo "apt-suite: apt-get update of $suite failed" >&2; exit 1; }
	# apt-get update exits 0 on some fetch and signature errors
	if grep -E '^(W|E): ' "$dir/update.log" >&2; then
		echo "apt-suite: apt-get update of $suite reported problems (above)" >&2
		exit 1
	fi
	touch "$dir/.updated"
}

maxage=${SHMR_APT_MAXAGE:-86400}
if [ "$cmd" = update ]; then
	update
	exit 0
fi
if [ ! -f "$dir/.updated" ] ||
   [ $(( $(date +%s) - $(stat -c %Y "$dir/.updated") )) -gt "$maxage" ]; then
	update
fi
run "$cmd" "$@"
