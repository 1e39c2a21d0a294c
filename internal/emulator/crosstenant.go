package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Cross-tenant access settings (Graph v1.0), as documented on:
//   - https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicy-overview
//   - https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicyconfigurationdefault
//     (GET/PATCH /policies/crossTenantAccessPolicy/default,
//     POST .../default/resetToSystemDefault)
//   - https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicyconfigurationpartner
//     (POST /policies/crossTenantAccessPolicy/partners,
//     GET/PATCH/DELETE .../partners/{tenantId}); "for any partner-specific
//     property that is null, these settings inherit the behavior configured
//     in your default cross-tenant access settings"
//   - https://learn.microsoft.com/graph/api/resources/crosstenantidentitysyncpolicypartner
//     (PUT/GET/PATCH/DELETE .../partners/{tenantId}/identitySynchronization)
//
// A complex property sent in a PATCH replaces the stored value as a whole
// (OData update semantics for complex types), so null resets a partner's
// setting to "inherit from the default".

// Application permissions: every GET page lists Policy.Read.All (least
// privileged) and Policy.ReadWrite.CrossTenantAccess; every write lists
// Policy.ReadWrite.CrossTenantAccess only
// (https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationdefault-get#permissions,
// https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationdefault-update#permissions,
// https://learn.microsoft.com/graph/api/crosstenantaccesspolicy-post-partners#permissions,
// https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationpartner-put-identitysynchronization#permissions).
var (
	crossTenantReadPerms  = []string{PermPolicyReadAll, PermPolicyReadWriteCrossTenantAccess}
	crossTenantWritePerms = []string{PermPolicyReadWriteCrossTenantAccess}
)

// crossTenantRoutes registers the cross-tenant access policy endpoints.
func (s *Server) crossTenantRoutes(g *http.ServeMux) {
	const base = "/policies/crossTenantAccessPolicy"
	s.handle(g, "GET "+base+"/default", crossTenantReadPerms, (*call).getCrossTenantDefault)
	s.handle(g, "PATCH "+base+"/default", crossTenantWritePerms, (*call).patchCrossTenantDefault)
	s.handle(g, "POST "+base+"/default/resetToSystemDefault", crossTenantWritePerms, (*call).resetCrossTenantDefault)
	s.handle(g, "GET "+base+"/partners", crossTenantReadPerms, (*call).listCrossTenantPartners)
	s.handle(g, "POST "+base+"/partners", crossTenantWritePerms, (*call).postCrossTenantPartner)
	s.handle(g, "GET "+base+"/partners/{tenantId}", crossTenantReadPerms, (*call).getCrossTenantPartner)
	s.handle(g, "PATCH "+base+"/partners/{tenantId}", crossTenantWritePerms, (*call).patchCrossTenantPartner)
	s.handle(g, "DELETE "+base+"/partners/{tenantId}", crossTenantWritePerms, (*call).deleteCrossTenantPartner)
	const sync = base + "/partners/{tenantId}/identitySynchronization"
	s.handle(g, "GET "+sync, crossTenantReadPerms, (*call).getIdentitySync)
	s.handle(g, "PUT "+sync, crossTenantWritePerms, (*call).putIdentitySync)
	s.handle(g, "PATCH "+sync, crossTenantWritePerms, (*call).patchIdentitySync)
	s.handle(g, "DELETE "+sync, crossTenantWritePerms, (*call).deleteIdentitySync)
}

// ctTarget is a crossTenantAccessPolicyTarget.
type ctTarget struct {
	Target     string `json:"target"`
	TargetType string `json:"targetType"`
}

// ctTargetConfig is a crossTenantAccessPolicyTargetConfiguration.
type ctTargetConfig struct {
	AccessType string     `json:"accessType"`
	Targets    []ctTarget `json:"targets"`
}

// ctB2BSetting is a crossTenantAccessPolicyB2BSetting.
type ctB2BSetting struct {
	UsersAndGroups *ctTargetConfig `json:"usersAndGroups"`
	Applications   *ctTargetConfig `json:"applications"`
}

