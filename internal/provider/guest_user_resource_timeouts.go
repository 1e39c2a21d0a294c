package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

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

func (r *guestUserResource) client() (*graph.Client, diag.Diagnostics) {
	return r.data.requireClient()
}
