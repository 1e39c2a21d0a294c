package graph

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"
)

// Sign-in activity, read only when the provider opts in
// (Config.ReadSignInActivity).
//
// Facts from Microsoft Graph v1.0:
//   - https://learn.microsoft.com/graph/api/resources/user (signInActivity):
//     "Returned only on $select. Supports $filter (eq, ne, not, ge, le) but
//     not with any other filterable properties." Reading it needs a
//     Microsoft Entra ID P1 or P2 licence and AuditLog.Read.All; it is not
//     returned for a user who never signed in.
//   - https://learn.microsoft.com/graph/api/resources/signinactivity: the
//     three times read here (lastSuccessfulSignInDateTime since December 2023).
//   - https://learn.microsoft.com/graph/api/user-list: when signInActivity
//     is selected or filtered on, the maximum page size is 500 (a $top above
//     it returns pages of up to 500; earlier versions of the page said 120).
//
// Graph's errors when it cannot be read (both 403):
//   - Authentication_MSGraphPermissionMissing, "Calling principal does not
//     have required MSGraph permissions AuditLog.Read.All"
//     (microsoftgraph/microsoft-graph-explorer-v4#2731);
//   - Authentication_RequestFromNonPremiumTenantOrB2CTenant, "Neither tenant
//     is B2C or tenant doesn't have premium license"
//     (microsoftgraph/microsoft-graph-docs#12772, #14118).

const (
	// signInActivityProp is the user property's Graph name.
	signInActivityProp = "signInActivity"
	// employeeLeaveDateTimeProp is read and written by lifecycle.go and
	// selected only by listings that filter on it (GuestFilter.LeftBefore):
	// reading it needs User-LifeCycleInfo.Read.All.
	employeeLeaveDateTimeProp = "employeeLeaveDateTime"
	// maxSignInPageSize is Graph's page size limit when signInActivity is selected.
	maxSignInPageSize = 500
	// maxInValues is how many values an "in" clause may list outside an
	// advanced query: "When using the in operator, the request is limited
	// to 15 expressions in the filter clause by default"
	// (https://learn.microsoft.com/graph/known-issues, query parameter
	// limitations, linked from https://learn.microsoft.com/graph/filter-query-parameter).
	maxInValues = 15

	// PermAuditLogRead is the application permission reading signInActivity needs.
	PermAuditLogRead = "AuditLog.Read.All"

	codeSignInPermission = "Authentication_MSGraphPermissionMissing"
	codeSignInLicence    = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
)

// SignInActivity is a user's last sign-ins as Graph records them; a nil
// field is a sign-in Graph has no record of.
type SignInActivity struct {
	LastSignIn               *time.Time // lastSignInDateTime: interactive, successful or not
	LastNonInteractiveSignIn *time.Time // lastNonInteractiveSignInDateTime
	LastSuccessfulSignIn     *time.Time // lastSuccessfulSignInDateTime: interactive or not
}

// Never reports whether Graph recorded no sign-in at all (a nil activity too).
func (a *SignInActivity) Never() bool {
	return a == nil || (a.LastSignIn == nil && a.LastNonInteractiveSignIn == nil && a.LastSuccessfulSignIn == nil)
}

// selectList is the $select of user reads: the table's list, plus
// signInActivity when the provider opted in. It shares no backing array
// with userSelect.
func (c *client) selectList(extra ...string) []string {
	out := slices.Clip(userSelect)
	if c.cfg.ReadSignInActivity {
		out = append(out, signInActivityProp)
	}
	return append(out, extra...)
}

// capPageSize keeps $top within Graph's limit for reads that select
// signInActivity.
func (c *client) capPageSize(top int32) int32 {
	if c.cfg.ReadSignInActivity && top > maxSignInPageSize {
		return maxSignInPageSize
	}
	return top
}

// signInFromSDK converts the SDK's signInActivity.
func signInFromSDK(m models.SignInActivityable) *SignInActivity {
	if m == nil {
		return nil
	}
	return &SignInActivity{
		LastSignIn:               utc(m.GetLastSignInDateTime()),
		LastNonInteractiveSignIn: utc(m.GetLastNonInteractiveSignInDateTime()),
		LastSuccessfulSignIn:     utc(m.GetLastSuccessfulSignInDateTime()),
	}
}

// wireSignInActivity is signInActivity in a batch item's JSON.
type wireSignInActivity struct {
	LastSignInDateTime               *time.Time `json:"lastSignInDateTime"`
	LastNonInteractiveSignInDateTime *time.Time `json:"lastNonInteractiveSignInDateTime"`
	LastSuccessfulSignInDateTime     *time.Time `json:"lastSuccessfulSignInDateTime"`
}

func (w *wireSignInActivity) toSignIn() *SignInActivity {
	if w == nil {
		return nil
	}
	return &SignInActivity{
		LastSignIn:               utc(w.LastSignInDateTime),
		LastNonInteractiveSignIn: utc(w.LastNonInteractiveSignInDateTime),
		LastSuccessfulSignIn:     utc(w.LastSuccessfulSignInDateTime),
	}
}

