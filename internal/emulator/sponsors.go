package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Sponsors of a user: https://learn.microsoft.com/graph/api/user-list-sponsors,
// user-post-sponsors and user-delete-sponsors. A sponsor is a user or a
// group.

// maxSponsors is Entra's documented limit: "You can assign a maximum of
// five sponsors to a single guest user"
// (https://learn.microsoft.com/entra/external-id/b2b-sponsors).
const maxSponsors = 5

var (
	// sponsorReadPerms: application User.Read.All (least) and
	// User.ReadWrite.All (https://learn.microsoft.com/graph/api/user-list-sponsors#permissions).
	// Directory.* are not listed there, so the emulator refuses them alone.
	sponsorReadPerms = []string{PermUserReadAll, PermUserReadWriteAll}
	// sponsorWritePerms: application User.ReadWrite.All (least) and
	// Directory.ReadWrite.All (https://learn.microsoft.com/graph/api/user-post-sponsors#permissions,
	// https://learn.microsoft.com/graph/api/user-delete-sponsors#permissions).
	sponsorWritePerms = []string{PermUserReadWriteAll, PermDirectoryReadWriteAll}
)

// AddSponsor makes sponsorID (a user or a group) a sponsor of userID out
// of band; no-op if it already is one. Replication lag does not apply.
func (s *Server) AddSponsor(userID, sponsorID string) error {
	return s.link(userSponsors, userID, sponsorID)
}

// RemoveSponsor removes a sponsor out of band; ErrNotFound when the user
// is unknown or sponsorID is not one of its sponsors.
func (s *Server) RemoveSponsor(userID, sponsorID string) error {
	return s.unlink(userSponsors, userID, sponsorID)
}

// SponsorIDs returns the object IDs of a live user's sponsors in the order
// they were added.
func (s *Server) SponsorIDs(userID string) ([]string, error) {
	return s.linkedIDs(userSponsors, userID)
}

// parseDirectoryObjectSelect accepts user and group property names, as
// $select on a directoryObject collection does.
func (c *call) parseDirectoryObjectSelect() ([]string, bool) {
	return c.parseSelectOf("directoryObject", func(f string) (string, bool) {
		if name, ok := knownProp(f); ok {
			return name, true
		}
		return groupProp(f)
	})
}

func (c *call) listSponsors() {
	sel, ok := c.parseDirectoryObjectSelect()
	if !ok {
		return
	}
	top, after, ok := c.linkPageParams("sponsors", false)
	if !ok {
		return
	}
	// Without a group read permission, group sponsors come back with id
	// and @odata.type only ("limited information" on user-list-sponsors).
	canReadGroups := c.hasAnyRole(groupReadPerms)
	uid := c.r.PathValue("id")
	u, ok := c.lockUser(uid, (*Server).getLinkableLocked)
	if !ok {
		return
	}
	s := c.s
	page := []map[string]any{}
	more := false
	var last int64
	// Positions (1-based) in the sponsor list serve as skip-token sequence.
	for i, sid := range u.Sponsors {
		pos := int64(i + 1)
		if pos <= after {
			continue
		}
		var item map[string]any
		if su := s.st.Users[sid]; su != nil {
			item = sponsorUserJSON(su, sel)
			s.addUnaskedLocked(su, item)
		} else if g := s.st.Groups[sid]; g != nil {
			item = sponsorGroupJSON(g, sel, canReadGroups)
		} else {
			continue
		}
		if len(page) == top {
			more = true
			break
		}
		page = append(page, item)
		last = pos
	}
	id := u.id()
	s.mu.Unlock()
	c.writePage(s.contextURL("directoryObjects", sel), page, "/v1.0/users/"+id+"/sponsors", more, last, -1)
}

// sponsorUserJSON renders a user sponsor. Items of a directoryObject
// collection carry @odata.type, so a client can tell users from groups
// (https://learn.microsoft.com/graph/api/user-list-sponsors#response);
// with $select an item has exactly the selected properties its type
// declares (a group property selected alongside is simply absent from a
// user), and id only when selected, as on every $select.
func sponsorUserJSON(u *user, sel []string) map[string]any {
	var out map[string]any
	if sel == nil {
		out = userJSON(u, defaultUserProps)
	} else {
		var props []string
		for _, p := range sel {
			if name, ok := knownProp(p); ok {
				props = append(props, name)
			}
		}
		out = userJSON(u, props)
	}
	out["@odata.type"] = "#microsoft.graph.user"
	return out
}

