package emulator

import (
	"net/http"
	"sort"
	"strings"
)

// Deleted items: https://learn.microsoft.com/graph/api/directory-deleteditems-get,
// directory-deleteditems-delete, directory-deleteditems-restore and
// directory-deleteditems-list. Users stay restorable for 30 days in Entra;
// the emulator keeps them until purged.

var deletedDefaultProps = append(append([]string{}, defaultUserProps...), "deletedDateTime")

func deletedJSON(u *user, sel []string) map[string]any {
	if sel == nil {
		sel = deletedDefaultProps
	}
	out := userJSON(u, sel)
	out["@odata.type"] = "#microsoft.graph.user"
	return out
}

// directoryObjectProp resolves a $select name against the properties the
// directoryObject type declares: deletedDateTime and id
// (https://learn.microsoft.com/graph/api/resources/directoryobject#properties).
func directoryObjectProp(f string) (string, bool) {
	for _, p := range []string{"id", "deletedDateTime"} {
		if strings.EqualFold(f, p) {
			return p, true
		}
	}
	return "", false
}

// getDeleted serves GET /directory/deletedItems/{object-id}. The page
// documents the answer as a directoryObject and shows the object's
// default properties without any $select
// (https://learn.microsoft.com/graph/api/directory-deleteditems-get); the
// item URL is not cast, so a strict OData reading takes $select names of
// directoryObject only (id, deletedDateTime) and refuses a user property
// as it would on any directoryObject, with Graph's "Could not find a
// property" 400. Real Graph is laxer and returns selected user
// properties; the emulator holds to the page so that a client relying on
// that fails here first. Without $select the answer is the user's
// default properties, deletedDateTime and @odata.type, as the page's and
// directoryobject-get's examples show
// (https://learn.microsoft.com/graph/api/directoryobject-get).
func (c *call) getDeleted() {
	sel, ok := c.parseSelectOf("directoryObject", directoryObjectProp)
	if !ok {
		return
	}
	id := c.r.PathValue("id")
	c.s.mu.Lock()
	u := c.s.st.Deleted[id]
	var out map[string]any
	if u != nil {
		out = deletedJSON(u, sel)
		c.s.addUnaskedLocked(u, out)
	}
	c.s.mu.Unlock()
	if u == nil {
		c.notFound(id)
		return
	}
	out["@odata.context"] = c.s.url + "/v1.0/$metadata#directoryObjects/$entity"
	writeJSON(c.w, http.StatusOK, out)
}

// listDeletedUncast answers GET /directory/deletedItems: the list page
// says "The OData cast type is a required part of the URI and calling
// GET /directory/deleteditems without a type is not supported"
// (https://learn.microsoft.com/graph/api/directory-deleteditems-list).
// Graph's wording is not documented; the emulator's names the cast.
func (c *call) listDeletedUncast() {
	c.badRequest("Listing deleted items needs the OData cast of the type to list, e.g. /directory/deletedItems/microsoft.graph.user.")
}

func (c *call) listDeletedUsers() {
	sel, ok := c.parseSelect()
	if !ok {
		return
	}
	c.s.mu.Lock()
	page := []map[string]any{}
	for _, u := range sortUsers(c.s.st.Deleted) {
		page = append(page, deletedJSON(u, sel))
	}
	c.s.mu.Unlock()
	writeJSON(c.w, http.StatusOK, map[string]any{
		"@odata.context": c.s.url + "/v1.0/$metadata#directoryObjects/microsoft.graph.user",
		"value":          page,
	})
}

