package emulator

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// A user's signInActivity and employeeLeaveDateTime, with what Graph
// documents about reading and filtering them.
//
//   - https://learn.microsoft.com/graph/api/resources/user: signInActivity is
//     "Returned only on $select. Supports $filter (eq, ne, not, ge, le) but
//     not with any other filterable properties"; it needs a Microsoft Entra
//     ID P1 or P2 licence and AuditLog.Read.All, and is not returned (null)
//     for a user who never signed in. employeeLeaveDateTime supports
//     $filter (eq, ne, not, ge, le, in).
//   - https://learn.microsoft.com/graph/api/resources/signinactivity: the
//     properties of signInActivity.
//   - https://learn.microsoft.com/graph/api/user-list: with signInActivity
//     selected or filtered on, the maximum page size is 500; a larger $top
//     returns pages of up to 500.
//   - Graph's 403s: Authentication_MSGraphPermissionMissing "Calling
//     principal does not have required MSGraph permissions AuditLog.Read.All"
//     (microsoftgraph/microsoft-graph-explorer-v4#2731) and
//     Authentication_RequestFromNonPremiumTenantOrB2CTenant "Neither tenant
//     is B2C or tenant doesn't have premium license"
//     (microsoftgraph/microsoft-graph-docs#12772). Which one Graph reports
//     first when both apply is not documented; the permission comes first here.
//
// employeeLeaveDateTime, its permissions and its $filter row are in
// lifecycle.go.

// PermAuditLogReadAll lets an app read signInActivity.
const PermAuditLogReadAll = "AuditLog.Read.All"

const (
	propSignInActivity = "signInActivity"
	maxSignInPageSize  = 500
)

// signInTimeProps are signInActivity's date-time properties.
var signInTimeProps = []string{"lastSignInDateTime", "lastNonInteractiveSignInDateTime", "lastSuccessfulSignInDateTime"}

// signInProps are the rows userprops.go adds to the emulator's model. They
// have no $filter row: their filters are parsed by signInClause, since
// signInActivity is filtered through its sub-properties and only alone.
var signInProps = []userprop.Prop{
	{Graph: propSignInActivity},
}

// SignInTimes are a user's last sign-ins (nil: none recorded).
type SignInTimes struct {
	LastSignIn               *time.Time `json:"lastSignInDateTime,omitempty"`
	LastNonInteractiveSignIn *time.Time `json:"lastNonInteractiveSignInDateTime,omitempty"`
	LastSuccessfulSignIn     *time.Time `json:"lastSuccessfulSignInDateTime,omitempty"`
}

// SetSignInActivity records a user's sign-ins out of band; all nil makes
// the user one that never signed in (signInActivity null).
func (s *Server) SetSignInActivity(id string, t SignInTimes) error {
	var v any
	if t.LastSignIn != nil || t.LastNonInteractiveSignIn != nil || t.LastSuccessfulSignIn != nil {
		m := map[string]any{}
		for name, tt := range map[string]*time.Time{
			"lastSignInDateTime": t.LastSignIn, "lastNonInteractiveSignInDateTime": t.LastNonInteractiveSignIn,
			"lastSuccessfulSignInDateTime": t.LastSuccessfulSignIn,
		} {
			if tt != nil {
				m[name] = s.stamp(*tt)
			} else {
				m[name] = nil
			}
		}
		v = m
	}
	return s.PatchUser(id, map[string]any{propSignInActivity: v})
}

// InvitationAge are the times that say how old a user's invitation is.
type InvitationAge struct {
	CreatedDateTime                 *time.Time `json:"createdDateTime,omitempty"`
	ExternalUserStateChangeDateTime *time.Time `json:"externalUserStateChangeDateTime,omitempty"`
}

// SetInvitationAge back-dates a user's creation and invitation state change.
func (s *Server) SetInvitationAge(id string, a InvitationAge) error {
	props := map[string]any{}
	if a.CreatedDateTime != nil {
		props["createdDateTime"] = s.stamp(*a.CreatedDateTime)
	}
	if a.ExternalUserStateChangeDateTime != nil {
		props["externalUserStateChangeDateTime"] = s.stamp(*a.ExternalUserStateChangeDateTime)
	}
	return s.PatchUser(id, props)
}

// SetPremiumLicense says whether the tenant has a Microsoft Entra ID P1 or
// P2 licence (the default), which reading signInActivity needs.
func (s *Server) SetPremiumLicense(premium bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noPremium = !premium
}

// tenantLicenseJSON is the body of PUT /_emulator/tenant/license.
type tenantLicenseJSON struct {
	Premium bool `json:"premium"`
}

