package emulator

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// The tenant's authorizationPolicy, a singleton that always exists
// (https://learn.microsoft.com/graph/api/resources/authorizationpolicy):
// GET and PATCH /policies/authorizationPolicy
// (https://learn.microsoft.com/graph/api/authorizationpolicy-get,
// https://learn.microsoft.com/graph/api/authorizationpolicy-update).

// The three guestUserRoleId values the resource page lists as supported:
// User, Guest User and Restricted Guest User role templates.
const (
	GuestRoleSameAsMember = "a0b1b346-4d3e-4e8b-98f8-753987be4970"
	GuestRoleLimited      = "10dae51f-b6af-4016-8d66-8c2a99b929b3"
	GuestRoleRestricted   = "2af84b1e-32c8-42b7-82bc-daa82404023b"
)

// Permissions of the two methods, from their pages' tables: reading takes
// Policy.Read.All (or the write permission), writing only
// Policy.ReadWrite.Authorization.
var (
	authzPolicyReadPerms  = []string{PermPolicyReadAll, PermPolicyReadWriteAuthorization}
	authzPolicyWritePerms = []string{PermPolicyReadWriteAuthorization}
)

// authzPolicyID is the singleton's id, read-only and fixed.
const authzPolicyID = "authorizationPolicy"

// allowInvitesFromValues is the allowInvitesFrom enum ("allowInvitesFrom
// values" on the resource page).
var allowInvitesFromValues = []string{"none", "adminsAndGuestInviters", "adminsGuestInvitersAndAllMembers", "everyone"}

// defaultAuthorizationPolicy is a new tenant's policy: allowInvitesFrom
// "everyone" (the documented default outside US Government), guest access
// "limited" (the Guest User role, Entra's default), allowUserConsentForRiskyApps
// false (documented default), and the other switches as the v1.0 GET
// example shows them.
func defaultAuthorizationPolicy() map[string]any {
	return map[string]any{
		"id":                                     authzPolicyID,
		"displayName":                            "Authorization Policy",
		"description":                            "Used to manage authorization related settings across the company.",
		"allowInvitesFrom":                       "everyone",
		"allowedToSignUpEmailBasedSubscriptions": true,
		"allowedToUseSSPR":                       true,
		"allowEmailVerifiedUsersToJoinOrganization": true,
		"allowUserConsentForRiskyApps":              false,
		"blockMsolPowerShell":                       nil,
		"guestUserRoleId":                           GuestRoleLimited,
		"defaultUserRolePermissions": map[string]any{
			"allowedToCreateApps":                      true,
			"allowedToCreateSecurityGroups":            true,
			"allowedToCreateTenants":                   true,
			"allowedToReadBitlockerKeysForOwnedDevice": true,
			"allowedToReadOtherUsers":                  true,
			// The member the GET example shows; a new tenant's users may
			// consent under Microsoft's built-in legacy policy.
			"permissionGrantPoliciesAssigned": []any{"ManagePermissionGrantsForSelf.microsoft-user-default-legacy"},
		},
	}
}

// authzPolicyBools are the Boolean properties PATCH accepts.
var authzPolicyBools = map[string]bool{
	"allowedToSignUpEmailBasedSubscriptions":    true,
	"allowedToUseSSPR":                          true,
	"allowEmailVerifiedUsersToJoinOrganization": true,
	"allowUserConsentForRiskyApps":              true,
	"blockMsolPowerShell":                       true,
}

// authorizationPolicyLocked returns the policy, created on first use.
func (s *Server) authorizationPolicyLocked() map[string]any {
	if s.ext.authzPolicy == nil {
		s.ext.authzPolicy = defaultAuthorizationPolicy()
	}
	return s.ext.authzPolicy
}

// AuthorizationPolicy returns a copy of the tenant's authorizationPolicy as
// GET returns it.
func (s *Server) AuthorizationPolicy() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneAuthzPolicy(s.authorizationPolicyLocked())
}

