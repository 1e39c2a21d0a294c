package emulator

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// signInApp is the default app plus AuditLog.Read.All.
func signInApp(s *Server) App {
	app := s.DefaultApp()
	s.SetPermissions(app.ClientID, append(append([]string(nil), app.Permissions...), PermAuditLogReadAll))
	return s.DefaultApp()
}

func TestSignInActivitySelectAndErrors(t *testing.T) {
	s := start(t, Options{})
	id, _ := s.SeedUser(SeedUser{Email: "ann@partner.example"})
	at := s.now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	if err := s.SetSignInActivity(id, SignInTimes{LastSignIn: &at, LastSuccessfulSignIn: &at}); err != nil {
		t.Fatal(err)
	}
	path := "/users/" + id + "?$select=id,signInActivity"

	// Without AuditLog.Read.All: Graph's 403.
	r := graph(t, s, token(t, s, s.DefaultApp()), "GET", path, nil)
	mustStatus(t, r, http.StatusForbidden)
	if r.errCode() != "Authentication_MSGraphPermissionMissing" {
		t.Fatalf("code %q, want Authentication_MSGraphPermissionMissing", r.errCode())
	}
	// Without selecting it the same app reads the user.
	mustStatus(t, graph(t, s, token(t, s, s.DefaultApp()), "GET", "/users/"+id, nil), http.StatusOK)

	tok := token(t, s, signInApp(s))
	r = graph(t, s, tok, "GET", path, nil)
	mustStatus(t, r, http.StatusOK)
	sia := obj(r.Body["signInActivity"])
	if got := str(sia["lastSuccessfulSignInDateTime"]); got != formatTime(at) {
		t.Fatalf("lastSuccessfulSignInDateTime %q, want %q", got, formatTime(at))
	}
	if sia["lastNonInteractiveSignInDateTime"] != nil {
		t.Fatalf("lastNonInteractiveSignInDateTime %v, want null", sia["lastNonInteractiveSignInDateTime"])
	}

	s.SetPremiumLicense(false)
	r = graph(t, s, tok, "GET", path, nil)
	mustStatus(t, r, http.StatusForbidden)
	if r.errCode() != "Authentication_RequestFromNonPremiumTenantOrB2CTenant" {
		t.Fatalf("code %q, want Authentication_RequestFromNonPremiumTenantOrB2CTenant", r.errCode())
	}
	r = graph(t, s, tok, "GET", "/users?$filter="+url.QueryEscape("signInActivity/lastSignInDateTime le 2030-01-01T00:00:00Z"), nil)
	mustStatus(t, r, http.StatusForbidden)
}

func TestSignInActivityFilterAndPageSize(t *testing.T) {
	s := start(t, Options{})
	old, _ := s.SeedUser(SeedUser{Email: "old@partner.example"})
	recent, _ := s.SeedUser(SeedUser{Email: "recent@partner.example"})
	never, _ := s.SeedUser(SeedUser{Email: "never@partner.example"})
	long := s.now().Add(-100 * 24 * time.Hour)
	now := s.now()
	_ = s.SetSignInActivity(old, SignInTimes{LastSignIn: &long})
	_ = s.SetSignInActivity(recent, SignInTimes{LastSignIn: &now})
	cut := formatTime(s.now().Add(-30 * 24 * time.Hour))
	tok := token(t, s, signInApp(s))

	list := func(filter string) resp {
		return graph(t, s, tok, "GET", "/users?$select=id&$filter="+url.QueryEscape(filter), nil)
	}
	r := list("signInActivity/lastSignInDateTime le " + cut)
	mustStatus(t, r, http.StatusOK)
	if v := values(r); len(v) != 1 || str(v[0]["id"]) != old {
		t.Fatalf("le %s: %v, want only %s (never-signed-in %s has no value)", cut, v, old, never)
	}
	r = list("signInActivity/lastSignInDateTime ge " + cut)
	if v := values(r); len(v) != 1 || str(v[0]["id"]) != recent {
		t.Fatalf("ge %s: %v, want only %s", cut, v, recent)
	}
	// "but not with any other filterable properties".
	r = list("userType eq 'Guest' and signInActivity/lastSignInDateTime le " + cut)
	mustStatus(t, r, http.StatusBadRequest)
	if r.errCode() != "Request_UnsupportedQuery" {
		t.Fatalf("combined filter: code %q, want Request_UnsupportedQuery", r.errCode())
	}

	for range 600 {
		if _, err := s.SeedUser(SeedUser{Email: "g" + newGUID()[:8] + "@bulk.example"}); err != nil {
			t.Fatal(err)
		}
	}
	r = graph(t, s, tok, "GET", "/users?$top=999&$select=id,signInActivity", nil)
	mustStatus(t, r, http.StatusOK)
	if n := len(values(r)); n != maxSignInPageSize {
		t.Fatalf("page of %d users with signInActivity selected, want %d", n, maxSignInPageSize)
	}
	r = graph(t, s, tok, "GET", "/users?$top=999&$select=id", nil)
	if n := len(values(r)); n != 603 {
		t.Fatalf("page of %d users without signInActivity, want 603", n)
	}
}