// controlSignInRoutes set sign-in times, invitation age and the licence.
func (s *Server) controlSignInRoutes(h func(string, ctlHandler)) {
	h("PUT /_emulator/users/{id}/sign-in-activity", ctlActOn(func(r *http.Request, t SignInTimes) error {
		return s.SetSignInActivity(r.PathValue("id"), t)
	}))
	h("PUT /_emulator/users/{id}/invitation-age", ctlActOn(func(r *http.Request, a InvitationAge) error {
		return s.SetInvitationAge(r.PathValue("id"), a)
	}))
	h("PUT /_emulator/tenant/license", ctlActOn(func(_ *http.Request, l tenantLicenseJSON) error {
		s.SetPremiumLicense(l.Premium)
		return nil
	}))
}

// usesSignInActivity reports whether a user read selects or filters on
// signInActivity. Only the filter's identifiers count: an address literal
// that happens to contain the word ('signinactivity@partner.example') is
// not a sign-in read. A filter that does not lex is judged on its text, as
// before; the filter parser refuses it anyway.
func usesSignInActivity(sel []string, filter string) bool {
	if slices.Contains(sel, propSignInActivity) {
		return true
	}
	toks, err := lexFilter(filter)
	if err != nil {
		return strings.Contains(strings.ToLower(filter), strings.ToLower(propSignInActivity))
	}
	for _, t := range toks {
		if t.kind == 'i' && strings.Contains(strings.ToLower(t.v), strings.ToLower(propSignInActivity)) {
			return true
		}
	}
	return false
}

// signInAccess answers Graph's 403 when the read uses signInActivity and
// the app lacks AuditLog.Read.All or the tenant a premium licence; false
// when it has answered.
func (c *call) signInAccess(sel []string) bool {
	if !usesSignInActivity(sel, c.r.URL.Query().Get("$filter")) {
		return true
	}
	if !c.roles[PermAuditLogReadAll] {
		c.graphError(http.StatusForbidden, "Authentication_MSGraphPermissionMissing",
			"Calling principal does not have required MSGraph permissions AuditLog.Read.All")
		return false
	}
	c.s.mu.Lock()
	noPremium := c.s.noPremium
	c.s.mu.Unlock()
	if noPremium {
		c.graphError(http.StatusForbidden, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
			"Neither tenant is B2C or tenant doesn't have premium license")
		return false
	}
	return true
}

// capSignInPage applies the smaller page size of reads that use signInActivity.
func capSignInPage(uq *userQuery) {
	if usesSignInActivity(uq.sel, uq.q.Get("$filter")) && uq.top > maxSignInPageSize {
		uq.top = maxSignInPageSize
	}
}

// signInClause parses a comparison on signInActivity/<time> or on
// employeeLeaveDateTime (eq, ne, ge, le with a date-time literal); handled
// is false for any other property, which the generic parser takes. It
// counts clauses so checkSignInAlone can refuse signInActivity combined
// with other properties.
func (p *fparser) signInClause(prop string) (pr pred, handled bool, err error) {
	switch {
	case strings.EqualFold(prop, propSignInActivity):
		p.signIn++
		if err := p.expect("/"); err != nil {
			return nil, true, err
		}
		sub, err := p.next()
		if err != nil {
			return nil, true, err
		}
		i := slices.IndexFunc(signInTimeProps, func(n string) bool { return strings.EqualFold(n, sub.v) })
		if i < 0 {
			return nil, true, unsupportedProp(propSignInActivity)
		}
		name := signInTimeProps[i]
		pr, err := p.timeComparison(propSignInActivity, func(u *user) any {
			m, _ := u.Props[propSignInActivity].(map[string]any)
			return m[name]
		})
		return pr, true, err
	}
	p.other++
	return nil, false, nil
}

// timeComparison parses "op literal" for a date-time value. ne and not
// work by default here (the user page lists them for both properties).
func (p *fparser) timeComparison(prop string, value func(*user) any) (pred, error) {
	opTok, err := p.next()
	if err != nil {
		return nil, err
	}
	op := strings.ToLower(opTok.v)
	if op != "eq" && op != "ne" && op != "ge" && op != "le" {
		return nil, unsupportedProp(prop)
	}
	lit, err := p.next()
	if err != nil {
		return nil, err
	}
	if lit.kind == 'i' && lit.v == "null" && (op == "eq" || op == "ne") {
		return func(u *user) bool { return (value(u) == nil) == (op == "eq") }, nil
	}
	want, perr := time.Parse(time.RFC3339, lit.v)
	if lit.kind != 'l' || perr != nil {
		return nil, syntaxErr(lit.pos, p.src)
	}
	return func(u *user) bool {
		s, _ := value(u).(string)
		got, err := time.Parse(time.RFC3339, s)
		return err == nil && cmpOp(op, got.Compare(want))
	}, nil
}

// checkSignInAlone refuses signInActivity combined with another property.
// The docs give no message for it; this is the generic unsupported-clause error.
func (p *fparser) checkSignInAlone() error {
	if p.signIn > 0 && p.other > 0 {
		return unsupportedProp(propSignInActivity)
	}
	return nil
}
