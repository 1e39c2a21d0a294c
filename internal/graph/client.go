package graph

import (
	"context"
	"errors"
	"net/http"
)

// The public endpoints of the national clouds. Source:
// https://learn.microsoft.com/graph/deployments
const (
	PublicGraphEndpoint = "https://graph.microsoft.com"
	PublicAuthorityHost = "https://login.microsoftonline.com/"
	USGovGraphEndpoint  = "https://graph.microsoft.us"
	USGovAuthorityHost  = "https://login.microsoftonline.us/"
	ChinaGraphEndpoint  = "https://microsoftgraph.chinacloudapi.cn"
	ChinaAuthorityHost  = "https://login.chinacloudapi.cn/"
)

// AuthMethod is how the client obtains tokens.
type AuthMethod string

// The supported authentication methods.
const (
	AuthClientSecret      AuthMethod = "client_secret"
	AuthClientCertificate AuthMethod = "client_certificate"
	AuthOIDC              AuthMethod = "oidc" // workload identity federation
	AuthAzureCLI          AuthMethod = "azure_cli"
	AuthManagedIdentity   AuthMethod = "managed_identity"
)

// AuthConfig is the resolved authentication: exactly one Method, with the
// fields that method needs. The provider resolves it; this package only
// builds the azidentity credential from it.
type AuthConfig struct {
	Method        AuthMethod
	TenantID      string
	ClientID      string // optional for managed identity (user-assigned)
	AuthorityHost string // https URL; custom hosts disable MSAL instance discovery

	ClientSecret string // secret

	CertificateData     []byte // PKCS#12 or PEM (certificate and key)
	CertificatePassword string

	OIDCToken         string
	OIDCTokenFilePath string
}

// Config configures a Client.
type Config struct {
	Auth          AuthConfig
	GraphEndpoint string // scheme://host[:port], without /v1.0
	UserAgent     string // e.g. "terraform-provider-b2b/1.2.3"
	Logger        Logger // optional
	// HTTPClient is optional; the default trusts the system store (SSL_CERT_FILE is honoured).
	HTTPClient *http.Client
	// ReadSignInActivity adds signInActivity to every user read's $select
	// (signin.go): AuditLog.Read.All and an Entra ID P1/P2 licence.
	ReadSignInActivity bool
	// Clock is optional; the default is the wall clock (clock.go).
	Clock Clock
}

// Client is a Microsoft Graph v1.0 client. It is safe for concurrent use,
// and one Client is shared by every resource and data source.
//
// New makes no network call; SignIn fetches the first token.
type Client struct {
	impl *client
}

// ErrNotImplemented marks stubs still to be written.
var ErrNotImplemented = errors.New("graph: not implemented")

// New builds a client. It validates the configuration but makes no network call.
func New(cfg Config) (*Client, error) {
	impl, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{impl: impl}, nil
}

// SignIn obtains the access token every Graph call uses, as those calls
// ask for it, so they find it cached. The provider calls it once while
// it is configured: a credential the identity platform refuses then fails
// that one step, instead of every guest's refresh with the same error,
// each making a token request of its own. The error is an *Error of the
// token request (Operation "token request (<method>)").
func (c *Client) SignIn(ctx context.Context) error {
	return c.impl.signIn(ctx)
}

// Invite sends POST /invitations. Throttling (429/503/504) is retried, but
// a connection that breaks after the request was sent is not: Graph may
// have created the guest already, so the error is returned and the caller
// looks the email up (FindUsersByEmail) before inviting again.
func (c *Client) Invite(ctx context.Context, req InvitationRequest) (*Invitation, error) {
	return c.impl.invite(ctx, req)
}

// GetUser reads GET /users/{id} with $select of every property in User.
func (c *Client) GetUser(ctx context.Context, id string) (*User, error) {
	return c.impl.getUser(ctx, id)
}

// UpdateUser sends PATCH /users/{id} with only the fields set in upd.
func (c *Client) UpdateUser(ctx context.Context, id string, upd UserUpdate) error {
	return c.impl.updateUser(ctx, id, upd)
}

// DeleteUser sends DELETE /users/{id} (a soft delete: the user goes to deleted items for 30 days).
func (c *Client) DeleteUser(ctx context.Context, id string) error {
	return c.impl.deleteUser(ctx, id)
}

