#!/usr/bin/env bash
# `make demo`: the whole guest lifecycle in one terminal, with no tenant.
#
# It starts the bundled Graph + identity platform emulator on 127.0.0.1, builds
# the provider, points Terraform at that build with dev_overrides (so nothing
# is downloaded and no `terraform init` is needed), applies examples/demo, then
# changes the directory behind Terraform's back the way people do in the
# portal (a guest redeems the invitation, one is edited, one is deleted) and
# runs `terraform plan -detailed-exitcode` to show the drift.
#
# Everything it writes stays under .demo/ (gitignored). The emulator is stopped
# on exit, whatever happens.
#
# The CLI: TF_CLI=terraform (the default) or TF_CLI=tofu (OpenTofu). Then
# $TERRAFORM if set, else `terraform` (`tofu`) on PATH when it is recent
# enough, else the CLI built by tools/install-terraform.sh (install-opentofu.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DEMO="$ROOT/.demo"
BIN="$DEMO/bin"
WORK="$DEMO/work"
case "${TF_CLI:-terraform}" in
terraform)
	CLI_NAME=Terraform CLI_CMD=terraform INSTALLER=tools/install-terraform.sh
	# The oldest Terraform the provider supports.
	MIN_TF_VERSION="1.5.7"
	;;
tofu | opentofu)
	CLI_NAME=OpenTofu CLI_CMD=tofu INSTALLER=tools/install-opentofu.sh
	# OpenTofu 1.6 is the first release (the fork of Terraform 1.5).
	MIN_TF_VERSION="1.6.0"
	;;
*)
	printf 'demo: TF_CLI must be terraform or tofu, got %s\n' "$TF_CLI" >&2
	exit 2
	;;
esac
EMULATOR_PID=""

if [[ -t 1 ]]; then
	BOLD=$'\033[1m' DIM=$'\033[2m' GREEN=$'\033[32m' RED=$'\033[31m' RESET=$'\033[0m'
else
	BOLD="" DIM="" GREEN="" RED="" RESET=""
fi

step() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$RESET"; }
say() { printf '%s    %s%s\n' "$DIM" "$*" "$RESET"; }
fail() {
	printf '%sdemo: %s%s\n' "$RED" "$*" "$RESET" >&2
	exit 1
}

