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

// timeoutOf picks one operation's duration from a timeouts block of type
// T: a method expression such as timeouts.Value.Read (resource timeouts)
// or the data source package's timeouts.Value.Read.
type timeoutOf[T any] func(T, context.Context, time.Duration) (time.Duration, diag.Diagnostics)

// operationTimeout is timeoutOf for resources.
type operationTimeout = timeoutOf[timeouts.Value]

// modelSource is the plan, state or configuration the framework hands an
// operation.
type modelSource interface {
	Get(ctx context.Context, target any) diag.Diagnostics
}

// timedModel is a model (a pointer to its struct) with a timeouts block of
// type T.
type timedModel[T any] interface {
	timeoutsBlock() T
}

// loggedModel is a model that names the object it is about in log fields
// once that is known (see connectModel).
type loggedModel interface {
	logContext(ctx context.Context) context.Context
}

// beginModel is the preamble of every operation of this provider's
// resources and data sources: it decodes m from src (plan, state or
// configuration), then connects (see connectModel). The client is nil when
// diags hold an error; cancel is always safe to defer.
func beginModel[T any, M timedModel[T]](ctx context.Context, data *providerData, src modelSource, m M, timeout timeoutOf[T], def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc, *graph.Client) {
	diags.Append(src.Get(ctx, m)...)
	if diags.HasError() {
		return ctx, func() {}, nil
	}
	return connectModel(ctx, data, m, timeout, def, diags)
}

// connectModel gets the Graph client and bounds ctx by the operation's
// timeout (m's timeouts block, else def), with m's log fields (loggedModel)
// once they are known. The client is nil when diags hold an error (no
// client when the provider block had unknown values); cancel is always safe
// to defer.
func connectModel[T any, M timedModel[T]](ctx context.Context, data *providerData, m M, timeout timeoutOf[T], def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc, *graph.Client) {
	c, d := data.requireClient()
	diags.Append(d...)
	if diags.HasError() {
		return ctx, func() {}, nil
	}
	limit, d := timeout(m.timeoutsBlock(), ctx, def)
	diags.Append(d...)
	if diags.HasError() {
		return ctx, func() {}, nil
	}
	if l, ok := any(m).(loggedModel); ok {
		ctx = l.logContext(ctx)
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	return ctx, cancel, c
}

func (m *guestUserResourceModelV0) timeoutsBlock() timeouts.Value { return m.Timeouts }

// logContext adds the object ID once the guest has one.
func (m *guestUserResourceModelV0) logContext(ctx context.Context) context.Context {
	if isKnown(m.ID) {
		return tflog.SetField(ctx, "object_id", m.ID.ValueString())
	}
	return ctx
}

// begin is the guest resource's preamble of Create, Read and Update (see
// beginModel).
func (r *guestUserResource) begin(ctx context.Context, src modelSource, m *guestUserResourceModelV0, timeout operationTimeout, def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc, *graph.Client) {
	return beginModel(ctx, r.data, src, m, timeout, def, diags)
}

// connect is the guest resource's preamble once the model is decoded (see
// connectModel).
func (r *guestUserResource) connect(ctx context.Context, m *guestUserResourceModelV0, timeout operationTimeout, def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc, *graph.Client) {
	return connectModel(ctx, r.data, m, timeout, def, diags)
}

// client is the provider's Graph client, or an error while the provider
// block still has unknown values.
func (r *guestUserResource) client() (*graph.Client, diag.Diagnostics) {
	return r.data.requireClient()
}