// GetDeletedUser reads GET /directory/deletedItems/{id}, without $select:
// the user carries Graph's default properties only (id, displayName, mail,
// userPrincipalName and the like; not userType, externalUserState or
// the other properties GetUser selects). A deleted item that is not a
// user is KindNotFound. Callers use it to learn whether the user is in
// deleted items.
func (c *Client) GetDeletedUser(ctx context.Context, id string) (*User, error) {
	return c.impl.getDeletedUser(ctx, id)
}

// PurgeDeletedUser sends DELETE /directory/deletedItems/{id}.
func (c *Client) PurgeDeletedUser(ctx context.Context, id string) error {
	return c.impl.purgeDeletedUser(ctx, id)
}

// RestoreDeletedUser sends POST /directory/deletedItems/{id}/restore.
func (c *Client) RestoreDeletedUser(ctx context.Context, id string) (*User, error) {
	return c.impl.restoreDeletedUser(ctx, id)
}

// FindUsersByEmail returns the users whose mail or otherMails equals email
// (case-insensitive), paging through all results, less the deleted users
// a replica behind the delete can still list for seconds: those this
// client deleted (or found already gone when it deleted them) and has not
// restored since, and those found in deleted items (one
// GET /directory/deletedItems/{id} per user listed).
func (c *Client) FindUsersByEmail(ctx context.Context, email string) ([]User, error) {
	return c.impl.findUsersByEmail(ctx, email)
}

// ListUsers pages through GET /users with the filter, following @odata.nextLink.
// A MailDomain filter makes it an advanced query (ConsistencyLevel: eventual),
// whose index may lag a few seconds behind new invitations.
func (c *Client) ListUsers(ctx context.Context, f GuestFilter) ([]User, error) {
	return c.impl.listUsers(ctx, f)
}

// GetGroup reads GET /groups/{id} with $select=id,displayName. A missing
// group is an *Error of KindNotFound.
func (c *Client) GetGroup(ctx context.Context, id string) (*Group, error) {
	return c.impl.getGroup(ctx, id)
}

// AddGroupMember sends POST /groups/{groupID}/members/$ref. A member that is
// already there is not an error. A 404 is returned as KindNotFound: it means
// either the group is missing or the member has not replicated yet, and the
// caller tells them apart (GetGroup).
func (c *Client) AddGroupMember(ctx context.Context, groupID, memberID string) error {
	return c.impl.addGroupMember(ctx, groupID, memberID)
}

// RemoveGroupMember sends DELETE /groups/{groupID}/members/{memberID}/$ref.
// A 404 (not a member, or the group is gone) is not an error.
func (c *Client) RemoveGroupMember(ctx context.Context, groupID, memberID string) error {
	return c.impl.removeGroupMember(ctx, groupID, memberID)
}

// ListUserGroupIDs returns the IDs, lower-cased, of the groups the user is a
// direct member of (GET /users/{id}/memberOf, groups only), every page.
func (c *Client) ListUserGroupIDs(ctx context.Context, userID string) ([]string, error) {
	return c.impl.listUserGroupIDs(ctx, userID)
}

// ListSponsorIDs returns the IDs, lower-cased, of the user's sponsors (users
// or groups; GET /users/{id}/sponsors), every page.
func (c *Client) ListSponsorIDs(ctx context.Context, userID string) ([]string, error) {
	return c.impl.listSponsorIDs(ctx, userID)
}

// SponsorSet reports whether object id is a user ("users") or a group
// ("groups"), as Add sponsor's @odata.id must say; the answer is
// remembered for the life of the client. An object that is neither gives
// a not-found error (IsNotFound).
func (c *Client) SponsorSet(ctx context.Context, id string) (string, error) {
	return c.impl.sponsorSet(ctx, id)
}

// AddSponsor sends POST /users/{userID}/sponsors/$ref with the sponsor's
// read URL, /users/{id} or /groups/{id}: the kind SponsorSet or an earlier
// add learnt, else what GET /users/{id} tells (a 404: not a user, so the
// group URL). A sponsor that is neither (or a user not replicated yet)
// is returned as KindNotFound.
func (c *Client) AddSponsor(ctx context.Context, userID, sponsorID string) error {
	return c.impl.addSponsor(ctx, userID, sponsorID)
}

// RemoveSponsor sends DELETE /users/{userID}/sponsors/{sponsorID}/$ref.
// A 404 (not a sponsor, or gone) is not an error.
func (c *Client) RemoveSponsor(ctx context.Context, userID, sponsorID string) error {
	return c.impl.removeSponsor(ctx, userID, sponsorID)
}