func TestEmployeeLeaveDateTimeFilter(t *testing.T) {
	s := start(t, Options{})
	gone, _ := s.SeedUser(SeedUser{Email: "gone@partner.example", Props: map[string]any{"employeeLeaveDateTime": formatTime(s.now().Add(-time.Hour))}})
	_, _ = s.SeedUser(SeedUser{Email: "later@partner.example", Props: map[string]any{"employeeLeaveDateTime": formatTime(s.now().Add(time.Hour))}})
	_, _ = s.SeedUser(SeedUser{Email: "none@partner.example"})
	tok := token(t, s, s.DefaultApp())
	r := graph(t, s, tok, "GET", "/users?$select=id,employeeLeaveDateTime&$filter="+url.QueryEscape("userType eq 'Guest' and employeeLeaveDateTime le "+formatTime(s.now())), nil)
	mustStatus(t, r, http.StatusOK)
	if v := values(r); len(v) != 1 || str(v[0]["id"]) != gone {
		t.Fatalf("employeeLeaveDateTime le now: %v, want only %s", v, gone)
	}
}

func TestSignInControlRoutes(t *testing.T) {
	s := start(t, Options{})
	id, _ := s.SeedUser(SeedUser{Email: "ann@partner.example"})
	mustStatus(t, ctl(t, s, "PUT", "/users/"+id+"/sign-in-activity", map[string]any{"lastSuccessfulSignInDateTime": "2026-01-02T03:04:05Z"}), http.StatusNoContent)
	mustStatus(t, ctl(t, s, "PUT", "/users/"+id+"/invitation-age", map[string]any{
		"createdDateTime": "2025-01-01T00:00:00Z", "externalUserStateChangeDateTime": "2025-02-01T00:00:00Z"}), http.StatusNoContent)
	u, _ := s.User(id)
	if got := str(obj(u["signInActivity"])["lastSuccessfulSignInDateTime"]); got != "2026-01-02T03:04:05Z" {
		t.Errorf("lastSuccessfulSignInDateTime %q after the control route", got)
	}
	if got := str(u["externalUserStateChangeDateTime"]); got != "2025-02-01T00:00:00Z" {
		t.Errorf("externalUserStateChangeDateTime %q after the control route", got)
	}
	mustStatus(t, ctl(t, s, "PUT", "/tenant/license", map[string]any{"premium": false}), http.StatusNoContent)
	r := graph(t, s, token(t, s, signInApp(s)), "GET", "/users/"+id+"?$select=signInActivity", nil)
	if r.errCode() != "Authentication_RequestFromNonPremiumTenantOrB2CTenant" {
		t.Errorf("after PUT /tenant/license premium=false: %d %s", r.Status, r.errCode())
	}
}

// An address that contains the property's name is a literal, not a
// sign-in read: without AuditLog.Read.All it is still answered.
func TestSignInActivityFilterLiteralIsNotASignInRead(t *testing.T) {
	for _, c := range []struct {
		filter string
		want   bool
	}{
		{"mail eq 'signinactivity@partner.example'", false},
		{"otherMails/any(m:m eq 'a.signInActivity@partner.example')", false},
		{"signInActivity/lastSignInDateTime le 2026-01-01T00:00:00Z", true},
		{"mail eq 'x@partner.example' or signInActivity/lastSignInDateTime eq null", true},
	} {
		if got := usesSignInActivity(nil, c.filter); got != c.want {
			t.Errorf("usesSignInActivity(%q) = %v, want %v", c.filter, got, c.want)
		}
	}
	s := start(t, Options{})
	if _, err := s.SeedUser(SeedUser{Email: "signinactivity@partner.example"}); err != nil {
		t.Fatal(err)
	}
	q := url.Values{"$filter": {"mail eq 'signinactivity@partner.example'"}}
	r := graph(t, s, token(t, s, s.DefaultApp()), "GET", "/users?"+q.Encode(), nil)
	mustStatus(t, r, http.StatusOK)
}