// ctInboundTrust is a crossTenantAccessPolicyInboundTrust.
type ctInboundTrust struct {
	IsMfaAccepted                       *bool `json:"isMfaAccepted"`
	IsCompliantDeviceAccepted           *bool `json:"isCompliantDeviceAccepted"`
	IsHybridAzureADJoinedDeviceAccepted *bool `json:"isHybridAzureADJoinedDeviceAccepted"`
}

// ctConsent is an inboundOutboundPolicyConfiguration.
type ctConsent struct {
	InboundAllowed  *bool `json:"inboundAllowed"`
	OutboundAllowed *bool `json:"outboundAllowed"`
}

// ctDevicesFilter is a devicesFilter
// (https://learn.microsoft.com/graph/api/resources/devicesfilter).
type ctDevicesFilter struct {
	Mode string `json:"mode"`
	Rule string `json:"rule"`
}

// ctTenantRestrictions is a crossTenantAccessPolicyTenantRestrictions: a
// B2B setting with a devices filter
// (https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicytenantrestrictions).
type ctTenantRestrictions struct {
	UsersAndGroups *ctTargetConfig  `json:"usersAndGroups"`
	Applications   *ctTargetConfig  `json:"applications"`
	Devices        *ctDevicesFilter `json:"devices"`
}

// ctRedemption is a defaultInvitationRedemptionIdentityProviderConfiguration.
type ctRedemption struct {
	PrimaryIdentityProviderPrecedenceOrder []string `json:"primaryIdentityProviderPrecedenceOrder"`
	FallbackIdentityProvider               string   `json:"fallbackIdentityProvider"`
}

// ctSettings are the settings shared by the default and partner entries.
type ctSettings struct {
	B2BCollaborationInbound      *ctB2BSetting   `json:"b2bCollaborationInbound"`
	B2BCollaborationOutbound     *ctB2BSetting   `json:"b2bCollaborationOutbound"`
	B2BDirectConnectInbound      *ctB2BSetting   `json:"b2bDirectConnectInbound"`
	B2BDirectConnectOutbound     *ctB2BSetting   `json:"b2bDirectConnectOutbound"`
	InboundTrust                 *ctInboundTrust `json:"inboundTrust"`
	AutomaticUserConsentSettings *ctConsent      `json:"automaticUserConsentSettings"`
	// TenantRestrictions is listed on both resource pages and in the
	// default's update page
	// (https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationdefault-update).
	TenantRestrictions *ctTenantRestrictions `json:"tenantRestrictions"`
}

// ctDefault is the crossTenantAccessPolicyConfigurationDefault.
type ctDefault struct {
	IsServiceDefault bool `json:"isServiceDefault"`
	ctSettings
	InvitationRedemptionIdentityProviderConfiguration *ctRedemption `json:"invitationRedemptionIdentityProviderConfiguration"`
}

// ctPartner is a crossTenantAccessPolicyConfigurationPartner.
type ctPartner struct {
	TenantID                    string `json:"tenantId"`
	IsServiceProvider           *bool  `json:"isServiceProvider"`
	IsInMultiTenantOrganization bool   `json:"isInMultiTenantOrganization"`
	ctSettings
}

// ctUserSyncInbound is a crossTenantUserSyncInbound.
type ctUserSyncInbound struct {
	IsSyncAllowed *bool `json:"isSyncAllowed"`
}

// ctIdentitySync is a crossTenantIdentitySyncPolicyPartner.
type ctIdentitySync struct {
	TenantID        string             `json:"tenantId"`
	DisplayName     *string            `json:"displayName"`
	UserSyncInbound *ctUserSyncInbound `json:"userSyncInbound"`
}

// crossTenantStore is the emulator's cross-tenant access policy. Default
// nil means the system default (isServiceDefault true).
type crossTenantStore struct {
	Default  *ctDefault                 `json:"default,omitempty"`
	Partners map[string]*ctPartner      `json:"partners,omitempty"`
	Sync     map[string]*ctIdentitySync `json:"identitySynchronization,omitempty"`
}

func boolPtr(b bool) *bool { return &b }

// allTargets is the "everyone" rule: AllUsers for users and groups,
// AllApplications for applications.
func allTargets(access string) *ctB2BSetting {
	return &ctB2BSetting{
		UsersAndGroups: &ctTargetConfig{AccessType: access, Targets: []ctTarget{{Target: "AllUsers", TargetType: "user"}}},
		Applications:   &ctTargetConfig{AccessType: access, Targets: []ctTarget{{Target: "AllApplications", TargetType: "application"}}},
	}
}

