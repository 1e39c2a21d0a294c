// Package emulator is a faithful stand-in for the Microsoft identity platform
// (login.microsoftonline.com) and the Microsoft Graph v1.0 endpoints the
// provider uses, served over TLS on 127.0.0.1. It is used in-process by Go
// tests and as a standalone process (internal/cmd/b2b-emulator) by the demo.
//
// CONTRACT FILE: the exported API below is what the rest of the project
// (acceptance-test harness, demo, benchmarks) programs against.
package emulator

import (
	"time"
)

// Permission names used by the emulator's authorization model. They are
// the real Microsoft Graph application permission names.
const (
	PermUserInviteAll           = "User.Invite.All"
	PermUserReadAll             = "User.Read.All"
	PermUserReadWriteAll        = "User.ReadWrite.All"
	PermDirectoryReadAll        = "Directory.Read.All"
	PermDirectoryReadWriteAll   = "Directory.ReadWrite.All"
	PermGroupMemberReadWriteAll = "GroupMember.ReadWrite.All"
	PermUserDeleteRestoreAll    = "User.DeleteRestore.All"
	PermGroupMemberReadAll      = "GroupMember.Read.All"
	PermGroupReadAll            = "Group.Read.All"
	PermGroupReadWriteAll       = "Group.ReadWrite.All"
	PermPolicyReadAll           = "Policy.Read.All"
	// PermPolicyReadWriteCrossTenantAccess writes cross-tenant access settings.
	PermPolicyReadWriteCrossTenantAccess = "Policy.ReadWrite.CrossTenantAccess"
)

// Permissions of the external collaboration settings and the tenant
// look-up (authorization_policy.go, tenants.go).
const (
	PermPolicyReadWriteAuthorization       = "Policy.ReadWrite.Authorization"
	PermCrossTenantInformationReadBasicAll = "CrossTenantInformation.ReadBasic.All"
)

// App is an app registration (service principal) known to the emulator's
// token endpoint, with the application permissions granted to it.
type App struct {
	ClientID    string
	Secret      string   // client secret; empty = none
	CertPEM     []byte   // optional certificate (PEM) for client assertion auth
	Permissions []string // application permissions (roles claim)
	// FederatedSubject, when set, lets client_assertion JWTs signed by the
	// emulator's own OIDC issuer (see Server.IssueFederatedToken) authenticate.
	FederatedSubject string
	// SecretExpired: the secret is right but past its end date, which the
	// identity platform refuses with AADSTS7000222
	// (https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
	SecretExpired bool
}

// Options configures a Server.
type Options struct {
	// Addr to listen on; default "127.0.0.1:0".
	Addr string
	// CA signs the server certificate. Nil: a fresh CA is generated.
	// Tests share one CA per process because Go loads the system pool
	// (SSL_CERT_FILE) once per process.
	CA *CA
	// TenantID of the single tenant; default a random GUID.
	TenantID string
	// TenantDomain is the initial domain, e.g. "contoso.onmicrosoft.com".
	TenantDomain string
	// Apps registered at start; if empty, one app with a secret and
	// User.Invite.All + User.ReadWrite.All is created (see DefaultApp).
	Apps []App
	// ReplicationLag: a newly invited user is not readable by GET for this long.
	ReplicationLag time.Duration
	// LinkReplicationLag: once readable, a newly invited user still answers
	// 404 to member and sponsor $ref writes, and to reads of its memberOf
	// and sponsors, for this long. Graph serves requests from different
	// replicas, which is why adding a just-created user to a group can fail
	// after a GET already found it.
	LinkReplicationLag time.Duration
	// DeleteReplicationLag: after a user is deleted (DELETE /users/{id},
	// or out of band), reads served by replicas behind the delete still
	// find it for this long: GET /users/{id} answers 200 with the user as
	// it was, and user lists, $filter results and $count still include
	// it, while writes see the delete (deleted.go, laggingDelete).
	DeleteReplicationLag time.Duration
	// StateFile, when set, is loaded at start and written after each change
	// (mode 0600). It also keeps the tenant and the apps, which are restored
	// when TenantID or Apps are not set explicitly.
	StateFile string
	// TokenLifetime of issued access tokens; default 1h.
	TokenLifetime time.Duration
	// InvitationLimit is Graph's invitation throttle (per tenant); zero
	// value means the default 150 per 5s; Disabled turns it off.
	InvitationLimit RateLimit
	// Clock is the emulator's time source; nil means the wall clock.
	// Tests pass a FakeClock to move time without sleeping.
	Clock Clock
	// FaultSeed seeds the random draws of fault injection (Faults), so a
	// failing run can be replayed; 0 means a seed drawn at start, which
	// Server.FaultSeed reports.
	FaultSeed uint64
	// Latitude makes the emulator take, where Graph's docs leave Graph a
	// choice in a successful answer, the one least convenient for a client
	// (latitude.go). The zero value keeps the convenient defaults.
	Latitude Latitude
}

