package provider_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// objectValue builds a value of the object type t with the given string
// attributes set and every other attribute null.
func objectValue(t *testing.T, typ tftypes.Type, set map[string]string) tftypes.Value {
	t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("schema type %s is not an object", typ)
	}
	vals := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		if v, ok := set[name]; ok {
			vals[name] = tftypes.NewValue(at, v)
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, vals)
}

func dynamicValue(t *testing.T, typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

// TestAccGuestUserListResource_Protocol calls the ListResource RPC the way
// Terraform 1.14 does, so the list resource is exercised by every CLI
// version's test run: identity, display name, the resource object an
// import would read (profile fields unmanaged), the limit, and diagnostics
// for a filter Graph cannot serve.
func TestAccGuestUserListResource_Protocol(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserReadWriteAll, emulator.PermGroupMemberReadAll))
	srv := env.RequireEmulator(t)
	ids := seedImportFlowGuests(t, env)
	ctx := context.Background()

	ps, err := env.ProtoV6ProviderFactories()["b2b"]()
	if err != nil {
		t.Fatal(err)
	}
	server, ok := ps.(interface {
		tfprotov6.ProviderServer
		tfprotov6.ListResourceServer
	})
	if !ok {
		t.Fatal("the provider server does not implement the list resource RPCs")
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		t.Fatalf("GetProviderSchema: %v %v", err, schemas.Diagnostics)
	}
	identities, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	pt := schemas.Provider.ValueType()
	app := env.App()
	conf, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.0",
		Config: dynamicValue(t, pt, objectValue(t, pt, map[string]string{
			"graph_endpoint": srv.GraphEndpoint(), "authority_host": srv.AuthorityHost(),
			"tenant_id": srv.TenantID(), "client_id": app.ClientID, "client_secret": app.Secret,
		})),
	})
	if err != nil || len(conf.Diagnostics) > 0 {
		t.Fatalf("ConfigureProvider: %v %v", err, conf.Diagnostics)
	}

	listSchema, ok := schemas.ListResourceSchemas["b2b_guest_user"]
	if !ok {
		t.Fatal("the provider does not serve the b2b_guest_user list resource")
	}
	lt := listSchema.ValueType()
	rt := schemas.ResourceSchemas["b2b_guest_user"].ValueType()
	it := identities.IdentitySchemas["b2b_guest_user"].ValueType()

	list := func(filters map[string]string, include bool, limit int64) []tfprotov6.ListResourceResult {
		t.Helper()
		stream, err := server.ListResource(ctx, &tfprotov6.ListResourceRequest{
			TypeName: "b2b_guest_user", Config: dynamicValue(t, lt, objectValue(t, lt, filters)),
			IncludeResource: include, Limit: limit,
		})
		if err != nil {
			t.Fatalf("ListResource: %v", err)
		}
		var out []tfprotov6.ListResourceResult
		for r := range stream.Results {
			out = append(out, r)
		}
		return out
	}
	attrs := func(dv *tfprotov6.DynamicValue, typ tftypes.Type) map[string]tftypes.Value {
		t.Helper()
		v, err := dv.Unmarshal(typ)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]tftypes.Value{}
		if err := v.As(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	str := func(v tftypes.Value) string {
		var s *string
		if err := v.As(&s); err != nil || s == nil {
			return "<null>"
		}
		return *s
	}

	results := list(map[string]string{"email_domain": "flow.example"}, true, 0)
	if len(results) != 3 {
		t.Fatalf("%d results for flow.example; want 3", len(results))
	}
	for _, r := range results {
		if len(r.Diagnostics) > 0 {
			t.Fatalf("result diagnostics: %v", r.Diagnostics[0])
		}
		id := str(attrs(r.Identity.IdentityData, it)["object_id"])
		res := attrs(r.Resource, rt)
		email := str(res["email"])
		if ids[email] != id || str(res["id"]) != id {
			t.Errorf("result %q: identity %s and id %s; want the object ID of %s (%s)", r.DisplayName, id, str(res["id"]), email, ids[email])
		}
		if email == "bob@flow.example" {
			if r.DisplayName != "Bob Flow <bob@flow.example>" {
				t.Errorf("DisplayName = %q", r.DisplayName)
			}
			// bob has a job title in the directory; an import records it
			// (unmanaged until configured), and generated configuration carries it.
			for name, want := range map[string]string{
				"job_title": "Buyer", "company_name": "Flow Ltd", "redirect_url": "<null>",
				"user_type": "Guest", "invitation_state": "Accepted", "on_destroy": "delete",
			} {
				if got := str(res[name]); got != want {
					t.Errorf("bob's %s = %s; want %s", name, got, want)
				}
			}
		}
	}

	// With more guests than one page holds (100), the limit still bounds
	// the Graph query itself: one page, not every page of the tenant.
	for i := range 150 {
		env.SeedUser(t, emulator.SeedUser{Email: fmt.Sprintf("filler%03d@filler.example", i), DisplayName: "Filler"})
	}
	srv.ResetCounters()
	if n := len(list(nil, false, 2)); n != 2 {
		t.Errorf("limit 2 returned %d results", n)
	}
	if c := srv.Counters(); c["GET /v1.0/users"] != 1 {
		t.Errorf("limit 2 sent %d GET /users; want 1: %v", c["GET /v1.0/users"], c)
	}
	srv.ResetCounters()
	if n := len(list(nil, false, 0)); n < 150 {
		t.Errorf("no limit returned %d results; want every guest", n)
	}
	if c := srv.Counters(); c["GET /v1.0/users"] < 2 {
		t.Errorf("no limit sent %d GET /users; want every page", c["GET /v1.0/users"])
	}
	for _, r := range list(map[string]string{"invitation_state": "Accepted"}, false, 0) {
		if r.Resource != nil {
			t.Error("a resource object was returned without include_resource")
		}
	}

	bad := list(map[string]string{"member_of_group_id": "00000000-1111-2222-3333-444444444444"}, false, 0)
	if len(bad) != 1 || len(bad[0].Diagnostics) != 1 || bad[0].Diagnostics[0].Summary != "Group Not Found" {
		t.Fatalf("unknown group: %+v; want one result carrying the Group Not Found diagnostic", bad)
	}
}
