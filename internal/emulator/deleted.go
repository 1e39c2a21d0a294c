package emulator

import (
	"net/http"
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

func (c *call) getDeleted() {
	sel, ok := c.parseSelect()
	if !ok {
		return
	}
	id := c.r.PathValue("id")
	c.s.mu.Lock()
	u := c.s.st.Deleted[id]
	var out map[string]any
	if u != nil {
		out = deletedJSON(u, sel)
	}
	c.s.mu.Unlock()
	if u == nil {
		c.notFound(id)
		return
	}
	out["@odata.context"] = c.s.url + "/v1.0/$metadata#directoryObjects/$entity"
	writeJSON(c.w, http.StatusOK, out)
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
	u.Props["deletedDateTime"] = nil
	u.VisibleAt = c.s.now()
	c.s.st.Users[id] = u
	out := deletedJSON(u, nil)
	c.s.saveLocked()
	c.s.mu.Unlock()
	out["@odata.context"] = c.s.url + "/v1.0/$metadata#directoryObjects/$entity"
	writeJSON(c.w, http.StatusOK, out)
}
