package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func appWith(t *testing.T, s *Server, perms ...string) string {
	t.Helper()
	app := App{ClientID: newGUID(), Secret: newSecret(), Permissions: perms}
	s.AddApp(app)
	return token(t, s, app)
}

func TestAuthorizationPolicyDefaultsAndPatch(t *testing.T) {
	s := start(t, Options{})
	rw := appWith(t, s, PermPolicyReadWriteAuthorization)

	r := graph(t, s, rw, http.MethodGet, "/policies/authorizationPolicy", nil)
	mustStatus(t, r, http.StatusOK)
	if r.Body["id"] != "authorizationPolicy" || r.Body["allowInvitesFrom"] != "everyone" ||
		r.Body["guestUserRoleId"] != GuestRoleLimited || r.Body["allowEmailVerifiedUsersToJoinOrganization"] != true ||
		r.Body["allowUserConsentForRiskyApps"] != false {
		t.Fatalf("defaults: %s", r.Raw)
	}

	r = graph(t, s, rw, http.MethodPatch, "/policies/authorizationPolicy", map[string]any{
		"allowInvitesFrom": "adminsAndGuestInviters", "guestUserRoleId": "2AF84B1E-32C8-42B7-82BC-DAA82404023B",
		"allowEmailVerifiedUsersToJoinOrganization": false,
	})
	mustStatus(t, r, http.StatusNoContent)
	got := s.AuthorizationPolicy()
	if got["allowInvitesFrom"] != "adminsAndGuestInviters" || got["guestUserRoleId"] != GuestRoleRestricted ||
		got["allowEmailVerifiedUsersToJoinOrganization"] != false || got["allowedToUseSSPR"] != true {
		t.Fatalf("after PATCH: %v", got)
	}
}

func TestAuthorizationPolicyPatchValidation(t *testing.T) {
	s := start(t, Options{})
	rw := appWith(t, s, PermPolicyReadWriteAuthorization)
	for name, body := range map[string]map[string]any{
		"enum":      {"allowInvitesFrom": "anyone"},
		"not GUID":  {"guestUserRoleId": "restricted"},
		"role":      {"guestUserRoleId": "62e90394-69f5-4237-9190-012177145e10"},
		"bool":      {"allowedToUseSSPR": "yes"},
		"read-only": {"id": "other"},
		"unknown":   {"allowGuests": true},
	} {
		r := graph(t, s, rw, http.MethodPatch, "/policies/authorizationPolicy", body)
		if r.Status != http.StatusBadRequest || r.errCode() != "Request_BadRequest" || r.errMessage() == "" {
			t.Errorf("%s: %d %s, want 400 Request_BadRequest", name, r.Status, r.Raw)
		}
	}
	if got := s.AuthorizationPolicy(); got["allowInvitesFrom"] != "everyone" || got["guestUserRoleId"] != GuestRoleLimited {
		t.Fatalf("a refused PATCH changed the policy: %v", got)
	}
}

func TestAuthorizationPolicyPermissions(t *testing.T) {
	s := start(t, Options{})
	read := appWith(t, s, PermPolicyReadAll)
	none := appWith(t, s, PermUserReadWriteAll)

	mustStatus(t, graph(t, s, read, http.MethodGet, "/policies/authorizationPolicy", nil), http.StatusOK)
	r := graph(t, s, read, http.MethodPatch, "/policies/authorizationPolicy", map[string]any{"allowInvitesFrom": "none"})
	if r.Status != http.StatusForbidden || r.errCode() != "Authorization_RequestDenied" {
		t.Fatalf("PATCH with Policy.Read.All: %d %s", r.Status, r.Raw)
	}
	mustStatus(t, graph(t, s, none, http.MethodGet, "/policies/authorizationPolicy", nil), http.StatusForbidden)
}

