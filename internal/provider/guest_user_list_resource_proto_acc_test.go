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
func objectValue(t testing.TB, typ tftypes.Type, set map[string]string) tftypes.Value {
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
	rpc := newListRPC(t, env, srv)

	checkListedFlowGuests(t, rpc, ids)

	// With more guests than one page holds (100), the limit still bounds
	// the Graph query itself: one page, not every page of the tenant.
	for i := range 150 {
		env.SeedUser(t, emulator.SeedUser{Email: fmt.Sprintf("filler%03d@filler.example", i), DisplayName: "Filler"})
	}
	checkListLimit(t, rpc, srv)
	for _, r := range rpc.list(map[string]string{"invitation_state": "Accepted"}, false, 0) {
		if r.Resource != nil {
			t.Error("a resource object was returned without include_resource")
		}
	}

	bad := rpc.list(map[string]string{"member_of_group_id": "00000000-1111-2222-3333-444444444444"}, false, 0)
	if len(bad) != 1 || len(bad[0].Diagnostics) != 1 || bad[0].Diagnostics[0].Summary != "Group Not Found" {
		t.Fatalf("unknown group: %+v; want one result carrying the Group Not Found diagnostic", bad)
	}
}

// listRPC is a provider server configured against the emulator, with the
// b2b_guest_user list, resource and identity types to read its answers.
type listRPC struct {
	t      *testing.T
	ctx    context.Context
	server tfprotov6.ListResourceServer
	// listType, resourceType, identityType are the value types of the
	// list configuration, the resource object and the resource identity.
	listType, resourceType, identityType tftypes.Type
}

// newListRPC starts the provider server, reads its schemas and configures
// it, as Terraform does before it lists.
func newListRPC(t *testing.T, env *acctest.Env, srv *emulator.Server) *listRPC {
	t.Helper()
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
	return &listRPC{
		t: t, ctx: ctx, server: server,
		listType:     listSchema.ValueType(),
		resourceType: schemas.ResourceSchemas["b2b_guest_user"].ValueType(),
		identityType: identities.IdentitySchemas["b2b_guest_user"].ValueType(),
	}
}

// list calls ListResource with the given filters (others null) and
// collects every result of the stream.
func (l *listRPC) list(filters map[string]string, include bool, limit int64) []tfprotov6.ListResourceResult {
	l.t.Helper()
	stream, err := l.server.ListResource(l.ctx, &tfprotov6.ListResourceRequest{
		TypeName: "b2b_guest_user", Config: dynamicValue(l.t, l.listType, objectValue(l.t, l.listType, filters)),
		IncludeResource: include, Limit: limit,
	})
	if err != nil {
		l.t.Fatalf("ListResource: %v", err)
	}
	var out []tfprotov6.ListResourceResult
	for r := range stream.Results {
		out = append(out, r)
	}
	return out
}

// attrs decodes an object value of type typ into its attributes.
func (l *listRPC) attrs(dv *tfprotov6.DynamicValue, typ tftypes.Type) map[string]tftypes.Value {
	l.t.Helper()
	v, err := dv.Unmarshal(typ)
	if err != nil {
		l.t.Fatal(err)
	}
	m := map[string]tftypes.Value{}
	if err := v.As(&m); err != nil {
		l.t.Fatal(err)
	}
	return m
}

// tfString is a string value as text, "<null>" for null.
func tfString(v tftypes.Value) string {
	var s *string
	if err := v.As(&s); err != nil || s == nil {
		return "<null>"
	}
	return *s
}

// checkListedFlowGuests: listing flow.example with include_resource
// returns the three seeded guests, each with its object ID as identity
// and id, and bob's resource object as an import would read it.
func checkListedFlowGuests(t *testing.T, rpc *listRPC, ids map[string]string) {
	t.Helper()
	results := rpc.list(map[string]string{"email_domain": "flow.example"}, true, 0)
	if len(results) != 3 {
		t.Fatalf("%d results for flow.example; want 3", len(results))
	}
	for _, r := range results {
		if len(r.Diagnostics) > 0 {
			t.Fatalf("result diagnostics: %v", r.Diagnostics[0])
		}
		id := tfString(rpc.attrs(r.Identity.IdentityData, rpc.identityType)["object_id"])
		res := rpc.attrs(r.Resource, rpc.resourceType)
		email := tfString(res["email"])
		if ids[email] != id || tfString(res["id"]) != id {
			t.Errorf("result %q: identity %s and id %s; want the object ID of %s (%s)", r.DisplayName, id, tfString(res["id"]), email, ids[email])
		}
		if email == "bob@flow.example" {
			checkListedBob(t, r.DisplayName, res)
		}
	}
}

// checkListedBob: bob has a job title in the directory; an import records
// it (unmanaged until configured), and generated configuration carries it.
func checkListedBob(t *testing.T, displayName string, res map[string]tftypes.Value) {
	t.Helper()
	if displayName != "Bob Flow <bob@flow.example>" {
		t.Errorf("DisplayName = %q", displayName)
	}
	for name, want := range map[string]string{
		"job_title": "Buyer", "company_name": "Flow Ltd", "redirect_url": "<null>",
		"user_type": "Guest", "invitation_state": "Accepted", "on_destroy": "delete",
	} {
		if got := tfString(res[name]); got != want {
			t.Errorf("bob's %s = %s; want %s", name, got, want)
		}
	}
}

// checkListLimit: with more guests than a page holds, a limit of 2 returns
// 2 results from one GET /users, and no limit returns every guest from
// every page.
func checkListLimit(t *testing.T, rpc *listRPC, srv *emulator.Server) {
	t.Helper()
	srv.ResetCounters()
	if n := len(rpc.list(nil, false, 2)); n != 2 {
		t.Errorf("limit 2 returned %d results", n)
	}
	if c := srv.Counters(); c["GET /v1.0/users"] != 1 {
		t.Errorf("limit 2 sent %d GET /users; want 1: %v", c["GET /v1.0/users"], c)
	}
	srv.ResetCounters()
	if n := len(rpc.list(nil, false, 0)); n < 150 {
		t.Errorf("no limit returned %d results; want every guest", n)
	}
	if c := srv.Counters(); c["GET /v1.0/users"] < 2 {
		t.Errorf("no limit sent %d GET /users; want every page", c["GET /v1.0/users"])
	}
}
