package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/sync/singleflight"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// The admission check: at plan time, a guest whose email domain belongs to
// an Entra tenant whose inbound B2B collaboration is blocked for all its
// users, by that tenant's partner entry or by the default, fails the plan
// before any invitation is sent. An address of the provider's own tenant
// is not judged: those settings govern other organizations only.
//
// Semantics (https://learn.microsoft.com/entra/external-id/cross-tenant-access-overview,
// https://learn.microsoft.com/entra/identity-platform/reference-error-codes for
// AADSTS500213 NotAllowedByInboundPolicyTenant, the sign-in refusal a blocked
// user meets,
// and https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicyconfigurationpartner):
// organizational (partner) settings take precedence over the default; a
// partner property that is null inherits the default. Inbound
// b2bCollaborationInbound.usersAndGroups decides which users of the other
// organization may collaborate. Only a rule that blocks AllUsers is certain
// from an email address: a rule naming object IDs (blocked for some, or
// allowed for some and so blocked for the rest) cannot be judged without
// the user's object ID in its home tenant, so it passes here.
//
// A policy changed in the same plan is judged by its planned value, which
// the policy resources record in this cache as they are planned (see
// cross_tenant_planned.go); a planned value unknown until apply gives a
// warning. Terraform plans a guest after a policy only when the guest
// depends on it, so a guest that does not is judged by the policy as it is
// in Entra now (the docs and the error say so).

// admissionTimeout bounds one shared look-up; each waiter also honours its
// own context.
const admissionTimeout = 30 * time.Second

// admissionCache holds, for one provider process (one Terraform command),
// the policy reads and tenant look-ups of the admission check, shared by
// every guest: one default read, one partner read per tenant and one tenant
// look-up per distinct domain.
type admissionCache struct {
	group singleflight.Group

	mu sync.Mutex
	// unavailable is set when a read was refused for lack of permission:
	// the check is off for the rest of the run.
	unavailable bool
	noted       bool
	// def is the default configuration once read.
	def *graph.CrossTenantDefault
	// tenants by lower-cased domain (nil value: not an Entra tenant);
	// tenantIDs by lower-cased tenant ID (nil value: no such tenant; see
	// cross_tenant_tenant_check.go); partners by tenant ID (nil value: no
	// partner entry).
	tenants   map[string]*graph.TenantInformation
	tenantIDs map[string]*graph.TenantInformation
	partners  map[string]*graph.CrossTenantPartner

	// planned holds the settings this plan's policy resources will leave
	// in Entra; they take precedence over what was read.
	planned plannedPolicies
}

// admissionBlock is what blocks a tenant's users: where the rule is and
// which property.
type admissionBlock struct {
	// Source is "partner" (the tenant's partner entry), "default", or
	// "any partner" (a planned partner entry whose tenant_id is unknown).
	Source string
	// Property is the Graph property path of the rule.
	Property string
	// Planned: the rule is the value this plan gives it, not the one in
	// effect now.
	Planned bool
	// Unknown: the planned rule is known only after apply, so it may or
	// may not block; a warning, not an error.
	Unknown bool
}

// admissionProperty is the rule the check judges.
const admissionProperty = "b2bCollaborationInbound.usersAndGroups"

// blockedForAllUsers reports the setting that blocks inbound B2B
// collaboration for every user of a tenant with partner entry p (nil: none)
// under default d, or nil when nothing blocks all of them.
func blockedForAllUsers(p *graph.CrossTenantPartner, d *graph.CrossTenantDefault) *admissionBlock {
	const prop = admissionProperty
	if p != nil && p.B2BCollaborationInbound != nil && p.B2BCollaborationInbound.UsersAndGroups != nil {
		if blocksAllUsers(p.B2BCollaborationInbound.UsersAndGroups) {
			return &admissionBlock{Source: "partner", Property: prop}
		}
		return nil // the partner's own rule decides, and it does not block everyone
	}
	if d != nil && d.B2BCollaborationInbound != nil && blocksAllUsers(d.B2BCollaborationInbound.UsersAndGroups) {
		return &admissionBlock{Source: "default", Property: prop}
	}
	return nil
}

