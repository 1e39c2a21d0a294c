package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/policies"
	"github.com/microsoftgraph/msgraph-sdk-go/tenantrelationships"
)

// External collaboration settings (the tenant's authorizationPolicy) and
// the tenant look-up by domain. Permissions are the least privileged
// application permissions of each page's table:
//   - https://learn.microsoft.com/graph/api/authorizationpolicy-get (Policy.Read.All)
//   - https://learn.microsoft.com/graph/api/authorizationpolicy-update (Policy.ReadWrite.Authorization)
//   - https://learn.microsoft.com/graph/api/tenantrelationship-findtenantinformationbydomainname
//     and https://learn.microsoft.com/graph/api/tenantrelationship-findtenantinformationbytenantid
//     (CrossTenantInformation.ReadBasic.All, both).
var (
	opGetAuthorizationPolicy    = operation{name: "GET /policies/authorizationPolicy", permission: "Policy.Read.All"}
	opUpdateAuthorizationPolicy = operation{name: "PATCH /policies/authorizationPolicy", permission: "Policy.ReadWrite.Authorization"}
	opFindTenantByDomain        = operation{name: "GET /tenantRelationships/findTenantInformationByDomainName(domainName='{domainName}')", permission: "CrossTenantInformation.ReadBasic.All"}
	opFindTenantByID            = operation{name: "GET /tenantRelationships/findTenantInformationByTenantId(tenantId='{tenantId}')", permission: "CrossTenantInformation.ReadBasic.All"}
)

// AuthorizationPolicy is the part of the tenant's authorizationPolicy that
// governs guests (https://learn.microsoft.com/graph/api/resources/authorizationpolicy).
// A nil pointer is a property Graph returned as null.
type AuthorizationPolicy struct {
	// AllowInvitesFrom is "none", "adminsAndGuestInviters",
	// "adminsGuestInvitersAndAllMembers" or "everyone".
	AllowInvitesFrom string
	// GuestUserRoleID is the role template granted to guests, lower-cased
	// (see GuestRoleSameAsMember and the other two).
	GuestUserRoleID                           string
	AllowEmailVerifiedUsersToJoinOrganization *bool
	AllowedToSignUpEmailBasedSubscriptions    *bool
}

// AuthorizationPolicyUpdate is a PATCH: only the non-nil fields are sent.
type AuthorizationPolicyUpdate struct {
	AllowInvitesFrom                          *string
	GuestUserRoleID                           *string
	AllowEmailVerifiedUsersToJoinOrganization *bool
	AllowedToSignUpEmailBasedSubscriptions    *bool
}

// IsEmpty reports whether the update changes nothing.
func (u AuthorizationPolicyUpdate) IsEmpty() bool {
	return u.AllowInvitesFrom == nil && u.GuestUserRoleID == nil &&
		u.AllowEmailVerifiedUsersToJoinOrganization == nil && u.AllowedToSignUpEmailBasedSubscriptions == nil
}

// The guestUserRoleId values the authorizationPolicy page lists as the
// only supported ones: the User, Guest User and Restricted Guest User role
// templates.
const (
	GuestRoleSameAsMember = "a0b1b346-4d3e-4e8b-98f8-753987be4970"
	GuestRoleLimited      = "10dae51f-b6af-4016-8d66-8c2a99b929b3"
	GuestRoleRestricted   = "2af84b1e-32c8-42b7-82bc-daa82404023b"
)

// TenantInformation is what another organization's tenant shows publicly
// (https://learn.microsoft.com/graph/api/resources/tenantinformation).
type TenantInformation struct {
	TenantID            string
	DisplayName         string
	DefaultDomainName   string
	FederationBrandName *string
}

// GetAuthorizationPolicy reads GET /policies/authorizationPolicy.
func (c *Client) GetAuthorizationPolicy(ctx context.Context) (*AuthorizationPolicy, error) {
	return c.impl.getAuthorizationPolicy(ctx)
}

// UpdateAuthorizationPolicy sends PATCH /policies/authorizationPolicy with
// the fields set in upd. An empty update sends nothing.
func (c *Client) UpdateAuthorizationPolicy(ctx context.Context, upd AuthorizationPolicyUpdate) error {
	return c.impl.updateAuthorizationPolicy(ctx, upd)
}

// FindTenantByDomain calls findTenantInformationByDomainName. A domain that
// belongs to no tenant is an *Error of KindNotFound.
func (c *Client) FindTenantByDomain(ctx context.Context, domain string) (*TenantInformation, error) {
	return c.impl.findTenantByDomain(ctx, domain)
}

// FindTenantByID calls findTenantInformationByTenantId. A tenant ID that
// names no tenant is an *Error of KindNotFound, i.e. Graph's 404. The page
// documents no error response. The one record found of a real answer, the
// CLI for Microsoft 365's test of this call
// (https://github.com/pnp/cli-microsoft365/blob/main/src/m365/tenant/commands/info/info-get.spec.ts),
// gives the code Directory_ObjectNotFound and the message "Unable to read
// the company information from the directory." but no status; the
// directory sends that code with 404. So only a 404 means "no such tenant";
// a 400 (a malformed ID, which the callers refuse before asking) stays a
// bad request.
func (c *Client) FindTenantByID(ctx context.Context, tenantID string) (*TenantInformation, error) {
	return c.impl.findTenantByID(ctx, tenantID)
}

// policiesBuilder and tenantRelationshipsBuilder build what
// GraphServiceClient's Policies() and TenantRelationships() build (see
// graphSDK for why the root client is not used).
func (c *client) policiesBuilder() *policies.PoliciesRequestBuilder {
	return policies.NewPoliciesRequestBuilderInternal(c.sdk.pathParameters, c.sdk.adapter)
}

