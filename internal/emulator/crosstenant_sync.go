package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// The partner's cross-tenant user synchronization policy
// (https://learn.microsoft.com/graph/api/resources/crosstenantidentitysyncpolicypartner):
// a child of the partner configuration with its own methods. PUT creates
// or replaces it (https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationpartner-put-identitysynchronization),
// GET reads it, PATCH updates it
// (https://learn.microsoft.com/graph/api/crosstenantidentitysyncpolicypartner-update)
// and DELETE removes it
// (https://learn.microsoft.com/graph/api/crosstenantidentitysyncpolicypartner-delete).
// Its partner must exist: the path goes through it.

func (c *call) syncNotFound(id string) {
	c.graphError(http.StatusNotFound, "Request_ResourceNotFound",
		fmt.Sprintf("No identity synchronization policy exists for partner tenant '%s'.", id))
}

// applySyncBody applies a PUT or PATCH body to a copy of cur.
func applySyncBody(cur ctIdentitySync, body []byte) (*ctIdentitySync, error) {
	m, err := parseBody(body)
	if err != nil {
		return nil, err
	}
	out := cur
	for _, name := range sortedKeys(m) {
		raw := m[name]
		switch name {
		case "tenantId":
			// Read-only; the key comes from the path.
		case "displayName":
			var v *string
			if err := decodeStrict(name, raw, &v); err != nil {
				return nil, err
			}
			out.DisplayName = v
		case "userSyncInbound":
			var v *ctUserSyncInbound
			if err := decodeStrict(name, raw, &v); err != nil {
				return nil, err
			}
			out.UserSyncInbound = v
		default:
			return nil, unknownProperty(name, "crossTenantIdentitySyncPolicyPartner")
		}
	}
	return &out, nil
}

func (c *call) getIdentitySync() {
	id := c.partnerID()
	c.s.mu.Lock()
	_, hasPartner := c.s.st.CrossTenant.Partners[id]
	p, ok := c.s.st.CrossTenant.Sync[id]
	var cp ctIdentitySync
	if ok {
		cp = *p
	}
	c.s.mu.Unlock()
	switch {
	case !hasPartner:
		c.partnerNotFound(id)
	case !ok:
		c.syncNotFound(id)
	default:
		c.writeCT(http.StatusOK, "policies/crossTenantAccessPolicy/partners('"+id+"')/identitySynchronization/$entity", &cp)
	}
}

// putIdentitySync creates or replaces the policy (204 No Content).
func (c *call) putIdentitySync() {
	c.writeIdentitySync(true)
}

// patchIdentitySync updates an existing policy (204 No Content).
func (c *call) patchIdentitySync() {
	c.writeIdentitySync(false)
}

func (c *call) writeIdentitySync(replace bool) {
	id := c.partnerID()
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if _, ok := c.s.st.CrossTenant.Partners[id]; !ok {
		c.partnerNotFound(id)
		return
	}
	cur, exists := c.s.st.CrossTenant.Sync[id]
	if !exists && !replace {
		c.syncNotFound(id)
		return
	}
	base := ctIdentitySync{TenantID: id}
	if exists && !replace {
		base = *cur
	}
	next, err := applySyncBody(base, c.body)
	if err != nil {
		c.ctFail(err)
		return
	}
	if next.UserSyncInbound == nil || next.UserSyncInbound.IsSyncAllowed == nil {
		// The resource page marks displayName alone as optional and
		// userSyncInbound as the policy's key setting
		// (https://learn.microsoft.com/graph/api/resources/crosstenantidentitysyncpolicypartner).
		c.ctFail(ctBad("The property 'userSyncInbound' with 'isSyncAllowed' is required."))
		return
	}
	if c.s.st.CrossTenant.Sync == nil {
		c.s.st.CrossTenant.Sync = map[string]*ctIdentitySync{}
	}
	c.s.st.CrossTenant.Sync[id] = next
	c.s.saveLocked()
	c.w.WriteHeader(http.StatusNoContent)
}

func (c *call) deleteIdentitySync() {
	id := c.partnerID()
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if _, ok := c.s.st.CrossTenant.Sync[id]; !ok {
		c.syncNotFound(id)
		return
	}
	delete(c.s.st.CrossTenant.Sync, id)
	c.s.saveLocked()
	c.w.WriteHeader(http.StatusNoContent)
}

// PatchIdentitySync changes a partner's identity synchronization policy
// out of band, as PATCH does.
func (s *Server) PatchIdentitySync(tenantID string, body []byte) error {
	id := strings.ToLower(tenantID)
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.st.CrossTenant.Sync[id]
	if !ok {
		return &ctError{status: http.StatusNotFound, code: "Request_ResourceNotFound", message: "no identity synchronization policy for " + id}
	}
	next, err := applySyncBody(*cur, body)
	if err != nil {
		return err
	}
	s.st.CrossTenant.Sync[id] = next
	s.saveLocked()
	return nil
}

// PutIdentitySync creates or replaces a partner's identity synchronization
// policy out of band (a portal edit), with the body PUT takes.
func (s *Server) PutIdentitySync(tenantID string, body []byte) error {
	id := strings.ToLower(tenantID)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.CrossTenant.Partners[id]; !ok {
		return &ctError{status: http.StatusNotFound, code: "Request_ResourceNotFound", message: "no partner configuration for " + id}
	}
	next, err := applySyncBody(ctIdentitySync{TenantID: id}, body)
	if err != nil {
		return err
	}
	if s.st.CrossTenant.Sync == nil {
		s.st.CrossTenant.Sync = map[string]*ctIdentitySync{}
	}
	s.st.CrossTenant.Sync[id] = next
	s.saveLocked()
	return nil
}

// DeleteIdentitySync removes a partner's identity synchronization policy
// out of band; a missing one is no error.
func (s *Server) DeleteIdentitySync(tenantID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.st.CrossTenant.Sync, strings.ToLower(tenantID))
	s.saveLocked()
}

// IdentitySyncJSON returns a partner's identity synchronization policy as
// GET returns it, and whether it exists.
func (s *Server) IdentitySyncJSON(tenantID string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.st.CrossTenant.Sync[strings.ToLower(tenantID)]
	if !ok {
		return nil, false
	}
	b, _ := json.Marshal(p)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m, true
}
