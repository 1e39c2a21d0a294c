#!/usr/bin/env bash
# install-opentofu.sh VERSION
#   Ensures an OpenTofu CLI of exactly VERSION is cached and prints only its
#   absolute path on stdout (.../terraform-provider-b2b/opentofu/VERSION/tofu).
# install-opentofu.sh --print-default-versions
#   Prints the OpenTofu version the acceptance tests run against.
#
# OpenTofu is built from the Go module proxy exactly as Terraform is, with the
# same cache, lock and atomic rename; install-terraform.sh holds that logic
# and explains it, this name only saves typing --cli opentofu.
exec "$(dirname "${BASH_SOURCE[0]}")/install-terraform.sh" --cli opentofu "$@"
