package graph

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"
)

// Group memberships and sponsors. Each permission is the least privileged
// application permission in the "Permissions" table of the API's v1.0 page:
//   - https://learn.microsoft.com/graph/api/group-get (GroupMember.Read.All)
//   - https://learn.microsoft.com/graph/api/group-post-members and
//     https://learn.microsoft.com/graph/api/group-delete-members (GroupMember.ReadWrite.All;
//     role-assignable groups also need RoleManagement.ReadWrite.Directory)
//   - https://learn.microsoft.com/graph/api/user-list-memberof, "another user's direct
//     memberships" (Directory.Read.All: the page names no narrower application permission)
//   - https://learn.microsoft.com/graph/api/user-list-sponsors (User.Read.All)
//   - https://learn.microsoft.com/graph/api/user-post-sponsors and
//     https://learn.microsoft.com/graph/api/user-delete-sponsors (User.ReadWrite.All)
var (
	opGetGroup          = operation{name: "GET /groups/{id}", permission: "GroupMember.Read.All"}
	opAddGroupMember    = operation{name: "POST /groups/{id}/members/$ref", permission: "GroupMember.ReadWrite.All"}
	opRemoveGroupMember = operation{name: "DELETE /groups/{id}/members/{memberId}/$ref", permission: "GroupMember.ReadWrite.All"}
	opListUserGroups    = operation{name: "GET /users/{id}/memberOf", permission: "Directory.Read.All"}
	opListSponsors      = operation{name: "GET /users/{id}/sponsors", permission: "User.Read.All"}
	opAddSponsor        = operation{name: "POST /users/{id}/sponsors/$ref", permission: "User.ReadWrite.All"}
	opRemoveSponsor     = operation{name: "DELETE /users/{id}/sponsors/{sponsorId}/$ref", permission: "User.ReadWrite.All"}
)

// memberOfPageSize is $top for memberOf: only IDs are selected, so the
// largest page Graph allows keeps a user in many groups to one request.
const memberOfPageSize = maxPageSize

func (c *client) getGroup(ctx context.Context, id string) (*Group, error) {
	if err := checkID(opGetGroup, id); err != nil {
		return nil, err
	}
	cfg := &groups.GroupItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.GroupItemRequestBuilderGetQueryParameters{Select: []string{"id", "displayName"}},
	}
	var out models.Groupable
	err := c.call(ctx, opGetGroup, func(ctx context.Context) error {
		var err error
		out, err = c.sdk.Groups().ByGroupId(id).Get(ctx, cfg)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, &Error{Operation: opGetGroup.name, Message: "Graph returned no group for " + id}
	}
	return &Group{ID: strings.ToLower(deref(out.GetId())), DisplayName: deref(out.GetDisplayName())}, nil
}

// directoryObjectURL is the @odata.id of a reference to any directory
// object. Pointing at directoryObjects rather than users or groups lets the
// caller pass either kind without knowing which it is.
func (c *client) directoryObjectURL(id string) string {
	return c.objectURL("directoryObjects", id)
}

// objectURL is the read URL of object id in entity set set (users,
// groups, directoryObjects), as a reference's @odata.id names it.
func (c *client) objectURL(set, id string) string {
	return c.graphURL.String() + "/v1.0/" + set + "/" + url.PathEscape(id)
}

// newReference is the body of POST .../$ref for object id.
func (c *client) newReference(id string) models.ReferenceCreateable {
	return c.referenceTo(c.directoryObjectURL(id))
}

func (c *client) referenceTo(u string) models.ReferenceCreateable {
	ref := models.NewReferenceCreate()
	ref.SetOdataId(&u)
	return ref
}

// sponsorSet says whether sponsor id is a user ("users") or a group
// ("groups"), remembered for the life of the client. Add sponsor takes
// "the read URL of the user or group object" and shows only /users/{id}
// and /groups/{id} (https://learn.microsoft.com/graph/api/user-post-sponsors#request-body),
// where Add member documents /directoryObjects/{id}
// (https://learn.microsoft.com/graph/api/group-post-members#request-body).
// The look-up is the plan-time existence check's (GET /users/{id}, then
// GET /groups/{id} on 404); what it learns spares addSponsor its guess in
// the same process. Neither existing is the group look-up's not-found error.
func (c *client) sponsorSet(ctx context.Context, id string) (string, error) {
	key := strings.ToLower(id)
	if set, ok := c.knownSponsorSet(key); ok {
		return set, nil
	}
	set := "users"
	err := c.userExists(ctx, id)
	if IsNotFound(err) {
		set = "groups"
		_, err = c.getGroup(ctx, id)
	}
	if err != nil {
		return "", err
	}
	c.sponsorSets.Store(key, set)
	return set, nil
}

