package graph

import (
	"context"
	"encoding/json"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/policies"
)

// Cross-tenant access settings
// (https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicy-overview).
// Reads need Policy.Read.All, writes Policy.ReadWrite.CrossTenantAccess
// (the least privileged application permissions on each method's page,
// e.g. https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationpartner-get#permissions
// and https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationpartner-update#permissions).
const (
	permPolicyRead        = "Policy.Read.All"
	permCrossTenantAccess = "Policy.ReadWrite.CrossTenantAccess"
)

var (
	opGetCTDefault    = operation{name: "GET /policies/crossTenantAccessPolicy/default", permission: permPolicyRead}
	opUpdateCTDefault = operation{name: "PATCH /policies/crossTenantAccessPolicy/default", permission: permCrossTenantAccess}
	opResetCTDefault  = operation{name: "POST /policies/crossTenantAccessPolicy/default/resetToSystemDefault", permission: permCrossTenantAccess}
	// A POST whose answer was lost may have created the partner; the
	// caller reads it back instead of repeating it.
	opCreateCTPartner = operation{name: "POST /policies/crossTenantAccessPolicy/partners", permission: permCrossTenantAccess, noRetryOnTransportError: true}
	opGetCTPartner    = operation{name: "GET /policies/crossTenantAccessPolicy/partners/{tenantId}", permission: permPolicyRead}
	opUpdateCTPartner = operation{name: "PATCH /policies/crossTenantAccessPolicy/partners/{tenantId}", permission: permCrossTenantAccess}
	opDeleteCTPartner = operation{name: "DELETE /policies/crossTenantAccessPolicy/partners/{tenantId}", permission: permCrossTenantAccess}
	opGetCTSync       = operation{name: "GET /policies/crossTenantAccessPolicy/partners/{tenantId}/identitySynchronization", permission: permPolicyRead}
	opPutCTSync       = operation{name: "PUT /policies/crossTenantAccessPolicy/partners/{tenantId}/identitySynchronization", permission: permCrossTenantAccess}
	opPatchCTSync     = operation{name: "PATCH /policies/crossTenantAccessPolicy/partners/{tenantId}/identitySynchronization", permission: permCrossTenantAccess}
	opDeleteCTSync    = operation{name: "DELETE /policies/crossTenantAccessPolicy/partners/{tenantId}/identitySynchronization", permission: permCrossTenantAccess}
)

// CrossTenantTarget is one target of a rule: an object ID or a keyword
// (AllUsers, AllApplications, Office365, ...) and its type (user, group,
// application).
type CrossTenantTarget struct {
	Target     string
	TargetType string
}

// CrossTenantTargetConfiguration is a rule: access allowed or blocked for
// the targets.
type CrossTenantTargetConfiguration struct {
	AccessType string
	Targets    []CrossTenantTarget
}

// CrossTenantB2BSetting is the rule pair of one direction of B2B
// collaboration or B2B direct connect. A nil rule is null in Graph.
type CrossTenantB2BSetting struct {
	UsersAndGroups *CrossTenantTargetConfiguration
	Applications   *CrossTenantTargetConfiguration
}

// CrossTenantInboundTrust says which claims of the other tenant's
// Conditional Access are trusted. A nil field is null in Graph.
type CrossTenantInboundTrust struct {
	MFAAccepted                *bool
	CompliantDeviceAccepted    *bool
	HybridJoinedDeviceAccepted *bool
}

// CrossTenantConsent is automaticUserConsentSettings: whether invitations
// are redeemed without the consent prompt, inbound and outbound.
type CrossTenantConsent struct {
	InboundAllowed  *bool
	OutboundAllowed *bool
}

// CrossTenantSettings are the settings shared by the default and a partner
// configuration. A nil field is null in Graph: on a partner it inherits
// the default.
type CrossTenantSettings struct {
	B2BCollaborationInbound  *CrossTenantB2BSetting
	B2BCollaborationOutbound *CrossTenantB2BSetting
	B2BDirectConnectInbound  *CrossTenantB2BSetting
	B2BDirectConnectOutbound *CrossTenantB2BSetting
	InboundTrust             *CrossTenantInboundTrust
	AutomaticUserConsent     *CrossTenantConsent
}

// CrossTenantPartner is a partner-specific configuration.
type CrossTenantPartner struct {
	TenantID string
	CrossTenantSettings
}

