package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

func (r *guestUserResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state guestUserResourceModelV0
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := r.client()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := state.ID.ValueString()
	// A guest whose create was interrupted may still be replicating.
	u, err := readAfterInvite(ctx, c, resp.Private, id)
	if graph.IsNotFound(err) {
		tflog.Warn(ctx, "guest user no longer exists in Entra ID; removing it from the state so the next plan re-creates it",
			map[string]any{"object_id": id})
		// The framework insists on an identity even for a removed resource
		// (state written by Terraform < 1.12 has none).
		setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Reading Guest User", fmt.Sprintf("Reading user %s (GET /users/%s) failed.", id, id), err))
		return
	}
	resp.Diagnostics.Append(readBack(ctx, &state, u)...)
	if err := readAccess(ctx, c, id, &state); err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Reading Guest User Access", "Reading the guest's group memberships or sponsors failed.", err))
		return
	}
	// Graph does not echo these inputs; keep what was configured or
	// defaulted (import leaves them null, ImportState fills the defaults).
	if state.OnDestroy.IsNull() {
		state.OnDestroy = types.StringValue(onDestroyDelete)
	}
	if state.AdoptExisting.IsNull() {
		state.AdoptExisting = types.BoolValue(false)
	}
	saveState(ctx, &resp.State, resp.Identity, &state, &resp.Diagnostics)
}