// sponsorGroupJSON renders a group sponsor like sponsorUserJSON. Without a
// group read permission the caller gets "limited information": the
// properties come back null, @odata.type and id stay
// (https://learn.microsoft.com/graph/api/user-list-sponsors, limited-info).
func sponsorGroupJSON(g *group, sel []string, full bool) map[string]any {
	var out map[string]any
	if sel == nil {
		out = groupJSON(g, nil)
	} else {
		var props []string
		for _, p := range sel {
			if slices.Contains(groupProps, p) {
				props = append(props, p)
			}
		}
		out = groupJSON(g, props)
	}
	if !full {
		for k := range out {
			out[k] = nil
		}
		out["id"] = g.ID
	}
	out["@odata.type"] = "#microsoft.graph.group"
	return out
}

func (c *call) addSponsor() {
	uid := c.r.PathValue("id")
	ref, ok := c.parseRef()
	if !ok {
		return
	}
	// Add sponsor takes "the read URL of the user or group object to be
	// added" and shows only /users/{id} and /groups/{id}
	// (https://learn.microsoft.com/graph/api/user-post-sponsors#request-body),
	// unlike Add member, whose example is /directoryObjects/{id}
	// (https://learn.microsoft.com/graph/api/group-post-members#request-body).
	// A client written from the page sends one of the two; the emulator
	// refuses the generic form so a provider relying on it fails here
	// rather than against a Graph that holds to the page. The wording is
	// the emulator's: Graph documents none.
	if ref.set != "users" && ref.set != "groups" {
		c.badRequest(fmt.Sprintf("Invalid @odata.id for a sponsor: use the read URL of the user or group object (.../users/%[1]s or .../groups/%[1]s), not .../%[2]s/%[1]s.", ref.id, ref.set))
		return
	}
	u, ok := c.lockUser(uid, (*Server).getLinkableLocked)
	if !ok {
		return
	}
	s := c.s
	// The sponsor must be a user or a group that replication has made
	// visible; the URL's entity set narrows which. A URL whose set is not
	// the object's (/users/ naming a group, /groups/ naming a user) is not
	// the object's read URL, so it is refused, not looked up elsewhere:
	// the page documents no answer to it, and a client must not rely on
	// one, such as a 404 to learn the kind (the wording is the emulator's).
	var found, otherSet bool
	if ref.set == "users" {
		found = s.getVisibleLocked(ref.id) != nil
		otherSet = !found && s.st.Groups[ref.id] != nil
	} else {
		found = s.st.Groups[ref.id] != nil
		otherSet = !found && s.getVisibleLocked(ref.id) != nil
	}
	switch {
	case otherSet:
		s.mu.Unlock()
		c.badRequest(fmt.Sprintf("Invalid @odata.id for a sponsor: %s is not a %s; use the object's own read URL (.../users/{id} for a user, .../groups/{id} for a group).", ref.id, strings.TrimSuffix(ref.set, "s")))
	case !found:
		s.mu.Unlock()
		c.notFound(ref.id)
	case containsID(u.Sponsors, ref.id):
		s.mu.Unlock()
		c.alreadyExists("sponsors")
	case len(u.Sponsors) >= maxSponsors:
		s.mu.Unlock()
		// Graph's exact wording for this case is not documented.
		c.badRequest(fmt.Sprintf("A user can have at most %d sponsors.", maxSponsors))
	default:
		u.Sponsors = append(u.Sponsors, ref.id)
		s.saveLocked()
		s.mu.Unlock()
		c.w.WriteHeader(http.StatusNoContent)
	}
}

func (c *call) removeSponsor() {
	uid, sid := c.r.PathValue("id"), strings.ToLower(c.r.PathValue("sponsorId"))
	u, ok := c.lockUser(uid, (*Server).getVisibleLocked)
	if !ok {
		return
	}
	s := c.s
	removed := removeID(&u.Sponsors, sid)
	if removed {
		s.saveLocked()
	}
	s.mu.Unlock()
	if !removed {
		c.notFound(sid)
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}
