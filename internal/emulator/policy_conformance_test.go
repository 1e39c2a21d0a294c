package emulator

import (
	"net/http"
	"strings"
	"testing"
)

// Conformance tests of the tenant-policy endpoints: each rule here is one
// a Microsoft Graph v1.0 page states (cited on each test), checked the way
// an independent client following that page would see it.

// https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationpartner-delete:
// a partner configuration with a user synchronization policy cannot be
// deleted until the policy is deleted; the refusal leaves both in place.
func TestConformancePartnerDeleteNeedsSyncDeletedFirst(t *testing.T) {
	f := newCTFixture(t)
	partner := ctBase + "/partners/" + partnerID
	sync := partner + "/identitySynchronization"
	mustStatus(t, graph(t, f.s, f.tok, "POST", ctBase+"/partners", map[string]any{"tenantId": partnerID}), 201)
	mustStatus(t, graph(t, f.s, f.tok, "PUT", sync, map[string]any{"userSyncInbound": map[string]any{"isSyncAllowed": true}}), 204)

	mustError(t, graph(t, f.s, f.tok, "DELETE", partner, nil), 400, "BadRequest",
		"The partner configuration for tenant '"+partnerID+"' has a user synchronization policy; delete it first (DELETE .../partners/"+partnerID+"/identitySynchronization).")
	mustStatus(t, graph(t, f.s, f.readOnly, "GET", partner, nil), 200)
	mustStatus(t, graph(t, f.s, f.readOnly, "GET", sync, nil), 200)

	mustStatus(t, graph(t, f.s, f.tok, "DELETE", sync, nil), 204)
	mustStatus(t, graph(t, f.s, f.tok, "DELETE", partner, nil), 204)
	mustStatus(t, graph(t, f.s, f.readOnly, "GET", partner, nil), 404)
}

// https://learn.microsoft.com/graph/api/tenantrelationship-findtenantinformationbytenantid:
// GET /tenantRelationships/findTenantInformationByTenantId(tenantId='{id}')
// answers the tenantInformation, with CrossTenantInformation.ReadBasic.All
// as its only application permission.
func TestConformanceFindTenantInformationByTenantID(t *testing.T) {
	s := start(t, Options{})
	tok := appWith(t, s, PermCrossTenantInformationReadBasicAll)
	tid := newGUID()
	if err := s.RegisterTenant(ForeignTenant{TenantID: tid, DisplayName: "Fabrikam", DefaultDomainName: "fabrikam.example"}); err != nil {
		t.Fatal(err)
	}
	fn := func(id string) string {
		return "/tenantRelationships/findTenantInformationByTenantId(tenantId='" + id + "')"
	}

	r := graph(t, s, tok, http.MethodGet, fn(strings.ToUpper(tid)), nil)
	mustStatus(t, r, http.StatusOK)
	if r.Body["tenantId"] != tid || r.Body["displayName"] != "Fabrikam" || r.Body["defaultDomainName"] != "fabrikam.example" ||
		r.Body["federationBrandName"] != nil || str(r.Body["@odata.context"]) != s.URL()+"/v1.0/$metadata#microsoft.graph.tenantInformation" {
		t.Fatalf("tenantInformation: %s", r.Raw)
	}
	if r := graph(t, s, tok, http.MethodGet, fn(newGUID()), nil); r.Status != http.StatusNotFound || r.errCode() != "Directory_ObjectNotFound" {
		t.Fatalf("unknown tenant: %d %s", r.Status, r.Raw)
	}
	mustStatus(t, graph(t, s, tok, http.MethodGet, fn("fabrikam.example"), nil), http.StatusBadRequest)
	if n := s.Counters()["GET /v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='{tenantId}')"]; n != 3 {
		t.Fatalf("counted %d look-ups by tenant ID, want 3", n)
	}
	denied := appWith(t, s, PermPolicyReadAll)
	mustError(t, graph(t, s, denied, http.MethodGet, fn(tid), nil), http.StatusForbidden, "Authorization_RequestDenied",
		"Insufficient privileges to complete the operation.")
}

