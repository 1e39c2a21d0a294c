package emulator

import (
	"net/http"
	"strings"
	"testing"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emailaddr"
)

// TestInvitationAddressRuleIsTheProviders: POST /invitations accepts
// exactly the addresses the provider's plan-time rule (package emailaddr)
// accepts, so a plan that passes never meets a 400 for its address here.
func TestInvitationAddressRuleIsTheProviders(t *testing.T) {
	s := start(t, Options{TenantDomain: "contoso.onmicrosoft.com"})
	tok := token(t, s, s.DefaultApp())
	for _, addr := range []string{
		"ada@partner.example", "_ada_@partner.example", "o`neil@partner.example", "ada@xn--bcher-kva.example",
		"ada+tag@partner.example", "ada@bücher.example", "ada@part_ner.example", "ada@-partner.example",
		"ada@partner-.example", "ada-@partner.example", "a..b@partner.example",
		strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 62),
	} {
		want := http.StatusCreated
		if !emailaddr.Valid(addr) {
			want = http.StatusBadRequest
		}
		if r := invite(t, s, tok, addr); r.Status != want {
			t.Errorf("%q: status %d, want %d (emailaddr.Valid = %v)", addr, r.Status, want, want == http.StatusCreated)
		}
	}
}
