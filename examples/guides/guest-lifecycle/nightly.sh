#!/usr/bin/env bash
# Nightly guest lifecycle run: plan, apply what the plan found (expired
# guests disabled, drift put back), then report stale guests.
set -uo pipefail

terraform init -input=false
terraform plan -input=false -detailed-exitcode -out=nightly.tfplan
code=$?
case $code in
  0) echo "Nothing to change." ;;
  2)
    terraform show -no-color nightly.tfplan > nightly-plan.txt
    # Apply exactly what was planned (and reviewed, if a person gates this step).
    terraform apply -input=false nightly.tfplan || exit 1
    ;;
  *) echo "Plan failed." >&2; exit 1 ;;
esac

terraform output -json stale_guests > stale-guests.json
