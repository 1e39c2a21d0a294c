package emulator

import (
	"fmt"
	"strings"
)

// What Entra does with a user of an organization whose inbound B2B
// collaboration is blocked: the invitation itself is not documented as
// refused, but the user's sign-in to the resource tenant is, with
// AADSTS500213 NotAllowedByInboundPolicyTenant ("The resource tenant's
// cross-tenant access policy does not allow this user to access this
// tenant", https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
// Redemption is that sign-in, so RedeemInvitation (the control route
// POST /_emulator/users/{id}/redeem) refuses it the same way.
//
// The settings that apply are the organization's partner entry, whose
// null properties inherit the default
// (https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicyconfigurationpartner);
// only a rule that blocks AllUsers is evaluated, since the emulator does not
// know a guest's object ID in its home tenant.

// InboundBlockedError is the refusal of a redemption by the inbound
// cross-tenant access settings.
type InboundBlockedError struct {
	TenantID string
	// Source is "partner" or "default".
	Source string
}

func (e *InboundBlockedError) Error() string {
	return fmt.Sprintf("AADSTS500213: The resource tenant's cross-tenant access policy does not allow this user to access this tenant. "+
		"(home tenant %s, b2bCollaborationInbound.usersAndGroups blocked by the %s configuration)", e.TenantID, e.Source)
}

// inboundBlockedLocked returns an *InboundBlockedError when the settings
// block every user of the registered tenant that owns email's domain.
// s.mu is held.
func (s *Server) inboundBlockedLocked(email string) error {
	i := strings.LastIndex(email, "@")
	if i < 0 {
		return nil
	}
	id, ok := s.ext.byDomain[strings.ToLower(email[i+1:])]
	if !ok {
		return nil
	}
	if p := s.st.CrossTenant.Partners[id]; p != nil && p.B2BCollaborationInbound != nil && p.B2BCollaborationInbound.UsersAndGroups != nil {
		if ctBlocksAllUsers(p.B2BCollaborationInbound.UsersAndGroups) {
			return &InboundBlockedError{TenantID: id, Source: "partner"}
		}
		return nil
	}
	if d := s.crossTenantDefaultLocked(); d.B2BCollaborationInbound != nil && ctBlocksAllUsers(d.B2BCollaborationInbound.UsersAndGroups) {
		return &InboundBlockedError{TenantID: id, Source: "default"}
	}
	return nil
}

func ctBlocksAllUsers(r *ctTargetConfig) bool {
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
