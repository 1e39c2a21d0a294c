package graph_test

import (
	"context"
	"errors"
	"testing"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

const ctPartnerTenant = "6f2b8c1e-4a1d-4a8e-9b7e-0c2f3d4e5f60"

func ctClient(t *testing.T, perms ...string) (*emulator.Server, *graph.Client) {
	t.Helper()
	app := emulator.App{ClientID: "c7a3e9a4-1b2c-4d5e-8f90-1a2b3c4d5e6f", Secret: "s", Permissions: perms}
	s := startEmulator(t, emulator.Options{Apps: []emulator.App{app}})
	return s, emulatorClient(t, s, app)
}

func ctPtr[T any](v T) *T { return &v }

// A partner round-trips through the SDK's models, and an update with a
// setting left nil sends null, so the partner inherits the default again.
func TestCrossTenantPartnerRoundTrip(t *testing.T) {
	s, c := ctClient(t, emulator.PermPolicyReadWriteCrossTenantAccess)
	ctx := context.Background()
	in := graph.CrossTenantPartner{TenantID: ctPartnerTenant, CrossTenantSettings: graph.CrossTenantSettings{
		B2BCollaborationInbound: &graph.CrossTenantB2BSetting{
			UsersAndGroups: &graph.CrossTenantTargetConfiguration{AccessType: "blocked", Targets: []graph.CrossTenantTarget{{Target: "AllUsers", TargetType: "user"}}},
			Applications:   &graph.CrossTenantTargetConfiguration{AccessType: "blocked", Targets: []graph.CrossTenantTarget{{Target: "Office365", TargetType: "application"}}},
		},
		InboundTrust:         &graph.CrossTenantInboundTrust{MFAAccepted: ctPtr(true)},
		AutomaticUserConsent: &graph.CrossTenantConsent{InboundAllowed: ctPtr(true)},
	}}
	if _, err := c.CreateCrossTenantPartner(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetCrossTenantPartner(ctx, ctPartnerTenant)
	if err != nil {
		t.Fatal(err)
	}
	if got.B2BCollaborationInbound == nil || got.B2BCollaborationInbound.Applications.Targets[0].Target != "Office365" ||
		got.B2BCollaborationInbound.UsersAndGroups.AccessType != "blocked" || got.B2BCollaborationOutbound != nil ||
		!*got.InboundTrust.MFAAccepted || got.InboundTrust.CompliantDeviceAccepted != nil ||
		!*got.AutomaticUserConsent.InboundAllowed || got.AutomaticUserConsent.OutboundAllowed != nil {
		t.Fatalf("read back: %+v", got)
	}
	in.InboundTrust, in.B2BCollaborationInbound = nil, nil
	if err := c.UpdateCrossTenantPartner(ctx, in); err != nil {
		t.Fatal(err)
	}
	raw, _ := s.CrossTenantPartnerJSON(ctPartnerTenant)
	if raw["inboundTrust"] != nil || raw["b2bCollaborationInbound"] != nil {
		t.Fatalf("nil settings were not sent as null: %v", raw)
	}
	if _, err := c.CreateCrossTenantPartner(ctx, in); !graph.IsConflict(err) {
		t.Fatalf("second create: %v, want a conflict", err)
	}
	if err := c.DeleteCrossTenantPartner(ctx, ctPartnerTenant); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetCrossTenantPartner(ctx, ctPartnerTenant); !graph.IsNotFound(err) {
		t.Fatalf("after delete: %v, want not found", err)
	}
}

func TestCrossTenantDefaultRoundTrip(t *testing.T) {
	_, c := ctClient(t, emulator.PermPolicyReadWriteCrossTenantAccess)
	ctx := context.Background()
	d, err := c.GetCrossTenantDefault(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !d.IsServiceDefault || d.InvitationRedemption.Fallback != "defaultConfiguredIdp" || len(d.InvitationRedemption.PrimaryOrder) != 3 ||
		d.B2BDirectConnectInbound.UsersAndGroups.AccessType != "blocked" || *d.AutomaticUserConsent.InboundAllowed {
		t.Fatalf("system default: %+v", d)
	}
	d.InvitationRedemption = &graph.InvitationRedemption{PrimaryOrder: []string{"externalFederation"}, Fallback: "emailOneTimePasscode"}
	d.InboundTrust.MFAAccepted = ctPtr(true)
	if err := c.UpdateCrossTenantDefault(ctx, *d); err != nil {
		t.Fatal(err)
	}
	d, err = c.GetCrossTenantDefault(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.IsServiceDefault || !*d.InboundTrust.MFAAccepted || d.InvitationRedemption.Fallback != "emailOneTimePasscode" ||
		len(d.InvitationRedemption.PrimaryOrder) != 1 {
		t.Fatalf("after update: %+v", d)
	}
	if err := c.ResetCrossTenantDefault(ctx); err != nil {
		t.Fatal(err)
	}
	if d, err = c.GetCrossTenantDefault(ctx); err != nil || !d.IsServiceDefault {
		t.Fatalf("after reset: %+v %v", d, err)
	}
}

func TestCrossTenantIdentitySyncRoundTrip(t *testing.T) {
	srv, c := ctClient(t, emulator.PermPolicyReadWriteCrossTenantAccess)
	ctx := context.Background()
	if _, err := c.CreateCrossTenantPartner(ctx, graph.CrossTenantPartner{TenantID: ctPartnerTenant}); err != nil {
		t.Fatal(err)
	}
	if err := c.PutCrossTenantIdentitySync(ctx, graph.CrossTenantIdentitySync{TenantID: ctPartnerTenant, DisplayName: "Fabrikam", SyncInboundAllowed: true}); err != nil {
		t.Fatal(err)
	}
	s, err := c.GetCrossTenantIdentitySync(ctx, ctPartnerTenant)
	if err != nil || s.DisplayName != "Fabrikam" || !s.SyncInboundAllowed || s.TenantID != ctPartnerTenant {
		t.Fatalf("read back: %+v %v", s, err)
	}
	// The update is a PATCH; an empty display name is sent as null, which
	// clears it, where leaving it out would keep "Fabrikam".
	if err := c.UpdateCrossTenantIdentitySync(ctx, graph.CrossTenantIdentitySync{TenantID: ctPartnerTenant}); err != nil {
		t.Fatal(err)
	}
	s, err = c.GetCrossTenantIdentitySync(ctx, ctPartnerTenant)
	if err != nil || s.DisplayName != "" || s.SyncInboundAllowed {
		t.Fatalf("after update: %+v %v", s, err)
	}
	if n := srv.Counters()["PATCH /v1.0/policies/crossTenantAccessPolicy/partners/{tenantId}/identitySynchronization"]; n != 1 {
		t.Fatalf("PATCH sent %d times, want 1", n)
	}
	if err := c.UpdateCrossTenantIdentitySync(ctx, graph.CrossTenantIdentitySync{TenantID: "not-a-guid"}); err == nil {
		t.Fatal("an update for a non-GUID tenant was sent")
	}
	if err := c.DeleteCrossTenantIdentitySync(ctx, ctPartnerTenant); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetCrossTenantIdentitySync(ctx, ctPartnerTenant); !graph.IsNotFound(err) {
		t.Fatalf("after delete: %v", err)
	}
}

// Reading needs Policy.Read.All; the 403 names it.
func TestCrossTenantForbiddenNamesPermission(t *testing.T) {
	_, c := ctClient(t, emulator.PermUserReadAll)
	_, err := c.GetCrossTenantDefault(context.Background())
	var ge *graph.Error
	if !graph.IsForbidden(err) || !errors.As(err, &ge) || ge.RequiredPermission != "Policy.Read.All" {
		t.Fatalf("got %v", err)
	}
}