// PatchAuthorizationPolicy changes the policy out of band (a portal edit),
// with the validation Graph's PATCH applies.
func (s *Server) PatchAuthorizationPolicy(props map[string]any) error {
	changes, msg := validateAuthzPolicyPatch(props)
	if msg != "" {
		return fmt.Errorf("emulator: %s", msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	applyAuthzPolicyPatch(s.authorizationPolicyLocked(), changes)
	s.saveLocked()
	return nil
}

func cloneAuthzPolicy(p map[string]any) map[string]any {
	out := maps.Clone(p)
	if d, ok := p["defaultUserRolePermissions"].(map[string]any); ok {
		out["defaultUserRolePermissions"] = maps.Clone(d)
	}
	return out
}

func (c *call) getAuthorizationPolicy() {
	c.s.mu.Lock()
	p := cloneAuthzPolicy(c.s.authorizationPolicyLocked())
	c.s.mu.Unlock()
	p["@odata.context"] = c.base() + "/v1.0/$metadata#policies/authorizationPolicy/$entity"
	writeJSON(c.w, http.StatusOK, p)
}

// patchAuthorizationPolicy applies only the properties in the body, as the
// update page says, and answers 204 No Content.
func (c *call) patchAuthorizationPolicy() {
	var body map[string]any
	if !c.readJSONObject(&body) {
		return
	}
	changes, msg := validateAuthzPolicyPatch(body)
	if msg != "" {
		c.badRequest(msg)
		return
	}
	c.s.mu.Lock()
	applyAuthzPolicyPatch(c.s.authorizationPolicyLocked(), changes)
	c.s.saveLocked()
	c.s.mu.Unlock()
	c.w.WriteHeader(http.StatusNoContent)
}

func applyAuthzPolicyPatch(p, changes map[string]any) {
	for k, v := range changes {
		if k == "defaultUserRolePermissions" {
			d, _ := p[k].(map[string]any)
			if d == nil {
				d = map[string]any{}
			}
			if nd, ok := v.(map[string]any); ok {
				maps.Copy(d, nd)
			}
			p[k] = d
			continue
		}
		p[k] = v
	}
}

// validateAuthzPolicyPatch checks a PATCH body property by property and
// returns the changes, or Graph's message for the first bad one. The
// messages are OData's for a value of the wrong type or enum, and the
// directory's for a property that is read-only or unknown.
func validateAuthzPolicyPatch(body map[string]any) (map[string]any, string) {
	out := map[string]any{}
	for k, v := range body {
		if strings.HasPrefix(k, "@odata.") {
			continue
		}
		if msg := validateAuthzPolicyProp(k, v); msg != "" {
			return nil, msg
		}
		if id, ok := v.(string); ok && k == "guestUserRoleId" {
			v = strings.ToLower(id)
		}
		out[k] = v
	}
	return out, ""
}

func validateAuthzPolicyProp(k string, v any) string {
	switch {
	case k == "id":
		return "Property 'id' is read-only and cannot be set."
	case k == "displayName" || k == "description":
		if _, ok := v.(string); !ok {
			return "Cannot convert a primitive value to the expected type 'Edm.String'."
		}
	case k == "allowInvitesFrom":
		s, _ := v.(string)
		if !slices.Contains(allowInvitesFromValues, s) {
			return fmt.Sprintf("Cannot convert the literal '%v' to the expected type 'microsoft.graph.allowInvitesFrom'.", v)
		}
	case k == "guestUserRoleId":
		return validateGuestUserRoleID(v)
	case authzPolicyBools[k]:
		if _, ok := v.(bool); !ok {
			return "Cannot convert a primitive value to the expected type 'Edm.Boolean'."
		}
	case k == "defaultUserRolePermissions":
		d, ok := v.(map[string]any)
		if !ok {
			return "Cannot convert a primitive value to the expected type 'microsoft.graph.defaultUserRolePermissions'."
		}
		for dk, dv := range d {
			if msg := validateDefaultUserRolePermission(dk, dv); msg != "" {
				return msg
			}
		}
	default:
		return fmt.Sprintf("The property '%s' does not exist on type 'microsoft.graph.authorizationPolicy'. Make sure to only use property names that are defined by the type or mark the type as open type.", k)
	}
	return ""
}

// defaultUserRoleBools are the Boolean members of defaultUserRolePermissions;
// its one other member is permissionGrantPoliciesAssigned, a string
// collection (https://learn.microsoft.com/graph/api/resources/defaultuserrolepermissions).
var defaultUserRoleBools = []string{
	"allowedToCreateApps", "allowedToCreateSecurityGroups", "allowedToCreateTenants",
	"allowedToReadBitlockerKeysForOwnedDevice", "allowedToReadOtherUsers",
}

// validateDefaultUserRolePermission checks one member of a
// defaultUserRolePermissions value: a member the type lacks is refused as
// OData refuses one on any closed complex type.
func validateDefaultUserRolePermission(k string, v any) string {
	switch {
	case strings.HasPrefix(k, "@odata."):
		return ""
	case slices.Contains(defaultUserRoleBools, k):
		if _, ok := v.(bool); ok {
			return ""
		}
	case k == "permissionGrantPoliciesAssigned":
		list, ok := v.([]any)
		if !ok {
			break
		}
		for _, e := range list {
			if _, ok := e.(string); !ok {
				return fmt.Sprintf("Invalid value specified for property '%s' of resource 'DefaultUserRolePermissions'.", k)
			}
		}
		return ""
	default:
		return fmt.Sprintf("The property '%s' does not exist on type 'microsoft.graph.defaultUserRolePermissions'. Make sure to only use property names that are defined by the type or mark the type as open type.", k)
	}
	return fmt.Sprintf("Invalid value specified for property '%s' of resource 'DefaultUserRolePermissions'.", k)
}

// validateGuestUserRoleID accepts a GUID that is one of the three role
// templates the resource page lists as supported.
func validateGuestUserRoleID(v any) string {
	s, _ := v.(string)
	if !isGUID(s) {
		return fmt.Sprintf("Cannot convert the literal '%v' to the expected type 'Edm.Guid'.", v)
	}
	switch strings.ToLower(s) {
	case GuestRoleSameAsMember, GuestRoleLimited, GuestRoleRestricted:
		return ""
	}
	return "Invalid value specified for property 'guestUserRoleId' of resource 'AuthorizationPolicy'."
}