// https://learn.microsoft.com/graph/api/resources/defaultuserrolepermissions:
// the complex type has five Boolean members and the string collection
// permissionGrantPoliciesAssigned; PATCH refuses any other member, and
// takes [] (user consent disabled, example 5 of
// https://learn.microsoft.com/graph/api/authorizationpolicy-update).
func TestConformanceDefaultUserRolePermissionsMembers(t *testing.T) {
	s := start(t, Options{})
	rw := appWith(t, s, PermPolicyReadWriteAuthorization)
	for name, members := range map[string]map[string]any{
		"unknown member":     {"allowedToDeleteTenants": true},
		"not a string list":  {"permissionGrantPoliciesAssigned": "ManagePermissionGrantsForSelf.x"},
		"not a string entry": {"permissionGrantPoliciesAssigned": []any{true}},
		"not a Boolean":      {"allowedToCreateApps": "no"},
	} {
		r := graph(t, s, rw, http.MethodPatch, "/policies/authorizationPolicy", map[string]any{"defaultUserRolePermissions": members})
		if r.Status != http.StatusBadRequest || r.errCode() != "Request_BadRequest" {
			t.Errorf("%s: %d %s, want 400 Request_BadRequest", name, r.Status, r.Raw)
		}
	}
	mustStatus(t, graph(t, s, rw, http.MethodPatch, "/policies/authorizationPolicy", map[string]any{
		"defaultUserRolePermissions": map[string]any{"permissionGrantPoliciesAssigned": []any{}, "allowedToCreateApps": false},
	}), http.StatusNoContent)
	d := obj(s.AuthorizationPolicy()["defaultUserRolePermissions"])
	if d["allowedToCreateApps"] != false || len(arr(d["permissionGrantPoliciesAssigned"])) != 0 || d["allowedToReadOtherUsers"] != true {
		t.Fatalf("defaultUserRolePermissions after PATCH: %v", d)
	}
}

// tenantRestrictions is a property of the default and of each partner
// (https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicytenantrestrictions),
// which the default's update page lists as writable
// (https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationdefault-update).
// The system default blocks it for everyone ("In Tenant Restrictions, all
// access settings are disabled by default",
// https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicy-overview);
// a partner's is null (inherit) until set; devices.mode is an accessType.
func TestConformanceTenantRestrictions(t *testing.T) {
	f := newCTFixture(t)
	tr := obj(graph(t, f.s, f.readOnly, "GET", ctBase+"/default", nil).Body["tenantRestrictions"])
	if str(obj(tr["usersAndGroups"])["accessType"]) != "blocked" || str(obj(tr["applications"])["accessType"]) != "blocked" ||
		tr["devices"] != nil {
		t.Fatalf("system default tenantRestrictions: %v", tr)
	}
	allowOffice := map[string]any{
		"usersAndGroups": map[string]any{"accessType": "allowed", "targets": []any{map[string]any{"target": "AllUsers", "targetType": "user"}}},
		"applications":   map[string]any{"accessType": "allowed", "targets": []any{map[string]any{"target": "Office365", "targetType": "application"}}},
	}
	mustStatus(t, graph(t, f.s, f.tok, "PATCH", ctBase+"/default", map[string]any{"tenantRestrictions": allowOffice}), 204)
	b := graph(t, f.s, f.readOnly, "GET", ctBase+"/default", nil).Body
	if b["isServiceDefault"] != false || str(obj(obj(b["tenantRestrictions"])["applications"])["accessType"]) != "allowed" {
		t.Fatalf("after PATCH: %v", b["tenantRestrictions"])
	}
	mustError(t, graph(t, f.s, f.tok, "PATCH", ctBase+"/default", map[string]any{"tenantRestrictions": map[string]any{
		"devices": map[string]any{"mode": "maybe", "rule": "device.deviceAttribute2 -eq 'PAW'"}}}),
		400, "BadRequest", "Cannot convert the literal 'maybe' to the expected type 'microsoft.graph.crossTenantAccessPolicyTargetConfigurationAccessType'.")

	r := graph(t, f.s, f.tok, "POST", ctBase+"/partners", map[string]any{"tenantId": partnerID})
	mustStatus(t, r, 201)
	if v, ok := r.Body["tenantRestrictions"]; !ok || v != nil {
		t.Fatalf("a new partner's tenantRestrictions should be null: %s", r.Raw)
	}
	mustStatus(t, graph(t, f.s, f.tok, "PATCH", ctBase+"/partners/"+partnerID, map[string]any{"tenantRestrictions": allowOffice}), 204)
	mustStatus(t, graph(t, f.s, f.tok, "PATCH", ctBase+"/partners/"+partnerID, map[string]any{"tenantRestrictions": nil}), 204)
	if b := graph(t, f.s, f.readOnly, "GET", ctBase+"/partners/"+partnerID, nil).Body; b["tenantRestrictions"] != nil {
		t.Fatalf("null did not reset the partner's tenantRestrictions: %v", b["tenantRestrictions"])
	}
}
