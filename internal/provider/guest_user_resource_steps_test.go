package provider

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// modelFrom is a plan or state that decodes to m.
type modelFrom guestUserResourceModelV0

func (s modelFrom) Get(_ context.Context, target any) diag.Diagnostics {
	m, ok := target.(*guestUserResourceModelV0)
	if !ok {
		return diag.Diagnostics{diag.NewErrorDiagnostic("Wrong Target", fmt.Sprintf("%T is no *guestUserResourceModelV0", target))}
	}
	*m = guestUserResourceModelV0(s)
	return nil
}

// The preamble bounds every operation by its own entry of the timeouts
// block, and by the default when the block does not set it.
func TestBeginBoundsContextByOperationTimeout(t *testing.T) {
	t.Parallel()
	r := &guestUserResource{data: &providerData{Client: &graph.Client{}}}
	m := newGuestUserModel()
	m.Timeouts = timeouts.Value{Object: types.ObjectValueMust(
		map[string]attr.Type{"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType},
		map[string]attr.Value{"create": types.StringNull(), "read": types.StringValue("3s"), "update": types.StringNull(), "delete": types.StringNull()})}

	for name, tc := range map[string]struct {
		timeout operationTimeout
		def     time.Duration
		want    time.Duration
	}{
		"read from the timeouts block": {timeouts.Value.Read, defaultReadTimeout, 3 * time.Second},
		"create by default":            {timeouts.Value.Create, defaultCreateTimeout, defaultCreateTimeout},
	} {
		var diags diag.Diagnostics
		var got guestUserResourceModelV0
		ctx, cancel, c := r.begin(context.Background(), modelFrom(m), &got, tc.timeout, tc.def, &diags)
		deadline, ok := ctx.Deadline()
		cancel()
		if diags.HasError() || c == nil || !ok {
			t.Fatalf("%s: client %v, deadline %v, diags %v", name, c, ok, diags)
		}
		if left := time.Until(deadline); left > tc.want || left < tc.want-time.Minute {
			t.Errorf("%s: %s left, want about %s", name, left, tc.want)
		}
	}
}

// Without a client (the provider block had unknown values) the preamble
// stops the operation with the provider's diagnostic.
func TestBeginWithoutClient(t *testing.T) {
	t.Parallel()
	var diags diag.Diagnostics
	var m guestUserResourceModelV0
	ctx, cancel, c := (&guestUserResource{}).begin(context.Background(), modelFrom(newGuestUserModel()), &m, timeouts.Value.Read, defaultReadTimeout, &diags)
	defer cancel()
	if c != nil || !diags.HasError() {
		t.Fatalf("client %v, diags %v", c, diags)
	}
	if _, ok := ctx.Deadline(); ok {
		t.Error("a stopped operation still got a deadline")
	}
}

// adopt takes over only the one guest with the address, and only when
// adopt_existing says so.
func TestAdoptable(t *testing.T) {
	t.Parallel()
	guest := graph.User{ID: "g1", CreationType: "Invitation"}
	member := graph.User{ID: "m1", UserPrincipalName: "bob@corp.example"}
	for name, tc := range map[string]struct {
		users []graph.User
		adopt bool
		want  string // the error summary, "" for adoptable
	}{
		"several users":                 {[]graph.User{guest, {ID: "g2", CreationType: "Invitation"}}, true, "Email Address Matches Several Users"},
		"internal account":              {[]graph.User{member}, true, "User Is An Internal Account"},
		"guest without adopt_existing":  {[]graph.User{guest}, false, "Guest User Already Exists"},
		"guest with adopt_existing set": {[]graph.User{guest}, true, ""},
	} {
		m := newGuestUserModel()
		m.Email, m.AdoptExisting = types.StringValue("bob@corp.example"), types.BoolValue(tc.adopt)
		var diags diag.Diagnostics
		ok := adoptable(&m, tc.users, &diags)
		switch {
		case tc.want == "" && (!ok || diags.HasError()):
			t.Errorf("%s: refused: %v", name, diags)
		case tc.want != "" && (ok || diags.ErrorsCount() != 1 || diags.Errors()[0].Summary() != tc.want):
			t.Errorf("%s: ok %v, diags %v, want one error %q", name, ok, diags, tc.want)
		}
	}
}

// Read fills the defaults of the inputs Graph does not echo only where the
// state has none.
func TestKeepInputDefaults(t *testing.T) {
	t.Parallel()
	m := newGuestUserModel()
	keepInputDefaults(&m)
	if m.OnDestroy.ValueString() != onDestroyDelete || m.AdoptExisting.IsNull() || m.AdoptExisting.ValueBool() {
		t.Errorf("imported: on_destroy %s adopt_existing %s", m.OnDestroy, m.AdoptExisting)
	}
	m.OnDestroy, m.AdoptExisting = types.StringValue(onDestroyAbandon), types.BoolValue(true)
	keepInputDefaults(&m)
	if m.OnDestroy.ValueString() != onDestroyAbandon || !m.AdoptExisting.ValueBool() {
		t.Errorf("configured: on_destroy %s adopt_existing %s", m.OnDestroy, m.AdoptExisting)
	}
}
