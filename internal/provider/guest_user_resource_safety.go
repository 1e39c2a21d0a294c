package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/sync/semaphore"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// One address, one guest.
//
// Before it invites, Create looks the address up with $filter. Within one
// Terraform run that is not enough: Terraform creates resources in
// parallel, so two blocks with the same address both look it up before
// either has invited, and even once one has, Graph's list queries lag
// behind replication and can miss the new user for seconds. So the
// provider process serialises everything that gives a user an address
// (create, adopt, email change) per normalised address, and remembers
// which user each of them gave it to. The memory lasts as long as the
// provider process, that is one Terraform command; across separate runs
// only the look-up (and its replication delay) remains.

// addressGuard is the per-address lock and memory, shared by every
// resource of one provider process through providerData.
type addressGuard struct {
	// locks holds a *semaphore.Weighted of size 1 per normalised address:
	// a lock that a cancelled apply (Ctrl-C) stops waiting for.
	locks sync.Map
	// owners maps a normalised address to the object ID of the user a
	// create, adopt or email change of this process gave it to. (Users
	// this process deleted are left out of the look-up by the graph
	// client: graph.Client.FindUsersByEmail.)
	owners sync.Map
}

// normalizeAddress is the key of an address: Entra compares mail and
// otherMails case-insensitively, so Alice@X.example and alice@x.example
// are one address.
func normalizeAddress(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// lock waits until no other operation of this process holds email, or ctx
// ends. The caller must call the returned unlock exactly once.
func (g *addressGuard) lock(ctx context.Context, email string) (unlock func(), err error) {
	v, _ := g.locks.LoadOrStore(normalizeAddress(email), semaphore.NewWeighted(1))
	sem, _ := v.(*semaphore.Weighted)
	if !sem.TryAcquire(1) {
		tflog.Debug(ctx, "waiting for another operation on the same email address to finish")
		if err := sem.Acquire(ctx, 1); err != nil {
			return nil, err
		}
	}
	return func() { sem.Release(1) }, nil
}

// owner returns the object ID this process gave email to, or "".
func (g *addressGuard) owner(email string) string {
	if v, ok := g.owners.Load(normalizeAddress(email)); ok {
		id, _ := v.(string)
		return id
	}
	return ""
}

// claim records that this process gave email to user id.
func (g *addressGuard) claim(email, id string) {
	g.owners.Store(normalizeAddress(email), id)
}

// lockAddress takes the address lock for an operation that gives a user
// email; the diagnostic explains a wait that ended before the lock came.
func (r *guestUserResource) lockAddress(ctx context.Context, email, attempted string) (func(), diag.Diagnostics) {
	var diags diag.Diagnostics
	unlock, err := r.data.addresses.lock(ctx, email)
	if err != nil {
		diags.AddAttributeError(path.Root("email"), "Error Waiting For Email Address",
			errorDetail(attempted+" waits until no other b2b_guest_user of this run is creating or moving a user to "+email+
				" (so one address never ends up on two users), and the operation ended while it waited.",
				"If the apply was cancelled, run it again; otherwise raise the resource's timeouts.", err))
		return nil, diags
	}
	return unlock, diags
}

// sameRunOwnerDiagnostic refuses an address that another resource of this
// run already gave to user id. It keeps the title of the look-up's
// "Guest User Already Exists", which the same situation produces across
// runs, and says why importing into a second block is not the answer.
func sameRunOwnerDiagnostic(email, id string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("email"), "Guest User Already Exists",
		fmt.Sprintf("The address %s already belongs to user %s, which another b2b_guest_user resource invited, adopted or moved to that address "+
			"earlier in this same run, so no invitation was sent and nothing was adopted (two resources managing one user would fight over it, "+
			"and destroying either would delete the guest the other still manages). Keep one resource per address: remove the duplicate block "+
			"(addresses are compared case-insensitively). If this block is the one to keep, remove the other one from the configuration and the state "+
			"(terraform state rm), then import the user into this one:\n\n  terraform import b2b_guest_user.<resource name> %s", email, id, id))
}

