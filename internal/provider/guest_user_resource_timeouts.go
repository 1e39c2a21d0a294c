package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// Default timeouts. Create is the longest: it waits for replication, which
// Microsoft documents as taking seconds and which can take minutes.
const (
	defaultCreateTimeout = 10 * time.Minute
	defaultReadTimeout   = 2 * time.Minute
	defaultUpdateTimeout = 10 * time.Minute
	defaultDeleteTimeout = 10 * time.Minute
)

// operationTimeout picks one operation's duration from the timeouts
// block: a method expression such as timeouts.Value.Read.
type operationTimeout func(timeouts.Value, context.Context, time.Duration) (time.Duration, diag.Diagnostics)

// modelSource is the plan or state the framework hands an operation.
type modelSource interface {
	Get(ctx context.Context, target any) diag.Diagnostics
}

// begin is the preamble of Create, Read and Update: it decodes m from the
// plan or state, then connects (see connect). The client is nil when diags
// hold an error; cancel is always safe to defer.
func (r *guestUserResource) begin(ctx context.Context, src modelSource, m *guestUserResourceModelV0, timeout operationTimeout, def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc, *graph.Client) {
	diags.Append(src.Get(ctx, m)...)
	if diags.HasError() {
		return ctx, func() {}, nil
	}
	return r.connect(ctx, m, timeout, def, diags)
}

// connect gets the Graph client and bounds ctx by the operation's timeout
// (the timeouts block, else def), with the object ID as a log field once it
// is known. The client is nil when diags hold an error (no client when the
// provider block had unknown values); cancel is always safe to defer.
func (r *guestUserResource) connect(ctx context.Context, m *guestUserResourceModelV0, timeout operationTimeout, def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc, *graph.Client) {
	c, d := r.client()
	diags.Append(d...)
	if diags.HasError() {
		return ctx, func() {}, nil
	}
	limit, d := timeout(m.Timeouts, ctx, def)
	diags.Append(d...)
	if diags.HasError() {
		return ctx, func() {}, nil
	}
	if isKnown(m.ID) {
		ctx = tflog.SetField(ctx, "object_id", m.ID.ValueString())
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	return ctx, cancel, c
}

// client is the provider's Graph client, or an error while the provider
// block still has unknown values.
func (r *guestUserResource) client() (*graph.Client, diag.Diagnostics) {
	return r.data.requireClient()
}