// systemDefault is the default configuration of a new tenant, and what
// resetToSystemDefault restores. Checked against the documentation
// (session 5; no real tenant was read):
//   - B2B collaboration allowed for AllUsers and AllApplications in and
//     out, B2B direct connect blocked in and out, and inboundTrust with all
//     three claims false: the service default (isServiceDefault true) shown
//     in the response example of
//     https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationdefault-get,
//     matched field by field by TestSystemDefaultMatchesDocs; the overview
//     says the same in words (collaboration allowed, direct connect blocked
//     by default):
//     https://learn.microsoft.com/entra/external-id/cross-tenant-access-overview and
//     https://learn.microsoft.com/entra/external-id/cross-tenant-access-settings-b2b-direct-connect.
//   - automaticUserConsentSettings inbound and outbound always false, and
//     read-only in the default:
//     https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicyconfigurationdefault.
//   - The redemption order: no page gives the service default's value (the
//     GET example leaves it out). The emulator uses the primary providers
//     in the order
//     https://learn.microsoft.com/graph/api/resources/invitationredemptionidentityproviderconfiguration
//     lists them, and the fallback defaultConfiguredIdp, which that page
//     describes as Entra's default behaviour. This is the one part that
//     may differ in a real tenant.
func systemDefault() *ctDefault {
	return &ctDefault{
		IsServiceDefault: true,
		ctSettings: ctSettings{
			B2BCollaborationInbound:  allTargets("allowed"),
			B2BCollaborationOutbound: allTargets("allowed"),
			B2BDirectConnectInbound:  allTargets("blocked"),
			B2BDirectConnectOutbound: allTargets("blocked"),
			InboundTrust: &ctInboundTrust{
				IsMfaAccepted: boolPtr(false), IsCompliantDeviceAccepted: boolPtr(false),
				IsHybridAzureADJoinedDeviceAccepted: boolPtr(false),
			},
			AutomaticUserConsentSettings: &ctConsent{InboundAllowed: boolPtr(false), OutboundAllowed: boolPtr(false)},
			// "In Tenant Restrictions, all access settings are disabled by
			// default" (the overview above): everyone and every application
			// blocked, and no devices filter.
			TenantRestrictions: &ctTenantRestrictions{
				UsersAndGroups: &ctTargetConfig{AccessType: "blocked", Targets: []ctTarget{{Target: "AllUsers", TargetType: "user"}}},
				Applications:   &ctTargetConfig{AccessType: "blocked", Targets: []ctTarget{{Target: "AllApplications", TargetType: "application"}}},
			},
		},
		InvitationRedemptionIdentityProviderConfiguration: &ctRedemption{
			PrimaryIdentityProviderPrecedenceOrder: []string{"azureActiveDirectory", "externalFederation", "socialIdentityProviders"},
			FallbackIdentityProvider:               "defaultConfiguredIdp",
		},
	}
}

// ctError is a refusal with Graph's status, code and message.
type ctError struct {
	status  int
	code    string
	message string
}

