#!/usr/bin/env bash
# install-terraform-profiled.sh VERSION
#   Builds (once) and prints the path of a Terraform CLI of VERSION that
#   writes a CPU profile of its own run to the file named by
#   TF_B2B_TF_CPUPROFILE (and behaves exactly like the plain build without
#   it). b2b-bench -terraform-cpuprofile uses it; `go tool pprof` reads the
#   profiles. Terraform has no pprof switch, so tools/install-terraform.sh
#   builds it from the module proxy's source with one file added to package
#   main by `go build -overlay`: tools/terraform-cpuprofile/zz_b2b_cpuprofile.go.
#
# Cache: ${B2B_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-b2b}/profiled/terraform/VERSION/terraform,
# apart from the plain CLIs the tests use. When the overlay file changes,
# remove that directory to rebuild.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ $# -eq 1 && $1 != -* ]] || {
	echo "usage: tools/install-terraform-profiled.sh VERSION" >&2
	exit 2
}
cache_root=${B2B_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-b2b}
export B2B_CACHE_DIR=$cache_root/profiled
export B2B_TF_MAIN_OVERLAY=$here/terraform-cpuprofile/zz_b2b_cpuprofile.go
export B2B_TF_BUILD_TAGS=b2b_tfcpuprofile
exec "$here/install-terraform.sh" "$1"
