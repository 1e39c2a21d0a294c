package graph

import (
	"encoding/json"
	"testing"

	jsonser "github.com/microsoft/kiota-serialization-json-go"
)

// partnerJSON serializes a partner body as kiota sends it.
func partnerJSON(t *testing.T, p CrossTenantPartner, nulls bool) map[string]any {
	t.Helper()
	w := jsonser.NewJsonSerializationWriter()
	if err := w.WriteObjectValue("", partnerBody(p, nulls)); err != nil {
		t.Fatal(err)
	}
	b, err := w.GetSerializedContent()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return m
}

// What the configuration leaves out is cleared with explicit nulls, at
// every level, so the PATCH means the same whether Graph replaces a
// complex value or merges into it; the POST leaves unset consent out.
func TestPartnerBodyNullsWhatIsUnset(t *testing.T) {
	p := CrossTenantPartner{TenantID: "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a", CrossTenantSettings: CrossTenantSettings{
		B2BCollaborationInbound: &CrossTenantB2BSetting{UsersAndGroups: &CrossTenantTargetConfiguration{
			AccessType: "allowed", Targets: []CrossTenantTarget{{Target: "AllUsers", TargetType: "user"}}}},
	}}
	patch := partnerJSON(t, p, true)
	in, _ := patch["b2bCollaborationInbound"].(map[string]any)
	if v, ok := in["applications"]; !ok || v != nil {
		t.Errorf("PATCH: an unset applications rule must be an explicit null: %v", in)
	}
	consent, _ := patch["automaticUserConsentSettings"].(map[string]any)
	for _, k := range []string{"inboundAllowed", "outboundAllowed"} {
		if v, ok := consent[k]; !ok || v != nil {
			t.Errorf("PATCH: unset consent member %s must be an explicit null: %v", k, consent)
		}
	}
	if v, ok := patch["inboundTrust"]; !ok || v != nil {
		t.Errorf("PATCH: unset inboundTrust must be null: %v", patch)
	}
	post := partnerJSON(t, p, false)
	if _, ok := post["automaticUserConsentSettings"]; ok {
		t.Errorf("POST: unset consent must be left out: %v", post)
	}
	if _, ok := post["inboundTrust"]; ok {
		t.Errorf("POST: unset inboundTrust must be left out: %v", post)
	}
}
