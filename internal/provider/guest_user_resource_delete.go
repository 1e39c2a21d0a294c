package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// Delete removes the guest as on_destroy says: delete (the default),
// purge (delete, then remove from deleted items), disable, or abandon
// (forget it, change nothing in Entra ID).
func (r *guestUserResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state guestUserResourceModelV0
	resp.Diagnostics.Append(getModel(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	mode := state.OnDestroy.ValueString()
	ctx = tflog.SetField(ctx, "object_id", id)
	ctx = tflog.SetField(ctx, "on_destroy", mode)
	if mode == onDestroyAbandon {
		tflog.Info(ctx, "on_destroy = abandon: removing the guest user from the state only; it stays in Entra ID")
		return
	}
	ctx, cancel, c := r.connect(ctx, &state, timeouts.Value.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	if c == nil {
		return
	}

	switch mode {
	case onDestroyDisable:
		disableUser(ctx, c, id, &resp.Diagnostics)
	case onDestroyDelete, onDestroyPurge, "":
		if deleteUser(ctx, c, id, &resp.Diagnostics) && mode == onDestroyPurge {
			r.purge(ctx, c, id, resp)
		}
	}
}

// disableUser is on_destroy = "disable": accountEnabled = false, then a
// wait until Graph shows it. A user already gone is fine.
func disableUser(ctx context.Context, c *graph.Client, id string, diags *diag.Diagnostics) {
	off := false
	err := c.UpdateUser(ctx, id, graph.UserUpdate{AccountEnabled: &off})
	if graph.IsNotFound(err) {
		tflog.Info(ctx, "user already gone; nothing to disable")
		return
	}
	if err != nil {
		diags.Append(graphErrorDiagnostic("Error Disabling Guest User",
			fmt.Sprintf("on_destroy = \"disable\": setting accountEnabled = false on user %s failed; the user is unchanged and kept in the state.", id), err))
		return
	}
	err = waitUntil(ctx, fmt.Sprintf("user %s shows accountEnabled = false", id), func(ctx context.Context) (bool, error, error) {
		u, err := c.GetUser(ctx, id)
		if err != nil {
			if graph.IsNotFound(err) {
				return true, nil, nil
			}
			return false, err, nil
		}
		if u.AccountEnabled != nil && !*u.AccountEnabled {
			return true, nil, nil
		}
		return false, fmt.Errorf("accountEnabled is still %v", fmtBoolPtr(u.AccountEnabled)), nil
	})
	if err != nil {
		diags.Append(graphErrorDiagnostic("Error Disabling Guest User", fmt.Sprintf("Waiting for user %s to show as disabled failed.", id), err))
	}
}

// deleteUser deletes the user (soft delete: it goes to deleted items). A
// user already gone is fine.
//
// It does not poll until reads stop returning the user. Graph answers 204
// once the deletion is done (https://learn.microsoft.com/graph/api/user-delete);
// a read that still shows the user is a replica behind it
// (https://devblogs.microsoft.com/identity/designing-for-eventual-consistency-for-microsoft-entra/),
// and nothing Terraform does next depends on that replica: the resource
// leaves the state, and a create of the same address later in this run
// ignores the deleted user (the graph client leaves the users it deleted
// out of FindUsersByEmail) instead of refusing it as
// "already exists". A poll cost one GET per guest at least (a 1,000-guest
// destroy: 1,000 requests), and with real replication lag 250 ms or more
// per guest. A later run's look-up leaves out a listed user that deleted
// items holds (graph.Client.FindUsersByEmail); one whose deleted item has
// not replicated either can only refuse the address, never invite it twice.
func deleteUser(ctx context.Context, c *graph.Client, id string, diags *diag.Diagnostics) bool {
	if err := c.DeleteUser(ctx, id); err != nil && !graph.IsNotFound(err) {
		diags.Append(graphErrorDiagnostic("Error Deleting Guest User",
			fmt.Sprintf("Deleting user %s (DELETE /users/%s) failed; it is kept in the state.", id, id), err))
		return false
	}
	return true
}

// purge removes a soft-deleted user from deleted items. The deleted item
// can lag behind the delete, so it waits for it to appear (or for a 404
// that outlasts the wait: then someone already purged it).
func (r *guestUserResource) purge(ctx context.Context, c *graph.Client, id string, resp *resource.DeleteResponse) {
	err := waitUntil(ctx, fmt.Sprintf("user %s is purged from deleted items", id), func(ctx context.Context) (bool, error, error) {
		err := c.PurgeDeletedUser(ctx, id)
		switch {
		case err == nil:
			return true, nil, nil
		case graph.IsNotFound(err):
			// The deleted item has not replicated yet.
			return false, err, nil
		case graph.IsForbidden(err) || graph.IsUnauthorized(err):
			return false, nil, err
		default:
			return false, err, nil
		}
	})
	if err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Purging Guest User",
			fmt.Sprintf("on_destroy = \"purge\": user %s was deleted, but removing it from deleted items (DELETE /directory/deletedItems/%s) failed. "+
				"It will be purged automatically after 30 days, or remove it in the Entra admin center.", id, id), err))
		return
	}
	if err := waitUntil(ctx, fmt.Sprintf("user %s is gone from deleted items", id), func(ctx context.Context) (bool, error, error) {
		_, err := c.GetDeletedUser(ctx, id)
		switch {
		case graph.IsNotFound(err):
			return true, nil, nil
		case err == nil:
			return false, errors.New("the deleted item is still readable"), nil
		default:
			return false, err, nil
		}
	}); err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Purging Guest User", fmt.Sprintf("Waiting for user %s to disappear from deleted items failed.", id), err))
	}
}

func fmtBoolPtr(b *bool) string {
	if b == nil {
		return "null"
	}
	return fmt.Sprint(*b)
}
