package provider

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

func rule(access string, targets ...string) *graph.CrossTenantB2BSetting {
	r := &graph.CrossTenantTargetConfiguration{AccessType: access}
	for _, t := range targets {
		r.Targets = append(r.Targets, graph.CrossTenantTarget{Target: t, TargetType: "user"})
	}
	return &graph.CrossTenantB2BSetting{UsersAndGroups: r}
}

func partnerWith(in *graph.CrossTenantB2BSetting) *graph.CrossTenantPartner {
	return &graph.CrossTenantPartner{TenantID: "t", CrossTenantSettings: graph.CrossTenantSettings{B2BCollaborationInbound: in}}
}

func defaultWith(in *graph.CrossTenantB2BSetting) *graph.CrossTenantDefault {
	return &graph.CrossTenantDefault{CrossTenantSettings: graph.CrossTenantSettings{B2BCollaborationInbound: in}}
}

// The partner's own rule wins over the default; null inherits it; only a
// block of AllUsers is judged.
func TestBlockedForAllUsers(t *testing.T) {
	const group = "3f1b0c2e-0000-4000-8000-000000000001"
	blockedDefault, allowedDefault := defaultWith(rule("blocked", "AllUsers")), defaultWith(rule("allowed", "AllUsers"))
	tests := []struct {
		name string
		p    *graph.CrossTenantPartner
		d    *graph.CrossTenantDefault
		want string // "" (admitted), "partner" or "default"
	}{
		{"no partner, default allows", nil, allowedDefault, ""},
		{"no partner, default blocks", nil, blockedDefault, "default"},
		{"partner inherits (null inbound), default blocks", partnerWith(nil), blockedDefault, "default"},
		{"partner inherits (null usersAndGroups), default blocks", partnerWith(&graph.CrossTenantB2BSetting{}), blockedDefault, "default"},
		{"partner blocks, default allows", partnerWith(rule("blocked", "AllUsers")), allowedDefault, "partner"},
		{"partner blocks, keyword in other case", partnerWith(rule("Blocked", "allusers")), allowedDefault, "partner"},
		{"partner allows, default blocks", partnerWith(rule("allowed", "AllUsers")), blockedDefault, ""},
		{"partner blocks one group only", partnerWith(rule("blocked", group)), allowedDefault, ""},
		{"partner allows one group only (others blocked, not judged by email)", partnerWith(rule("allowed", group)), allowedDefault, ""},
		{"default blocks one group only", nil, defaultWith(rule("blocked", group)), ""},
		{"nothing read", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := blockedForAllUsers(tt.p, tt.d)
			switch {
			case tt.want == "" && got != nil:
				t.Fatalf("blocked by %+v, want admitted", *got)
			case tt.want != "" && (got == nil || got.Source != tt.want):
				t.Fatalf("got %+v, want blocked by %s", got, tt.want)
			case got != nil && got.Property != "b2bCollaborationInbound.usersAndGroups":
				t.Fatalf("property %q", got.Property)
			}
		})
	}
}

