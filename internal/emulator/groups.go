package emulator

import (
	"fmt"
	"sort"
	"strings"
)

// Groups, modelled only as far as the provider reads them: listing a
// group's user members, GET /groups/{id}/members/microsoft.graph.user
// (https://learn.microsoft.com/graph/api/group-list-members). Groups are
// created out of band (SeedGroup or POST /_emulator/groups).

type group struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"displayName"`
	Members     []string `json:"members"`
}

// Group membership read permissions. Listing members needs one of
// memberPerms; member properties beyond id also need a user read
// permission, else Graph returns id and @odata.type only.
var memberPerms = []string{
	PermGroupMemberReadAll, PermGroupReadAll, PermGroupMemberReadWriteAll,
	PermDirectoryReadAll, PermDirectoryReadWriteAll,
}

// SeedGroup creates a security group with the given user members and
// returns its object ID.
func (s *Server) SeedGroup(displayName string, memberIDs ...string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &group{ID: newGUID(), DisplayName: displayName}
	if s.st.Groups == nil {
		s.st.Groups = map[string]*group{}
	}
	s.st.Groups[g.ID] = g
	for _, m := range memberIDs {
		if err := s.addMemberLocked(g, m); err != nil {
			delete(s.st.Groups, g.ID)
			return "", err
		}
	}
	s.saveLocked()
	return g.ID, nil
}

// AddGroupMember adds a user to a group (no-op if already a member).
func (s *Server) AddGroupMember(groupID, userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.st.Groups[strings.ToLower(groupID)]
	if g == nil {
		return fmt.Errorf("%w: group %s", ErrNotFound, groupID)
	}
	if err := s.addMemberLocked(g, userID); err != nil {
		return err
	}
	s.saveLocked()
	return nil
}

func (s *Server) addMemberLocked(g *group, userID string) error {
	u := s.findUserLocked(userID)
	if u == nil {
		return fmt.Errorf("%w: user %s", ErrNotFound, userID)
	}
	id := u.id()
	for _, m := range g.Members {
		if m == id {
			return nil
		}
	}
	g.Members = append(g.Members, id)
	return nil
}

func (c *call) listGroupMemberUsers() {
	gid := c.r.PathValue("id")
	c.s.mu.Lock()
	g := c.s.st.Groups[strings.ToLower(gid)]
	c.s.mu.Unlock()
	if g == nil {
		c.notFound(gid)
		return
	}
	canReadUsers := false
	for _, p := range readPerms {
		canReadUsers = canReadUsers || c.roles[p]
	}
	c.pageUsers(userList{
		nextPath: "/v1.0/groups/" + g.ID + "/members/microsoft.graph.user",
		context:  "users",
		candidates: func() []*user {
			var out []*user
			for _, m := range g.Members {
				// Deleted users drop out of the member list.
				if u, ok := c.s.st.Users[m]; ok {
					out = append(out, u)
				}
			}
			sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
			return out
		},
		advancedFilterOnly: true,
		idOnly:             !canReadUsers,
	})
}
