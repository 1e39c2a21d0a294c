package emulator

import (
	"strings"
	"testing"
)

const (
	ctBase    = "/policies/crossTenantAccessPolicy"
	partnerID = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a"
)

type ctFixture struct {
	s        *Server
	tok      string // Policy.ReadWrite.CrossTenantAccess
	readOnly string // Policy.Read.All
}

func newCTFixture(t *testing.T) ctFixture {
	t.Helper()
	rw := App{ClientID: newGUID(), Secret: "rw", Permissions: []string{PermPolicyReadWriteCrossTenantAccess}}
	ro := App{ClientID: newGUID(), Secret: "ro", Permissions: []string{PermPolicyReadAll}}
	s := start(t, Options{Apps: []App{rw, ro}})
	return ctFixture{s: s, tok: token(t, s, rw), readOnly: token(t, s, ro)}
}

func allowedAll() map[string]any {
	return map[string]any{
		"usersAndGroups": map[string]any{"accessType": "blocked", "targets": []any{map[string]any{"target": "AllUsers", "targetType": "user"}}},
		"applications":   map[string]any{"accessType": "blocked", "targets": []any{map[string]any{"target": "AllApplications", "targetType": "application"}}},
	}
}

func TestCrossTenantDefault_SystemDefaultPatchReset(t *testing.T) {
	f := newCTFixture(t)
	r := graph(t, f.s, f.readOnly, "GET", ctBase+"/default", nil)
	mustStatus(t, r, 200)
	b := r.Body
	if b["isServiceDefault"] != true || str(obj(obj(b["b2bCollaborationInbound"])["usersAndGroups"])["accessType"]) != "allowed" ||
		str(obj(obj(b["b2bDirectConnectInbound"])["applications"])["accessType"]) != "blocked" ||
		obj(b["inboundTrust"])["isMfaAccepted"] != false ||
		str(obj(b["invitationRedemptionIdentityProviderConfiguration"])["fallbackIdentityProvider"]) != "defaultConfiguredIdp" ||
		!strings.HasSuffix(str(b["@odata.context"]), "#policies/crossTenantAccessPolicy/default/$entity") {
		t.Fatalf("system default: %s", r.Raw)
	}
	r = graph(t, f.s, f.tok, "PATCH", ctBase+"/default", map[string]any{
		"inboundTrust":            map[string]any{"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false},
		"b2bCollaborationInbound": allowedAll(),
	})
	mustStatus(t, r, 204)
	b = graph(t, f.s, f.tok, "GET", ctBase+"/default", nil).Body
	if b["isServiceDefault"] != false || obj(b["inboundTrust"])["isMfaAccepted"] != true ||
		str(obj(obj(b["b2bCollaborationInbound"])["usersAndGroups"])["accessType"]) != "blocked" {
		t.Fatalf("after PATCH: %v", b)
	}
	mustStatus(t, graph(t, f.s, f.tok, "POST", ctBase+"/default/resetToSystemDefault", nil), 204)
	b = graph(t, f.s, f.tok, "GET", ctBase+"/default", nil).Body
	if b["isServiceDefault"] != true || obj(b["inboundTrust"])["isMfaAccepted"] != false {
		t.Fatalf("after reset: %v", b)
	}
}

func TestCrossTenantDefault_Refusals(t *testing.T) {
	f := newCTFixture(t)
	cases := []struct {
		name string
		body map[string]any
		msg  string
	}{
		{"consent is read-only", map[string]any{"automaticUserConsentSettings": map[string]any{"inboundAllowed": true}},
			"automaticUserConsentSettings can't be updated in the default configuration; set it on a partner configuration."},
		{"null", map[string]any{"inboundTrust": nil}, "The property 'inboundTrust' of the default configuration cannot be null."},
		{"fallback required", map[string]any{"invitationRedemptionIdentityProviderConfiguration": map[string]any{
			"primaryIdentityProviderPrecedenceOrder": []string{"azureActiveDirectory"}}}, "fallbackIdentityProvider is required."},
		{"primary as fallback", map[string]any{"invitationRedemptionIdentityProviderConfiguration": map[string]any{
			"primaryIdentityProviderPrecedenceOrder": []string{"emailOneTimePasscode"}, "fallbackIdentityProvider": "microsoftAccount"}},
			"primaryIdentityProviderPrecedenceOrder: 'emailOneTimePasscode' is a fallback identity provider, not a primary one."},
		{"unknown property", map[string]any{"colour": "blue"},
			"The property 'colour' does not exist on type 'microsoft.graph.crossTenantAccessPolicyConfigurationDefault'. Make sure to only use property names that are defined by the type."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mustError(t, graph(t, f.s, f.tok, "PATCH", ctBase+"/default", tc.body), 400, "BadRequest", tc.msg)
		})
	}
	if f.s.CrossTenantDefaultJSON()["isServiceDefault"] != true {
		t.Fatal("a refused PATCH changed the default")
	}
}