cleanup() {
	local rc=$?
	if [[ -n "$EMULATOR_PID" ]] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
		kill "$EMULATOR_PID" 2>/dev/null || true
		wait "$EMULATOR_PID" 2>/dev/null || true
	fi
	if [[ $rc -ne 0 && -s "$DEMO/emulator.log" ]]; then
		printf '\nLast lines of the emulator log (%s):\n' "$DEMO/emulator.log" >&2
		tail -n 20 "$DEMO/emulator.log" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# version_ge A B: A >= B for dotted versions.
version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" == "$2" ]]; }

tf_version_of() {
	# `terraform version` prints "Terraform vX.Y.Z" first on every supported
	# release, `tofu version` "OpenTofu vX.Y.Z"; the other CLI gives nothing.
	TF_CLI_CONFIG_FILE=/dev/null "$1" version 2>/dev/null | sed -n "1s/^$CLI_NAME v\([0-9][0-9.]*\).*/\1/p"
}

find_terraform() {
	if [[ -n "${TERRAFORM:-}" ]]; then
		[[ -x "$TERRAFORM" ]] || TERRAFORM="$(command -v "$TERRAFORM" || true)"
		[[ -n "$TERRAFORM" && -x "$TERRAFORM" ]] || fail "TERRAFORM is set but does not name an executable"
		return
	fi
	local on_path version
	on_path="$(command -v "$CLI_CMD" || true)"
	if [[ -n "$on_path" ]]; then
		version="$(tf_version_of "$on_path")"
		if [[ -n "$version" ]] && version_ge "$version" "$MIN_TF_VERSION"; then
			TERRAFORM="$on_path"
			return
		fi
		say "$CLI_CMD on PATH is ${version:-of unknown version}; the demo needs $CLI_NAME >= $MIN_TF_VERSION"
	fi
	local newest
	newest="$("$INSTALLER" --print-default-versions | awk '{print $NF}')"
	say "building $CLI_NAME $newest from the Go module proxy (once; cached afterwards; a few minutes)"
	TERRAFORM="$("$INSTALLER" "$newest")"
}

# control METHOD PATH [JSON]: call the emulator's control API (loopback, no auth).
control() {
	local method=$1 path=$2 body=${3:-}
	local args=(--silent --show-error --fail --cacert "$SSL_CERT_FILE" -X "$method")
	if [[ -n "$body" ]]; then
		args+=(-H 'Content-Type: application/json' --data "$body")
	fi
	curl "${args[@]}" "$B2B_EMULATOR_URL/_emulator$path"
}

tf() { "$TERRAFORM" -chdir="$WORK" "$@"; }

# invitations_sent: how many POST /v1.0/invitations the emulator has served.
invitations_sent() {
	control GET /counters | tr ',{}' '\n\n\n' | sed -n 's#.*"POST /v1.0/invitations": *\([0-9]*\).*#\1#p' | head -n 1
}

command -v curl >/dev/null || fail "curl is needed to drive the emulator's control API"
command -v go >/dev/null || fail "Go is needed to build the provider and the emulator"

step "Preparing .demo/"
rm -rf "$WORK" "$DEMO/emulator.env" "$DEMO/emulator-state.json"
mkdir -p "$BIN" "$WORK"
find_terraform
version="$(tf_version_of "$TERRAFORM")"
[[ -n "$version" ]] || fail "$TERRAFORM does not report itself as $CLI_NAME (TF_CLI=${TF_CLI:-terraform})"
say "$CLI_NAME: $TERRAFORM ($version)"

step "Building the provider and the emulator"
# Built binaries rather than `go run`, so the emulator's PID is the process to stop.
# No -trimpath: it changes every build cache key, and a cold build of the Graph
# SDK takes minutes; the tests and `go run` share this cache.
go build -ldflags "-X main.version=demo" -o "$BIN/terraform-provider-b2b" .
go build -o "$BIN/b2b-emulator" ./internal/cmd/b2b-emulator
say "provider: $BIN/terraform-provider-b2b"

step "Starting the Microsoft Graph emulator on 127.0.0.1"
"$BIN/b2b-emulator" \
	-addr 127.0.0.1:0 \
	-ca-file "$DEMO/emulator-ca.pem" \
	-env-file "$DEMO/emulator.env" \
	-state-file "$DEMO/emulator-state.json" \
	>"$DEMO/emulator.log" 2>&1 &
EMULATOR_PID=$!
for _ in $(seq 1 100); do
	[[ -s "$DEMO/emulator.env" ]] && break
	kill -0 "$EMULATOR_PID" 2>/dev/null || fail "the emulator exited at start (log: $DEMO/emulator.log)"
	sleep 0.1
done
[[ -s "$DEMO/emulator.env" ]] || fail "the emulator wrote no env file within 10 s (log: $DEMO/emulator.log)"
# shellcheck disable=SC1091
source "$DEMO/emulator.env"
export B2B_EMULATOR_URL ARM_TENANT_ID ARM_CLIENT_ID ARM_CLIENT_SECRET B2B_GRAPH_ENDPOINT B2B_AUTHORITY_HOST SSL_CERT_FILE
say "Graph and sign-in endpoint: $B2B_EMULATOR_URL (TLS, CA in $SSL_CERT_FILE)"
# The demo also manages group memberships and sponsors, so the app gets the
# permissions those need, as an administrator would grant them.
control PUT "/apps/$ARM_CLIENT_ID/permissions" \
	'{"permissions":["User.Invite.All","User.ReadWrite.All","GroupMember.ReadWrite.All","Directory.Read.All","Policy.ReadWrite.CrossTenantAccess","Policy.Read.All","CrossTenantInformation.ReadBasic.All"]}' >/dev/null
say "tenant $ARM_TENANT_ID, app $ARM_CLIENT_ID with User.Invite.All, User.ReadWrite.All,"
say "GroupMember.ReadWrite.All (memberships), Directory.Read.All (reading them back),"
say "Policy.ReadWrite.CrossTenantAccess and Policy.Read.All (partner organizations, the plan-time admission check)"
say "and CrossTenantInformation.ReadBasic.All (finding a tenant by domain)"
# Two other organizations' tenants, as findTenantInformationByDomainName knows them.
control POST /tenants '{"tenantId":"5b7c1a0e-2f4d-4e6a-9b8c-0d1e2f3a4b5c","displayName":"Partner Ltd","defaultDomainName":"partner.example"}' >/dev/null
control POST /tenants '{"tenantId":"8e9f0a1b-3c4d-4e5f-a6b7-c8d9e0f1a2b3","displayName":"Rival Corp","defaultDomainName":"rival.example"}' >/dev/null
say "other organizations' tenants exist: Partner Ltd (partner.example) and Rival Corp (rival.example)"
# An existing group and an employee who sponsors the suppliers, as in any tenant.
group_json="$(control POST /groups '{"displayName":"Supplier portal users"}')"
TF_VAR_suppliers_group_id="$(sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' <<<"$group_json")"
sponsor_json="$(control POST /users '{"email":"maria.lopez@contoso.example","displayName":"Maria Lopez","userType":"Member"}')"
TF_VAR_supplier_sponsor_id="$(sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' <<<"$sponsor_json")"
[[ -n "$TF_VAR_suppliers_group_id" && -n "$TF_VAR_supplier_sponsor_id" ]] || fail "could not create the demo group and sponsor"
export TF_VAR_suppliers_group_id TF_VAR_supplier_sponsor_id
say "group 'Supplier portal users' ($TF_VAR_suppliers_group_id) and sponsor Maria Lopez ($TF_VAR_supplier_sponsor_id) exist already"
say "the provider finds them in ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET, B2B_GRAPH_ENDPOINT, B2B_AUTHORITY_HOST"

step "Pointing $CLI_NAME at the local build (dev_overrides, no registry, no init)"
# Both registry addresses: OpenTofu resolves "entra-b2b/b2b" to its own
# registry, Terraform to registry.terraform.io, and the file outlives this run
# (the closing lines and `make emulator` use it with either CLI).
cat >"$DEMO/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "registry.terraform.io/entra-b2b/b2b"  = "$BIN"
    "registry.opentofu.org/entra-b2b/b2b" = "$BIN"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$DEMO/terraformrc"
export CHECKPOINT_DISABLE=1 TF_INPUT=0
unset TF_LOG TF_WORKSPACE
cp "$ROOT"/examples/demo/*.tf "$WORK/"
# The IDs of the group and sponsor created above go in a tfvars file too, not
# only in TF_VAR_*: Terraform loads it by itself, so the working copy still
# plans when someone carries on by hand in another shell (see the end).
printf 'suppliers_group_id  = "%s"\nsupplier_sponsor_id = "%s"\n' \
	"$TF_VAR_suppliers_group_id" "$TF_VAR_supplier_sponsor_id" >"$WORK/terraform.tfvars"
BLOCKED="$DEMO/blocked-guest"
rm -rf "$BLOCKED" && mkdir -p "$BLOCKED"
cp "$ROOT"/examples/demo/blocked-guest/*.tf "$BLOCKED/"
say "CLI config: $TF_CLI_CONFIG_FILE; working copy of examples/demo: $WORK"
say "($CLI_NAME warns below that provider development overrides are in effect: that is expected.)"

step "$CLI_CMD plan: Partner Ltd as a partner organization whose MFA is trusted, Rival Corp blocked, and five guests (two described one by one, three suppliers from a list, each in a group with a sponsor), none exists yet"
tf plan -out=demo.tfplan

step "$CLI_CMD apply: one invitation per guest, then the profile fields, the group and the sponsor, then a read-back"
tf apply demo.tfplan

step "$CLI_CMD plan of a guest from Rival Corp (examples/demo/blocked-guest): refused at plan time"
invitations_before="$(invitations_sent)"
set +e
blocked_out="$("$TERRAFORM" -chdir="$BLOCKED" plan -no-color 2>&1)"
blocked_rc=$?
set -e
printf '%s\n' "$blocked_out" | sed -n '/Error:/,$p'
[[ $blocked_rc -ne 0 ]] || fail "the plan of a guest from a blocked organization succeeded"
grep -q "Guest Organization Blocked" <<<"$blocked_out" || fail "the plan failed, but not with the admission check (see above)"
[[ "$(invitations_sent)" == "$invitations_before" ]] || fail "an invitation was sent for the refused guest"
say "the plan stopped before any invitation: the provider read Rival Corp's partner entry"
say "(blocked for AllUsers) and refused sam.taylor@rival.example. The demo goes on."

alice_id="$(tf output -raw alice_id)"
bob_id="$(tf output -raw bob_id)"
dana_id="$(tf output -raw dana_id)"

step "Meanwhile, outside $CLI_NAME..."
control POST "/users/$alice_id/redeem" >/dev/null
say "Alice accepted her invitation (externalUserState: PendingAcceptance -> Accepted)"
control PATCH "/users/$bob_id" '{"jobTitle":"Head of Sales","department":"Key Accounts"}' >/dev/null
say "a helpdesk agent changed Bob's job title and department in the portal"
control DELETE "/users/$dana_id" >/dev/null
say "someone deleted Dana's guest account"
erik_id="$(tf output -raw erik_id)"
control DELETE "/groups/$TF_VAR_suppliers_group_id/members/$erik_id" >/dev/null
say "a group owner removed Erik from 'Supplier portal users'"

step "$CLI_CMD plan -detailed-exitcode: what changed, and what $CLI_NAME would do about it"
set +e
tf plan -detailed-exitcode
plan_rc=$?
set -e
case $plan_rc in
2)
	say "exit code 2: changes are pending. Alice's acceptance is only recorded (no action);"
	say "Bob's profile is put back in place (an update, not a re-invitation); Erik goes back into"
	say "the group; Dana is invited again."
	say "A scheduled CI job running this plan would have flagged all of it."
	;;
0) fail "the plan found no drift, but three guests were changed out of band" ;;
*) fail "$CLI_CMD plan failed (exit code $plan_rc)" ;;
esac

step "What the emulator saw (requests by method and path)"
say "one POST /v1.0/invitations per guest and no second one; refresh reads travel in \$batch requests"
counters="$(control GET /counters)"
if command -v jq >/dev/null; then
	jq . <<<"$counters"
else
	printf '%s\n' "$counters"
fi

step "${GREEN}Done${RESET}${BOLD}"
say "The emulator is stopped; its directory and $CLI_NAME's state are kept in .demo/."
say "To carry on by hand: run 'make emulator' in one terminal (it reloads .demo/emulator-state.json),"
say "then in another: source .demo/emulator.env && export TF_CLI_CONFIG_FILE=.demo/terraformrc"
say "                 $CLI_CMD -chdir=.demo/work apply"
