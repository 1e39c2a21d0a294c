package provider

import "github.com/entra-b2b/terraform-provider-b2b/internal/graph"

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
}