func TestCrossTenantPartner_Lifecycle(t *testing.T) {
	f := newCTFixture(t)
	r := graph(t, f.s, f.tok, "POST", ctBase+"/partners", map[string]any{
		"tenantId":     strings.ToUpper(partnerID),
		"inboundTrust": map[string]any{"isMfaAccepted": true},
	})
	mustStatus(t, r, 201)
	if r.Body["tenantId"] != partnerID || r.Body["b2bCollaborationInbound"] != nil ||
		obj(r.Body["inboundTrust"])["isMfaAccepted"] != true || obj(r.Body["inboundTrust"])["isCompliantDeviceAccepted"] != nil {
		t.Fatalf("created: %s", r.Raw)
	}
	if a := obj(r.Body["automaticUserConsentSettings"]); a == nil || a["inboundAllowed"] != nil {
		t.Fatalf("automaticUserConsentSettings should be present with null members: %s", r.Raw)
	}
	mustError(t, graph(t, f.s, f.tok, "POST", ctBase+"/partners", map[string]any{"tenantId": partnerID}),
		409, "Request_MultipleObjectsWithSameKeyValue", "A partner configuration for tenant '"+partnerID+"' already exists.")

	mustStatus(t, graph(t, f.s, f.tok, "PATCH", ctBase+"/partners/"+partnerID, map[string]any{
		"inboundTrust": nil, "b2bCollaborationInbound": allowedAll(),
	}), 204)
	b := graph(t, f.s, f.readOnly, "GET", ctBase+"/partners/"+partnerID, nil).Body
	if b["inboundTrust"] != nil || str(obj(obj(b["b2bCollaborationInbound"])["applications"])["accessType"]) != "blocked" {
		t.Fatalf("after PATCH: %v", b)
	}
	if n := len(arr(graph(t, f.s, f.readOnly, "GET", ctBase+"/partners", nil).Body["value"])); n != 1 {
		t.Fatalf("list: %d partners", n)
	}
	mustStatus(t, graph(t, f.s, f.tok, "DELETE", ctBase+"/partners/"+partnerID, nil), 204)
	mustError(t, graph(t, f.s, f.tok, "GET", ctBase+"/partners/"+partnerID, nil),
		404, "Request_ResourceNotFound", "No partner configuration exists for tenant '"+partnerID+"'.")
	mustStatus(t, graph(t, f.s, f.tok, "DELETE", ctBase+"/partners/"+partnerID, nil), 404)
}

func TestCrossTenantPartner_Refusals(t *testing.T) {
	f := newCTFixture(t)
	target := func(access, tgt, typ string) map[string]any {
		return map[string]any{"b2bCollaborationInbound": map[string]any{"usersAndGroups": map[string]any{
			"accessType": access, "targets": []any{map[string]any{"target": tgt, "targetType": typ}}}}}
	}
	mustError(t, graph(t, f.s, f.tok, "POST", ctBase+"/partners", map[string]any{"tenantId": "partner.example"}),
		400, "Request_BadRequest", "Invalid value specified for property 'tenantId': 'partner.example' is not a valid tenant ID (a GUID).")
	mustError(t, graph(t, f.s, f.tok, "POST", ctBase+"/partners", map[string]any{}),
		400, "BadRequest", "The property 'tenantId' is required to create a partner configuration.")
	mustStatus(t, graph(t, f.s, f.tok, "POST", ctBase+"/partners", map[string]any{"tenantId": partnerID}), 201)
	cases := []struct {
		name string
		body map[string]any
		msg  string
	}{
		{"accessType", target("denied", "AllUsers", "user"),
			"Cannot convert the literal 'denied' to the expected type 'microsoft.graph.crossTenantAccessPolicyTargetConfigurationAccessType'."},
		{"targetType", target("allowed", "AllUsers", "person"),
			"Cannot convert the literal 'person' to the expected type 'microsoft.graph.crossTenantAccessPolicyTargetType'."},
		{"application in usersAndGroups", target("allowed", "AllApplications", "application"),
			"b2bCollaborationInbound.usersAndGroups: targetType 'application' is not valid here; use user or group."},
		{"keyword with the wrong type", target("allowed", "AllUsers", "group"),
			"b2bCollaborationInbound.usersAndGroups: target 'AllUsers' requires targetType 'user'."},
		{"neither keyword nor ID", target("allowed", "everyone", "user"),
			"b2bCollaborationInbound.usersAndGroups: target 'everyone' is neither a keyword nor an object ID."},
		{"navigation property", map[string]any{"identitySynchronization": map[string]any{}},
			"identitySynchronization is a navigation property; use PUT .../partners/{tenantId}/identitySynchronization."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mustError(t, graph(t, f.s, f.tok, "PATCH", ctBase+"/partners/"+partnerID, tc.body), 400, "BadRequest", tc.msg)
		})
	}
	mustStatus(t, graph(t, f.s, f.tok, "PATCH", ctBase+"/partners/"+newGUID(), map[string]any{}), 404)
}