// RateLimit is N requests per Window.
type RateLimit struct {
	N        int
	Window   time.Duration
	Disabled bool
}

// Faults are injected into Graph (not token or control) requests.
type Faults struct {
	Latency         time.Duration // added to every request
	Rate429         float64       // probability of a 429 with Retry-After
	Rate503         float64       // probability of a 503
	RateDrop        float64       // probability the connection is dropped without response
	DropAfterActing bool          // when dropping, act first (e.g. create the invitation) then drop
	RetryAfter      time.Duration // Retry-After on injected 429/503; default 1s
	// Routes limits the faults to these request keys, as Counters names
	// them (e.g. "POST /v1.0/invitations", "POST /v1.0/$batch"); empty
	// means every Graph request.
	Routes []string
	// Limit stops injecting 429/503 after this many (0: no limit). With
	// Rate429 or Rate503 at 1 and Limit 1 the first request is refused and
	// its retry is served: a deterministic throttle for tests.
	Limit int
	// RetryAfterValue, when set, is sent verbatim as the Retry-After of
	// injected 429/503 (and gateway) answers instead of RetryAfter's
	// seconds: an HTTP date, which RFC 9110 section 10.2.3 allows, or a
	// value no client should trust ("-5", "1e30", "soon"); "none" sends no
	// Retry-After at all, which https://learn.microsoft.com/graph/throttling
	// documents ("If no Retry-After header is provided", back off
	// exponentially).
	RetryAfterValue string
	// RateGateway is the probability that a proxy or gateway in front of
	// Graph answers instead of Graph (see GatewayFault).
	RateGateway float64
	// Gateway shapes that answer; Routes and Limit apply to it as to
	// Rate429 and Rate503.
	Gateway GatewayFault
	// RateToken is the probability that the token endpoint's request is
	// answered by Token instead (a gateway's 503 page, a 504): the identity
	// platform, or a proxy before it, failing rather than refusing the
	// credentials. Graph faults never touch the token endpoint otherwise.
	RateToken float64
	Token     GatewayFault
	// Seed, when not 0, restarts the fault draws from this seed, so the
	// same seed and the same requests in the same order meet the same
	// faults. 0 continues the current sequence (seeded by
	// Options.FaultSeed), so knobs can be changed without repeating it.
	Seed uint64
}

// GatewayFault is an answer from something between the client and Graph:
// a corporate proxy or a gateway. Graph's error page
// (https://learn.microsoft.com/graph/errors) lists 502 and 504 ("the server,
// while acting as a proxy, didn't receive a timely response from the
// upstream server"); such answers rarely carry Graph's JSON envelope.
type GatewayFault struct {
	// Status is the HTTP status; 0 means 502. 407 adds a
	// Proxy-Authenticate header, 429 and 503 a Retry-After. A 2xx with
	// GatewayBodyEmpty is a proxy that passes Graph's status on and drops
	// the body.
	Status int
	// Body is one of GatewayBodyHTML (the default), GatewayBodyEmpty,
	// GatewayBodyTruncated, GatewayBodyNoMessage or GatewayBodyInnerErrorLower.
	Body string
	// AfterActing serves the request first and answers the gateway error
	// in place of Graph's answer, as a gateway that timed out while Graph
	// was creating the invitation does.
	AfterActing bool
}

// The bodies a GatewayFault can answer with.
const (
	GatewayBodyHTML            = "html"       // text/html error page
	GatewayBodyEmpty           = "empty"      // no body, no Content-Type
	GatewayBodyTruncated       = "truncated"  // Graph's envelope cut short, as application/json
	GatewayBodyNoMessage       = "no-message" // Graph's envelope without error.message
	GatewayBodyInnerErrorLower = "innererror" // Graph's envelope spelling innererror in lower case
)

// Counters counts requests by "METHOD /path-template", e.g.
// "POST /v1.0/invitations", "GET /v1.0/users/{id}", "POST /v1.0/$batch",
// and status codes by "429" etc. under the key "status:429".
// Each $batch item is counted under its own template and status as well
// as the batch itself. Identity requests count too, e.g.
// "POST /{tenant}/oauth2/v2.0/token"; control API requests do not.
// A $batch item is also counted under BatchItemCounterPrefix + its
// template, so the requests that crossed the wire are the difference.
type Counters map[string]int

// BatchItemCounterPrefix marks the Counters keys that count $batch items
// only, e.g. "batch-item:GET /v1.0/users/{id}".
const BatchItemCounterPrefix = "batch-item:"
