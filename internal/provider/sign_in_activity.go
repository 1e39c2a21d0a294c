package provider

import (
	"slices"

	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	providerschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	rsschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// Sign-in activity (issue 15, part 2): with read_sign_in_activity = true the
// Graph client selects signInActivity on every user read it already makes
// (GET, $batch item, list page; see internal/graph/signin.go), and the
// guest's last sign-ins are reported as computed attributes. They carry no
// plan modifier: a sign-in between two runs changes the state at refresh
// and never plans an action, and a planned update shows them as known
// after apply (a sign-in may happen between plan and apply) when the
// provider reads them, and as null when it does not (nullSignInTimes).

// signInAttrs are the computed sign-in attributes and what they mean.
var signInAttrs = map[string]string{
	"last_sign_in_at": "The guest's last interactive sign-in attempt, successful or not (Graph `signInActivity.lastSignInDateTime`, RFC 3339). " +
		signInNullWhen,
	"last_non_interactive_sign_in_at": "The last non-interactive sign-in attempt on the guest's behalf, e.g. a client refreshing a token " +
		"(Graph `signInActivity.lastNonInteractiveSignInDateTime`, RFC 3339). " + signInNullWhen,
	"last_successful_sign_in_at": "The guest's last successful sign-in, interactive or not (Graph `signInActivity.lastSuccessfulSignInDateTime`, RFC 3339; " +
		"Entra records it since December 2023). " + signInNullWhen,
}

const signInNullWhen = "Read only when the provider sets `read_sign_in_activity = true`; null otherwise, and null when Entra has no record. " +
	"A new sign-in updates it at refresh and never plans a change."

// signInActivityModel are the three attributes' values for u: null unless
// the provider read them.
func signInActivityModel(u *graph.User) (last, nonInteractive, successful types.String) {
	a := u.SignInActivity
	if a == nil {
		return types.StringNull(), types.StringNull(), types.StringNull()
	}
	return rfc3339(a.LastSignIn), rfc3339(a.LastNonInteractiveSignIn), rfc3339(a.LastSuccessfulSignIn)
}

// signInSummaryValues are the same values keyed by attribute name, for the
// elements of b2b_guest_users' guests.
func signInSummaryValues(u *graph.User) map[string]types.String {
	l, n, s := signInActivityModel(u)
	return map[string]types.String{"last_sign_in_at": l, "last_non_interactive_sign_in_at": n, "last_successful_sign_in_at": s}
}

// signInResourceAttributes are the computed attributes of b2b_guest_user
// (and of its list resource's results, which share that schema).
func signInResourceAttributes() map[string]rsschema.Attribute {
	out := map[string]rsschema.Attribute{}
	for name, desc := range signInAttrs {
		out[name] = rsschema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	return out
}

// signInDataSourceAttributes are the same for the b2b_guest_user data source.
func signInDataSourceAttributes() map[string]dsschema.Attribute {
	out := map[string]dsschema.Attribute{}
	for name, desc := range signInAttrs {
		out[name] = dsschema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	return out
}

// readSignInActivityAttribute is the provider block's opt-in.
func readSignInActivityAttribute() providerschema.BoolAttribute {
	return providerschema.BoolAttribute{
		Optional: true,
		MarkdownDescription: "Read each guest's last sign-ins (`last_sign_in_at`, `last_non_interactive_sign_in_at`, `last_successful_sign_in_at`) " +
			"with the refresh, and allow the `inactive_for_days` and `never_signed_in` filters. Defaults to `false`. " +
			"Graph returns sign-in activity only to an application with the permission `AuditLog.Read.All` (besides `User.Read.All`), in a tenant with " +
			"a Microsoft Entra ID P1 or P2 licence; without either, every read fails with a diagnostic that says which is missing. " +
			"It costs no extra request: `signInActivity` is added to the `$select` of the reads the provider makes anyway, and listings then page by " +
			"at most 500 users, Graph's limit when `signInActivity` is selected.",
	}
}

// signInHint explains Graph's two refusals to read signInActivity; "" for
// any other error.
func signInHint(err error) string {
	switch {
	case graph.IsSignInPermissionMissing(err):
		return "The provider block sets read_sign_in_activity = true, and Microsoft Graph returns sign-in activity only to an application with the permission " +
			graph.PermAuditLogRead + ". An administrator must add " + graph.PermAuditLogRead + " to the app registration (API permissions > Microsoft Graph > " +
			"Application permissions) and grant admin consent; or set read_sign_in_activity = false to manage guests without their sign-in times."
	case graph.IsSignInLicenceMissing(err):
		return "The provider block sets read_sign_in_activity = true, and Microsoft Graph returns sign-in activity only in a tenant with a Microsoft Entra ID P1 or P2 " +
			"licence, which this tenant lacks. Add a P1 or P2 licence to the tenant, or set read_sign_in_activity = false to manage guests without their sign-in times."
	}
	return ""
}

// signInTimesNeverRead reports whether this provider process leaves the
// sign-in attributes null on every read: read_sign_in_activity is off (or
// unset) and known, so no read of create, update or refresh selects
// signInActivity.
func (d *providerData) signInTimesNeverRead() bool {
	return d != nil && !d.ReadSignInActivity && !slices.Contains(d.UnknownConfig, "read_sign_in_activity")
}

// nullSignInTimes plans the sign-in attributes as null where they are null
// in the state (or the guest is new) and the provider does not read them:
// the apply's read-back can only give null, so "(known after apply)" would
// be three lines of noise on every create and update a reviewer reads. A
// value the state still holds (read_sign_in_activity just turned off, a
// plan with -refresh=false) stays unknown: the apply's read-back clears it.
func nullSignInTimes(state tfsdk.State, plan *tfsdk.Plan) {
	if plan.Raw.IsNull() || plan.Raw.Equal(state.Raw) {
		return // nothing unknown to settle: the plan of an unchanged guest
	}
	withNull, err := tftypes.Transform(plan.Raw, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		steps := p.Steps()
		if len(steps) != 1 || v.IsKnown() {
			return v, nil
		}
		if name, ok := steps[0].(tftypes.AttributeName); !ok || signInAttrs[string(name)] == "" {
			return v, nil
		}
		if !state.Raw.IsNull() {
			// A state written before these attributes existed has no value
			// at p (WalkAttributePath fails); one that holds a value must
			// keep it unknown, for the apply to clear. Both keep v.
			sv, _, walkErr := tftypes.WalkAttributePath(state.Raw, p)
			if tv, ok := sv.(tftypes.Value); walkErr != nil || !ok || !tv.IsNull() {
				return v, nil //nolint:nilerr // no value at p is an answer, not a failure
			}
		}
		return tftypes.NewValue(v.Type(), nil), nil
	})
	if err == nil {
		plan.Raw = withNull
	}
}

// keepSignInTimes plans the sign-in attributes at their state values when
// nothing else of the guest changes, and leaves them unknown otherwise.
// The framework marks every computed attribute unknown as soon as the plan
// differs from the state in any way, even one a plan modifier later undoes
// (a case-only email change): without this, such a plan would show an
// update for the sign-in times alone. They carry no UseStateForUnknown,
// because a guest who signs in between plan and apply of a real update
// would make the applied value differ from a known planned one.
func keepSignInTimes(state tfsdk.State, plan *tfsdk.Plan) {
	if state.Raw.IsNull() || plan.Raw.IsNull() || plan.Raw.Equal(state.Raw) {
		return // nothing planned to differ: the usual refresh
	}
	stateValues := map[string]tftypes.Value{}
	for name := range signInAttrs {
		v, err := state.Raw.ApplyTerraform5AttributePathStep(tftypes.AttributeName(name))
		tv, ok := v.(tftypes.Value)
		if err != nil || !ok {
			return // a state written before these attributes existed
		}
		stateValues[name] = tv
	}
	withState, err := tftypes.Transform(plan.Raw, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if steps := p.Steps(); len(steps) == 1 {
			if name, ok := steps[0].(tftypes.AttributeName); ok {
				if sv, ok := stateValues[string(name)]; ok {
					return sv, nil
				}
			}
		}
		return v, nil
	})
	if err != nil || !withState.Equal(state.Raw) {
		return
	}
	// The plan with the state's sign-in times is the state itself: write
	// it whole, rather than one SetAttribute per time (each a walk of the
	// framework's schema).
	plan.Raw = state.Raw
}