// markSignInError names the permission Graph's sign-in errors point at, so
// the generic missing-permission message names AuditLog.Read.All rather
// than the operation's usual permission.
func markSignInError(e *Error) {
	if e.Code == codeSignInPermission {
		e.RequiredPermission = PermAuditLogRead
	}
}

// IsSignInPermissionMissing reports Graph's refusal to read signInActivity
// for lack of AuditLog.Read.All.
func IsSignInPermissionMissing(err error) bool {
	var ge *Error
	return errors.As(err, &ge) && ge.Code == codeSignInPermission
}

// IsSignInLicenceMissing reports Graph's refusal to read signInActivity in
// a tenant without a Microsoft Entra ID P1 or P2 licence.
func IsSignInLicenceMissing(err error) bool {
	var ge *Error
	return errors.As(err, &ge) && ge.Code == codeSignInLicence
}

// leaveSelect is the extra $select of a listing with LeftBefore.
func (f GuestFilter) leaveSelect() []string {
	if f.LeftBefore == nil && !f.ReadEmployeeLeave {
		return nil
	}
	return []string{employeeLeaveDateTimeProp}
}

// leaveClause is the $filter clause for LeftBefore. The user page gives
// employeeLeaveDateTime "$filter (eq, ne, not, ge, le, in)"; the advanced
// query table does not list it, so it is sent as an advanced query, which
// Graph serves for every filterable property.
func (f GuestFilter) leaveClause() (clause string, advanced bool) {
	if f.LeftBefore == nil {
		return "", false
	}
	return employeeLeaveDateTimeProp + " le " + f.LeftBefore.UTC().Format(time.RFC3339), true
}

// withSignIns fills in the sign-in activity of users listed from a group's
// members, when the provider opted in. Microsoft documents signInActivity
// on List users and Get user only (https://learn.microsoft.com/graph/api/resources/user,
// https://learn.microsoft.com/graph/api/user-list); GET /groups/{id}/members
// is not documented to return it, and the request that it should was
// closed without a change (microsoftgraph/microsoft-graph-docs-contrib#5049).
// Selecting it there could leave every member looking like one that never
// signed in. So the members' sign-ins are read from /users, 15 users a
// request with $filter=id in (...) (the user page gives id "$filter (eq,
// ne, not, in)"; 15 is the documented limit of an in clause without
// advanced query parameters): a group of n users costs ceil(n/15)
// requests, against n batch items (each counted by Graph's throttling) for
// GET /users/{id}.
func (c *client) withSignIns(ctx context.Context, us []User) ([]User, error) {
	if !c.cfg.ReadSignInActivity {
		return us, nil
	}
	for start := 0; start < len(us); start += maxInValues {
		chunk := us[start:min(start+maxInValues, len(us))]
		got, err := c.signInsOf(ctx, chunk)
		if err != nil {
			return nil, err
		}
		for i := range chunk {
			// A user Graph no longer returns (deleted since the member
			// listing) keeps no activity: it is gone either way.
			chunk[i].SignInActivity = got[strings.ToLower(chunk[i].ID)]
		}
	}
	return us, nil
}

// signInsOf reads the signInActivity of up to maxInValues users with
// GET /users?$filter=id in (...), keyed by lower-case object ID. $top asks
// for them all in one page, but the server may page shorter: every
// @odata.nextLink is followed (https://learn.microsoft.com/graph/paging),
// or the users past the first page would look as if they never signed in.
func (c *client) signInsOf(ctx context.Context, us []User) (map[string]*SignInActivity, error) {
	quoted := make([]string, len(us))
	for i, u := range us {
		// Object IDs are GUIDs; doubling quotes keeps any other value a literal.
		quoted[i] = "'" + strings.ReplaceAll(u.ID, "'", "''") + "'"
	}
	filter := "id in (" + strings.Join(quoted, ",") + ")"
	top := int32(len(us))
	qp := &users.UsersRequestBuilderGetQueryParameters{Filter: &filter, Select: []string{"id", signInActivityProp}, Top: &top}
	out := make(map[string]*SignInActivity, len(us))
	seen := map[string]bool{}
	next := ""
	for {
		var page models.UserCollectionResponseable
		err := c.call(ctx, opListUsers, func(ctx context.Context) error {
			var err error
			if next == "" {
				page, err = c.sdk.Users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{QueryParameters: qp})
			} else {
				page, err = users.NewUsersRequestBuilder(next, c.adapter).Get(ctx, nil)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, u := range page.GetValue() {
			out[strings.ToLower(deref(u.GetId()))] = signInFromSDK(u.GetSignInActivity())
		}
		if next, err = c.nextPage(opListUsers, deref(page.GetOdataNextLink()), seen, ""); err != nil {
			return nil, err
		}
		if next == "" {
			return out, nil
		}
	}
}