// userExists reads GET /users/{id}?$select=id: nil for a user, a
// not-found error for an object that is not one (or not replicated yet).
// Only id is selected, so the answer does not hang on what the full read
// may add (signInActivity needs AuditLog.Read.All and a licence, and its
// 403 would hide the kind).
func (c *client) userExists(ctx context.Context, id string) error {
	if err := checkID(opGetUser, id); err != nil {
		return err
	}
	cfg := &users.UserItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: []string{"id"}},
	}
	return c.call(ctx, opGetUser, func(ctx context.Context) error {
		_, err := c.sdk.Users().ByUserId(id).Get(ctx, cfg)
		return err
	})
}

// knownSponsorSet is what sponsorSet or an earlier add learnt of the
// sponsor with lower-cased object ID key.
func (c *client) knownSponsorSet(key string) (string, bool) {
	known, ok := c.sponsorSets.Load(key)
	if !ok {
		return "", false
	}
	set, ok := known.(string)
	return set, ok
}

// isAlreadyReferenced reports Graph's answer to adding a reference that is
// already there: 400 "One or more added object references already exist
// for the following modified properties: 'members'." (or 'sponsors').
// The message is the only thing that tells it apart from a malformed
// request; both carry the code Request_BadRequest.
func isAlreadyReferenced(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == KindBadRequest &&
		strings.Contains(strings.ToLower(e.Message), "object references already exist")
}

func (c *client) addGroupMember(ctx context.Context, groupID, memberID string) error {
	if err := checkIDs(opAddGroupMember, groupID, memberID); err != nil {
		return err
	}
	c.snapshot.wrote(memberID)
	// A POST whose connection broke is safe to repeat: if the first one
	// took effect, the repeat is answered "already exist", which is success.
	err := c.call(ctx, opAddGroupMember, func(ctx context.Context) error {
		return c.sdk.Groups().ByGroupId(groupID).Members().Ref().Post(ctx, c.newReference(memberID), nil)
	})
	if isAlreadyReferenced(err) {
		return nil
	}
	return err
}

func (c *client) removeGroupMember(ctx context.Context, groupID, memberID string) error {
	if err := checkIDs(opRemoveGroupMember, groupID, memberID); err != nil {
		return err
	}
	c.snapshot.wrote(memberID)
	err := c.call(ctx, opRemoveGroupMember, func(ctx context.Context) error {
		return c.sdk.Groups().ByGroupId(groupID).Members().ByDirectoryObjectId(memberID).Ref().Delete(ctx, nil)
	})
	if IsNotFound(err) {
		// Not a member any more, or the group is gone: either way the
		// membership the caller wants removed does not exist.
		return nil
	}
	return err
}

func (c *client) listUserGroupIDs(ctx context.Context, userID string) ([]string, error) {
	if err := checkID(opListUserGroups, userID); err != nil {
		return nil, err
	}
	// memberOf is read without the OData cast to groups
	// (memberOf/microsoft.graph.group): user-list-memberof lists the cast
	// among the query parameters that need ConsistencyLevel: eventual and
	// $count (https://learn.microsoft.com/graph/api/user-list-memberof#request-headers),
	// and that advanced index lags behind a membership just added. The
	// uncast list names each item's type in @odata.type (directoryRoles
	// and administrativeUnits come with the groups), so groups are picked
	// here.
	q := url.Values{}
	q.Set("$select", "id")
	q.Set("$top", strconv.Itoa(memberOfPageSize))
	first := c.graphURL.String() + "/v1.0/users/" + url.PathEscape(userID) + "/memberOf?" + q.Encode()
	return c.pagedIDs(ctx, opListUserGroups, userID, first, odataTypeGroup, func(ctx context.Context, link string) ([]string, string, error) {
		page, err := users.NewItemMemberOfRequestBuilder(link, c.adapter).Get(ctx, nil)
		if err != nil {
			return nil, "", err
		}
		ids := make([]string, 0, len(page.GetValue()))
		for _, o := range page.GetValue() {
			if isOfType(deref(o.GetOdataType()), odataTypeGroup) {
				ids = append(ids, deref(o.GetId()))
			}
		}
		return ids, deref(page.GetOdataNextLink()), nil
	})
}