func (e *ctError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func ctBad(format string, a ...any) *ctError {
	return &ctError{status: http.StatusBadRequest, code: "BadRequest", message: fmt.Sprintf(format, a...)}
}

// badEnum is the OData deserializer's answer to an enum member that the
// type does not define.
func badEnum(v, typ string) *ctError {
	return ctBad("Cannot convert the literal '%s' to the expected type 'microsoft.graph.%s'.", v, typ)
}

func (c *call) ctFail(err error) {
	if e, ok := err.(*ctError); ok {
		c.graphError(e.status, e.code, e.message)
		return
	}
	c.graphError(http.StatusInternalServerError, "InternalServerError", err.Error())
}

// Documented values: accessType (allowed, blocked), targetType (user,
// group, application) and the keywords a target may be instead of an ID
// (https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicytargetconfiguration,
// https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicytarget).
// unknownFutureValue is the evolvable-enum sentinel; Graph refuses it in requests.
var (
	ctAccessTypes = []string{"allowed", "blocked"}
	ctTargetTypes = []string{"user", "group", "application"}
	// ctKeywordType maps each keyword target to the one targetType it fits.
	ctKeywordType = map[string]string{
		"AllUsers": "user", "AllApplications": "application", "AllMicrosoftApps": "application", "Office365": "application",
	}
)

// validateTargetConfig checks one usersAndGroups or applications rule;
// allowed are the target types the list may hold.
func validateTargetConfig(prop string, tc *ctTargetConfig, allowed []string) error {
	if tc == nil {
		return nil
	}
	if !slices.Contains(ctAccessTypes, tc.AccessType) {
		return badEnum(tc.AccessType, "crossTenantAccessPolicyTargetConfigurationAccessType")
	}
	if len(tc.Targets) == 0 {
		return ctBad("%s: at least one target is required.", prop)
	}
	for _, t := range tc.Targets {
		if !slices.Contains(ctTargetTypes, t.TargetType) {
			return badEnum(t.TargetType, "crossTenantAccessPolicyTargetType")
		}
		if !slices.Contains(allowed, t.TargetType) {
			return ctBad("%s: targetType '%s' is not valid here; use %s.", prop, t.TargetType, strings.Join(allowed, " or "))
		}
		if want, ok := ctKeywordType[t.Target]; ok {
			if want != t.TargetType {
				return ctBad("%s: target '%s' requires targetType '%s'.", prop, t.Target, want)
			}
			continue
		}
		if !isGUID(t.Target) {
			return ctBad("%s: target '%s' is neither a keyword nor an object ID.", prop, t.Target)
		}
	}
	return nil
}

func validateB2B(prop string, b *ctB2BSetting) error {
	if b == nil {
		return nil
	}
	if err := validateTargetConfig(prop+".usersAndGroups", b.UsersAndGroups, []string{"user", "group"}); err != nil {
		return err
	}
	return validateTargetConfig(prop+".applications", b.Applications, []string{"application"})
}

// validateTenantRestrictions checks the two rules as a B2B setting's, and
// the devices filter's mode as an accessType
// (https://learn.microsoft.com/graph/api/resources/devicesfilter).
func validateTenantRestrictions(prop string, tr *ctTenantRestrictions) error {
	if tr == nil {
		return nil
	}
	if err := validateB2B(prop, &ctB2BSetting{UsersAndGroups: tr.UsersAndGroups, Applications: tr.Applications}); err != nil {
		return err
	}
	if d := tr.Devices; d != nil && !slices.Contains(ctAccessTypes, d.Mode) {
		return badEnum(d.Mode, "crossTenantAccessPolicyTargetConfigurationAccessType")
	}
	return nil
}

// Redemption providers
// (https://learn.microsoft.com/graph/api/resources/invitationredemptionidentityproviderconfiguration):
// the fallback "must always be specified".
var (
	ctPrimaryIdPs  = []string{"azureActiveDirectory", "externalFederation", "socialIdentityProviders"}
	ctFallbackIdPs = []string{"defaultConfiguredIdp", "emailOneTimePasscode", "microsoftAccount"}
)

func validateRedemption(r *ctRedemption) error {
	if r == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, p := range r.PrimaryIdentityProviderPrecedenceOrder {
		if !slices.Contains(ctPrimaryIdPs, p) {
			if slices.Contains(ctFallbackIdPs, p) {
				return ctBad("primaryIdentityProviderPrecedenceOrder: '%s' is a fallback identity provider, not a primary one.", p)
			}
			return badEnum(p, "b2bIdentityProvidersType")
		}
		if seen[p] {
			return ctBad("primaryIdentityProviderPrecedenceOrder: '%s' is listed twice.", p)
		}
		seen[p] = true
	}
	if r.FallbackIdentityProvider == "" {
		return ctBad("fallbackIdentityProvider is required.")
	}
	if !slices.Contains(ctFallbackIdPs, r.FallbackIdentityProvider) {
		if slices.Contains(ctPrimaryIdPs, r.FallbackIdentityProvider) {
			return ctBad("fallbackIdentityProvider: '%s' is a primary identity provider, not a fallback one.", r.FallbackIdentityProvider)
		}
		return badEnum(r.FallbackIdentityProvider, "b2bIdentityProvidersType")
	}
	return nil
}

// decodeStrict decodes one property value into v, refusing members the
// type does not define, as Graph's OData reader does.
func decodeStrict(prop string, raw json.RawMessage, v any) error {
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return ctBad("Invalid value for property '%s': %s", prop, err.Error())
	}
	// Clients (msgraph-sdk-go among them) annotate nested values with
	// their @odata.type; the annotation is not a property.
	raw, _ = json.Marshal(stripODataType(generic))
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return ctBad("Invalid value for property '%s': %s", prop, err.Error())
	}
	return nil
}

