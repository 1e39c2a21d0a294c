package graph_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

func ptr[T any](v T) *T { return &v }

func TestEmulatorAuthorizationPolicy(t *testing.T) {
	s := startEmulator(t, emulator.Options{Apps: []emulator.App{{
		ClientID: "00000000-0000-0000-0000-0000000000c1", Secret: "emulator-secret-c1",
		Permissions: []string{emulator.PermPolicyReadWriteAuthorization},
	}}})
	c := emulatorClient(t, s, s.DefaultApp())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	p, err := c.GetAuthorizationPolicy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.AllowInvitesFrom != "everyone" || p.GuestUserRoleID != graph.GuestRoleLimited ||
		p.AllowEmailVerifiedUsersToJoinOrganization == nil || !*p.AllowEmailVerifiedUsersToJoinOrganization {
		t.Fatalf("defaults: %+v", p)
	}
	err = c.UpdateAuthorizationPolicy(ctx, graph.AuthorizationPolicyUpdate{
		AllowInvitesFrom: ptr("adminsAndGuestInviters"),
		GuestUserRoleID:  ptr(graph.GuestRoleRestricted),
	})
	if err != nil {
		t.Fatal(err)
	}
	got := s.AuthorizationPolicy()
	if got["allowInvitesFrom"] != "adminsAndGuestInviters" || got["guestUserRoleId"] != graph.GuestRoleRestricted ||
		got["allowEmailVerifiedUsersToJoinOrganization"] != true {
		t.Fatalf("after the update: %v", got)
	}
	// Only the fields set are sent: the emulator refuses unknown ones, so
	// an empty update must not reach it either.
	if err := c.UpdateAuthorizationPolicy(ctx, graph.AuthorizationPolicyUpdate{}); err != nil {
		t.Fatal(err)
	}
}

func TestEmulatorAuthorizationPolicyForbiddenNamesPermission(t *testing.T) {
	s := startEmulator(t, emulator.Options{Apps: []emulator.App{{
		ClientID: "00000000-0000-0000-0000-0000000000c2", Secret: "emulator-secret-c2",
		Permissions: []string{emulator.PermPolicyReadAll},
	}}})
	c := emulatorClient(t, s, s.DefaultApp())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := c.UpdateAuthorizationPolicy(ctx, graph.AuthorizationPolicyUpdate{AllowInvitesFrom: ptr("none")})
	var ge *graph.Error
	if !graph.IsForbidden(err) || !errors.As(err, &ge) || ge.RequiredPermission != "Policy.ReadWrite.Authorization" {
		t.Fatalf("got %v, want a 403 naming Policy.ReadWrite.Authorization", err)
	}
}

func TestEmulatorFindTenantByDomain(t *testing.T) {
	s := startEmulator(t, emulator.Options{Apps: []emulator.App{{
		ClientID: "00000000-0000-0000-0000-0000000000c3", Secret: "emulator-secret-c3",
		Permissions: []string{emulator.PermCrossTenantInformationReadBasicAll},
	}}})
	tid := "6babcaad-604b-40ac-a9d7-9fd97c0b779f"
	if err := s.RegisterTenant(emulator.ForeignTenant{TenantID: tid, DisplayName: "Fabrikam", DefaultDomainName: "fabrikam.example", Domains: []string{"fabrikam.co.example"}}); err != nil {
		t.Fatal(err)
	}
	c := emulatorClient(t, s, s.DefaultApp())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	ti, err := c.FindTenantByDomain(ctx, "Fabrikam.CO.example")
	if err != nil {
		t.Fatal(err)
	}
	if ti.TenantID != tid || ti.DisplayName != "Fabrikam" || ti.DefaultDomainName != "fabrikam.example" || ti.FederationBrandName != nil {
		t.Fatalf("got %+v", ti)
	}
	if _, err := c.FindTenantByDomain(ctx, "nobody.example"); !graph.IsNotFound(err) {
		t.Fatalf("unknown domain: %v, want not found", err)
	}

	s.SetPermissions(s.DefaultApp().ClientID, []string{emulator.PermPolicyReadAll})
	c2 := emulatorClient(t, s, s.DefaultApp())
	_, err = c2.FindTenantByDomain(ctx, "fabrikam.example")
	var ge *graph.Error
	if !graph.IsForbidden(err) || !errors.As(err, &ge) || ge.RequiredPermission != "CrossTenantInformation.ReadBasic.All" {
		t.Fatalf("got %v, want a 403 naming CrossTenantInformation.ReadBasic.All", err)
	}
}

// findTenantInformationByTenantId: found in any letter case, a 404 for an
// unknown GUID is KindNotFound, a non-GUID is refused before any request,
// and a 403 names CrossTenantInformation.ReadBasic.All.
func TestEmulatorFindTenantByID(t *testing.T) {
	s := startEmulator(t, emulator.Options{Apps: []emulator.App{{
		ClientID: "00000000-0000-0000-0000-0000000000c4", Secret: "emulator-secret-c4",
		Permissions: []string{emulator.PermCrossTenantInformationReadBasicAll},
	}}})
	tid := "6babcaad-604b-40ac-a9d7-9fd97c0b779f"
	if err := s.RegisterTenant(emulator.ForeignTenant{TenantID: tid, DisplayName: "Fabrikam", DefaultDomainName: "fabrikam.example", FederationBrandName: "Fabrikam Inc."}); err != nil {
		t.Fatal(err)
	}
	c := emulatorClient(t, s, s.DefaultApp())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	ti, err := c.FindTenantByID(ctx, strings.ToUpper(tid))
	if err != nil {
		t.Fatal(err)
	}
	if ti.TenantID != tid || ti.DisplayName != "Fabrikam" || ti.DefaultDomainName != "fabrikam.example" || ti.FederationBrandName == nil || *ti.FederationBrandName != "Fabrikam Inc." {
		t.Fatalf("got %+v", ti)
	}
	if _, err := c.FindTenantByID(ctx, "6babcaad-604b-40ac-a9d7-9fd97c0b7790"); !graph.IsNotFound(err) {
		t.Fatalf("unknown tenant ID: %v, want not found", err)
	}
	const key = "GET /v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='{tenantId}')"
	if _, err := c.FindTenantByID(ctx, "fabrikam.example"); !graph.IsBadRequest(err) || s.Counters()[key] != 2 {
		t.Fatalf("not a GUID: %v after %d requests, want a bad request and no request sent", err, s.Counters()[key])
	}

	s.SetPermissions(s.DefaultApp().ClientID, []string{emulator.PermPolicyReadAll})
	c2 := emulatorClient(t, s, s.DefaultApp())
	_, err = c2.FindTenantByID(ctx, tid)
	var ge *graph.Error
	if !graph.IsForbidden(err) || !errors.As(err, &ge) || ge.RequiredPermission != "CrossTenantInformation.ReadBasic.All" {
		t.Fatalf("got %v, want a 403 naming CrossTenantInformation.ReadBasic.All", err)
	}
}