func (c *client) tenantRelationshipsBuilder() *tenantrelationships.TenantRelationshipsRequestBuilder {
	return tenantrelationships.NewTenantRelationshipsRequestBuilderInternal(c.sdk.pathParameters, c.sdk.adapter)
}

func (c *client) getAuthorizationPolicy(ctx context.Context) (*AuthorizationPolicy, error) {
	var out models.AuthorizationPolicyable
	err := c.call(ctx, opGetAuthorizationPolicy, func(ctx context.Context) error {
		var err error
		out, err = c.policiesBuilder().AuthorizationPolicy().Get(ctx, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, &Error{Operation: opGetAuthorizationPolicy.name, Message: "Graph returned no authorization policy"}
	}
	p := &AuthorizationPolicy{
		AllowEmailVerifiedUsersToJoinOrganization: out.GetAllowEmailVerifiedUsersToJoinOrganization(),
		AllowedToSignUpEmailBasedSubscriptions:    out.GetAllowedToSignUpEmailBasedSubscriptions(),
	}
	if v := out.GetAllowInvitesFrom(); v != nil {
		p.AllowInvitesFrom = v.String()
	}
	if v := out.GetGuestUserRoleId(); v != nil {
		p.GuestUserRoleID = strings.ToLower(v.String())
	}
	return p, nil
}

func (c *client) updateAuthorizationPolicy(ctx context.Context, upd AuthorizationPolicyUpdate) error {
	if upd.IsEmpty() {
		return nil
	}
	body := models.NewAuthorizationPolicy()
	if upd.AllowInvitesFrom != nil {
		parsed, err := models.ParseAllowInvitesFrom(*upd.AllowInvitesFrom)
		v, ok := parsed.(*models.AllowInvitesFrom)
		if err != nil || !ok || v == nil {
			return &Error{Kind: KindBadRequest, Operation: opUpdateAuthorizationPolicy.name,
				Message: fmt.Sprintf("allowInvitesFrom %q is not one of none, adminsAndGuestInviters, adminsGuestInvitersAndAllMembers, everyone", *upd.AllowInvitesFrom)}
		}
		body.SetAllowInvitesFrom(v)
	}
	if upd.GuestUserRoleID != nil {
		id, err := uuid.Parse(*upd.GuestUserRoleID)
		if err != nil {
			return &Error{Kind: KindBadRequest, Operation: opUpdateAuthorizationPolicy.name,
				Message: fmt.Sprintf("guestUserRoleId %q is not a GUID", *upd.GuestUserRoleID)}
		}
		body.SetGuestUserRoleId(&id)
	}
	// Setters are called only for the fields to change: with the backing
	// store, a setter called with nil sends an explicit null.
	if upd.AllowEmailVerifiedUsersToJoinOrganization != nil {
		body.SetAllowEmailVerifiedUsersToJoinOrganization(upd.AllowEmailVerifiedUsersToJoinOrganization)
	}
	if upd.AllowedToSignUpEmailBasedSubscriptions != nil {
		body.SetAllowedToSignUpEmailBasedSubscriptions(upd.AllowedToSignUpEmailBasedSubscriptions)
	}
	// PATCH sets only the properties in the body and is idempotent, so the
	// retries of c.call are safe.
	return c.call(ctx, opUpdateAuthorizationPolicy, func(ctx context.Context) error {
		_, err := c.policiesBuilder().AuthorizationPolicy().Patch(ctx, body, nil)
		return err
	})
}

func (c *client) findTenantByDomain(ctx context.Context, domain string) (*TenantInformation, error) {
	domain = strings.TrimSpace(domain)
	if domain == "" {
		return nil, &Error{Kind: KindBadRequest, Operation: opFindTenantByDomain.name, Message: "a domain name is required"}
	}
	var out models.TenantInformationable
	err := c.call(ctx, opFindTenantByDomain, func(ctx context.Context) error {
		var err error
		out, err = c.tenantRelationshipsBuilder().FindTenantInformationByDomainNameWithDomainName(&domain).Get(ctx, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return tenantInformation(out, opFindTenantByDomain, domain)
}

func (c *client) findTenantByID(ctx context.Context, tenantID string) (*TenantInformation, error) {
	id, err := uuid.Parse(strings.TrimSpace(tenantID))
	if err != nil {
		return nil, &Error{Kind: KindBadRequest, Operation: opFindTenantByID.name, Message: fmt.Sprintf("tenant ID %q is not a GUID", tenantID)}
	}
	s := id.String()
	var out models.TenantInformationable
	err = c.call(ctx, opFindTenantByID, func(ctx context.Context) error {
		var err error
		out, err = c.tenantRelationshipsBuilder().FindTenantInformationByTenantIdWithTenantId(&s).Get(ctx, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return tenantInformation(out, opFindTenantByID, s)
}

// tenantInformation converts an answer of either look-up; an answer
// without a tenant ID is no tenant.
func tenantInformation(out models.TenantInformationable, op operation, key string) (*TenantInformation, error) {
	if out == nil || deref(out.GetTenantId()) == "" {
		return nil, &Error{Kind: KindNotFound, StatusCode: 404, Operation: op.name,
			Message: "Graph returned no tenant for " + key}
	}
	return &TenantInformation{
		TenantID:            strings.ToLower(deref(out.GetTenantId())),
		DisplayName:         deref(out.GetDisplayName()),
		DefaultDomainName:   deref(out.GetDefaultDomainName()),
		FederationBrandName: out.GetFederationBrandName(),
	}, nil
}