func stripODataType(v any) any {
	switch t := v.(type) {
	case map[string]any:
		delete(t, "@odata.type")
		for k, e := range t {
			t[k] = stripODataType(e)
		}
	case []any:
		for i, e := range t {
			t[i] = stripODataType(e)
		}
	}
	return v
}

// applySetting decodes a settings property into st; ok false means the
// property is not one of the shared settings.
func applySetting(st *ctSettings, name string, raw json.RawMessage) (bool, error) {
	b2b := map[string]**ctB2BSetting{
		"b2bCollaborationInbound": &st.B2BCollaborationInbound, "b2bCollaborationOutbound": &st.B2BCollaborationOutbound,
		"b2bDirectConnectInbound": &st.B2BDirectConnectInbound, "b2bDirectConnectOutbound": &st.B2BDirectConnectOutbound,
	}
	if dst, ok := b2b[name]; ok {
		var v *ctB2BSetting
		if err := decodeStrict(name, raw, &v); err != nil {
			return true, err
		}
		if err := validateB2B(name, v); err != nil {
			return true, err
		}
		*dst = v
		return true, nil
	}
	switch name {
	case "tenantRestrictions":
		var v *ctTenantRestrictions
		if err := decodeStrict(name, raw, &v); err != nil {
			return true, err
		}
		if err := validateTenantRestrictions(name, v); err != nil {
			return true, err
		}
		st.TenantRestrictions = v
		return true, nil
	case "inboundTrust":
		var v *ctInboundTrust
		if err := decodeStrict(name, raw, &v); err != nil {
			return true, err
		}
		st.InboundTrust = v
		return true, nil
	case "automaticUserConsentSettings":
		var v *ctConsent
		if err := decodeStrict(name, raw, &v); err != nil {
			return true, err
		}
		if v == nil {
			v = &ctConsent{}
		}
		st.AutomaticUserConsentSettings = v
		return true, nil
	}
	return false, nil
}

// unknownProperty is OData's answer to a property the type lacks.
func unknownProperty(name, typ string) *ctError {
	return ctBad("The property '%s' does not exist on type 'microsoft.graph.%s'. Make sure to only use property names that are defined by the type.", name, typ)
}

func parseBody(body []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, ctBad("Empty Payload. JSON content expected.")
	}
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return nil, ctBad("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
	}
	delete(m, "@odata.type")
	return m, nil
}

// applyDefaultPatch applies a PATCH body to a copy of d and returns it.
// The default's properties are not nullable, and automaticUserConsentSettings
// "are always false and can't be updated in the default configuration"
// (https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicyconfigurationdefault).
func applyDefaultPatch(d *ctDefault, body []byte) (*ctDefault, error) {
	m, err := parseBody(body)
	if err != nil {
		return nil, err
	}
	out := cloneDefault(d)
	for _, name := range sortedKeys(m) {
		raw := m[name]
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) && name != "automaticUserConsentSettings" {
			return nil, ctBad("The property '%s' of the default configuration cannot be null.", name)
		}
		switch name {
		case "isServiceDefault":
			// Read-only; Graph ignores it in a request.
			continue
		case "automaticUserConsentSettings":
			var v *ctConsent
			if err := decodeStrict(name, raw, &v); err != nil {
				return nil, err
			}
			if v != nil && (deref(v.InboundAllowed) || deref(v.OutboundAllowed)) {
				return nil, ctBad("automaticUserConsentSettings can't be updated in the default configuration; set it on a partner configuration.")
			}
			continue
		case "invitationRedemptionIdentityProviderConfiguration":
			var v *ctRedemption
			if err := decodeStrict(name, raw, &v); err != nil {
				return nil, err
			}
			if err := validateRedemption(v); err != nil {
				return nil, err
			}
			out.InvitationRedemptionIdentityProviderConfiguration = v
			continue
		}
		ok, err := applySetting(&out.ctSettings, name, raw)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, unknownProperty(name, "crossTenantAccessPolicyConfigurationDefault")
		}
	}
	out.IsServiceDefault = false
	return out, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// cloneDefault deep-copies through JSON: the types are plain data.