// blocksAllUsers: accessType blocked with the AllUsers keyword among the
// targets.
func blocksAllUsers(r *graph.CrossTenantTargetConfiguration) bool {
	if r == nil || !strings.EqualFold(r.AccessType, "blocked") {
		return false
	}
	for _, t := range r.Targets {
		if strings.EqualFold(t.Target, "AllUsers") {
			return true
		}
	}
	return false
}

// emailDomain returns the lower-cased part after the last @, or "".
func emailDomain(email string) string {
	i := strings.LastIndex(email, "@")
	if i < 0 || i == len(email)-1 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(email[i+1:]))
}

// shared runs fn once per key among concurrent callers; the call runs
// detached from any one caller's cancellation (bounded by
// admissionTimeout) and each caller stops waiting when its own ctx ends.
func (a *admissionCache) shared(ctx context.Context, key string, fn func(context.Context) (any, error)) (any, error) {
	ch := a.group.DoChan(key, func() (any, error) {
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), admissionTimeout)
		defer cancel()
		return fn(c)
	})
	select {
	case r := <-ch:
		return r.Val, r.Err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// defaultPolicy reads the default configuration once per run.
func (a *admissionCache) defaultPolicy(ctx context.Context, c *graph.Client) (*graph.CrossTenantDefault, error) {
	a.mu.Lock()
	d := a.def
	a.mu.Unlock()
	if d != nil {
		return d, nil
	}
	// Stored inside the shared call, as lookupOnce does, and for the same
	// reason.
	v, err := a.shared(ctx, "default", func(ctx context.Context) (any, error) {
		a.mu.Lock()
		d := a.def
		a.mu.Unlock()
		if d != nil {
			return d, nil
		}
		d, err := c.GetCrossTenantDefault(ctx)
		if err != nil {
			return nil, err
		}
		a.mu.Lock()
		a.def = d
		a.mu.Unlock()
		return d, nil
	})
	if err != nil {
		return nil, err
	}
	d, _ = v.(*graph.CrossTenantDefault)
	return d, nil
}

// tenant looks a domain up once per run; nil means no Entra tenant has it.
// The tenant found is remembered by its ID too, so a partner whose
// tenant_id comes from the b2b_tenant data source is not looked up again.
func (a *admissionCache) tenant(ctx context.Context, c *graph.Client, domain string) (*graph.TenantInformation, error) {
	t, err := lookupOnce(ctx, a, &a.tenants, "tenant:", domain, c.FindTenantByDomain)
	if t != nil {
		a.mu.Lock()
		if a.tenantIDs == nil {
			a.tenantIDs = map[string]*graph.TenantInformation{}
		}
		a.tenantIDs[strings.ToLower(t.TenantID)] = t
		a.mu.Unlock()
	}
	return t, err
}

// tenantByID looks a tenant ID up once per run; nil means no tenant has it.
func (a *admissionCache) tenantByID(ctx context.Context, c *graph.Client, tenantID string) (*graph.TenantInformation, error) {
	return lookupOnce(ctx, a, &a.tenantIDs, "tenant-id:", strings.ToLower(tenantID), c.FindTenantByID)
}

// partner reads a tenant's partner entry once per run; nil means none.
func (a *admissionCache) partner(ctx context.Context, c *graph.Client, tenantID string) (*graph.CrossTenantPartner, error) {
	return lookupOnce(ctx, a, &a.partners, "partner:", tenantID, c.GetCrossTenantPartner)
}

// lookupOnce answers get(key) from the cache map *m, or asks Graph once
// per run (shared among concurrent callers under kind+key) and keeps the
// answer; Graph's not found is kept as nil.
func lookupOnce[T any](ctx context.Context, a *admissionCache, m *map[string]*T, kind, key string, get func(context.Context, string) (*T, error)) (*T, error) {
	a.mu.Lock()
	v, ok := (*m)[key]
	a.mu.Unlock()
	if ok {
		return v, nil
	}
	// The answer is stored inside the shared call, and the cache checked
	// again there: a caller that missed the cache just before another's
	// call ended starts a call of its own once that one is forgotten, and
	// finds the answer instead of asking Graph a second time.
	r, err := a.shared(ctx, kind+key, func(ctx context.Context) (any, error) {
		a.mu.Lock()
		v, ok := (*m)[key]
		a.mu.Unlock()
		if ok {
			return v, nil
		}
		v, err := get(ctx, key)
		if graph.IsNotFound(err) {
			v, err = nil, nil
		}
		if err != nil {
			return nil, err
		}
		a.mu.Lock()
		if *m == nil {
			*m = map[string]*T{}
		}
		(*m)[key] = v
		a.mu.Unlock()
		return v, nil
	})
	if err != nil {
		return nil, err
	}
	v, _ = r.(*T)
	return v, nil
}

// off turns the check off for the run and reports whether the caller is
// the first to learn it (and so adds the one note).
func (a *admissionCache) off() (first bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.unavailable = true
	first = !a.noted
	a.noted = true
	return first
}

func (a *admissionCache) isOff() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.unavailable
}

