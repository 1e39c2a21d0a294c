package emulator

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
)

// The cross-tenant access policy (default, partners, identity
// synchronization), the authorization policy and the registered foreign
// tenants survive a restart on the same state file, as users do.
func TestStateFileKeepsPoliciesAndTenants(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s := start(t, Options{StateFile: path})
	const partner = "6a3c1e2b-0d4f-4a5b-9c8d-7e6f5a4b3c2d"
	if err := s.RegisterTenant(ForeignTenant{TenantID: partner, DisplayName: "Fabrikam",
		DefaultDomainName: "fabrikam.example", Domains: []string{"fabrikam-partners.example"}}); err != nil {
		t.Fatal(err)
	}
	blockAll := []byte(`{"b2bCollaborationInbound":{
  "usersAndGroups":{"accessType":"blocked","targets":[{"target":"AllUsers","targetType":"user"}]},
  "applications":{"accessType":"blocked","targets":[{"target":"AllApplications","targetType":"application"}]}}}`)
	if err := s.PatchCrossTenantDefault(blockAll); err != nil {
		t.Fatal(err)
	}
	if err := s.SeedCrossTenantPartner(partner, []byte(`{"inboundTrust":{"isMfaAccepted":true}}`)); err != nil {
		t.Fatal(err)
	}
	rw := appWith(t, s, PermPolicyReadWriteCrossTenantAccess)
	mustStatus(t, graph(t, s, rw, "PUT", "/policies/crossTenantAccessPolicy/partners/"+partner+"/identitySynchronization",
		map[string]any{"displayName": "Fabrikam", "userSyncInbound": map[string]any{"isSyncAllowed": true}}), 204)
	if err := s.PatchAuthorizationPolicy(map[string]any{"allowInvitesFrom": "adminsAndGuestInviters"}); err != nil {
		t.Fatal(err)
	}
	type snapshot struct {
		Default, Partner, Sync, Authz map[string]any
		Tenants                       []ForeignTenant
	}
	take := func(s *Server) snapshot {
		p, _ := s.CrossTenantPartnerJSON(partner)
		y, _ := s.IdentitySyncJSON(partner)
		// Through JSON, as the state file holds them.
		var out snapshot
		b, _ := json.Marshal(snapshot{s.CrossTenantDefaultJSON(), p, y, s.AuthorizationPolicy(), s.Tenants()})
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := take(s)
	if before.Partner == nil || before.Sync == nil || len(before.Tenants) != 1 {
		t.Fatalf("the setup did not take: %+v", before)
	}
	_ = s.Close()

	s2 := start(t, Options{StateFile: path})
	if after := take(s2); !reflect.DeepEqual(after, before) {
		t.Errorf("changed across restart:\nbefore %+v\nafter  %+v", before, after)
	}
	if tn, ok := s2.tenantByDomain("Fabrikam-Partners.example"); !ok || tn.TenantID != partner {
		t.Errorf("domain look-up after restart: %+v, %t", tn, ok)
	}
}

// A method a cross-tenant or tenant-relationship route does not serve is
// 405, like the other Graph routes; a path Graph does not have stays 400.
func TestWrongMethodOnPolicyRoutes(t *testing.T) {
	s := start(t, Options{})
	tok := token(t, s, s.DefaultApp())
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"DELETE", "/policies/crossTenantAccessPolicy/default", 405},
		{"PUT", "/policies/crossTenantAccessPolicy/partners", 405},
		{"POST", "/policies/authorizationPolicy", 405},
		{"DELETE", "/tenantRelationships/findTenantInformationByDomainName(domainName='fabrikam.example')", 405},
		{"GET", "/policies/noSuchPolicy", 400},
		{"GET", "/noSuchSegment", 400},
	} {
		r := graph(t, s, tok, tc.method, tc.path, nil)
		if r.Status != tc.want {
			t.Errorf("%s %s: status %d, want %d: %s", tc.method, tc.path, r.Status, tc.want, r.Raw)
		}
	}
}

// docsServiceDefault is the service default as the response example of
// https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationdefault-get
// shows it (the example leaves the redemption order and automatic consent
// out; see systemDefault).
const docsServiceDefault = `{
  "isServiceDefault": true,
  "inboundTrust": {"isMfaAccepted": false, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false},
  "b2bCollaborationOutbound": {
    "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
    "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}},
  "b2bCollaborationInbound": {
    "usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
    "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}},
  "b2bDirectConnectOutbound": {
    "usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]},
    "applications": {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]}},
  "b2bDirectConnectInbound": {
    "usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]},
    "applications": {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]}}
}`

// The emulator's default configuration, fresh and after
// resetToSystemDefault, has every property of the documented service
// default with the documented value.
func TestSystemDefaultMatchesDocs(t *testing.T) {
	var want map[string]any
	if err := json.Unmarshal([]byte(docsServiceDefault), &want); err != nil {
		t.Fatal(err)
	}
	s := start(t, Options{})
	check := func(when string) {
		got := s.CrossTenantDefaultJSON()
		for k, v := range want {
			g, _ := json.Marshal(got[k])
			w, _ := json.Marshal(v)
			if string(g) != string(w) {
				t.Errorf("%s: %s = %s, the docs give %s", when, k, g, w)
			}
		}
		consent, _ := json.Marshal(got["automaticUserConsentSettings"])
		if string(consent) != `{"inboundAllowed":false,"outboundAllowed":false}` {
			t.Errorf("%s: automaticUserConsentSettings = %s, the resource page says always false", when, consent)
		}
	}
	check("fresh tenant")
	if err := s.PatchCrossTenantDefault([]byte(`{"b2bCollaborationInbound":{
  "usersAndGroups":{"accessType":"blocked","targets":[{"target":"AllUsers","targetType":"user"}]},
  "applications":{"accessType":"blocked","targets":[{"target":"AllApplications","targetType":"application"}]}}}`)); err != nil {
		t.Fatal(err)
	}
	rw := appWith(t, s, PermPolicyReadWriteCrossTenantAccess)
	mustStatus(t, graph(t, s, rw, "POST", "/policies/crossTenantAccessPolicy/default/resetToSystemDefault", nil), 204)
	check("after resetToSystemDefault")
}