// odataTypeGroup is a group's @odata.type in a directoryObject collection.
const odataTypeGroup = "#microsoft.graph.group"

// isOfType reports whether an item whose @odata.type is got is kept when
// want is asked for: every item when want is empty, and an item without
// @odata.type too (Graph names the type of every item of a directoryObject
// collection; one that does not cannot be told apart, so it is kept).
func isOfType(got, want string) bool {
	return want == "" || got == "" || strings.EqualFold(got, want)
}

func (c *client) listSponsorIDs(ctx context.Context, userID string) ([]string, error) {
	if err := checkID(opListSponsors, userID); err != nil {
		return nil, err
	}
	first := c.graphURL.String() + "/v1.0/users/" + url.PathEscape(userID) + "/sponsors?" + url.Values{"$select": {"id"}}.Encode()
	// Sponsors are users and groups: every item is kept.
	return c.pagedIDs(ctx, opListSponsors, userID, first, "", func(ctx context.Context, link string) ([]string, string, error) {
		page, err := users.NewItemSponsorsRequestBuilder(link, c.adapter).Get(ctx, nil)
		if err != nil {
			return nil, "", err
		}
		ids := make([]string, 0, len(page.GetValue()))
		for _, o := range page.GetValue() {
			ids = append(ids, deref(o.GetId()))
		}
		return ids, deref(page.GetOdataNextLink()), nil
	})
}

// pagedIDs fetches first and follows @odata.nextLink to the last page,
// each page one retried call, and returns the IDs lower-cased (Graph's
// GUIDs compare case-insensitively; state keeps one spelling). A batched
// first page keeps only the items of @odata.type want (see isOfType); get
// does the same for the pages it reads.
func (c *client) pagedIDs(ctx context.Context, op operation, userID, first, want string,
	get func(ctx context.Context, link string) (ids []string, next string, err error)) ([]string, error) {
	result := []string{}
	seen := map[string]bool{}
	link := first
	for {
		var ids []string
		var next string
		err := c.call(ctx, op, func(ctx context.Context) error {
			var err error
			if link == first {
				// A refresh reads the user and then its memberOf or sponsors:
				// the first page travels in a batch with other guests' reads
				// when there are any (most lists fit in one page).
				var batched bool
				if ids, next, batched, err = c.batchedIDPage(ctx, op, first, want, get); batched || err != nil {
					return err
				}
			}
			ids, next, err = get(ctx, link)
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if id != "" {
				result = append(result, strings.ToLower(id))
			}
		}
		if next, err = c.nextPage(op, next, seen, "user "+userID); err != nil {
			return nil, err
		}
		if next == "" {
			return result, nil
		}
		link = next
	}
}

func (c *client) addSponsor(ctx context.Context, userID, sponsorID string) error {
	if err := checkIDs(opAddSponsor, userID, sponsorID); err != nil {
		return err
	}
	c.snapshot.wrote(userID)
	// The @odata.id is the sponsor's read URL, /users/{id} or /groups/{id}
	// (sponsorSet). The kind comes from the plan-time check's look-up when
	// this process made it (Terraform plans again in the apply's process);
	// otherwise from GET /users/{id}?$select=id (userExists): a 404 there
	// means the object is not a user, so the group URL is sent and Graph's answer to it says
	// whether the group exists. That read needs User.Read.All, which the
	// write's User.ReadWrite.All includes, where GET /directoryObjects/{id}
	// would ask for Directory.Read.All
	// (https://learn.microsoft.com/graph/api/directoryobject-get#permissions).
	// No URL is tried on a guess: the page documents no answer to a user
	// URL naming a group, so a 404 from it proves nothing. A 404 from
	// GET /users/{id} for a user that has not replicated yet sends the
	// group URL once, whose 404 the caller retries; the kind is
	// remembered only when an add succeeds.
	key := strings.ToLower(sponsorID)
	set, ok := c.knownSponsorSet(key)
	if !ok {
		switch err := c.userExists(ctx, sponsorID); {
		case err == nil:
			set = "users"
		case IsNotFound(err):
			set = "groups"
		case IsForbidden(err):
			// No User.Read.All means no User.ReadWrite.All either: the
			// POST's own 403 names the permission the add needs.
			set = "users"
		default:
			return err
		}
	}
	err := c.postSponsorRef(ctx, userID, c.objectURL(set, sponsorID))
	if err == nil || isAlreadyReferenced(err) {
		c.sponsorSets.Store(key, set)
		return nil
	}
	return err
}

// postSponsorRef sends POST /users/{userID}/sponsors/$ref naming the
// sponsor by ref. msgraph-sdk-go has no builder for sponsors/$ref, so the
// request is built from the documented path.
func (c *client) postSponsorRef(ctx context.Context, userID, ref string) error {
	body := c.referenceTo(ref)
	return c.call(ctx, opAddSponsor, func(ctx context.Context) error {
		ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abs.POST,
			"{+baseurl}/users/{user%2Did}/sponsors/$ref",
			map[string]string{"baseurl": c.adapter.GetBaseUrl(), "user%2Did": userID})
		ri.Headers.TryAdd("Accept", "application/json")
		if err := ri.SetContentFromParsable(ctx, c.adapter, "application/json", body); err != nil {
			return err
		}
		return c.adapter.SendNoContent(ctx, ri, errorMapping)
	})
}

