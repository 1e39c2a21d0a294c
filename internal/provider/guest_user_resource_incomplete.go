package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// A create that sent the invitation but could not finish (an outage, a
// missing permission, a timeout, Ctrl-C) must not return an error:
// Terraform marks a resource whose create failed as tainted, and the next
// apply deletes the guest and invites the person again, with a new object
// ID and a second email. So the guest is saved with a warning instead.
//
// What is saved is the plan, not what Graph holds: when apply returns no
// error, Terraform requires every planned (known) value to come back
// unchanged ("Provider produced inconsistent result after apply"), which
// is itself an error that taints. The next refresh reads Graph's real
// values for the configured attributes, the real memberships and sponsors,
// so whatever was left undone shows as an ordinary in-place update.

// incompleteCreate is what stopped a create after the invitation.
type incompleteCreate struct {
	email, id string
	// failed says what failed, as "setting its profile (PATCH /users/{id})".
	failed string
	// left lists what was not done, in the order Create does it.
	left []string
	err  error
	// attr is the attribute the failure is about, if one is.
	attr path.Path
	// unconfirmed is set when Graph never showed the new user: the next
	// refresh may still meet replication's 404 (see privateInvitedKey).
	unconfirmed bool
}

// saveIncompleteCreate saves the plan as the new state, with unknown
// computed values as null (the next refresh fills them), and warns.
func (r *guestUserResource) saveIncompleteCreate(ctx context.Context, plan guestUserResourceModelV0, inc incompleteCreate, resp *resource.CreateResponse) {
	saveState(ctx, &resp.State, resp.Identity, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	raw, err := knownOnly(resp.State.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Error Saving Guest User", fmt.Sprintf("Saving user %s to the state failed: %v. This is a bug in the provider; please report it.", inc.id, err))
		return
	}
	resp.State.Raw = raw
	if inc.unconfirmed {
		mark, _ := json.Marshal(invitedMark{InvitedAt: time.Now().UTC()})
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateInvitedKey, mark)...)
	}
	tflog.Warn(ctx, "guest user invited but not fully configured; saved to the state untainted",
		map[string]any{"object_id": inc.id, "failed": inc.failed, "left": strings.Join(inc.left, "; "), "error": fmt.Sprint(inc.err)})
	resp.Diagnostics.Append(incompleteCreateDiagnostic(ctx, inc))
}

// incompleteCreateDiagnostic words the warning: who was invited, what
// failed and why, what is left, and that the next plan shows it.
func incompleteCreateDiagnostic(ctx context.Context, inc incompleteCreate) diag.Diagnostic {
	interrupted := errors.Is(ctx.Err(), context.Canceled)
	timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded)
	summary := "Guest User Invited But Not Fully Configured"
	var attempted string
	switch {
	case interrupted:
		summary = "Guest User Invited, Apply Interrupted"
		attempted = fmt.Sprintf("The invitation to %s created user %s, but Terraform was interrupted (Ctrl-C or a cancelled run) while %s. ", inc.email, inc.id, inc.failed)
	case timedOut:
		attempted = fmt.Sprintf("The invitation to %s created user %s, but timeouts.create ran out while %s. ", inc.email, inc.id, inc.failed)
	default:
		attempted = fmt.Sprintf("The invitation to %s created user %s, but %s failed. ", inc.email, inc.id, inc.failed)
	}
	attempted += "The guest is saved to the state, not tainted: it will not be deleted nor invited again."
	if len(inc.left) > 0 {
		attempted += " Not done yet: " + strings.Join(inc.left, "; ") + "."
	}
	next := "The next terraform plan reads the guest from Microsoft Graph and shows what is missing as an in-place update (~); apply it to finish " +
		"(with refresh: -refresh=false would not see it)."
	if hint := graphErrorHint(inc.err); hint != "" && !interrupted && !timedOut {
		next = hint + " " + next
	}
	if timedOut && inc.unconfirmed {
		next += " Graph replicates a new user for seconds, occasionally minutes; if this keeps happening, raise timeouts.create."
	}
	detail := errorDetail(attempted, next, inc.err)
	if !inc.attr.Equal(path.Empty()) {
		return diag.NewAttributeWarningDiagnostic(inc.attr, summary, detail)
	}
	return diag.NewWarningDiagnostic(summary, detail)
}

// knownOnly replaces every unknown value with null: a state after apply
// may hold no unknowns, and an incomplete create leaves the computed
// attributes it did not get to (mail, upn, created_at ...) unknown.
func knownOnly(v tftypes.Value) (tftypes.Value, error) {
	return tftypes.Transform(v, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if !v.IsKnown() {
			return tftypes.NewValue(v.Type(), nil), nil
		}
		return v, nil
	})
}

// privateInvitedKey marks, in the resource's private state, a guest whose
// create ended before Graph showed it. Graph hides a new user from reads
// while it replicates; without the mark, the next refresh would take that
// 404 for a deleted guest, drop it from the state and invite the person
// again.
const privateInvitedKey = "invited_unconfirmed"

// invitedMarkMaxAge bounds the mark: replication takes seconds to minutes,
// so a guest still missing an hour after its invitation really is gone.
const invitedMarkMaxAge = time.Hour

type invitedMark struct {
	InvitedAt time.Time `json:"invited_at"`
}

// privateData is the framework's private state of one resource.
type privateData interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// readAfterInvite is Read's GET of the guest. For a guest whose create
// ended before Graph showed it (marked in private state, see
// privateInvitedKey), a 404 means "still replicating": it waits, within
// the read timeout, instead of letting Read drop the guest, and if the
// guest is still missing it returns an error that is no 404, so the guest
// stays in the state. A successful read clears the mark.
func readAfterInvite(ctx context.Context, c *graph.Client, private privateData, id string) (*graph.User, error) {
	u, err := c.GetUser(ctx, id)
	if private == nil || (err != nil && !graph.IsNotFound(err)) {
		return u, err
	}
	raw, diags := private.GetKey(ctx, privateInvitedKey)
	if diags.HasError() || len(raw) == 0 {
		return u, err
	}
	if err == nil {
		private.SetKey(ctx, privateInvitedKey, nil)
		return u, nil
	}
	var mark invitedMark
	if json.Unmarshal(raw, &mark) != nil || time.Since(mark.InvitedAt) > invitedMarkMaxAge {
		return u, err
	}
	tflog.Info(ctx, "guest user invited by an interrupted create is not readable yet; waiting for replication",
		map[string]any{"object_id": id, "invited_at": mark.InvitedAt.Format(time.RFC3339)})
	u, werr := waitReadable(ctx, c, id)
	if werr != nil {
		// %v, not %w: this must not read as a 404, which would drop the guest.
		return nil, fmt.Errorf("user %s was invited at %s by a create that ended before Graph showed it, and it is still not readable "+
			"(Graph replicates new users for seconds, occasionally minutes). It is kept in the state so that it is not invited again; refresh again later. %v",
			id, mark.InvitedAt.Format(time.RFC3339), werr)
	}
	private.SetKey(ctx, privateInvitedKey, nil)
	return u, nil
}
