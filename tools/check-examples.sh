#!/usr/bin/env bash
# Checks every example under examples/ the way a user would run it: formatted
# (`terraform fmt -check`) and valid against the provider's real schema
# (`terraform validate`). The docs embed these files, so a broken example is a
# broken page on the registry.
#
# validate needs the provider schema but there is no registry here: the
# provider is built into a temporary directory and Terraform finds it through
# dev_overrides, which also makes `terraform init` unnecessary. Each example
# directory is copied to a scratch directory first so that nothing (lock
# files, .terraform/) is written into examples/. Snippets that leave out the
# terraform/required_providers block get one added in the copy, because
# without it Terraform would look for hashicorp/b2b instead of entra-b2b/b2b.
#
# Usage: tools/check-examples.sh   (Terraform: $TERRAFORM, else the newest CLI
# from tools/install-terraform.sh, which knows actions and identity blocks)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ -z "${TERRAFORM:-}" ]]; then
	newest="$(tools/install-terraform.sh --print-default-versions | awk '{print $NF}')"
	TERRAFORM="$(tools/install-terraform.sh "$newest")"
fi

SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT

# Only the examples' own configuration may influence the result.
export TF_CLI_CONFIG_FILE="$SCRATCH/terraformrc" CHECKPOINT_DISABLE=1 TF_INPUT=0
unset TF_LOG TF_WORKSPACE TF_DATA_DIR

: >"$TF_CLI_CONFIG_FILE"
failed=0

echo "--- terraform fmt -check -recursive examples/"
if ! "$TERRAFORM" fmt -check -recursive -diff examples/; then
	echo "examples/ is not formatted: run 'terraform fmt -recursive examples/'" >&2
	failed=1
fi

echo "--- building the provider for validate"
go build -o "$SCRATCH/bin/terraform-provider-b2b" .
cat >"$TF_CLI_CONFIG_FILE" <<EOF
provider_installation {
  dev_overrides {
    "registry.terraform.io/entra-b2b/b2b" = "$SCRATCH/bin"
  }
  direct {}
}
EOF

n=0
while IFS= read -r dir; do
	n=$((n + 1))
	work="$SCRATCH/work/$n"
	mkdir -p "$work"
	cp "$dir"/*.tf "$work/"
	if ! grep -qs 'entra-b2b/b2b' "$work"/*.tf; then
		cat >"$work/zz_required_providers.tf" <<'EOF'
terraform {
  required_providers {
    b2b = {
      source = "entra-b2b/b2b"
    }
  }
}
EOF
	fi
	# dev_overrides print a warning on every command; only errors matter here.
	if out="$("$TERRAFORM" -chdir="$work" validate -no-color 2>&1)"; then
		echo "ok   $dir"
	else
		echo "FAIL $dir"
		printf '%s\n' "$out" | sed 's/^/     /'
		failed=1
	fi
done < <(find examples -name '*.tf' -printf '%h\n' | sort -u)

if [[ $failed -ne 0 ]]; then
	echo "examples check failed" >&2
	exit 1
fi
echo "all $n example directories are formatted and valid"
