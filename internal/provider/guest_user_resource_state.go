package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// newGuestUserModel is a b2b_guest_user model with every attribute null,
// typed as the schema types it: the start of any model not decoded from a
// plan or state (import, the "nothing known yet" side of a create). A zero
// guestUserResourceModelV0 cannot be saved: its lists, sets and timeouts
// have no element types.
func newGuestUserModel() guestUserResourceModelV0 {
	return guestUserResourceModelV0{
		BusinessPhones: types.ListNull(types.StringType),
		OtherMails:     types.SetNull(types.StringType),
		GroupIDs:       types.SetNull(types.StringType),
		SponsorIDs:     types.SetNull(types.StringType),
		Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
			"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType,
		})},
	}
}

// saveState writes m as the resource's state and its object ID as the
// resource identity: the one way create, an incomplete create, read,
// update and import record a guest, so state and identity never part.
func saveState(ctx context.Context, state *tfsdk.State, identity *tfsdk.ResourceIdentity, m *guestUserResourceModelV0, diags *diag.Diagnostics) {
	diags.Append(setModel(ctx, state, m)...)
	setIdentity(ctx, identity, m.ID.ValueString(), diags)
}

// setIdentity records the object ID as the resource identity (no-op for
// a Terraform without identities, or before the ID is known).
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id string, diags *diag.Diagnostics) {
	if identity == nil || id == "" {
		return
	}
	diags.Append(identity.Set(ctx, guestUserIdentityModelV0{ObjectID: types.StringValue(id)})...)
}

// readBack records in m what Graph returned for the guest (see applyUser),
// with m itself as the prior: inputs Graph does not echo stay as planned,
// and an email that m lacks (import) is taken from Graph.
func readBack(ctx context.Context, m *guestUserResourceModelV0, u *graph.User) diag.Diagnostics {
	prior := *m
	return m.applyUser(ctx, u, &prior)
}