func cloneDefault(d *ctDefault) *ctDefault {
	var out ctDefault
	b, _ := json.Marshal(d)
	_ = json.Unmarshal(b, &out)
	return &out
}

func clonePartner(p *ctPartner) *ctPartner {
	var out ctPartner
	b, _ := json.Marshal(p)
	_ = json.Unmarshal(b, &out)
	return &out
}

// applyPartnerPatch applies a POST or PATCH body to p (a copy is returned).
func applyPartnerPatch(p *ctPartner, m map[string]json.RawMessage) (*ctPartner, error) {
	out := clonePartner(p)
	for _, name := range sortedKeys(m) {
		raw := m[name]
		switch name {
		case "tenantId":
			var id string
			if err := json.Unmarshal(raw, &id); err != nil || !strings.EqualFold(id, p.TenantID) {
				return nil, ctBad("The property 'tenantId' is the key of the partner configuration and cannot be changed.")
			}
			continue
		case "isServiceProvider":
			var v *bool
			if err := decodeStrict(name, raw, &v); err != nil {
				return nil, err
			}
			out.IsServiceProvider = v
			continue
		case "isInMultiTenantOrganization":
			// Read-only: set by the multitenant organization feature.
			continue
		case "identitySynchronization":
			return nil, ctBad("identitySynchronization is a navigation property; use PUT .../partners/{tenantId}/identitySynchronization.")
		}
		ok, err := applySetting(&out.ctSettings, name, raw)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, unknownProperty(name, "crossTenantAccessPolicyConfigurationPartner")
		}
	}
	return out, nil
}

func (s *Server) crossTenantDefaultLocked() *ctDefault {
	if s.st.CrossTenant.Default == nil {
		d := systemDefault()
		if r := s.serviceDefaultRedemption; r != nil {
			d.InvitationRedemptionIdentityProviderConfiguration = &ctRedemption{
				PrimaryIdentityProviderPrecedenceOrder: slices.Clone(r.PrimaryIdentityProviderPrecedenceOrder),
				FallbackIdentityProvider:               r.FallbackIdentityProvider,
			}
		}
		return d
	}
	return s.st.CrossTenant.Default
}

func (c *call) writeCT(status int, context string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		c.ctFail(err)
		return
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["@odata.context"] = c.base() + "/v1.0/$metadata#" + context
	writeJSON(c.w, status, m)
}

// getCrossTenantDefault serves
// https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationdefault-get.
func (c *call) getCrossTenantDefault() {
	c.s.mu.Lock()
	d := cloneDefault(c.s.crossTenantDefaultLocked())
	c.s.mu.Unlock()
	c.writeCT(http.StatusOK, "policies/crossTenantAccessPolicy/default/$entity", d)
}

