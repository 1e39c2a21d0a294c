package provider

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// providerData is what Configure hands to every resource, data source,
// list resource and action: one shared Graph client plus the provider
// block's invitation defaults.
type providerData struct {
	Client *graph.Client

	// TenantID is the tenant the provider signs in to, as configured
	// (tenant_id or ARM_TENANT_ID: a GUID or a domain name of the tenant);
	// "" when not set, which Azure CLI and managed identity allow.
	TenantID string

	// DefaultRedirectURL is default_redirect_url from the provider block ("" if unset).
	DefaultRedirectURL string
	// DefaultSendInvitationMessage is default_send_invitation_message (nil if unset).
	DefaultSendInvitationMessage *bool
	// ReadSignInActivity is read_sign_in_activity: the Graph client selects
	// signInActivity, and the stale-guest filters that need it may be used.
	ReadSignInActivity bool
	// UnknownConfig names the provider block attributes that were unknown
	// at Configure time (values computed during apply). Client is nil then:
	// call requireClient before using it, so plans still work.
	UnknownConfig []string

	// checks holds the plan-time existence checks of groups and sponsors,
	// so that a thousand guests in one group cost one look-up per
	// Terraform command, not one per guest, even when Terraform plans them
	// all at once.
	checks objectChecks

	// addresses serialises, per email address, the creates, adoptions and
	// email changes of this provider process (one Terraform command), and
	// remembers which user each of them gave its address to, so two
	// resources with one address never both invite (see
	// guest_user_resource_safety.go).
	addresses addressGuard

	// admission caches the plan-time admission check's policy reads and
	// tenant look-ups (see guest_user_resource_admission.go).
	admission admissionCache

	// now is the provider's clock (provider.WithClock); nil means time.Now.
	now func() time.Time
}

// clock returns the current time by the provider's clock.
func (d *providerData) clock() time.Time {
	if d == nil || d.now == nil {
		return time.Now()
	}
	return d.now()
}

// objectCheckTimeout bounds a shared existence look-up. The look-up runs
// on a context of its own (see check), so something other than its callers
// must end it; a minute is far more than one GET takes, and a look-up that
// times out only turns into the warning that apply checks again.
const objectCheckTimeout = time.Minute

// objectChecks shares existence look-ups by key (kind and lower-cased ID)
// among concurrent callers with singleflight, and remembers positive
// answers for the life of the provider process. Only "exists" is kept: a
// missing object or a failed look-up is looked up again next time, since
// the group may be created or the network may recover before the next plan
// step. The zero value is ready to use.
type objectChecks struct {
	flight singleflight.Group
	exists sync.Map // key -> struct{}
	// timeout bounds one shared look-up; zero means objectCheckTimeout.
	timeout time.Duration
}

// check runs look once for key among concurrent callers. Each caller waits
// only as long as its own ctx allows: one whose ctx ends gets ctx.Err()
// while the others keep waiting for the answer. The look-up therefore runs
// on a context that keeps the first caller's values (the tflog logger) but
// not its cancellation, bounded by the timeout, so that the caller which
// happened to start it cannot cancel it for everyone else.
func (o *objectChecks) check(ctx context.Context, key string, look func(context.Context) (bool, error)) (bool, error) {
	if _, ok := o.exists.Load(key); ok {
		return true, nil
	}
	ch := o.flight.DoChan(key, func() (any, error) {
		// A flight that ended between the Load above and DoChan may have
		// stored the answer already.
		if _, ok := o.exists.Load(key); ok {
			return true, nil
		}
		timeout := o.timeout
		if timeout <= 0 {
			timeout = objectCheckTimeout
		}
		shared, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		exists, err := look(shared)
		if err == nil && exists {
			o.exists.Store(key, struct{}{})
		}
		return exists, err
	})
	select {
	case <-ctx.Done():
		return false, ctx.Err()
	case r := <-ch:
		exists, _ := r.Val.(bool)
		return exists, r.Err
	}
}

// checkObject runs look once for key among concurrent callers and
// remembers a positive answer for the life of the provider process (see
// objectChecks.check).
func (d *providerData) checkObject(ctx context.Context, key string, look func(context.Context) (bool, error)) (bool, error) {
	return d.checks.check(ctx, key, look)
}
