package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Groups, modelled as far as the provider uses them: reading a group
// (https://learn.microsoft.com/graph/api/group-get), listing its user
// members (https://learn.microsoft.com/graph/api/group-list-members),
// adding and removing members by reference
// (https://learn.microsoft.com/graph/api/group-post-members,
// https://learn.microsoft.com/graph/api/group-delete-members) and a user's
// direct memberships (https://learn.microsoft.com/graph/api/user-list-memberof).
// Groups are assigned security groups created out of band (SeedGroup or
// POST /_emulator/groups); their members are users only (no nesting).

type group struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"displayName"`
	Members     []string `json:"members"`
	// Seq orders groups in memberOf pages, as user Seq orders user pages.
	Seq     int64  `json:"seq,omitempty"`
	Created string `json:"createdDateTime,omitempty"`
}

// Group membership read permissions. Listing members needs one of
// memberPerms; member properties beyond id also need a user read
// permission, else Graph returns id and @odata.type only.
var memberPerms = []string{
	PermGroupMemberReadAll, PermGroupReadAll, PermGroupMemberReadWriteAll,
	PermDirectoryReadAll, PermDirectoryReadWriteAll,
}

// groupReadPerms authorize GET /groups/{id}: group-get's application row
// lists GroupMember.Read.All, Group.ReadWrite.All, Directory.Read.All,
// Directory.ReadWrite.All and Group.Read.All
// (https://learn.microsoft.com/graph/api/group-get#permissions).
// GroupMember.ReadWrite.All is accepted too: its own description grants
// "list groups, read basic properties" and the shared contract lists it.
var groupReadPerms = []string{
	PermGroupMemberReadAll, PermGroupReadAll, PermGroupMemberReadWriteAll,
	PermGroupReadWriteAll, PermDirectoryReadAll, PermDirectoryReadWriteAll,
}

// memberWritePerms authorize POST/DELETE on members/$ref: least privileged
// GroupMember.ReadWrite.All, higher Directory.ReadWrite.All and
// Group.ReadWrite.All (https://learn.microsoft.com/graph/api/group-post-members#permissions,
// https://learn.microsoft.com/graph/api/group-delete-members#permissions).
var memberWritePerms = []string{PermGroupMemberReadWriteAll, PermGroupReadWriteAll, PermDirectoryReadWriteAll}

// memberOfPerms authorize GET /users/{id}/memberOf. For another user's
// direct memberships the application row lists only Directory.Read.All
// (least) and Directory.ReadWrite.All
// (https://learn.microsoft.com/graph/api/user-list-memberof#permissions),
// so the emulator refuses User.Read.All or GroupMember.Read.All alone.
var memberOfPerms = []string{PermDirectoryReadAll, PermDirectoryReadWriteAll}

// groupProps are the group properties the emulator models, selectable
// with $select and returned by default.
var groupProps = []string{"id", "createdDateTime", "description", "displayName", "groupTypes", "mail", "mailEnabled", "mailNickname", "securityEnabled"}

// groupJSON renders a group; sel nil means every modelled property.
func groupJSON(g *group, sel []string) map[string]any {
	all := map[string]any{
		"id": g.ID, "createdDateTime": nilIfEmpty(g.Created), "description": nil,
		"displayName": g.DisplayName, "groupTypes": []any{}, "mail": nil, "mailEnabled": false,
		"mailNickname": nil, "securityEnabled": true,
	}
	if sel == nil {
		return all
	}
	out := map[string]any{}
	for _, k := range sel {
		out[k] = all[k]
	}
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// parseGroupSelect maps $select names to Graph's spelling for group
// properties; nil means the default set.
func (c *call) parseGroupSelect() ([]string, bool) { return c.parseSelectOf("group", groupProp) }

// groupProp is Graph's spelling of a modelled group property.
func groupProp(name string) (string, bool) {
	for _, p := range groupProps {
		if strings.EqualFold(p, name) {
			return p, true
		}
	}
	return "", false
}

// SeedGroup creates a security group with the given user members and
// returns its object ID.
func (s *Server) SeedGroup(displayName string, memberIDs ...string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Seq++
	g := &group{ID: newGUID(), DisplayName: displayName, Seq: s.st.Seq, Created: formatTime(s.now())}
	if s.st.Groups == nil {
		s.st.Groups = map[string]*group{}
	}
	s.st.Groups[g.ID] = g
	for _, m := range memberIDs {
		if err := s.linkLocked(groupMembers, &g.Members, g.ID, m); err != nil {
			delete(s.st.Groups, g.ID)
			return "", err
		}
	}
	s.saveLocked()
	return g.ID, nil
}

// AddGroupMember adds a user to a group out of band (no-op if already a
// member; replication lag does not apply).
func (s *Server) AddGroupMember(groupID, userID string) error {
	return s.link(groupMembers, groupID, userID)
}

// RemoveGroupMember removes a member from a group out of band; ErrNotFound
// when the group is unknown or the object is not a member.
func (s *Server) RemoveGroupMember(groupID, memberID string) error {
	return s.unlink(groupMembers, groupID, memberID)
}

// GroupMemberIDs returns the object IDs of a group's members in the order
// they were added.
func (s *Server) GroupMemberIDs(groupID string) ([]string, error) {
	return s.linkedIDs(groupMembers, groupID)
}

// DeleteGroup removes a group for good (security groups cannot be
// restored, https://learn.microsoft.com/graph/api/directory-deleteditems-restore),
// including from every sponsor list it was on.
func (s *Server) DeleteGroup(groupID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := strings.ToLower(groupID)
	if s.st.Groups[id] == nil {
		return fmt.Errorf("%w: group %s", ErrNotFound, groupID)
	}
	delete(s.st.Groups, id)
	s.dropReferencesLocked(id)
	s.saveLocked()
	return nil
}

// dropReferencesLocked removes a deleted object from every member and
// sponsor list, as Entra does when the object goes to deleted items.
func (s *Server) dropReferencesLocked(id string) {
	for _, g := range s.st.Groups {
		removeID(&g.Members, id)
	}
	for _, m := range []map[string]*user{s.st.Users, s.st.Deleted} {
		for _, u := range m {
			removeID(&u.Sponsors, id)
		}
	}
}

func removeID(list *[]string, id string) bool {
	for i, m := range *list {
		if m == id {
			*list = append((*list)[:i:i], (*list)[i+1:]...)
			return true
		}
	}
	return false
}

func containsID(list []string, id string) bool {
	for _, m := range list {
		if m == id {
			return true
		}
	}
	return false
}

func (c *call) getGroup() {
	sel, ok := c.parseGroupSelect()
	if !ok {
		return
	}
	gid := c.r.PathValue("id")
	if c.badGroupID(gid) {
		return
	}
	c.s.mu.Lock()
	g := c.s.st.Groups[strings.ToLower(gid)]
	var out map[string]any
	if g != nil {
		out = groupJSON(g, sel)
	}
	c.s.mu.Unlock()
	if g == nil {
		c.notFound(gid)
		return
	}
	out["@odata.context"] = c.s.contextURL("groups", sel) + "/$entity"
	writeJSON(c.w, http.StatusOK, out)
}

// listGroupMembers serves GET /groups/{id}/members: the directoryObject
// collection of the group's members (users only: the emulator's groups
// nest nothing), each named by @odata.type.
func (c *call) listGroupMembers() { c.listGroupMemberList(false) }

// listGroupMemberUsers serves the cast GET /groups/{id}/members/microsoft.graph.user,
// an advanced query (https://learn.microsoft.com/graph/api/group-list-members#request-headers).
func (c *call) listGroupMemberUsers() { c.listGroupMemberList(true) }

func (c *call) listGroupMemberList(cast bool) {
	gid := c.r.PathValue("id")
	if c.badGroupID(gid) {
		return
	}
	c.s.mu.Lock()
	g := c.s.st.Groups[strings.ToLower(gid)]
	c.s.mu.Unlock()
	if g == nil {
		c.notFound(gid)
		return
	}
	canReadUsers := c.hasAnyRole(readPerms)
	nextPath, context, castOn := "/v1.0/groups/"+g.ID+"/members", "directoryObjects", ""
	if cast {
		nextPath, context, castOn = nextPath+"/microsoft.graph.user", "users", "members"
	}
	c.pageUsers(userList{
		nextPath: nextPath,
		context:  context,
		candidates: func() []*user {
			var out []*user
			for _, m := range g.Members {
				if u, ok := c.s.st.Users[m]; ok {
					out = append(out, u)
				}
			}
			sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
			return out
		},
		advancedFilterOnly:    true,
		idOnly:                !canReadUsers,
		typed:                 !cast,
		castOnRelationship:    castOn,
		withoutSignInActivity: true,
	})
}

// badGroupID refuses a group ID that is not a GUID as Graph does: 400
// Request_BadRequest "Invalid object identifier '…'." rather than 404,
// because a group, unlike a user, has no other key (observed:
// Azure/active-directory-dotnet-graphapi-b2bportal-web#16 for a member
// add, OfficeDev/microsoft-teams-apps-incentives#53 for a member list).
func (c *call) badGroupID(id string) bool {
	if isGUID(id) {
		return false
	}
	c.badRequest(fmt.Sprintf("Invalid object identifier '%s'.", id))
	return true
}

// refTarget is the object an @odata.id in a $ref body names.
type refTarget struct {
	set string // "users", "groups" or "directoryObjects"
	id  string // lower-case object ID
}

// parseRef reads {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}.
// Graph takes the read URL of the object
// (https://learn.microsoft.com/graph/api/group-post-members#request-body);
// the host is not checked because clients build it from their endpoint.
func (c *call) parseRef() (refTarget, bool) {
	var body map[string]any
	if !c.readJSONObject(&body) {
		return refTarget{}, false
	}
	raw, _ := body["@odata.id"].(string)
	if raw == "" {
		c.badRequest("The request body must contain an @odata.id with the URL of the object to add.")
		return refTarget{}, false
	}
	p := raw
	if u, err := url.Parse(raw); err == nil && u.Path != "" {
		p = u.Path
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	for len(segs) > 0 && segs[0] != "v1.0" {
		segs = segs[1:]
	}
	if len(segs) != 3 || !isGUID(segs[2]) {
		c.badRequest(fmt.Sprintf("Invalid object identifier '%s'.", raw))
		return refTarget{}, false
	}
	switch segs[1] {
	case "users", "groups", "directoryObjects":
	default:
		c.badRequest(fmt.Sprintf("Invalid object identifier '%s'.", raw))
		return refTarget{}, false
	}
	return refTarget{set: segs[1], id: strings.ToLower(segs[2])}, true
}

// alreadyExists is Graph's answer to adding a reference that is already
// there (group-post-members: "400 Bad Request ... when the object is
// already a member of the group").
func (c *call) alreadyExists(property string) {
	c.badRequest(fmt.Sprintf("One or more added object references already exist for the following modified properties: '%s'.", property))
}

func (c *call) addGroupMember() {
	gid := c.r.PathValue("id")
	if c.badGroupID(gid) {
		return
	}
	ref, ok := c.parseRef()
	if !ok {
		return
	}
	s := c.s
	s.mu.Lock()
	g := s.st.Groups[strings.ToLower(gid)]
	if g == nil {
		s.mu.Unlock()
		c.notFound(gid)
		return
	}
	if ref.set != "users" && s.st.Groups[ref.id] != nil {
		s.mu.Unlock()
		c.badRequest("The emulator does not model nested groups: only users can be added as members.")
		return
	}
	// An object replication has not yet made visible is "missing": this is
	// the 404 the provider retries after an invitation.
	u := (*user)(nil)
	if ref.set != "groups" {
		u = s.getLinkableLocked(ref.id)
	}
	if u == nil {
		s.mu.Unlock()
		c.notFound(ref.id)
		return
	}
	if containsID(g.Members, u.id()) {
		s.mu.Unlock()
		c.alreadyExists("members")
		return
	}
	g.Members = append(g.Members, u.id())
	s.saveLocked()
	s.mu.Unlock()
	c.w.WriteHeader(http.StatusNoContent)
}

func (c *call) removeGroupMember() {
	gid, mid := c.r.PathValue("id"), strings.ToLower(c.r.PathValue("memberId"))
	if c.badGroupID(gid) {
		return
	}
	s := c.s
	s.mu.Lock()
	g := s.st.Groups[strings.ToLower(gid)]
	removed := g != nil && removeID(&g.Members, mid)
	if removed {
		s.saveLocked()
	}
	s.mu.Unlock()
	if !removed {
		// Observed Graph names the group, not the member, when the link is
		// absent (microsoftgraph/microsoft-graph-docs-contrib#4847).
		c.notFound(gid)
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

// memberOfCast is the path suffix of the OData cast to groups.
const memberOfCast = "/microsoft.graph.group"

// listMemberOf serves GET /users/{id}/memberOf and its cast to groups:
// direct memberships only, as a directoryObject collection paged like
// every Graph collection (https://learn.microsoft.com/graph/paging).
func (c *call) listMemberOf() {
	cast := strings.HasSuffix(c.r.URL.Path, memberOfCast) || strings.HasSuffix(c.r.URL.Path, "/graph.group")
	sel, ok := c.parseGroupSelect()
	if !ok {
		return
	}
	count := false
	if cast {
		// The cast is an advanced query: "This header and $count are
		// required when using the $search, $filter, $orderby, or OData
		// cast query parameters"
		// (https://learn.microsoft.com/graph/api/user-list-memberof#request-headers).
		// Without both, Graph's answer to an advanced-only query is 400
		// Request_UnsupportedQuery
		// (https://learn.microsoft.com/graph/aad-advanced-queries#error-handling-for-advanced-queries-on-directory-objects).
		if count, ok = c.advancedCast("memberOf"); !ok {
			return
		}
	}
	top, after, ok := c.linkPageParams("memberOf", cast)
	if !ok {
		return
	}
	uid := c.r.PathValue("id")
	u, ok := c.lockUser(uid, (*Server).getLinkableLocked)
	if !ok {
		return
	}
	s := c.s
	id := u.id()
	var groups []*group
	for _, g := range s.st.Groups {
		if containsID(g.Members, id) {
			groups = append(groups, g)
		}
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].Seq < groups[j].Seq })
	page := []map[string]any{}
	more := false
	var last int64
	for _, g := range groups {
		if g.Seq <= after {
			continue
		}
		if len(page) == top {
			more = true
			break
		}
		item := groupJSON(g, sel)
		item["@odata.type"] = "#microsoft.graph.group"
		page = append(page, item)
		last = g.Seq
	}
	s.mu.Unlock()

	entity, path := "directoryObjects", "/v1.0/users/"+id+"/memberOf"
	if cast {
		entity, path = "groups", path+memberOfCast
	}
	total := -1
	if count {
		total = len(groups)
	}
	c.writePage(s.contextURL(entity, sel), page, path, more, last, total)
}

// advancedCast checks that a request with an OData cast on a relationship
// carries the advanced query parameters (ConsistencyLevel: eventual and
// $count=true), and reports $count; false when an error has been written.
func (c *call) advancedCast(collection string) (count, ok bool) {
	level := strings.EqualFold(c.r.Header.Get("ConsistencyLevel"), "eventual")
	v := c.r.URL.Query().Get("$count")
	count = strings.EqualFold(v, "true")
	if !level || !count {
		c.castNotAdvanced(collection)
		return false, false
	}
	return true, true
}

// castNotAdvanced answers an OData cast on a relationship sent without the
// advanced query parameters, in the words Graph uses for an advanced-only
// operator (aad-advanced-queries, "Error handling").
func (c *call) castNotAdvanced(collection string) {
	c.graphError(http.StatusBadRequest, "Request_UnsupportedQuery", fmt.Sprintf(
		"OData cast on %s is not supported because the required parameters might be missing. "+
			"Try adding $count=true query parameter and ConsistencyLevel:eventual header. "+
			"Refer to https://aka.ms/graph-docs/advanced-queries for more information", collection))
}

// writePage answers one page of a collection paged by sequence number
// (https://learn.microsoft.com/graph/paging): the items, @odata.count when
// count is not negative (an advanced query's $count=true), and a nextLink
// carrying the last sequence served when more follow.
func (c *call) writePage(contextURL string, page []map[string]any, path string, more bool, last int64, count int) {
	out := map[string]any{"@odata.context": contextURL, "value": page}
	if count >= 0 {
		out["@odata.count"] = count
	}
	if more {
		out["@odata.nextLink"] = c.base() + path + "?" + nextQuery(c.r.URL.Query(), encodeSkipToken(last, false))
	}
	writeJSON(c.w, http.StatusOK, out)
}

// linkPageParams refuses the query options the emulator does not model
// on a relationship collection (memberOf, sponsors), $count too unless
// countOK, then reads the paging ones.
func (c *call) linkPageParams(collection string, countOK bool) (top int, after int64, ok bool) {
	q := c.r.URL.Query()
	for _, p := range []string{"$filter", "$orderby", "$search", "$count"} {
		if p == "$count" && countOK {
			continue // an advanced query's $count, checked by advancedCast
		}
		if _, ok := q[p]; ok {
			c.graphError(http.StatusBadRequest, "Request_UnsupportedQuery", p+" on "+collection+" is not supported by the emulator.")
			return 0, 0, false
		}
	}
	return c.pageParams()
}

// pageParams reads $top (1..999, default 100) and $skiptoken.
func (c *call) pageParams() (top int, after int64, ok bool) {
	q := c.r.URL.Query()
	top = defaultPageSize
	if v := q.Get("$top"); v != "" {
		n, err := parseTop(v)
		if err != nil {
			c.badRequest(fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", v))
			return 0, 0, false
		}
		top = n
	}
	if tok := q.Get("$skiptoken"); tok != "" {
		n, _, err := decodeSkipToken(tok)
		if err != nil {
			c.badRequest("The specified page token value has expired and can no longer be included in your request.")
			return 0, 0, false
		}
		after = n
	}
	c.s.mu.Lock()
	top = c.s.pageSizeLocked(top)
	c.s.mu.Unlock()
	return top, after, true
}

func parseTop(v string) (int, error) {
	var n int
	if _, err := fmt.Sscanf(v, "%d", &n); err != nil || fmt.Sprint(n) != v || n < 1 || n > maxPageSize {
		return 0, fmt.Errorf("bad $top %q", v)
	}
	return n, nil
}