func TestFindTenantInformationByDomainName(t *testing.T) {
	s := start(t, Options{})
	tok := appWith(t, s, PermCrossTenantInformationReadBasicAll)
	tid := newGUID()
	mustStatus(t, ctl(t, s, http.MethodPost, "/tenants", map[string]any{
		"tenantId": tid, "displayName": "Fabrikam", "defaultDomainName": "fabrikam.example",
		"federationBrandName": "Fabrikam Inc.", "domains": []string{"fabrikam-eu.example"},
	}), http.StatusNoContent)

	for _, d := range []string{"fabrikam.example", "FABRIKAM-EU.example"} {
		r := graph(t, s, tok, http.MethodGet, "/tenantRelationships/findTenantInformationByDomainName(domainName='"+url.PathEscape(d)+"')", nil)
		mustStatus(t, r, http.StatusOK)
		if r.Body["tenantId"] != tid || r.Body["displayName"] != "Fabrikam" ||
			r.Body["defaultDomainName"] != "fabrikam.example" || r.Body["federationBrandName"] != "Fabrikam Inc." {
			t.Fatalf("%s: %s", d, r.Raw)
		}
	}
	r := graph(t, s, tok, http.MethodGet, "/tenantRelationships/findTenantInformationByDomainName(domainName='unknown.example')", nil)
	if r.Status != http.StatusNotFound || r.errCode() != "Directory_ObjectNotFound" {
		t.Fatalf("unknown domain: %d %s", r.Status, r.Raw)
	}
	if n := s.Counters()["GET /v1.0/tenantRelationships/findTenantInformationByDomainName(domainName='{domainName}')"]; n != 3 {
		t.Fatalf("counted %d look-ups, want 3", n)
	}

	other := appWith(t, s, PermPolicyReadAll, PermDirectoryReadAll)
	r = graph(t, s, other, http.MethodGet, "/tenantRelationships/findTenantInformationByDomainName(domainName='fabrikam.example')", nil)
	mustStatus(t, r, http.StatusForbidden)
}

func TestRegisterTenantValidation(t *testing.T) {
	s := start(t, Options{})
	for name, ft := range map[string]ForeignTenant{
		"no GUID":    {TenantID: "fabrikam", DefaultDomainName: "fabrikam.example"},
		"own tenant": {TenantID: s.TenantID(), DefaultDomainName: "fabrikam.example"},
		"bad domain": {TenantID: newGUID(), DefaultDomainName: "not a domain"},
		"own domain": {TenantID: newGUID(), DefaultDomainName: s.TenantDomain()},
	} {
		if err := s.RegisterTenant(ft); err == nil {
			t.Errorf("%s: registered", name)
		}
	}
	// Registering a tenant again replaces its domains.
	id := newGUID()
	if err := s.RegisterTenant(ForeignTenant{TenantID: id, DefaultDomainName: "a.example", Domains: []string{"b.example"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.RegisterTenant(ForeignTenant{TenantID: id, DefaultDomainName: "a.example"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.tenantByDomain("b.example"); ok {
		t.Fatal("a domain dropped by a second registration still resolves")
	}
	mustStatus(t, ctl(t, s, http.MethodPost, "/tenants", map[string]any{"tenantId": "x"}), http.StatusBadRequest)
}

// The look-up functions search every tenant: the caller's own domain and
// ID find the caller's tenant, as any other's would.
func TestFindTenantInformationOwnTenant(t *testing.T) {
	s := start(t, Options{})
	tok := appWith(t, s, PermCrossTenantInformationReadBasicAll)
	for _, fn := range []string{
		"findTenantInformationByDomainName(domainName='" + strings.ToUpper(s.TenantDomain()) + "')",
		"findTenantInformationByTenantId(tenantId='" + strings.ToUpper(s.TenantID()) + "')",
	} {
		r := graph(t, s, tok, http.MethodGet, "/tenantRelationships/"+url.PathEscape(fn), nil)
		mustStatus(t, r, http.StatusOK)
		if !strings.EqualFold(str(r.Body["tenantId"]), s.TenantID()) || !strings.EqualFold(str(r.Body["defaultDomainName"]), s.TenantDomain()) {
			t.Fatalf("%s: %s", fn, r.Raw)
		}
	}
}
