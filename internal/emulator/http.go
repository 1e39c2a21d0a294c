package emulator

import (
	"net/http"
	"strings"
)

// routes wires the three faces of the emulator onto one mux: the
// identity platform (/{tenant}/...), Graph (/v1.0/...) and the control
// API (/_emulator/...).
func (s *Server) routes() http.Handler {
	g := http.NewServeMux()
	s.handle(g, "GET /users", readPerms, (*call).listUsers)
	s.handle(g, "GET /users/$count", readPerms, (*call).countUsers)
	s.handle(g, "GET /users/{id}", readPerms, (*call).getUser)
	s.handle(g, "PATCH /users/{id}", writePerms, (*call).patchUser)
	s.handle(g, "DELETE /users/{id}", deletePerms, (*call).deleteUser)
	s.handle(g, "POST /invitations", invitePerms, (*call).postInvitation)
	s.handle(g, "GET /directory/deletedItems", readPerms, (*call).listDeletedUncast)
	s.handle(g, "GET /directory/deletedItems/microsoft.graph.user", readPerms, (*call).listDeletedUsers)
	s.handle(g, "GET /directory/deletedItems/{id}", readPerms, (*call).getDeleted)
	s.handle(g, "DELETE /directory/deletedItems/{id}", deletePerms, (*call).purgeDeleted)
	s.handle(g, "POST /directory/deletedItems/{id}/restore", deletePerms, (*call).restoreDeleted)
	s.handle(g, "GET /groups/{id}/members", memberPerms, (*call).listGroupMembers)
	s.handle(g, "GET /groups/{id}/members/microsoft.graph.user", memberPerms, (*call).listGroupMemberUsers)
	s.handle(g, "GET /groups/{id}", groupReadPerms, (*call).getGroup)
	s.handle(g, "POST /groups/{id}/members/$ref", memberWritePerms, (*call).addGroupMember)
	s.handle(g, "DELETE /groups/{id}/members/{memberId}/$ref", memberWritePerms, (*call).removeGroupMember)
	s.handle(g, "GET /users/{id}/memberOf", memberOfPerms, (*call).listMemberOf)
	s.handle(g, "GET /users/{id}/memberOf/microsoft.graph.group", memberOfPerms, (*call).listMemberOf)
	// msgraph-sdk-go's request builder addresses the cast by its alias;
	// Graph serves both, and both count as the documented form.
	g.HandleFunc("GET /users/{id}/memberOf/graph.group", func(w http.ResponseWriter, r *http.Request) {
		s.serveGraph("GET /v1.0/users/{id}/memberOf/microsoft.graph.group", memberOfPerms, (*call).listMemberOf, w, r)
	})
	s.handle(g, "GET /users/{id}/sponsors", sponsorReadPerms, (*call).listSponsors)
	s.handle(g, "POST /users/{id}/sponsors/$ref", sponsorWritePerms, (*call).addSponsor)
	s.handle(g, "DELETE /users/{id}/sponsors/{sponsorId}/$ref", sponsorWritePerms, (*call).removeSponsor)
	s.externalCollabRoutes(g) // authorizationPolicy, tenantRelationships (tenants.go)
	s.crossTenantRoutes(g)
	g.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if routedForOtherMethod(g, r) {
			s.serveGraph(r.Method+" /v1.0/{unknown}", nil, (*call).wrongMethod, w, r)
			return
		}
		s.serveGraph(r.Method+" /v1.0/{unknown}", nil, (*call).unknownPath, w, r)
	})
	// $batch items are served by g itself; the batch endpoint is on an
	// outer mux so that a batch cannot contain a batch.
	outer := http.NewServeMux()
	s.handle(outer, "POST /$batch", nil, s.batchHandler(g))
	outer.Handle("/", g)

	graphH := s.countStatus(http.StripPrefix("/v1.0", outer))
	ctl := http.NewServeMux()
	s.controlRoutes(ctl)
	mux := http.NewServeMux()

	id := func(pattern string, h http.HandlerFunc) {
		method, path, _ := strings.Cut(pattern, " ")
		key := method + " " + path
		mux.Handle(pattern, s.countStatus(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.count(key)
			h(w, r)
		})))
	}
	id("GET /{tenant}/v2.0/.well-known/openid-configuration", s.handleOpenIDConfig)
	id("GET /{tenant}/discovery/v2.0/keys", s.handleTokenKeys)
	id("POST /{tenant}/oauth2/v2.0/token", s.handleToken)
	id("GET /common/discovery/instance", s.handleInstanceDiscovery)
	id("GET /federation/.well-known/openid-configuration", s.handleFederationConfig)
	id("GET /federation/keys", s.handleFederationKeys)
	id("GET /_msi/token", s.handleMSI)
	// Dispatch by prefix first: the identity patterns start with a
	// wildcard tenant segment, which ServeMux cannot rank against /v1.0/.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/v1.0/") || r.URL.Path == "/v1.0":
			graphH.ServeHTTP(w, r)
		case strings.HasPrefix(r.URL.Path, "/_emulator/"):
			ctl.ServeHTTP(w, r)
		default:
			mux.ServeHTTP(w, r)
		}
	})
}

// routedForOtherMethod reports whether g serves r's path with another
// method, so the request names a resource that exists and the method is
// what is wrong.
func routedForOtherMethod(g *http.ServeMux, r *http.Request) bool {
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := g.Handler(probe); pattern != "" && pattern != "/" {
			return true
		}
	}
	return false
}

// wrongMethod answers a method a Graph route does not serve, as Graph does.
func (c *call) wrongMethod() {
	c.graphError(http.StatusMethodNotAllowed, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
}

func (c *call) unknownPath() {
	seg := strings.Trim(c.r.URL.Path, "/")
	first, _, _ := strings.Cut(seg, "/")
	switch first {
	case "users", "invitations", "directory", "groups", "$batch":
		c.wrongMethod()
	default:
		c.graphError(http.StatusBadRequest, "BadRequest", "Resource not found for the segment '"+first+"'.")
	}
}
