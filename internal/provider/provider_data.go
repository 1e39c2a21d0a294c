package provider

import (
	"sync"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// providerData is what Configure hands to every resource, data source,
// list resource and action: one shared Graph client plus the provider
// block's invitation defaults.
type providerData struct {
	Client *graph.Client

	// DefaultRedirectURL is default_redirect_url from the provider block ("" if unset).
	DefaultRedirectURL string
	// DefaultSendInvitationMessage is default_send_invitation_message (nil if unset).
	DefaultSendInvitationMessage *bool

	// UnknownConfig names the provider block attributes that were unknown
	// at Configure time (values computed during apply). Client is nil then:
	// call requireClient before using it, so plans still work.
	UnknownConfig []string

	// checks holds the plan-time existence checks of groups and sponsors
	// (*objectCheck by kind and lower-cased ID), so that a thousand guests
	// in one group cost one look-up per Terraform command, not one per
	// guest, even when Terraform plans them all at once. Only "exists" is
	// kept after a check ends: a missing object or a failed look-up is
	// looked up again next time.
	checks sync.Map

	// addresses serialises, per email address, the creates, adoptions and
	// email changes of this provider process (one Terraform command), and
	// remembers which user each of them gave its address to, so two
	// resources with one address never both invite (see
	// guest_user_resource_safety.go).
	addresses addressGuard

	// admission caches the plan-time admission check's policy reads and
	// tenant look-ups (see guest_user_resource_admission.go).
	admission admissionCache
}

// objectCheck is one existence check, shared by the callers that asked
// while it ran.
type objectCheck struct {
	done   chan struct{}
	exists bool
	err    error
}

// checkObject runs look once for key among concurrent callers and
// remembers a positive answer for the life of the provider process.
func (d *providerData) checkObject(key string, look func() (bool, error)) (bool, error) {
	c := &objectCheck{done: make(chan struct{})}
	if prev, loaded := d.checks.LoadOrStore(key, c); loaded {
		if p, ok := prev.(*objectCheck); ok {
			<-p.done
			return p.exists, p.err
		}
	}
	c.exists, c.err = look()
	if !c.exists || c.err != nil {
		d.checks.Delete(key)
	}
	close(c.done)
	return c.exists, c.err
}