// addressTakenDiagnostic refuses an email change onto an address that
// other users already hold.
func addressTakenDiagnostic(id, email string, others []string, thisRun bool) diag.Diagnostic {
	whose := fmt.Sprintf("user %s already has it as mail or in otherMails", strings.Join(others, ", "))
	if len(others) > 1 {
		whose = fmt.Sprintf("users %s already have it as mail or in otherMails", strings.Join(others, ", "))
	}
	if thisRun {
		whose = fmt.Sprintf("another b2b_guest_user resource gave it to user %s earlier in this same run", strings.Join(others, ", "))
	}
	return diag.NewAttributeErrorDiagnostic(path.Root("email"), "Email Address Already In Use",
		fmt.Sprintf("Changing the email of user %s to %s was refused, and nothing was changed: %s. Two users with one address would both be "+
			"found by it, and the re-invitation would go to an address that signs in as someone else. Use an address no other user has, or remove "+
			"%s from the other user first (from its mail and otherMails). If the other user is the one this resource should manage, remove this "+
			"resource from the state (terraform state rm) and import that user instead.", id, email, whose, email))
}

// addressTakenBy returns the users other than self that hold email: the
// owner this process gave it to (thisRun), else those the look-up finds.
func (r *guestUserResource) addressTakenBy(ctx context.Context, c *graph.Client, self, email string) (others []string, thisRun bool, err error) {
	if owner := r.data.addresses.owner(email); owner != "" && !strings.EqualFold(owner, self) {
		return []string{owner}, true, nil
	}
	users, err := c.FindUsersByEmail(ctx, email)
	if err != nil {
		return nil, false, err
	}
	for _, u := range users {
		if !strings.EqualFold(u.ID, self) {
			others = append(others, u.ID)
		}
	}
	return others, false, nil
}

// isB2BCollaborationUser is the provider's one rule for "this user is a
// B2B guest that b2b_guest_user may manage", as opposed to an internal
// account of the tenant (an employee, a service account, an internal
// guest with tenant credentials). It holds when any of these documented
// user properties says the user came through B2B collaboration:
//
//   - creationType is "Invitation": "created ... as an external account
//     (Invitation)"; null for a regular work or school account
//     (https://learn.microsoft.com/graph/api/resources/user, creationType).
//   - externalUserState is set: "for a guest invited ... using the
//     invitation API ... PendingAcceptance or Accepted, or null for all
//     other users" (same page, externalUserState). This also admits an
//     internal account an administrator deliberately invited to B2B
//     collaboration, which keeps its UPN and object ID
//     (https://learn.microsoft.com/entra/external-id/invite-internal-users).
//   - userPrincipalName carries the #EXT# marker Entra gives invited users
//     (https://learn.microsoft.com/entra/external-id/user-properties).
//
// userType is deliberately not part of the rule: it states the
// relationship to the organisation, not how the account signs in, so a
// guest converted to Member ("external member" on the user-properties
// page) stays manageable and a legacy internal user typed Guest does not.
// identities is not used either: before redemption an invited guest's
// only identity names the host tenant's own domain, as an employee's
// does, so it adds no signal to the three above. All three properties are
// in the graph client's $select for every user read and look-up.
func isB2BCollaborationUser(u *graph.User) bool {
	return strings.EqualFold(u.CreationType, "Invitation") ||
		u.ExternalUserState != "" ||
		strings.Contains(strings.ToUpper(u.UserPrincipalName), "#EXT#")
}

// internalAccountEvidence says, from u's own properties, why
// isB2BCollaborationUser refused it, for the diagnostics that refuse it.
func internalAccountEvidence(u *graph.User) string {
	ct := "null"
	if u.CreationType != "" {
		ct = fmt.Sprintf("%q", u.CreationType)
	}
	return fmt.Sprintf("creationType is %s, not \"Invitation\"; externalUserState is null; its userPrincipalName has no #EXT# marker", ct)
}

