package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// emptyGuestUserState is what the framework hands a resource method: a
// state and an identity of b2b_guest_user's schemas, both null.
func emptyGuestUserState(ctx context.Context, t *testing.T) (*tfsdk.State, *tfsdk.ResourceIdentity) {
	t.Helper()
	s := guestUserSchemaV0(ctx)
	var ir resource.IdentitySchemaResponse
	(&guestUserResource{}).IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &ir)
	return &tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)},
		&tfsdk.ResourceIdentity{Schema: ir.IdentitySchema, Raw: tftypes.NewValue(ir.IdentitySchema.Type().TerraformType(ctx), nil)}
}

// Every way of saving a guest goes through saveState, so the identity
// (what import blocks and list results name the guest by) is always the
// state's object ID.
func TestSaveStateSetsStateAndIdentity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	state, identity := emptyGuestUserState(ctx, t)
	m := newGuestUserModel()
	m.ID = types.StringValue("22222222-2222-2222-2222-222222222222")
	m.Email = types.StringValue("carol@partner.example")

	diags := saveStateDiags(ctx, state, identity, &m)
	if diags.HasError() {
		t.Fatalf("saveState: %v", diags)
	}
	var got guestUserResourceModelV0
	if d := getModel(ctx, state, &got); d.HasError() {
		t.Fatalf("state.Get: %v", d)
	}
	if got.ID != m.ID || got.Email != m.Email {
		t.Errorf("state holds id %s email %s, want %s %s", got.ID, got.Email, m.ID, m.Email)
	}
	var objectID types.String
	if d := identity.GetAttribute(ctx, path.Root("object_id"), &objectID); d.HasError() {
		t.Fatalf("identity: %v", d)
	}
	if objectID != m.ID {
		t.Errorf("identity object_id = %s, want %s", objectID, m.ID)
	}

	// A Terraform without resource identities (before 1.12) passes none.
	state, _ = emptyGuestUserState(ctx, t)
	if d := saveStateDiags(ctx, state, nil, &m); d.HasError() {
		t.Errorf("saveState without identity: %v", d)
	}
}

// newGuestUserModel is savable as it stands and null throughout: every
// list, set and block has its schema type, so import (which saves it with
// four values set) works. A collection attribute added to the model
// without a typed null here fails this test.
func TestNewGuestUserModelIsSavableAndNull(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	state, identity := emptyGuestUserState(ctx, t)
	m := newGuestUserModel()
	if d := saveStateDiags(ctx, state, identity, &m); d.HasError() {
		t.Fatalf("saving the empty model: %v", d)
	}
	var attrs map[string]tftypes.Value
	if err := state.Raw.As(&attrs); err != nil {
		t.Fatal(err)
	}
	for name, v := range attrs {
		if !v.IsNull() {
			t.Errorf("attribute %s is %s, want null", name, v)
		}
	}
}

func saveStateDiags(ctx context.Context, state *tfsdk.State, identity *tfsdk.ResourceIdentity, m *guestUserResourceModelV0) diag.Diagnostics {
	var diags diag.Diagnostics
	saveState(ctx, state, identity, m, &diags)
	return diags
}