func (c *client) removeSponsor(ctx context.Context, userID, sponsorID string) error {
	if err := checkIDs(opRemoveSponsor, userID, sponsorID); err != nil {
		return err
	}
	c.snapshot.wrote(userID)
	err := c.call(ctx, opRemoveSponsor, func(ctx context.Context) error {
		// The /$ref suffix matters: without it Graph deletes the sponsor's
		// own directory object when the app may delete objects of its type.
		ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abs.DELETE,
			"{+baseurl}/users/{user%2Did}/sponsors/{directoryObject%2Did}/$ref",
			map[string]string{"baseurl": c.adapter.GetBaseUrl(), "user%2Did": userID, "directoryObject%2Did": sponsorID})
		ri.Headers.TryAdd("Accept", "application/json")
		return c.adapter.SendNoContent(ctx, ri, errorMapping)
	})
	if IsNotFound(err) {
		return nil
	}
	return err
}

func checkIDs(op operation, ids ...string) error {
	for _, id := range ids {
		if err := checkID(op, id); err != nil {
			return err
		}
	}
	return nil
}

// batchedIDPage reads the page at link (an absolute URL under the Graph
// endpoint) as an item of a read batch, or with direct when no batch
// forms. batched is false only when batching is off: the caller then sends
// the request itself.
func (c *client) batchedIDPage(ctx context.Context, op operation, link, want string,
	direct func(ctx context.Context, link string) ([]string, string, error)) (ids []string, next string, batched bool, err error) {
	root := c.graphURL.String() + "/v1.0"
	if c.batcher == nil || !strings.HasPrefix(link, root+"/") {
		return nil, "", false, nil
	}
	type idPage struct {
		ids  []string
		next string
	}
	p, err := readFromBatch(ctx, c.batcher, op, strings.TrimPrefix(link, root),
		func(ctx context.Context) (idPage, error) {
			ids, next, err := direct(ctx, link)
			return idPage{ids, next}, err
		},
		func(body []byte) (idPage, error) {
			var page struct {
				Value []struct {
					ID   string `json:"id"`
					Type string `json:"@odata.type"`
				} `json:"value"`
				NextLink string `json:"@odata.nextLink"`
			}
			if err := json.Unmarshal(body, &page); err != nil {
				return idPage{}, &Error{Operation: op.name, Message: "reading the page in Graph's batch response: " + err.Error(), cause: err}
			}
			out := idPage{ids: make([]string, 0, len(page.Value)), next: page.NextLink}
			for _, v := range page.Value {
				if isOfType(v.Type, want) {
					out.ids = append(out.ids, v.ID)
				}
			}
			return out, nil
		})
	return p.ids, p.next, true, err
}