// internalAccountDiagnostic refuses to take over an internal account.
// refused says what was refused, e.g. "Importing user X was refused".
func internalAccountDiagnostic(p path.Path, refused string, u *graph.User) diag.Diagnostic {
	detail := fmt.Sprintf("%s: user %s (%s) is an internal account of the tenant, not a B2B guest (%s). "+
		"b2b_guest_user manages only invited B2B guests: managing this account would set its userType to Guest and destroy would delete it. "+
		"Nothing was changed.\n\nManage internal accounts with another tool (for example the azuread_user resource) and remove this address from the "+
		"b2b_guest_user configuration, or correct email if it names the wrong person. If this account really should become a B2B guest, first invite "+
		"the internal account to B2B collaboration (https://learn.microsoft.com/entra/external-id/invite-internal-users), then import it.",
		refused, u.ID, u.UserPrincipalName, internalAccountEvidence(u))
	if p.Equal(path.Empty()) {
		return diag.NewErrorDiagnostic("User Is An Internal Account", detail)
	}
	return diag.NewAttributeErrorDiagnostic(p, "User Is An Internal Account", detail)
}

// refuseInternalImport reads the user an import resolved to and refuses
// an internal account. A user that does not exist is left to Read, which
// makes Terraform report "Cannot import non-existent remote object".
func (r *guestUserResource) refuseInternalImport(ctx context.Context, id string, diags *diag.Diagnostics) {
	c, d := r.client()
	diags.Append(d...)
	if d.HasError() {
		return
	}
	u, err := c.GetUser(ctx, id)
	switch {
	case graph.IsNotFound(err):
		return
	case err != nil:
		diags.Append(graphErrorDiagnostic("Error Importing Guest User",
			fmt.Sprintf("Reading user %s (GET /users/%s) to check that it is a B2B guest before importing it failed. Nothing was imported.", id, id), err))
	case !isB2BCollaborationUser(u):
		diags.Append(internalAccountDiagnostic(path.Empty(), fmt.Sprintf("Importing user %s was refused", id), u))
	}
}

// reserveNewAddress locks email for an email change of user id and checks
// that no other user holds it. On refusal it hands the diagnostic to
// refuse, releases the lock and returns ok = false; otherwise the caller
// holds the lock until it returns.
func (r *guestUserResource) reserveNewAddress(ctx context.Context, c *graph.Client, id, email string, refuse func(diag.Diagnostic)) (unlock func(), ok bool) {
	unlock, diags := r.lockAddress(ctx, email, "Changing the email of user "+id+" to "+email)
	if diags.HasError() {
		refuse(diags[0])
		return nil, false
	}
	others, thisRun, err := r.addressTakenBy(ctx, c, id, email)
	switch {
	case err != nil:
		unlock()
		refuse(graphErrorAttributeDiagnostic(path.Root("email"), "Error Changing Guest User Email",
			fmt.Sprintf("Before changing the email of user %s to %s, the provider looks the address up (mail and otherMails) so that no two users "+
				"share it, and the look-up failed. Nothing was changed.", id, email), err))
		return nil, false
	case len(others) > 0:
		unlock()
		refuse(addressTakenDiagnostic(id, email, others, thisRun))
		return nil, false
	}
	return unlock, true
}

// checkNewAddressAtPlan refuses, at plan time, an email change onto an
// address another user already holds. A failed look-up only warns: apply
// looks again before it writes anything.
func (r *guestUserResource) checkNewAddressAtPlan(ctx context.Context, id, email string, diags *diag.Diagnostics) {
	if r.data == nil || r.data.Client == nil {
		return // provider configuration unknown until apply, which checks
	}
	others, thisRun, err := r.addressTakenBy(ctx, r.data.Client, id, email)
	switch {
	case err != nil:
		diags.AddAttributeWarning(path.Root("email"), "Could Not Verify Email Address",
			fmt.Sprintf("The provider checks at plan time that no other user already has %s, and this look-up failed: %v. "+
				"Apply looks the address up again before it changes anything.", email, err))
	case len(others) > 0:
		diags.Append(addressTakenDiagnostic(id, email, others, thisRun))
	}
}
