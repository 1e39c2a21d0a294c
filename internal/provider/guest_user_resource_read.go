package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// Read gets the guest, reads back its profile and its access (groups,
// sponsors) and saves it. A guest gone from Entra ID leaves the state, so
// the next plan invites it again.
func (r *guestUserResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state guestUserResourceModelV0
	ctx, cancel, c := r.begin(ctx, profiled(req.State), &state, timeouts.Value.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	if c == nil {
		return
	}
	id := state.ID.ValueString()
	u, ok := getOrForget(ctx, c, id, resp)
	if !ok {
		if resp.State.Raw.IsNull() {
			warnIfRestorable(ctx, c, id, state.Email.ValueString(), &resp.Diagnostics)
		}
		return
	}
	resp.Diagnostics.Append(readBack(ctx, &state, u)...)
	if err := readAccess(ctx, c, id, &state); err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Reading Guest User Access", "Reading the guest's group memberships or sponsors failed.", err))
		return
	}
	resp.Diagnostics.Append(readExpiry(ctx, c, id, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	keepInputDefaults(&state)
	saveState(ctx, &resp.State, resp.Identity, &state, &resp.Diagnostics)
}

// getOrForget gets the guest. A guest whose create was interrupted may
// still be replicating (see readAfterInvite); one that is gone is removed
// from the state.
func getOrForget(ctx context.Context, c *graph.Client, id string, resp *resource.ReadResponse) (*graph.User, bool) {
	u, err := readAfterInvite(ctx, c, resp.Private, id)
	if graph.IsNotFound(err) {
		tflog.Warn(ctx, "guest user no longer exists in Entra ID; removing it from the state so the next plan re-creates it",
			map[string]any{"object_id": id})
		// The framework insists on an identity even for a removed resource
		// (state written by Terraform < 1.12 has none).
		setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
		resp.State.RemoveResource(ctx)
		return nil, false
	}
	if err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Reading Guest User", fmt.Sprintf("Reading user %s (GET /users/%s) failed.", id, id), err))
		return nil, false
	}
	return u, true
}

// warnIfRestorable says, when a guest gone from the directory is still in
// its deleted items (deleted in the portal or by another run, restorable
// for 30 days), that the plan about to re-create it invites a new user,
// and how to bring back the same one instead. The plan alone shows a
// plain create, which a reviewer would approve as "put the guest back".
// A failed look-up (no permission to read deleted items, or purged) only
// logs: the warning is advice, the plan is right either way. The restore
// is https://learn.microsoft.com/graph/api/directory-deleteditems-restore.
func warnIfRestorable(ctx context.Context, c *graph.Client, id, email string, diags *diag.Diagnostics) {
	if _, err := c.GetDeletedUser(ctx, id); err != nil {
		tflog.Debug(ctx, "deleted guest not found in deleted items", map[string]any{"object_id": id, "error": err.Error()})
		return
	}
	diags.AddWarning("Guest User Deleted, Still Restorable",
		fmt.Sprintf("User %s (%s) is no longer in the directory but is in its deleted items, where Entra keeps it for 30 days. "+
			"This plan creates the guest again, which invites %s as a new user: a new object ID and a new invitation email, "+
			"without the app access and the memberships of groups not in group_ids that the deleted user had. "+
			"To bring back the same guest instead, restore it (Entra admin center > Users > Deleted users > Restore user, "+
			"or POST /directory/deletedItems/%s/restore) before applying, then plan again: the guest is read back and nothing is created. "+
			"If an apply has run since the deletion, import the restored user: terraform import <address> %s.", id, email, email, id, id))
}

// keepInputDefaults fills the inputs Graph does not echo with their
// defaults where the state has none (import leaves them null, ImportState
// fills the defaults); a configured value is kept.
func keepInputDefaults(m *guestUserResourceModelV0) {
	if m.OnDestroy.IsNull() {
		m.OnDestroy = types.StringValue(onDestroyDelete)
	}
	if m.AdoptExisting.IsNull() {
		m.AdoptExisting = types.BoolValue(false)
	}
}