func TestCrossTenant_Permissions(t *testing.T) {
	f := newCTFixture(t)
	denied := func(r resp) {
		t.Helper()
		mustError(t, r, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	}
	denied(graph(t, f.s, f.readOnly, "PATCH", ctBase+"/default", map[string]any{}))
	denied(graph(t, f.s, f.readOnly, "POST", ctBase+"/default/resetToSystemDefault", nil))
	denied(graph(t, f.s, f.readOnly, "POST", ctBase+"/partners", map[string]any{"tenantId": partnerID}))
	denied(graph(t, f.s, f.readOnly, "PUT", ctBase+"/partners/"+partnerID+"/identitySynchronization", map[string]any{}))
	// User permissions grant no policy read.
	users := App{ClientID: newGUID(), Secret: "users", Permissions: []string{PermUserReadWriteAll, PermDirectoryReadWriteAll}}
	f.s.AddApp(users)
	denied(graph(t, f.s, token(t, f.s, users), "GET", ctBase+"/default", nil))
	mustStatus(t, graph(t, f.s, f.tok, "GET", ctBase+"/default", nil), 200)
}

func TestIdentitySync_Lifecycle(t *testing.T) {
	f := newCTFixture(t)
	path := ctBase + "/partners/" + partnerID + "/identitySynchronization"
	body := map[string]any{"displayName": "Fabrikam", "userSyncInbound": map[string]any{"isSyncAllowed": true}}
	mustError(t, graph(t, f.s, f.tok, "PUT", path, body), 404, "Request_ResourceNotFound",
		"No partner configuration exists for tenant '"+partnerID+"'.")
	mustStatus(t, graph(t, f.s, f.tok, "POST", ctBase+"/partners", map[string]any{"tenantId": partnerID}), 201)
	mustError(t, graph(t, f.s, f.tok, "GET", path, nil), 404, "Request_ResourceNotFound",
		"No identity synchronization policy exists for partner tenant '"+partnerID+"'.")
	mustError(t, graph(t, f.s, f.tok, "PUT", path, map[string]any{"displayName": "x"}), 400, "BadRequest",
		"The property 'userSyncInbound' with 'isSyncAllowed' is required.")
	mustStatus(t, graph(t, f.s, f.tok, "PUT", path, body), 204)
	r := graph(t, f.s, f.readOnly, "GET", path, nil)
	mustStatus(t, r, 200)
	if r.Body["tenantId"] != partnerID || r.Body["displayName"] != "Fabrikam" || obj(r.Body["userSyncInbound"])["isSyncAllowed"] != true {
		t.Fatalf("sync: %s", r.Raw)
	}
	mustStatus(t, graph(t, f.s, f.tok, "PATCH", path, map[string]any{"userSyncInbound": map[string]any{"isSyncAllowed": false}}), 204)
	if m, _ := f.s.IdentitySyncJSON(partnerID); obj(m["userSyncInbound"])["isSyncAllowed"] != false || m["displayName"] != "Fabrikam" {
		t.Fatalf("after PATCH: %v", m)
	}
	// The policy goes first, then the partner (see
	// TestConformancePartnerDeleteNeedsSyncDeletedFirst).
	mustStatus(t, graph(t, f.s, f.tok, "DELETE", path, nil), 204)
	mustStatus(t, graph(t, f.s, f.tok, "DELETE", ctBase+"/partners/"+partnerID, nil), 204)
}

// SetServiceDefaultRedemption changes what the untouched default shows
// (isServiceDefault stays true), also after a reset, and is refused as a
// PATCH would refuse the value.
func TestCrossTenantDefault_ServiceDefaultRedemption(t *testing.T) {
	f := newCTFixture(t)
	if err := f.s.SetServiceDefaultRedemption([]string{"azureActiveDirectory", "azureActiveDirectory"}, "defaultConfiguredIdp"); err == nil {
		t.Fatal("a repeated provider was accepted")
	}
	if err := f.s.SetServiceDefaultRedemption([]string{"externalFederation", "azureActiveDirectory", "socialIdentityProviders"}, "emailOneTimePasscode"); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		b := graph(t, f.s, f.readOnly, "GET", ctBase+"/default", nil).Body
		red := obj(b["invitationRedemptionIdentityProviderConfiguration"])
		if b["isServiceDefault"] != true || str(red["fallbackIdentityProvider"]) != "emailOneTimePasscode" ||
			str(arr(red["primaryIdentityProviderPrecedenceOrder"])[0]) != "externalFederation" {
			t.Fatalf("%s: %v", when, b)
		}
	}
	check("untouched")
	mustStatus(t, graph(t, f.s, f.tok, "PATCH", ctBase+"/default", map[string]any{"b2bCollaborationInbound": allowedAll()}), 204)
	mustStatus(t, graph(t, f.s, f.tok, "POST", ctBase+"/default/resetToSystemDefault", nil), 204)
	check("after reset")
}