func TestEmailDomain(t *testing.T) {
	for in, want := range map[string]string{
		"alice@Fabrikam.Example": "fabrikam.example",
		"a@b@c.example":          "c.example",
		"nodomain":               "",
		"trailing@":              "",
	} {
		if got := emailDomain(in); got != want {
			t.Errorf("emailDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

// A guest of the provider's own tenant is a member's address, not a B2B
// partner's: even a default that blocks all users must not fail its plan.
// The cache is filled beforehand, so the check makes no Graph call.
func TestAdmissionSkipsHomeTenant(t *testing.T) {
	const (
		home    = "11111111-1111-4111-8111-111111111111"
		partner = "22222222-2222-4222-8222-222222222222"
	)
	tests := []struct {
		name      string
		tenantID  string // the provider's tenant_id
		email     string
		wantBlock bool
	}{
		{"home tenant by GUID", home, "alice@contoso.example", false},
		{"home tenant by GUID, other case", strings.ToUpper(home), "alice@Contoso.Example", false},
		{"home tenant by domain name", "Contoso.onmicrosoft.example", "alice@contoso.example", false},
		{"partner tenant is still judged", home, "bob@fabrikam.example", true},
		{"no tenant_id: every tenant is judged", "", "alice@contoso.example", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := &providerData{Client: &graph.Client{}, TenantID: tt.tenantID}
			data.admission.def = defaultWith(rule("blocked", "AllUsers"))
			data.admission.tenants = map[string]*graph.TenantInformation{
				"contoso.example":             {TenantID: home, DisplayName: "Contoso"},
				"contoso.onmicrosoft.example": {TenantID: home, DisplayName: "Contoso"},
				"fabrikam.example":            {TenantID: partner, DisplayName: "Fabrikam"},
			}
			data.admission.partners = map[string]*graph.CrossTenantPartner{home: nil, partner: nil}
			r := &guestUserResource{data: data}

			var diags diag.Diagnostics
			r.checkAdmission(context.Background(), tt.email, admitCreate, &diags)
			if got := diags.HasError(); got != tt.wantBlock {
				t.Fatalf("blocked = %t, want %t: %v", got, tt.wantBlock, diags)
			}
			if tt.wantBlock && diags[0].Summary() != "Guest Organization Blocked" {
				t.Fatalf("summary %q", diags[0].Summary())
			}
			if !tt.wantBlock && len(diags) > 0 {
				t.Fatalf("diagnostics for a home-tenant guest: %v", diags)
			}
		})
	}
}

// Planned values recorded by the policy resources take precedence over the
// settings read from Graph; an unknown planned rule that decides gives
// Unknown, not a block.
func TestAdmissionJudgesPlannedValues(t *testing.T) {
	const tenant = "22222222-2222-4222-8222-222222222222"
	blocked, allowed := rule("blocked", "AllUsers").UsersAndGroups, rule("allowed", "AllUsers").UsersAndGroups
	tests := []struct {
		name    string
		read    *graph.CrossTenantPartner // the partner entry in Graph
		plan    func(p *plannedPolicies)
		want    string // "", or the block's Source
		planned bool
		unknown bool
	}{
		{"nothing planned: the partner read blocks", partnerWith(rule("blocked", "AllUsers")), func(*plannedPolicies) {}, "partner", false, false},
		{"planned partner allows over a blocking read", partnerWith(rule("blocked", "AllUsers")), func(p *plannedPolicies) { p.setPartner(tenant, plannedInbound{Rule: allowed}) }, "", false, false},
		{"planned partner blocks over an allowing read", partnerWith(rule("allowed", "AllUsers")), func(p *plannedPolicies) { p.setPartner(strings.ToUpper(tenant), plannedInbound{Rule: blocked}) }, "partner", true, false},
		{"planned partner unknown", nil, func(p *plannedPolicies) { p.setPartner(tenant, plannedInbound{Unknown: true}) }, "partner", true, true},
		{"partner destroyed: the planned default decides", partnerWith(rule("allowed", "AllUsers")), func(p *plannedPolicies) {
			p.setPartner(tenant, plannedInbound{})
			p.setDefault(plannedInbound{Rule: blocked})
		}, "default", true, false},
		{"partner's own rule wins over an unknown default", partnerWith(rule("allowed", "AllUsers")), func(p *plannedPolicies) { p.setDefault(plannedInbound{Unknown: true}) }, "", false, false},
		{"no partner rule, default unknown", nil, func(p *plannedPolicies) { p.setDefault(plannedInbound{Unknown: true}) }, "default", true, true},
		{"no partner rule, a partner of unknown tenant", nil, func(p *plannedPolicies) { p.setUnknownTenant() }, "any partner", true, true},
		{"default reset (destroyed) allows", nil, func(p *plannedPolicies) {
			p.setDefault(plannedInbound{Rule: ctSystemDefault().B2BCollaborationInbound.UsersAndGroups})
		}, "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &admissionCache{partners: map[string]*graph.CrossTenantPartner{tenant: tt.read}}
			tt.plan(&a.planned)
			// The default in effect blocks: only a planned value or the
			// partner's own rule may admit the guest.
			got, err := a.judge(context.Background(), &graph.Client{}, tenant, defaultWith(rule("blocked", "AllUsers")))
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if got != nil {
					t.Fatalf("got %+v, want admitted", *got)
				}
				return
			}
			if got == nil || got.Source != tt.want || got.Planned != tt.planned || got.Unknown != tt.unknown {
				t.Fatalf("got %+v, want source %q planned %t unknown %t", got, tt.want, tt.planned, tt.unknown)
			}
		})
	}
}

// Every plan that sends an invitation is judged (create, a new address, a
// changed or unknown reinvite_trigger), and only those: an existing guest
// whose organization is blocked later stays manageable.
func TestAdmissionNeeded(t *testing.T) {
	guest := func(email string, trigger types.String) *guestUserResourceModelV0 {
		return &guestUserResourceModelV0{Email: types.StringValue(email), ReinviteTrigger: trigger, DisplayName: types.StringValue("A")}
	}
	one, two, null := types.StringValue("1"), types.StringValue("2"), types.StringNull()
	tests := []struct {
		name        string
		prior, plan *guestUserResourceModelV0
		want        admissionCause
		wantOK      bool
	}{
		{"create", nil, guest("a@x.example", null), admitCreate, true},
		{"no change", guest("a@x.example", one), guest("a@x.example", one), 0, false},
		{"email case only", guest("a@x.example", one), guest("A@X.example", one), 0, false},
		{"profile only", guest("a@x.example", one), &guestUserResourceModelV0{Email: types.StringValue("a@x.example"), ReinviteTrigger: one, DisplayName: types.StringValue("B")}, 0, false},
		{"new email", guest("a@x.example", one), guest("b@y.example", one), admitNewEmail, true},
		{"new email and trigger", guest("a@x.example", one), guest("b@y.example", two), admitNewEmail, true},
		{"trigger changed", guest("a@x.example", one), guest("a@x.example", two), admitReinvite, true},
		{"trigger set", guest("a@x.example", null), guest("a@x.example", one), admitReinvite, true},
		{"trigger removed", guest("a@x.example", one), guest("a@x.example", null), 0, false},
		{"trigger unknown", guest("a@x.example", one), guest("a@x.example", types.StringUnknown()), admitMaybeReinvite, true},
		{"email unknown", guest("a@x.example", one), &guestUserResourceModelV0{Email: types.StringUnknown(), ReinviteTrigger: two}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := admissionNeeded(tt.prior, tt.plan)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("admissionNeeded = %d, %t; want %d, %t", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// A blocked organization fails a re-invitation on reinvite_trigger; a
// trigger known only after apply gives the same text as a warning.
func TestAdmissionReinviteDiagnostics(t *testing.T) {
	const partner = "22222222-2222-2222-2222-222222222222"
	tests := []struct {
		cause     admissionCause
		wantError bool
		wantPath  string
		wantText  string
	}{
		{admitCreate, true, "email", "cannot be invited: fabrikam.example"},
		{admitNewEmail, true, "email", "cannot be invited: fabrikam.example"},
		{admitReinvite, true, "reinvite_trigger", "cannot be re-invited (reinvite_trigger changed): fabrikam.example"},
		{admitMaybeReinvite, false, "reinvite_trigger", "may be re-invited (reinvite_trigger is known only after apply and may change): fabrikam.example"},
	}
	for _, tt := range tests {
		data := &providerData{Client: &graph.Client{}}
		data.admission.def = defaultWith(rule("blocked", "AllUsers"))
		data.admission.tenants = map[string]*graph.TenantInformation{"fabrikam.example": {TenantID: partner, DisplayName: "Fabrikam"}}
		data.admission.partners = map[string]*graph.CrossTenantPartner{partner: nil}
		r := &guestUserResource{data: data}
		var diags diag.Diagnostics
		r.checkAdmission(context.Background(), "erin@fabrikam.example", tt.cause, &diags)
		if len(diags) != 1 || diags.HasError() != tt.wantError || diags[0].Summary() != "Guest Organization Blocked" {
			t.Fatalf("cause %d: diagnostics %v, want one (error %t)", tt.cause, diags, tt.wantError)
		}
		d, ok := diags[0].(diag.DiagnosticWithPath)
		if !ok || d.Path().String() != tt.wantPath {
			t.Fatalf("cause %d: diagnostic not on %s: %v", tt.cause, tt.wantPath, diags[0])
		}
		if !strings.Contains(diags[0].Detail(), tt.wantText) {
			t.Fatalf("cause %d: detail %q lacks %q", tt.cause, diags[0].Detail(), tt.wantText)
		}
	}
}

// One look-up per key and run, however the callers interleave: a caller
// that misses the cache just as another's shared call ends must find the
// answer, not ask Graph again (the race that made 20 guests of one domain
// read their partner entry twice in one plan).
func TestLookupOnceAsksOncePerKey(t *testing.T) {
	for round := 0; round < 300; round++ {
		a := &admissionCache{}
		var asked atomic.Int64
		get := func(context.Context, string) (*graph.CrossTenantPartner, error) { //nolint:unparam // the signature lookupOnce takes
			asked.Add(1)
			return &graph.CrossTenantPartner{TenantID: "t"}, nil
		}
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if p, err := lookupOnce(context.Background(), a, &a.partners, "partner:", "t", get); err != nil || p == nil {
					t.Errorf("lookupOnce = %v, %v", p, err)
				}
			}()
		}
		wg.Wait()
		if n := asked.Load(); n != 1 {
			t.Fatalf("round %d: 16 concurrent callers asked Graph %d times; want once", round, n)
		}
	}
}