// InvitationRedemption is the default's redemption order.
type InvitationRedemption struct {
	PrimaryOrder []string
	Fallback     string
}

// CrossTenantDefault is the default configuration for every organization
// without a partner entry.
type CrossTenantDefault struct {
	IsServiceDefault bool
	CrossTenantSettings
	InvitationRedemption *InvitationRedemption
}

// CrossTenantIdentitySync is a partner's user synchronization policy.
type CrossTenantIdentitySync struct {
	TenantID           string
	DisplayName        string
	SyncInboundAllowed bool
}

// crossTenantPolicy builds the request builder for
// /policies/crossTenantAccessPolicy as GraphServiceClient.Policies() would.
func (c *client) crossTenantPolicy() *policies.CrossTenantAccessPolicyRequestBuilder {
	return policies.NewPoliciesRequestBuilderInternal(c.sdk.pathParameters, c.sdk.adapter).CrossTenantAccessPolicy()
}

// GetCrossTenantDefault reads the default configuration.
func (c *Client) GetCrossTenantDefault(ctx context.Context) (*CrossTenantDefault, error) {
	var out models.CrossTenantAccessPolicyConfigurationDefaultable
	err := c.impl.call(ctx, opGetCTDefault, func(ctx context.Context) error {
		var err error
		out, err = c.impl.crossTenantPolicy().DefaultEscaped().Get(ctx, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, &Error{Operation: opGetCTDefault.name, Message: "Graph returned no default configuration"}
	}
	d := &CrossTenantDefault{
		IsServiceDefault: isTrue(out.GetIsServiceDefault()),
		CrossTenantSettings: CrossTenantSettings{
			B2BCollaborationInbound:  fromB2B(out.GetB2bCollaborationInbound()),
			B2BCollaborationOutbound: fromB2B(out.GetB2bCollaborationOutbound()),
			B2BDirectConnectInbound:  fromB2B(out.GetB2bDirectConnectInbound()),
			B2BDirectConnectOutbound: fromB2B(out.GetB2bDirectConnectOutbound()),
			InboundTrust:             fromTrust(out.GetInboundTrust()),
			AutomaticUserConsent:     fromConsent(out.GetAutomaticUserConsentSettings()),
		},
	}
	if r := out.GetInvitationRedemptionIdentityProviderConfiguration(); r != nil {
		ir := &InvitationRedemption{PrimaryOrder: []string{}}
		for _, p := range r.GetPrimaryIdentityProviderPrecedenceOrder() {
			ir.PrimaryOrder = append(ir.PrimaryOrder, p.String())
		}
		if f := r.GetFallbackIdentityProvider(); f != nil {
			ir.Fallback = f.String()
		}
		d.InvitationRedemption = ir
	}
	return d, nil
}

// UpdateCrossTenantDefault sends PATCH .../default with every setting that
// is set in d (automaticUserConsentSettings is read-only on the default and
// never sent).
func (c *Client) UpdateCrossTenantDefault(ctx context.Context, d CrossTenantDefault) error {
	body := models.NewCrossTenantAccessPolicyConfigurationDefault()
	s := d.CrossTenantSettings
	if s.B2BCollaborationInbound != nil {
		body.SetB2bCollaborationInbound(toB2B(s.B2BCollaborationInbound))
	}
	if s.B2BCollaborationOutbound != nil {
		body.SetB2bCollaborationOutbound(toB2B(s.B2BCollaborationOutbound))
	}
	if s.B2BDirectConnectInbound != nil {
		body.SetB2bDirectConnectInbound(toB2B(s.B2BDirectConnectInbound))
	}
	if s.B2BDirectConnectOutbound != nil {
		body.SetB2bDirectConnectOutbound(toB2B(s.B2BDirectConnectOutbound))
	}
	if s.InboundTrust != nil {
		body.SetInboundTrust(toTrust(s.InboundTrust))
	}
	if r := d.InvitationRedemption; r != nil {
		m := models.NewDefaultInvitationRedemptionIdentityProviderConfiguration()
		order := make([]models.B2bIdentityProvidersType, 0, len(r.PrimaryOrder))
		for _, p := range r.PrimaryOrder {
			order = append(order, idpType(p))
		}
		m.SetPrimaryIdentityProviderPrecedenceOrder(order)
		f := idpType(r.Fallback)
		m.SetFallbackIdentityProvider(&f)
		body.SetInvitationRedemptionIdentityProviderConfiguration(m)
	}
	return c.impl.call(ctx, opUpdateCTDefault, func(ctx context.Context) error {
		_, err := c.impl.crossTenantPolicy().DefaultEscaped().Patch(ctx, body, nil)
		return err
	})
}

// ResetCrossTenantDefault sends POST .../default/resetToSystemDefault.
func (c *Client) ResetCrossTenantDefault(ctx context.Context) error {
	return c.impl.call(ctx, opResetCTDefault, func(ctx context.Context) error {
		return c.impl.crossTenantPolicy().DefaultEscaped().ResetToSystemDefault().Post(ctx, nil)
	})
}

// CreateCrossTenantPartner sends POST .../partners with the settings set
// in p. An existing entry for the tenant is an *Error of KindConflict. A
// success answer without a body returns the partner with its TenantID only.
func (c *Client) CreateCrossTenantPartner(ctx context.Context, p CrossTenantPartner) (*CrossTenantPartner, error) {
	if err := checkID(opCreateCTPartner, p.TenantID); err != nil {
		return nil, err
	}
	body := partnerBody(p, false)
	tid := p.TenantID
	body.SetTenantId(&tid)
	var out models.CrossTenantAccessPolicyConfigurationPartnerable
	err := c.impl.call(ctx, opCreateCTPartner, func(ctx context.Context) error {
		var err error
		out, err = c.impl.crossTenantPolicy().Partners().Post(ctx, body, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		// A 201 whose body a proxy dropped: Graph created the entry, whose
		// key is the tenant ID sent. Only that is set; callers read the
		// partner back for the rest.
		return &CrossTenantPartner{TenantID: strings.ToLower(p.TenantID)}, nil
	}
	return fromPartner(out), nil
}

// GetCrossTenantPartner reads a partner configuration; a missing one is an
// *Error of KindNotFound.
func (c *Client) GetCrossTenantPartner(ctx context.Context, tenantID string) (*CrossTenantPartner, error) {
	if err := checkID(opGetCTPartner, tenantID); err != nil {
		return nil, err
	}
	var out models.CrossTenantAccessPolicyConfigurationPartnerable
	err := c.impl.call(ctx, opGetCTPartner, func(ctx context.Context) error {
		var err error
		out, err = c.impl.crossTenantPolicy().Partners().ByCrossTenantAccessPolicyConfigurationPartnerTenantId(tenantID).Get(ctx, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, &Error{Operation: opGetCTPartner.name, Message: "Graph returned no partner configuration for " + tenantID}
	}
	return fromPartner(out), nil
}

// UpdateCrossTenantPartner sends PATCH .../partners/{tenantId} with every
// setting: those nil in p are sent as null, so the partner inherits the
// default for them again.
func (c *Client) UpdateCrossTenantPartner(ctx context.Context, p CrossTenantPartner) error {
	if err := checkID(opUpdateCTPartner, p.TenantID); err != nil {
		return err
	}
	body := partnerBody(p, true)
	return c.impl.call(ctx, opUpdateCTPartner, func(ctx context.Context) error {
		_, err := c.impl.crossTenantPolicy().Partners().ByCrossTenantAccessPolicyConfigurationPartnerTenantId(p.TenantID).Patch(ctx, body, nil)
		return err
	})
}

// DeleteCrossTenantPartner sends DELETE .../partners/{tenantId}: the
// organization falls back to the default settings. A partner already gone
// is not an error.
func (c *Client) DeleteCrossTenantPartner(ctx context.Context, tenantID string) error {
	if err := checkID(opDeleteCTPartner, tenantID); err != nil {
		return err
	}
	err := c.impl.call(ctx, opDeleteCTPartner, func(ctx context.Context) error {
		return c.impl.crossTenantPolicy().Partners().ByCrossTenantAccessPolicyConfigurationPartnerTenantId(tenantID).Delete(ctx, nil)
	})
	if IsNotFound(err) {
		return nil
	}
	return err
}

// GetCrossTenantIdentitySync reads a partner's user synchronization
// policy; a missing policy or partner is an *Error of KindNotFound.
func (c *Client) GetCrossTenantIdentitySync(ctx context.Context, tenantID string) (*CrossTenantIdentitySync, error) {
	if err := checkID(opGetCTSync, tenantID); err != nil {
		return nil, err
	}
	var out models.CrossTenantIdentitySyncPolicyPartnerable
	err := c.impl.call(ctx, opGetCTSync, func(ctx context.Context) error {
		var err error
		out, err = c.impl.crossTenantPolicy().Partners().ByCrossTenantAccessPolicyConfigurationPartnerTenantId(tenantID).
			IdentitySynchronization().Get(ctx, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, &Error{Operation: opGetCTSync.name, Message: "Graph returned no identity synchronization policy for " + tenantID}
	}
	s := &CrossTenantIdentitySync{TenantID: strings.ToLower(deref(out.GetTenantId())), DisplayName: deref(out.GetDisplayName())}
	if s.TenantID == "" {
		s.TenantID = strings.ToLower(tenantID)
	}
	if in := out.GetUserSyncInbound(); in != nil {
		s.SyncInboundAllowed = isTrue(in.GetIsSyncAllowed())
	}
	return s, nil
}

// PutCrossTenantIdentitySync creates a partner's user synchronization
// policy with PUT, the create method of
// https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationpartner-put-identitysynchronization.
func (c *Client) PutCrossTenantIdentitySync(ctx context.Context, s CrossTenantIdentitySync) error {
	if err := checkID(opPutCTSync, s.TenantID); err != nil {
		return err
	}
	body := models.NewCrossTenantIdentitySyncPolicyPartner()
	if s.DisplayName != "" {
		name := s.DisplayName
		body.SetDisplayName(&name)
	}
	in := models.NewCrossTenantUserSyncInbound()
	allowed := s.SyncInboundAllowed
	in.SetIsSyncAllowed(&allowed)
	body.SetUserSyncInbound(in)
	return c.impl.call(ctx, opPutCTSync, func(ctx context.Context) error {
		_, err := c.impl.crossTenantPolicy().Partners().ByCrossTenantAccessPolicyConfigurationPartnerTenantId(s.TenantID).
			IdentitySynchronization().Put(ctx, body, nil)
		return err
	})
}

// UpdateCrossTenantIdentitySync changes an existing policy with PATCH,
// the update method of
// https://learn.microsoft.com/graph/api/crosstenantidentitysyncpolicypartner-update
// (PUT is documented as the create method only). PATCH keeps what the body
// leaves out, so an empty display name is sent as null to clear it.
// msgraph-sdk-go has no PATCH builder for this entity, so the request is
// built from the documented path with a JSON body.
func (c *Client) UpdateCrossTenantIdentitySync(ctx context.Context, s CrossTenantIdentitySync) error {
	if err := checkID(opPatchCTSync, s.TenantID); err != nil {
		return err
	}
	var name any
	if s.DisplayName != "" {
		name = s.DisplayName
	}
	body, err := json.Marshal(map[string]any{
		"displayName":     name,
		"userSyncInbound": map[string]any{"isSyncAllowed": s.SyncInboundAllowed},
	})
	if err != nil {
		return err
	}
	a := c.impl.adapter
	return c.impl.call(ctx, opPatchCTSync, func(ctx context.Context) error {
		ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abs.PATCH,
			"{+baseurl}/policies/crossTenantAccessPolicy/partners/{crossTenantAccessPolicyConfigurationPartner%2DtenantId}/identitySynchronization",
			map[string]string{"baseurl": a.GetBaseUrl(), "crossTenantAccessPolicyConfigurationPartner%2DtenantId": s.TenantID})
		ri.Headers.TryAdd("Accept", "application/json")
		ri.SetStreamContentAndContentType(body, "application/json")
		return a.SendNoContent(ctx, ri, errorMapping)
	})
}

// DeleteCrossTenantIdentitySync deletes a partner's user synchronization
// policy; one already gone (or whose partner is gone) is not an error.
func (c *Client) DeleteCrossTenantIdentitySync(ctx context.Context, tenantID string) error {
	if err := checkID(opDeleteCTSync, tenantID); err != nil {
		return err
	}
	err := c.impl.call(ctx, opDeleteCTSync, func(ctx context.Context) error {
		return c.impl.crossTenantPolicy().Partners().ByCrossTenantAccessPolicyConfigurationPartnerTenantId(tenantID).
			IdentitySynchronization().Delete(ctx, nil)
	})
	if IsNotFound(err) {
		return nil
	}
	return err
}

// partnerBody builds the request body; with nulls, a nil setting is sent
// as an explicit null (PATCH) rather than left out (POST).
func partnerBody(p CrossTenantPartner, nulls bool) models.CrossTenantAccessPolicyConfigurationPartnerable {
	body := models.NewCrossTenantAccessPolicyConfigurationPartner()
	extra := map[string]any{}
	null := func(name string) {
		if nulls {
			// kiota writes an UntypedNull in additional data as JSON null;
			// a nil typed property would be left out instead.
			extra[name] = absser.NewUntypedNull()
		}
	}
	setB2B := func(name string, v *CrossTenantB2BSetting, set func(models.CrossTenantAccessPolicyB2BSettingable)) {
		if v == nil {
			null(name)
			return
		}
		set(toB2B(v))
	}
	s := p.CrossTenantSettings
	setB2B("b2bCollaborationInbound", s.B2BCollaborationInbound, body.SetB2bCollaborationInbound)
	setB2B("b2bCollaborationOutbound", s.B2BCollaborationOutbound, body.SetB2bCollaborationOutbound)
	setB2B("b2bDirectConnectInbound", s.B2BDirectConnectInbound, body.SetB2bDirectConnectInbound)
	setB2B("b2bDirectConnectOutbound", s.B2BDirectConnectOutbound, body.SetB2bDirectConnectOutbound)
	if s.InboundTrust == nil {
		null("inboundTrust")
	} else {
		body.SetInboundTrust(toTrust(s.InboundTrust))
	}
	consent := models.NewInboundOutboundPolicyConfiguration()
	switch a := s.AutomaticUserConsent; {
	case a != nil:
		consent.SetInboundAllowed(a.InboundAllowed)
		consent.SetOutboundAllowed(a.OutboundAllowed)
		body.SetAutomaticUserConsentSettings(consent)
	case nulls:
		// Both members as explicit nulls: an object with them left out
		// would keep the old values wherever Graph merges a complex value
		// in a PATCH rather than replacing it.
		consent.SetAdditionalData(map[string]any{"inboundAllowed": absser.NewUntypedNull(), "outboundAllowed": absser.NewUntypedNull()})
		body.SetAutomaticUserConsentSettings(consent)
	}
	if len(extra) > 0 {
		body.SetAdditionalData(extra)
	}
	return body
}

func fromPartner(m models.CrossTenantAccessPolicyConfigurationPartnerable) *CrossTenantPartner {
	if m == nil {
		return nil
	}
	return &CrossTenantPartner{
		TenantID: strings.ToLower(deref(m.GetTenantId())),
		CrossTenantSettings: CrossTenantSettings{
			B2BCollaborationInbound:  fromB2B(m.GetB2bCollaborationInbound()),
			B2BCollaborationOutbound: fromB2B(m.GetB2bCollaborationOutbound()),
			B2BDirectConnectInbound:  fromB2B(m.GetB2bDirectConnectInbound()),
			B2BDirectConnectOutbound: fromB2B(m.GetB2bDirectConnectOutbound()),
			InboundTrust:             fromTrust(m.GetInboundTrust()),
			AutomaticUserConsent:     fromConsent(m.GetAutomaticUserConsentSettings()),
		},
	}
}

func fromB2B(m models.CrossTenantAccessPolicyB2BSettingable) *CrossTenantB2BSetting {
	if m == nil {
		return nil
	}
	out := &CrossTenantB2BSetting{UsersAndGroups: fromRule(m.GetUsersAndGroups()), Applications: fromRule(m.GetApplications())}
	if out.UsersAndGroups == nil && out.Applications == nil {
		return nil
	}
	return out
}

func fromRule(m models.CrossTenantAccessPolicyTargetConfigurationable) *CrossTenantTargetConfiguration {
	if m == nil {
		return nil
	}
	out := &CrossTenantTargetConfiguration{Targets: []CrossTenantTarget{}}
	if a := m.GetAccessType(); a != nil {
		out.AccessType = a.String()
	}
	for _, t := range m.GetTargets() {
		if t == nil {
			continue
		}
		tt := ""
		if v := t.GetTargetType(); v != nil {
			tt = v.String()
		}
		out.Targets = append(out.Targets, CrossTenantTarget{Target: deref(t.GetTarget()), TargetType: tt})
	}
	return out
}

func fromTrust(m models.CrossTenantAccessPolicyInboundTrustable) *CrossTenantInboundTrust {
	if m == nil {
		return nil
	}
	return &CrossTenantInboundTrust{
		MFAAccepted:                m.GetIsMfaAccepted(),
		CompliantDeviceAccepted:    m.GetIsCompliantDeviceAccepted(),
		HybridJoinedDeviceAccepted: m.GetIsHybridAzureADJoinedDeviceAccepted(),
	}
}

// fromConsent maps automaticUserConsentSettings; Graph returns the object
// with null members when the partner does not set it, which is "not set".
func fromConsent(m models.InboundOutboundPolicyConfigurationable) *CrossTenantConsent {
	if m == nil || (m.GetInboundAllowed() == nil && m.GetOutboundAllowed() == nil) {
		return nil
	}
	return &CrossTenantConsent{InboundAllowed: m.GetInboundAllowed(), OutboundAllowed: m.GetOutboundAllowed()}
}

// toB2B builds a B2B setting; a rule left unset is sent as an explicit
// null. The docs do not say whether a PATCH replaces a complex value or
// merges into it (OData's PATCH merges nested complex values), and only
// the null clears a rule the configuration no longer has in both cases.
func toB2B(v *CrossTenantB2BSetting) models.CrossTenantAccessPolicyB2BSettingable {
	m := models.NewCrossTenantAccessPolicyB2BSetting()
	extra := map[string]any{}
	if v.UsersAndGroups != nil {
		m.SetUsersAndGroups(toRule(v.UsersAndGroups))
	} else {
		extra["usersAndGroups"] = absser.NewUntypedNull()
	}
	if v.Applications != nil {
		m.SetApplications(toRule(v.Applications))
	} else {
		extra["applications"] = absser.NewUntypedNull()
	}
	if len(extra) > 0 {
		m.SetAdditionalData(extra)
	}
	return m
}

func toRule(v *CrossTenantTargetConfiguration) models.CrossTenantAccessPolicyTargetConfigurationable {
	m := models.NewCrossTenantAccessPolicyTargetConfiguration()
	if a, err := models.ParseCrossTenantAccessPolicyTargetConfigurationAccessType(v.AccessType); err == nil {
		if at, ok := a.(*models.CrossTenantAccessPolicyTargetConfigurationAccessType); ok && at != nil {
			m.SetAccessType(at)
		}
	}
	targets := make([]models.CrossTenantAccessPolicyTargetable, 0, len(v.Targets))
	for _, t := range v.Targets {
		mt := models.NewCrossTenantAccessPolicyTarget()
		target := t.Target
		mt.SetTarget(&target)
		if tt, err := models.ParseCrossTenantAccessPolicyTargetType(t.TargetType); err == nil {
			if typ, ok := tt.(*models.CrossTenantAccessPolicyTargetType); ok && typ != nil {
				mt.SetTargetType(typ)
			}
		}
		targets = append(targets, mt)
	}
	m.SetTargets(targets)
	return m
}

func toTrust(v *CrossTenantInboundTrust) models.CrossTenantAccessPolicyInboundTrustable {
	m := models.NewCrossTenantAccessPolicyInboundTrust()
	m.SetIsMfaAccepted(v.MFAAccepted)
	m.SetIsCompliantDeviceAccepted(v.CompliantDeviceAccepted)
	m.SetIsHybridAzureADJoinedDeviceAccepted(v.HybridJoinedDeviceAccepted)
	return m
}

// idpType parses a b2bIdentityProvidersType name; the provider validates
// names at plan time, so an unknown one cannot reach here.
func idpType(name string) models.B2bIdentityProvidersType {
	if v, err := models.ParseB2bIdentityProvidersType(name); err == nil {
		if t, ok := v.(*models.B2bIdentityProvidersType); ok && t != nil {
			return *t
		}
	}
	return models.UNKNOWNFUTUREVALUE_B2BIDENTITYPROVIDERSTYPE
}

// isTrue reads a nullable Graph boolean; null is false.
func isTrue(b *bool) bool { return b != nil && *b }
