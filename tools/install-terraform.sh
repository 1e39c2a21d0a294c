#!/usr/bin/env bash
# install-terraform.sh [--cli terraform|opentofu] VERSION
#   Ensures a CLI (default Terraform; OpenTofu with --cli opentofu) of exactly
#   VERSION is cached and prints only its absolute path on stdout; progress
#   goes to stderr. tools/install-opentofu.sh is this script with --cli opentofu.
# install-terraform.sh [--cli terraform|opentofu] --print-default-versions
#   Prints the CLI versions the acceptance tests run against (for Terraform:
#   oldest newest; for OpenTofu: the one release line the tests use).
#
# Why the Go module proxy: this project's build machines reach no release
# site (no releases.hashicorp.com, no get.opentofu.org, no hc-install), only
# the Go module proxy and OS package mirrors. Terraform's and OpenTofu's
# sources are Go modules there, so we compile them.
#
# Why a patch for Terraform 1.6 and later: those go.mod files replace the
# remote-state backends (azurerm, consul, cos, gcs, kubernetes, oci, oss, pg,
# s3) and internal/legacy with nested modules under ./internal, but nested
# modules are not part of the published module zip, so `go install
# terraform@v1.6+` fails. We build from a writable copy of the zip instead,
# after dropping every replace whose local directory is missing (with its
# require) and removing those backends' imports and registrations from
# internal/backend/init. The resulting CLI keeps the local, http, inmem, remote
# and cloud backends, which is all the acceptance tests use. Nothing else
# imports the dropped modules; the script checks that instead of assuming it.
#
# Why OpenTofu is built from a copy too: its go.mod has no local replaces, but
# it replaces hashicorp/hcl with OpenTofu's fork, and `go install module@version`
# refuses any module whose go.mod has a replace directive. The same copy-and-
# build path handles it (with nothing to drop); the binary is ./cmd/tofu.
#
# Why ldflags version.dev=no on Terraform 1.6+ and OpenTofu: without it
# `terraform version` reports "X.Y.Z-dev", which terraform-plugin-testing
# would treat as a prerelease.
#
# B2B_TF_MAIN_OVERLAY=<file.go> (with B2B_TF_BUILD_TAGS) adds that file to
# the CLI's package main through `go build -overlay` and always builds from
# the copy; tools/install-terraform-profiled.sh uses it, with its own cache
# directory, for a CLI that can write a CPU profile.
#
# Cache: ${B2B_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-b2b}/terraform/VERSION/terraform
#        (OpenTofu: .../opentofu/VERSION/tofu)
# Builds happen in a temporary directory inside the cache (so the final move is
# an atomic rename) under a per-CLI, per-version mkdir lock.
set -euo pipefail

# The oldest CLI we support and the newest 1.14.x the module proxy served when
# this was pinned (checked with `go list -m github.com/hashicorp/terraform@v1.14.N`).
readonly DEFAULT_VERSIONS="1.5.7 1.14.9"
# The newest OpenTofu release the module proxy served when this was pinned
# (`go list -m github.com/opentofu/opentofu@latest` answered v1.12.6; the
# proxy lists no 1.13 or later).
readonly DEFAULT_OPENTOFU_VERSIONS="1.12.6"
# A build on 2 shared cores takes minutes; a waiter gives up after this.
readonly LOCK_WAIT_SECONDS=${B2B_TF_LOCK_WAIT_SECONDS:-3600}