func (c *call) purgeDeleted() {
	id := c.r.PathValue("id")
	c.s.mu.Lock()
	_, ok := c.s.st.Deleted[id]
	if ok {
		delete(c.s.st.Deleted, id)
		c.s.saveLocked()
	}
	c.s.mu.Unlock()
	if !ok {
		c.notFound(id)
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

func (c *call) restoreDeleted() {
	id := c.r.PathValue("id")
	c.s.mu.Lock()
	u := c.s.st.Deleted[id]
	if u == nil {
		c.s.mu.Unlock()
		c.notFound(id)
		return
	}
	upn, _ := u.Props["userPrincipalName"].(string)
	if c.s.findUserLocked(upn) != nil {
		c.s.mu.Unlock()
		c.badRequest("Another object with the same value for property userPrincipalName already exists.")
		return
	}
	delete(c.s.st.Deleted, id)
	delete(c.s.st.Lagging, id)
	u.Props["deletedDateTime"] = nil
	u.VisibleAt = c.s.now()
	c.s.st.Users[id] = u
	out := deletedJSON(u, nil)
	c.s.saveLocked()
	c.s.mu.Unlock()
	out["@odata.context"] = c.s.url + "/v1.0/$metadata#directoryObjects/$entity"
	writeJSON(c.w, http.StatusOK, out)
}

// Replication after a delete. Entra's directory is eventually consistent:
// a write is accepted by one replica and copied to the others
// asynchronously, and "a read request to not return the latest data for
// entities that have been recently updated" is normal during that window
// (https://devblogs.microsoft.com/identity/designing-for-eventual-consistency-for-microsoft-entra/).
// Graph's user-delete page documents only the 204
// (https://learn.microsoft.com/graph/api/user-delete); nothing documents
// which requests see a delete first, so the emulator takes the case a
// client must survive and a real replica can show, every read behind the
// delete for DeleteReplicationLag:
//
//   - GET /users/{id} answers 200 with the user as it was before the delete;
//   - GET /users (any $filter, e.g. by mail or otherMails, paging) and
//     GET /users/$count still include it; advanced queries too, whose
//     index is documented to lag ("eventually consistent",
//     https://learn.microsoft.com/graph/aad-advanced-queries);
//   - the deleted item is readable at once (GET /directory/deletedItems,
//     purge, restore): the write that created it is the delete itself.
//
// Writes see the delete: PATCH and a second DELETE answer 404, as do
// group-member and sponsor $ref writes naming the user and the reads of
// its memberOf and sponsors (the links went with the delete, and a read
// that lands on an up-to-date replica finds none). POST /invitations for
// the user's address invites a new user, as it does for an address whose
// invited user has not replicated yet: the emulator serves every write
// from the primary copy. A restore ends the lag at once (the user is
// live again); a purge does not (a replica that has not seen the delete
// has not seen the purge either).

// keepLaggingLocked keeps a copy of u as it is before its delete, for the
// reads behind the delete. A user not yet readable (invited within
// ReplicationLag) gets none: no replica served it.
func (s *Server) keepLaggingLocked(u *user) {
	if s.deleteLag <= 0 || !s.visibleLocked(u) {
		return
	}
	g := &user{Seq: u.Seq, Props: copyProps(u.Props), VisibleAt: u.VisibleAt, LinkableAt: u.LinkableAt, GoneAt: s.now().Add(s.deleteLag)}
	s.st.Lagging[u.id()] = g
}

// laggingUserLocked finds, by object ID or userPrincipalName, a deleted
// user that reads behind its delete still return.
func (s *Server) laggingUserLocked(key string) *user {
	for _, g := range s.laggingUsersLocked() {
		upn, _ := g.Props["userPrincipalName"].(string)
		if strings.EqualFold(g.id(), key) || strings.EqualFold(upn, key) {
			return g
		}
	}
	return nil
}

// laggingUsersLocked returns the deleted users that reads still return,
// oldest first, and forgets those whose lag has passed.
func (s *Server) laggingUsersLocked() []*user {
	if len(s.st.Lagging) == 0 {
		return nil
	}
	now := s.now()
	for id, g := range s.st.Lagging {
		if !now.Before(g.GoneAt) {
			delete(s.st.Lagging, id)
		}
	}
	return sortUsers(s.st.Lagging)
}

// readableLocked finds a user as a read (GET /users/{id}) sees it: a live
// user that replication has made readable, or one deleted within
// DeleteReplicationLag.
func (s *Server) readableLocked(key string) *user {
	if u := s.getVisibleLocked(key); u != nil {
		return u
	}
	return s.laggingUserLocked(key)
}

// listedUsersLocked are the candidates of GET /users and $count: the live
// users and the deleted ones reads still return, in creation order.
func (s *Server) listedUsersLocked() []*user {
	live := s.sortedUsersLocked()
	lagging := s.laggingUsersLocked()
	if len(lagging) == 0 {
		return live
	}
	out := append(live, lagging...)
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}