// admissionFor finds what blocks email's domain: the tenant (nil when the
// domain is no Entra tenant) and the block (nil when none). home is the
// provider's own tenant_id (see isHomeTenant).
func (a *admissionCache) admissionFor(ctx context.Context, c *graph.Client, home, domain string) (*graph.TenantInformation, *admissionBlock, error) {
	d, err := a.defaultPolicy(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	t, err := a.tenant(ctx, c, domain)
	if err != nil || t == nil {
		return nil, nil, err
	}
	// Cross-tenant access settings govern other organizations' users: an
	// address of the provider's own tenant is no B2B partner's, and its
	// tenant has no partner entry to judge it by.
	if isHome, err := a.isHomeTenant(ctx, c, home, t.TenantID); err != nil || isHome {
		return t, nil, err
	}
	b, err := a.judge(ctx, c, t.TenantID, d)
	return t, b, err
}

// judge decides for tenantID by the planned partner entry and default
// where this plan manages them, else by the ones read (d is the default in
// effect).
func (a *admissionCache) judge(ctx context.Context, c *graph.Client, tenantID string, d *graph.CrossTenantDefault) (*admissionBlock, error) {
	pin, pPlanned, unknownTenant := a.planned.partner(tenantID)
	if pPlanned && pin.Unknown {
		return &admissionBlock{Source: "partner", Property: admissionProperty, Planned: true, Unknown: true}, nil
	}
	var p *graph.CrossTenantPartner
	if pPlanned {
		p = &graph.CrossTenantPartner{TenantID: tenantID, CrossTenantSettings: graph.CrossTenantSettings{
			B2BCollaborationInbound: &graph.CrossTenantB2BSetting{UsersAndGroups: pin.Rule},
		}}
	} else {
		read, err := a.partner(ctx, c, tenantID)
		if err != nil {
			return nil, err
		}
		p = read
	}
	if ownRule := p != nil && p.B2BCollaborationInbound != nil && p.B2BCollaborationInbound.UsersAndGroups != nil; !ownRule {
		if !pPlanned && unknownTenant {
			// A partner planned with a tenant ID known only after apply
			// may be this tenant's entry.
			return &admissionBlock{Source: "any partner", Property: "tenant_id", Planned: true, Unknown: true}, nil
		}
		if din, ok := a.planned.defaultRule(); ok {
			if din.Unknown {
				return &admissionBlock{Source: "default", Property: admissionProperty, Planned: true, Unknown: true}, nil
			}
			d = &graph.CrossTenantDefault{CrossTenantSettings: graph.CrossTenantSettings{
				B2BCollaborationInbound: &graph.CrossTenantB2BSetting{UsersAndGroups: din.Rule},
			}}
			if b := blockedForAllUsers(nil, d); b != nil {
				b.Planned = true
				return b, nil
			}
			return nil, nil
		}
	}
	b := blockedForAllUsers(p, d)
	if b != nil && b.Source == "partner" {
		b.Planned = pPlanned
	}
	return b, nil
}

// isHomeTenant reports whether tenantID is the tenant the provider signs in to.
// home is tenant_id as configured: a GUID, or one of the tenant's domain
// names (looked up like a guest's domain, once per run). With no tenant_id
// (Azure CLI or managed identity may leave it out) no tenant is home.
func (a *admissionCache) isHomeTenant(ctx context.Context, c *graph.Client, home, tenantID string) (bool, error) {
	if home == "" {
		return false, nil
	}
	if isGUID(home) {
		return strings.EqualFold(home, tenantID), nil
	}
	h, err := a.tenant(ctx, c, strings.ToLower(home))
	if err != nil || h == nil {
		return false, err
	}
	return strings.EqualFold(h.TenantID, tenantID), nil
}

// checkAdmission adds the plan-time admission diagnostics for a guest that
// is about to be invited at email, for the reason cause.
func (r *guestUserResource) checkAdmission(ctx context.Context, email string, cause admissionCause, diags *diag.Diagnostics) {
	if r.data == nil || r.data.Client == nil {
		return // provider configuration unknown until apply
	}
	domain := emailDomain(email)
	a := &r.data.admission
	if domain == "" || a.isOff() {
		return
	}
	tenant, block, err := a.admissionFor(ctx, r.data.Client, r.data.TenantID, domain)
	switch {
	case graph.IsForbidden(err) || graph.IsUnauthorized(err):
		if a.off() {
			diags.AddWarning("Guest Admission Not Checked",
				"The provider checks at plan time whether the cross-tenant access settings block the organization of each guest "+
					"it invites (new guest, email change or reinvite_trigger change), and the application may not read them: "+
					err.Error()+" No guest is checked in this run. "+
					"To turn the check on, grant Policy.Read.All (cross-tenant access policy) and "+
					"CrossTenantInformation.ReadBasic.All (tenant look-up by domain).")
		}
		return
	case graph.IsUnreachable(err):
		// Nothing else in this run can reach Graph either: fail the plan now,
		// naming the host, rather than plan the guest and wait for the same
		// endpoint again at apply.
		diags.Append(diag.WithPath(path.Root("email"), graphErrorDiagnostic("Error Checking Guest Admission",
			fmt.Sprintf("Looking up at plan time whether the cross-tenant access settings admit guests from %s.", domain), err)))
		return
	case err != nil:
		tflog.Warn(ctx, "admission check failed", map[string]any{"domain": domain, "error": err.Error()})
		diags.AddAttributeWarning(path.Root("email"), "Could Not Check Guest Admission",
			fmt.Sprintf("Looking up whether the cross-tenant access settings admit guests from %s failed: %v. "+
				"The plan goes on; if the organization is blocked, the guest will not be able to sign in.", domain, err))
		return
	case block == nil:
		return
	case block.Unknown:
		diags.AddAttributeWarning(cause.path(), "Guest Admission Known Only After Apply", admissionUnknownDetail(email, domain, tenant, block))
		return
	case cause == admitMaybeReinvite:
		// The re-invitation itself is known only after apply: an error
		// would block a plan that may send nothing.
		diags.AddAttributeWarning(cause.path(), "Guest Organization Blocked", admissionDetail(email, domain, tenant, block, cause))
		return
	}
	diags.AddAttributeError(cause.path(), "Guest Organization Blocked", admissionDetail(email, domain, tenant, block, cause))
}

// admissionUnknownDetail is the warning text when the rule that decides
// is planned with a value known only after apply.
func admissionUnknownDetail(email, domain string, t *graph.TenantInformation, b *admissionBlock) string {
	where := "the default cross-tenant access settings (b2b_cross_tenant_access_default)"
	switch b.Source {
	case "partner":
		where = "the tenant's partner entry (b2b_cross_tenant_access_partner for " + t.TenantID + ")"
	case "any partner":
		where = "a partner entry (b2b_cross_tenant_access_partner) that may be this tenant's"
	}
	return fmt.Sprintf("The guest %s belongs to the tenant %s (%s) through %s. This plan sets %s, property %s, to a value "+
		"known only after apply, so the plan cannot tell whether it will block the guest's organization. The plan goes on. "+
		"If the applied setting blocks all users of the tenant, Entra refuses the guest's sign-in (AADSTS500213) and the "+
		"invitation cannot be used; to have the plan judge it, give the setting a value known at plan time.",
		email, t.TenantID, t.DisplayName, domain, where, b.Property)
}

// admissionDetail is the error text (the warning's, when the invitation
// itself is known only after apply): who, which organization, which
// setting, and what to do.
func admissionDetail(email, domain string, t *graph.TenantInformation, b *admissionBlock, cause admissionCause) string {
	where := "the default cross-tenant access settings (b2b_cross_tenant_access_default)"
	fix := "add a partner entry for the tenant that allows its users (b2b_cross_tenant_access_partner with " +
		"b2b_collaboration_inbound.users_and_groups access_type = \"allowed\"), or allow them in the default"
	if b.Source == "partner" {
		where = "the tenant's partner entry (b2b_cross_tenant_access_partner for " + t.TenantID + ")"
		fix = "allow its users in that partner entry, or remove b2b_collaboration_inbound from it so the default applies"
	}
	value, note := "", " If this configuration changes that setting, make the guest depend on the policy resource "+
		"(depends_on, or a reference such as its tenant_id) so the plan judges the guest by the planned value; "+
		"without that dependency the check reads the settings in effect now."
	if b.Planned {
		value, note = "the value this plan gives ", ""
	}
	// What the plan was about to do, and the way out that keeps the guest.
	head, sent, undo := "cannot be invited", "No invitation was sent.", "Remove the guest"
	switch cause {
	case admitReinvite:
		head, undo = "cannot be re-invited (reinvite_trigger changed)", "Leave reinvite_trigger at its value in state"
	case admitMaybeReinvite:
		head, sent, undo = "may be re-invited (reinvite_trigger is known only after apply and may change)",
			"The plan goes on.", "Give reinvite_trigger a value known at plan time"
	}
	return fmt.Sprintf("The guest %s %s: %s belongs to the tenant %s (%s), whose inbound B2B collaboration "+
		"is blocked for all users by %s%s, property %s. Entra refuses such a user's sign-in to this tenant "+
		"(AADSTS500213), so the invitation could never be used. %s %s, or %s.%s",
		email, head, domain, t.TenantID, t.DisplayName, value, where, b.Property, sent, undo, fix, note)
}

// admissionCause is why a plan sends a guest an invitation; it decides
// which attribute the admission diagnostic names and what it suggests.
type admissionCause int

const (
	admitCreate        admissionCause = iota // a new guest
	admitNewEmail                            // an email change re-invites at the new address
	admitReinvite                            // reinvite_trigger changed to a known value
	admitMaybeReinvite                       // reinvite_trigger is known only after apply
)

// path is the attribute whose change sends the invitation.
func (c admissionCause) path() path.Path {
	if c == admitReinvite || c == admitMaybeReinvite {
		return path.Root("reinvite_trigger")
	}
	return path.Root("email")
}

// admissionNeeded reports whether the plan from prior (nil when creating)
// to plan sends an invitation to a known address, and why. Every
// invitation is judged: one to a guest whose organization is blocked could
// never be redeemed, whether it is the first or a re-sent one. A plan that
// sends none (no change, or only profile attributes) is not judged, so a
// guest stays manageable after its organization is blocked.
func admissionNeeded(prior, plan *guestUserResourceModelV0) (admissionCause, bool) {
	if plan.Email.IsUnknown() || plan.Email.IsNull() {
		return 0, false
	}
	switch {
	case prior == nil:
		return admitCreate, true
	case !strings.EqualFold(prior.Email.ValueString(), plan.Email.ValueString()):
		return admitNewEmail, true
	case !reinvitePlanned(prior, plan):
		return 0, false
	case plan.ReinviteTrigger.IsUnknown():
		return admitMaybeReinvite, true
	}
	return admitReinvite, true
}
