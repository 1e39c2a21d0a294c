// Package graph is the provider's only door to Microsoft Graph and the
// Microsoft identity platform. It wraps msgraph-sdk-go and azidentity behind
// plain Go types and typed errors, so that nothing here knows about Terraform
// (no terraform-plugin-* imports) and nothing in the provider knows about
// Kiota models.
package graph

import (
	"context"
	"time"
)

// Logger receives structured log lines from the client. The provider plugs
// tflog in here; the graph package never writes to stdout/stderr itself.
// Implementations must not be handed secrets: the client never passes
// tokens, secrets or redeem URLs in fields.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

// User is a directory user as the provider sees it. Pointer fields are nil
// when Graph returned null (or the property was not selected).
//
// The typed fields are the properties the provider reasons about (identity,
// lifecycle, the B2B rule, the collections); they are the userprop rows
// without Profile, and TestUserFieldsMatchTable fails when a typed field has
// no row or such a row no field. Every profile string (a userprop row with
// Profile) is in Profile instead, so adding one is a table row, not a field.
type User struct {
	ID                              string
	DisplayName                     string
	UserPrincipalName               string
	Mail                            string
	UserType                        string // "Guest" or "Member"
	ExternalUserState               string // "PendingAcceptance", "Accepted" or "" for non-invited users
	ExternalUserStateChangeDateTime *time.Time
	CreationType                    string // "Invitation" for B2B guests
	CreatedDateTime                 *time.Time
	AccountEnabled                  *bool

	// Profile holds the profile strings Graph returned non-null, keyed by
	// Graph name (userprop.Profiles); a missing key is null.
	Profile map[string]string

	BusinessPhones []string
	OtherMails     []string

	// SignInActivity is read only when Config.ReadSignInActivity is set,
	// and EmployeeLeaveDateTime only by listings with GuestFilter.LeftBefore
	// (signin.go); nil otherwise, and nil when Graph has no value.
	SignInActivity        *SignInActivity
	EmployeeLeaveDateTime *time.Time
}

// ProfileValue returns the profile string named graphName, nil when Graph
// returned null (or it was not selected).
func (u *User) ProfileValue(graphName string) *string {
	if v, ok := u.Profile[graphName]; ok {
		return &v
	}
	return nil
}

// UserUpdate lists the properties to change with PATCH /users/{id}.
// A nil field is left untouched. A pointer to the zero value clears the
// property (the client sends JSON null for strings, [] for collections).
type UserUpdate struct {
	DisplayName    *string
	UserType       *string
	AccountEnabled *bool

	// Profile holds the profile strings to change, keyed by Graph name
	// (userprop.Profiles); "" clears the property (sent as JSON null).
	Profile map[string]string

	BusinessPhones *[]string
	OtherMails     *[]string
}

// SetProfile records a change of the profile string graphName ("" clears it).
func (u *UserUpdate) SetProfile(graphName, v string) {
	if u.Profile == nil {
		u.Profile = map[string]string{}
	}
	u.Profile[graphName] = v
}

// IsEmpty reports whether the update would change nothing.
func (u UserUpdate) IsEmpty() bool {
	return u.DisplayName == nil && u.UserType == nil && u.AccountEnabled == nil &&
		len(u.Profile) == 0 && u.BusinessPhones == nil && u.OtherMails == nil
}

// InvitationRequest is the body of POST /invitations.
type InvitationRequest struct {
	InvitedUserEmailAddress string
	InvitedUserDisplayName  string
	InviteRedirectURL       string
	InvitedUserType         string // "Guest" (default) or "Member"
	SendInvitationMessage   bool
	Message                 *InvitationMessage

	// ResetRedemption re-sends the invitation for an existing user (InvitedUserID)
	// and resets its redemption status, keeping the object ID, groups and app access.
	ResetRedemption bool
	InvitedUserID   string

	// SponsorIDs become the new guest's sponsors (invitedUserSponsors, at
	// most five users or groups); see invitationSponsors.
	SponsorIDs []string
}

// InvitationMessage is invitedUserMessageInfo.
type InvitationMessage struct {
	CcRecipients          []string // Graph honours one recipient
	CustomizedMessageBody string
	MessageLanguage       string
}

// Invitation is what POST /invitations returns.
type Invitation struct {
	ID              string
	InvitedUserID   string
	InviteRedeemURL string // sensitive: never log it
	Status          string // "PendingAcceptance" or "Completed"
}

// GuestFilter narrows ListUsers. Empty fields do not filter.
type GuestFilter struct {
	UserType          string // "Guest", "Member" or "" for both
	ExternalUserState string
	DisplayNamePrefix string
	MailDomain        string // matched with endswith on mail, needs ConsistencyLevel: eventual
	CreatedAfter      *time.Time
	CreatedBefore     *time.Time
	// LeftBefore keeps users whose employeeLeaveDateTime is at or before
	// it (selecting that property, which needs User-LifeCycleInfo.Read.All).
	LeftBefore *time.Time
	// ReadEmployeeLeave selects employeeLeaveDateTime without filtering on it.
	ReadEmployeeLeave bool
	PageSize          int // $top; 0 means the client default
	// MaxResults stops the listing once this many users matched (0: all),
	// so `terraform query -limit` does not page through a whole tenant.
	MaxResults int
}

// Group is a directory group as the provider sees it.
type Group struct {
	ID          string // lower-cased, like every ID the group calls return
	DisplayName string
}