log() { printf 'install-terraform: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

usage() {
	cat >&2 <<'EOF'
usage: tools/install-terraform.sh [--cli terraform|opentofu] VERSION
           build (once) and print the path of Terraform (or OpenTofu) VERSION
       tools/install-terraform.sh [--cli terraform|opentofu] --print-default-versions
EOF
}

# Set by main; cleanup (the EXIT trap) removes what they name.
tmp_dir=""
lock_dir=""
have_lock=0

# shellcheck disable=SC2317 # only ever invoked by the EXIT trap
cleanup() {
	if [[ -n $tmp_dir && -d $tmp_dir ]]; then
		# The module cache copy keeps read-only directories; make them removable.
		chmod -R u+w "$tmp_dir" 2>/dev/null || true
		rm -rf "$tmp_dir"
	fi
	if ((have_lock)); then
		rm -rf "$lock_dir"
	fi
}
trap cleanup EXIT
# Turn signals into an exit so the EXIT trap still cleans up.
trap 'exit 130' INT
trap 'exit 143' TERM

# All work happens in main, called and followed by exit on the last line, so
# bash has parsed everything it will run before running any of it: editing or
# updating this file during a long build must not change what that build does.
main() {
	cli=terraform
	if [[ ${1:-} == --cli ]]; then
		cli=${2:-}
		shift 2 || {
			usage
			exit 2
		}
	fi
	# What differs between the two CLIs: where the source lives, which package
	# is the main one, what the binary is called and how `version` names it.
	case $cli in
	terraform)
		tf_module=github.com/hashicorp/terraform
		main_pkg=.
		bin_name=terraform
		product=Terraform
		defaults=$DEFAULT_VERSIONS
		;;
	opentofu | tofu)
		cli=opentofu
		tf_module=github.com/opentofu/opentofu
		main_pkg=./cmd/tofu
		bin_name=tofu
		product=OpenTofu
		defaults=$DEFAULT_OPENTOFU_VERSIONS
		;;
	*)
		usage
		die "--cli must be terraform or opentofu, got '$cli'"
		;;
	esac

	case "${1:-}" in
	--print-default-versions)
		echo "$defaults"
		exit 0
		;;
	-h | --help)
		usage
		exit 0
		;;
	"")
		usage
		exit 2
		;;
	esac
	[[ $# -eq 1 ]] || {
		usage
		exit 2
	}

	version=${1#v}
	# Only final releases: a prerelease would need its own stamping rules and the
	# tests never run against one.
	[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "VERSION must look like 1.14.3, got '$1'"

	cache_root=${B2B_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-b2b}
	tf_root=$cache_root/$cli
	dest_dir=$tf_root/$version
	bin=$dest_dir/$bin_name

	# reports_version succeeds when $1 runs and its first line is exactly
	# "Terraform vVERSION" (or "OpenTofu vVERSION"). A user CLI config or a
	# checkpoint call must not influence (or slow down) the answer.
	reports_version() {
		local out
		out=$(TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 "$1" version 2>/dev/null) || return 1
		[[ ${out%%$'\n'*} == "$product v$version" ]]
	}

	if [[ -x $bin ]] && reports_version "$bin"; then
		echo "$bin"
		exit 0
	fi

	go_bin=${GO:-}
	if [[ -z $go_bin ]]; then
		go_bin=$(command -v go || true)
		[[ -n $go_bin ]] || go_bin=/usr/local/go/bin/go
	fi
	[[ -x $go_bin ]] || die "no Go toolchain found (set GO=/path/to/go)"

	mkdir -p "$tf_root"
	lock_dir=$tf_root/.lock-$version

	# A mkdir lock works on every filesystem and needs no flock(1). The owner's
	# pid is recorded so a lock left by a killed build does not block forever.
	waited=0
	until mkdir "$lock_dir" 2>/dev/null; do
		owner=$(cat "$lock_dir/pid" 2>/dev/null || true)
		if [[ -n $owner ]] && ! kill -0 "$owner" 2>/dev/null; then
			log "removing stale lock of exited process $owner"
			rm -rf "$lock_dir"
			continue
		fi
		if ((waited == 0)); then
			log "another build of $product $version is running (pid ${owner:-?}); waiting"
		fi
		((waited >= LOCK_WAIT_SECONDS)) && die "gave up waiting for $lock_dir after ${waited}s"
		sleep 2
		waited=$((waited + 2))
	done
	have_lock=1
	echo "$$" >"$lock_dir/pid"

	# The build we waited for may have produced exactly what we need.
	if [[ -x $bin ]] && reports_version "$bin"; then
		echo "$bin"
		exit 0
	fi

	tmp_dir=$(mktemp -d "$tf_root/.build-$version.XXXXXX")

	# The caller's GOFLAGS (e.g. the project's) must not leak into a build of
	# another module, and a go.work above the temp dir must not capture it.
	unset GOFLAGS
	export GOWORK=off CGO_ENABLED=0 GOFLAGS=-mod=mod
	readonly ldflags_base="-s -w"

	start=$SECONDS
	log "fetching $tf_module@v$version from the module proxy"
	dl_json=$("$go_bin" mod download -json "$tf_module@v$version") ||
		die "cannot download $tf_module@v$version: $(printf '%b' "$(printf '%s' "$dl_json" | sed -n 's/.*"Error": "\(.*\)".*/\1/p')")"
	src_dir=$(printf '%s\n' "$dl_json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
	[[ -n $src_dir && -f $src_dir/go.mod ]] || die "module download gave no source directory for v$version"

	# local_replace_targets prints "modulepath<TAB>dir" for every replace of the
	# form `X => ./dir` in go.mod $1, single-line or inside a replace block.
	local_replace_targets() {
		awk '
			/^replace[[:space:]]*\(/ { inblock = 1; next }
			inblock && /^\)/ { inblock = 0; next }
			{
				line = $0
				sub(/\/\/.*/, "", line)
				if (!inblock && line !~ /^replace[[:space:]]/) next
				if (!inblock) sub(/^replace[[:space:]]+/, "", line)
				n = split(line, f, /[[:space:]]+/)
				# fields: old [oldver] => new [newver]
				for (i = 1; i <= n; i++) if (f[i] == "=>") arrow = i
				if (!arrow) next
				new = f[arrow + 1]
				if (new ~ /^\.\.?\//) printf "%s\t%s\n", f[1], new
				arrow = 0
			}
		' "$1"
	}

	dropped=()
	while IFS=$'\t' read -r mod_path rel_dir; do
		[[ -n $mod_path ]] || continue
		if [[ ! -f $src_dir/$rel_dir/go.mod ]]; then
			dropped+=("$mod_path")
		fi
	done < <(local_replace_targets "$src_dir/go.mod")

	out_bin=$tmp_dir/$bin_name
	work=""
	main_overlay=${B2B_TF_MAIN_OVERLAY:-}
	if [[ -n $main_overlay ]]; then
		[[ -f $main_overlay ]] || die "B2B_TF_MAIN_OVERLAY: no file $main_overlay"
		main_overlay=$(cd "$(dirname "$main_overlay")" && pwd)/$(basename "$main_overlay")
	fi
	if [[ $cli == terraform ]] && ((${#dropped[@]} == 0)) && [[ -z $main_overlay ]]; then
		# Terraform 1.5.x and older: the published module is self-contained.
		log "building with go install (no nested modules to drop)"
		GOBIN=$tmp_dir "$go_bin" install -trimpath -buildvcs=false -ldflags "$ldflags_base" "$tf_module@v$version"
	else
		work=$tmp_dir/src
		cp -R "$src_dir" "$work"
		chmod -R u+w "$work"
	fi
	if ((${#dropped[@]} > 0)); then
		log "dropping ${#dropped[@]} nested modules missing from the module zip: ${dropped[*]##*/}"

		edit_args=()
		for m in "${dropped[@]}"; do
			edit_args+=("-dropreplace=$m" "-droprequire=$m")
		done
		(cd "$work" && "$go_bin" mod edit "${edit_args[@]}")

		# Every non-test importer of a dropped module other than the backend
		# registry would need its own patch; stop loudly rather than guess.
		init_go=internal/backend/init/init.go
		pattern=$(printf '%s\n' "${dropped[@]}" | sed 's/[.]/\\./g' | paste -sd'|' -)
		importers=$(
			cd "$work" || exit 1
			grep -rlE --include='*.go' "\"($pattern)(/[^\"]*)?\"" . |
				grep -v '_test\.go$' | sed 's|^\./||' | sort || true
		)
		unexpected=$(printf '%s\n' "$importers" | grep -vxF -e "$init_go" -e '' || true)
		[[ -z $unexpected ]] || die "files other than $init_go import dropped modules; teach this script about: $unexpected"

		if [[ -n $importers ]]; then
			# Remove the import lines and remember their names, then remove the
			# one-line registry entries that use those names.
			awk -v pat="\"($pattern)(/[^\"]*)?\"" '
				FNR == NR {
					if ($0 ~ pat) {
						name = $1
						if (name ~ /^"/) { name = $0; gsub(/.*\/|".*/, "", name) }
						if (name != "_" && name != ".") names[name] = 1
					}
					next
				}
				$0 ~ pat { next }
				{
					for (n in names) if (index($0, n ".") && $0 ~ ("(^|[^A-Za-z0-9_])" n "\\.")) next
					print
				}
			' "$work/$init_go" "$work/$init_go" >"$work/$init_go.new"
			mv "$work/$init_go.new" "$work/$init_go"
			"$go_bin" build -C "$work" -trimpath -buildvcs=false ./internal/backend/init ||
				die "patched $init_go does not compile"
		fi
	fi
	if [[ -n $work ]]; then
		extra_args=()
		if [[ -n $main_overlay ]]; then
			# The overlay names the added file by its path inside the copy.
			printf '{"Replace":{"%s":"%s"}}\n' "$work/$main_pkg/$(basename "$main_overlay")" "$main_overlay" >"$tmp_dir/overlay.json"
			extra_args+=("-overlay=$tmp_dir/overlay.json" "-tags=${B2B_TF_BUILD_TAGS:-}")
			log "adding $main_overlay to package main"
		fi
		log "building $product from source ($main_pkg)"
		(cd "$work" && "$go_bin" build -trimpath -buildvcs=false ${extra_args[@]+"${extra_args[@]}"} \
			-ldflags "$ldflags_base -X $tf_module/version.dev=no" -o "$out_bin" "$main_pkg")
	fi

	[[ -x $out_bin ]] || die "build produced no binary"
	reports_version "$out_bin" ||
		die "built binary reports '$(TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$out_bin" version 2>&1 | head -n1 || true)', want '$product v$version'"

	mkdir -p "$dest_dir"
	# rename(2) within one filesystem: readers see the old file or the new one.
	mv -f "$out_bin" "$bin"
	log "$product $version ready in $((SECONDS - start))s: $bin"
	echo "$bin"
}

main "$@"; exit