// patchCrossTenantDefault serves
// https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationdefault-update
// (204 No Content).
func (c *call) patchCrossTenantDefault() {
	if err := c.s.PatchCrossTenantDefault(c.body); err != nil {
		c.ctFail(err)
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

// resetCrossTenantDefault serves
// https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationdefault-resettosystemdefault
// (204; afterwards isServiceDefault is true).
func (c *call) resetCrossTenantDefault() {
	c.s.mu.Lock()
	c.s.st.CrossTenant.Default = nil
	c.s.saveLocked()
	c.s.mu.Unlock()
	c.w.WriteHeader(http.StatusNoContent)
}

// listCrossTenantPartners serves
// https://learn.microsoft.com/graph/api/crosstenantaccesspolicy-list-partners.
func (c *call) listCrossTenantPartners() {
	c.s.mu.Lock()
	var out []any
	for _, id := range sortedKeys(c.s.st.CrossTenant.Partners) {
		out = append(out, clonePartner(c.s.st.CrossTenant.Partners[id]))
	}
	c.s.mu.Unlock()
	if out == nil {
		out = []any{}
	}
	writeJSON(c.w, http.StatusOK, map[string]any{
		"@odata.context": c.base() + "/v1.0/$metadata#policies/crossTenantAccessPolicy/partners",
		"value":          out,
	})
}

// postCrossTenantPartner serves
// https://learn.microsoft.com/graph/api/crosstenantaccesspolicy-post-partners:
// tenantId is required; 201 with the new entry.
func (c *call) postCrossTenantPartner() {
	m, err := parseBody(c.body)
	if err != nil {
		c.ctFail(err)
		return
	}
	var id string
	if raw, ok := m["tenantId"]; !ok || json.Unmarshal(raw, &id) != nil || id == "" {
		c.ctFail(ctBad("The property 'tenantId' is required to create a partner configuration."))
		return
	}
	if !isGUID(id) {
		c.ctFail(&ctError{status: http.StatusBadRequest, code: "Request_BadRequest",
			message: fmt.Sprintf("Invalid value specified for property 'tenantId': '%s' is not a valid tenant ID (a GUID).", id)})
		return
	}
	id = strings.ToLower(id)
	// Not on the create page: an emulator choice. Cross-tenant access
	// settings govern other organizations (cross-tenant-access-overview),
	// so an entry for the tenant itself is refused here; the provider
	// refuses it at plan time and does not depend on this answer.
	if id == strings.ToLower(c.s.tenantID) {
		c.ctFail(ctBad("A partner configuration cannot be created for the tenant's own ID."))
		return
	}
	p, err := applyPartnerPatch(&ctPartner{TenantID: id, ctSettings: ctSettings{AutomaticUserConsentSettings: &ctConsent{}}}, m)
	if err != nil {
		c.ctFail(err)
		return
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if _, dup := c.s.st.CrossTenant.Partners[id]; dup {
		c.graphError(http.StatusConflict, "Request_MultipleObjectsWithSameKeyValue",
			fmt.Sprintf("A partner configuration for tenant '%s' already exists.", id))
		return
	}
	if c.s.st.CrossTenant.Partners == nil {
		c.s.st.CrossTenant.Partners = map[string]*ctPartner{}
	}
	c.s.st.CrossTenant.Partners[id] = p
	c.s.saveLocked()
	c.writeCT(http.StatusCreated, "policies/crossTenantAccessPolicy/partners/$entity", clonePartner(p))
}

// partnerID reads {tenantId}; Graph keys partners by the lower-case GUID.
func (c *call) partnerID() string { return strings.ToLower(c.r.PathValue("tenantId")) }

func (c *call) partnerNotFound(id string) {
	c.graphError(http.StatusNotFound, "Request_ResourceNotFound",
		fmt.Sprintf("No partner configuration exists for tenant '%s'.", id))
}

// getCrossTenantPartner serves
// https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationpartner-get.
func (c *call) getCrossTenantPartner() {
	id := c.partnerID()
	c.s.mu.Lock()
	p, ok := c.s.st.CrossTenant.Partners[id]
	if ok {
		p = clonePartner(p)
	}
	c.s.mu.Unlock()
	if !ok {
		c.partnerNotFound(id)
		return
	}
	c.writeCT(http.StatusOK, "policies/crossTenantAccessPolicy/partners/$entity", p)
}

// patchCrossTenantPartner serves
// https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationpartner-update
// (204 No Content).
func (c *call) patchCrossTenantPartner() {
	id := c.partnerID()
	if err := c.s.PatchCrossTenantPartner(id, c.body); err != nil {
		c.ctFail(err)
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

// deleteCrossTenantPartner serves
// https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationpartner-delete:
// the organization falls back to the default settings. The page says a
// partner that has a user synchronization policy cannot be deleted until
// that policy is deleted first, so the policy never goes with it. The page
// names no status for the refusal; 400 with the other XTAP refusals' code
// is the emulator's choice, and clients should not rely on it.
func (c *call) deleteCrossTenantPartner() {
	id := c.partnerID()
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if _, ok := c.s.st.CrossTenant.Partners[id]; !ok {
		c.partnerNotFound(id)
		return
	}
	if _, ok := c.s.st.CrossTenant.Sync[id]; ok {
		c.ctFail(ctBad("The partner configuration for tenant '%s' has a user synchronization policy; delete it first (DELETE .../partners/%s/identitySynchronization).", id, id))
		return
	}
	delete(c.s.st.CrossTenant.Partners, id)
	c.s.saveLocked()
	c.w.WriteHeader(http.StatusNoContent)
}

// SetServiceDefaultRedemption sets the redemption order the default shows
// while it is untouched (isServiceDefault true: before any write, and after
// resetToSystemDefault). No page gives the service default's value (see systemDefault), so
// a real tenant may show another one than the emulator's guess; tests set
// one to check that a client trusts isServiceDefault rather than its own
// copy of the system default. It is refused as PATCH would refuse it.
func (s *Server) SetServiceDefaultRedemption(primary []string, fallback string) error {
	r := &ctRedemption{PrimaryIdentityProviderPrecedenceOrder: slices.Clone(primary), FallbackIdentityProvider: fallback}
	if err := validateRedemption(r); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.serviceDefaultRedemption = r
	return nil
}

// PatchCrossTenantDefault applies a PATCH body to the default
// configuration as Graph does, for tests that change it out of band.
func (s *Server) PatchCrossTenantDefault(body []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := applyDefaultPatch(s.crossTenantDefaultLocked(), body)
	if err != nil {
		return err
	}
	s.st.CrossTenant.Default = d
	s.saveLocked()
	return nil
}

// PatchCrossTenantPartner applies a PATCH body to a partner configuration
// as Graph does, for tests that change it out of band.
func (s *Server) PatchCrossTenantPartner(tenantID string, body []byte) error {
	m, err := parseBody(body)
	if err != nil {
		return err
	}
	id := strings.ToLower(tenantID)
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.st.CrossTenant.Partners[id]
	if !ok {
		return &ctError{status: http.StatusNotFound, code: "Request_ResourceNotFound",
			message: fmt.Sprintf("No partner configuration exists for tenant '%s'.", id)}
	}
	np, err := applyPartnerPatch(p, m)
	if err != nil {
		return err
	}
	s.st.CrossTenant.Partners[id] = np
	s.saveLocked()
	return nil
}

// CrossTenantDefaultJSON returns the default configuration as GET returns it.
func (s *Server) CrossTenantDefaultJSON() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return toMap(s.crossTenantDefaultLocked())
}

// CrossTenantPartnerJSON returns a partner configuration as GET returns
// it, and whether it exists.
func (s *Server) CrossTenantPartnerJSON(tenantID string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.st.CrossTenant.Partners[strings.ToLower(tenantID)]
	if !ok {
		return nil, false
	}
	return toMap(p), true
}

func toMap(v any) map[string]any {
	var m map[string]any
	b, _ := json.Marshal(v)
	_ = json.Unmarshal(b, &m)
	return m
}

// SeedCrossTenantPartner creates a partner configuration out of band (as
// the portal would) from a POST body without tenantId.
func (s *Server) SeedCrossTenantPartner(tenantID string, body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	m, err := parseBody(body)
	if err != nil {
		return err
	}
	id := strings.ToLower(tenantID)
	p, err := applyPartnerPatch(&ctPartner{TenantID: id, ctSettings: ctSettings{AutomaticUserConsentSettings: &ctConsent{}}}, m)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.CrossTenant.Partners == nil {
		s.st.CrossTenant.Partners = map[string]*ctPartner{}
	}
	s.st.CrossTenant.Partners[id] = p
	s.saveLocked()
	return nil
}

// DeleteCrossTenantPartner removes a partner configuration out of band,
// with its identity synchronization policy: a forced clean-up for tests,
// not what Graph's DELETE allows (see deleteCrossTenantPartner).
func (s *Server) DeleteCrossTenantPartner(tenantID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := strings.ToLower(tenantID)
	delete(s.st.CrossTenant.Partners, id)
	delete(s.st.CrossTenant.Sync, id)
	s.saveLocked()
}
