package emulator

import (
	"errors"
	"net/http"
	"testing"
)

// A guest of an organization the inbound settings block for all users is
// invited (Graph documents no refusal), but its redemption is refused as
// Entra refuses the sign-in (AADSTS500213); the partner entry's own rule
// wins over the default, a null one inherits it, and other domains redeem.
func TestRedeemRefusedByInboundSettings(t *testing.T) {
	s := start(t, Options{})
	tok := appWith(t, s, PermUserInviteAll)
	const rival, partner = "8e9f0a1b-3c4d-4e5f-a6b7-c8d9e0f1a2b3", "5b7c1a0e-2f4d-4e6a-9b8c-0d1e2f3a4b5c"
	for id, domain := range map[string]string{rival: "rival.example", partner: "partner.example"} {
		if err := s.RegisterTenant(ForeignTenant{TenantID: id, DefaultDomainName: domain}); err != nil {
			t.Fatal(err)
		}
	}
	block := []byte(`{"b2bCollaborationInbound":{
  "usersAndGroups":{"accessType":"blocked","targets":[{"target":"AllUsers","targetType":"user"}]},
  "applications":{"accessType":"blocked","targets":[{"target":"AllApplications","targetType":"application"}]}}}`)
	allow := []byte(`{"b2bCollaborationInbound":{
  "usersAndGroups":{"accessType":"allowed","targets":[{"target":"AllUsers","targetType":"user"}]},
  "applications":{"accessType":"allowed","targets":[{"target":"AllApplications","targetType":"application"}]}}}`)
	if err := s.SeedCrossTenantPartner(rival, block); err != nil {
		t.Fatal(err)
	}
	userOf := func(email string) string {
		r := invite(t, s, tok, email)
		mustStatus(t, r, http.StatusCreated)
		return str(obj(r.Body["invitedUser"])["id"])
	}
	redeem := func(email string) error { return s.RedeemInvitation(userOf(email)) }

	var blocked *InboundBlockedError
	if err := redeem("sam@Rival.example"); !errors.As(err, &blocked) || blocked.Source != "partner" || blocked.TenantID != rival {
		t.Fatalf("blocked partner: %v", err)
	}
	if err := redeem("ann@partner.example"); err != nil {
		t.Fatalf("no partner entry, default allows: %v", err)
	}
	if err := redeem("joe@unregistered.example"); err != nil {
		t.Fatalf("no tenant: %v", err)
	}
	if err := s.PatchCrossTenantDefault(block); err != nil {
		t.Fatal(err)
	}
	if err := redeem("bea@partner.example"); !errors.As(err, &blocked) || blocked.Source != "default" {
		t.Fatalf("default blocks, no partner entry: %v", err)
	}
	if err := s.SeedCrossTenantPartner(partner, allow); err != nil {
		t.Fatal(err)
	}
	if err := redeem("cy@partner.example"); err != nil {
		t.Fatalf("partner allows over a blocking default: %v", err)
	}
}
