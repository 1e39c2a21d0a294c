package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// What a guest can reach: the groups it belongs to (group_ids) and the
// people responsible for it (sponsor_ids). Both are relationships of other
// directory objects, so they have their own Graph calls and their own
// failure modes (a group that does not exist, a new user Graph does not yet
// accept as a member).

// maxSponsors is Entra's limit on a guest's sponsors: "a maximum of five
// sponsors to a single guest user"
// (https://learn.microsoft.com/entra/external-id/b2b-sponsors).
const maxSponsors = 5

func accessAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"group_ids": schema.SetAttribute{
			Optional:    true,
			ElementType: types.StringType,
			MarkdownDescription: "Object IDs of the groups the guest is a direct member of, among the groups listed here. " +
				"Only listed groups are managed: the provider adds the guest to each (`POST /groups/{id}/members/$ref`), removes it from a group dropped from the set " +
				"(`DELETE /groups/{id}/members/{user-id}/$ref`), and on refresh reads the guest's `memberOf` so that a membership removed out of band shows as drift. " +
				"Memberships in groups that are not listed are never changed and never reported. " +
				"Unmanaged when unset: removing the attribute stops managing memberships and leaves them as they are; set `[]` to remove the guest from the groups listed before. " +
				"Destroying the guest with `on_destroy = \"disable\"` or `\"abandon\"` leaves its memberships (and sponsors) as they are. " +
				"A group that does not exist is reported at plan time. Changing memberships needs `GroupMember.ReadWrite.All`; reading them back needs `Directory.Read.All`, " +
				"the only application permission Graph documents for another user's `memberOf`. Each element must be a GUID.",
			Validators: []validator.Set{
				setvalidator.ValueStringsAre(guidValidator("object ID of a group")),
			},
		},
		"sponsor_ids": schema.SetAttribute{
			Optional:    true,
			ElementType: types.StringType,
			MarkdownDescription: "Object IDs of the guest's sponsors: users or groups responsible for the guest's access (Graph `sponsors`). " +
				"Authoritative when set: the guest's sponsors are exactly these, and a sponsor added or removed out of band shows as drift; on create (and when adopting or importing) sponsors Entra already holds that are not listed are removed. " +
				"Unmanaged when unset: removing the attribute leaves the sponsors as they are; set `[]` to remove them all. " +
				"A new guest's sponsors are sent with its invitation (Graph v1.0 `invitedUserSponsors`), so the guest has them from the start and the create needs only `User.Invite.All` for them. " +
				fmt.Sprintf("At most %d (Entra's limit). A sponsor that does not exist is reported at plan time. Changing them later needs `User.ReadWrite.All` (`User.Read.All` to read them). Each element must be a GUID.", maxSponsors),
			Validators: []validator.Set{
				setvalidator.SizeAtMost(maxSponsors),
				setvalidator.ValueStringsAre(guidValidator("object ID of a user or group")),
			},
		},
	}
}

// idList returns the IDs of a known set (nil for null or unknown).
func idList(ctx context.Context, s types.Set) []string {
	ids, _ := stringsOf(ctx, s)
	return ids
}

// idSet builds a set value from IDs, sorted for stable output.
func idSet(ids []string) types.Set {
	sort.Strings(ids)
	elems := make([]attr.Value, 0, len(ids))
	for _, id := range ids {
		elems = append(elems, types.StringValue(id))
	}
	return types.SetValueMust(types.StringType, elems)
}

// containsID reports whether ids holds id, ignoring case: Graph answers
// with lower-case GUIDs whatever case the configuration uses.
func containsID(ids []string, id string) bool {
	for _, x := range ids {
		if strings.EqualFold(x, id) {
			return true
		}
	}
	return false
}

// idsMinus returns the elements of a that are not in b.
func idsMinus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !containsID(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// spelledAs returns found with each ID written as in prior when it appears
// there, so a configuration in upper case does not diff against Graph's
// lower case.
func spelledAs(found, prior []string) []string {
	out := make([]string, 0, len(found))
	for _, f := range found {
		s := strings.ToLower(f)
		for _, p := range prior {
			if strings.EqualFold(p, f) {
				s = p
				break
			}
		}
		out = append(out, s)
	}
	return out
}

// caseDuplicates reports IDs that appear twice in a set, differing only in
// case: the same directory object, which a set cannot tell apart.
func caseDuplicates(ids []string) []string {
	seen := map[string]string{}
	var dups []string
	for _, id := range ids {
		k := strings.ToLower(id)
		if prev, ok := seen[k]; ok {
			dups = append(dups, fmt.Sprintf("%s and %s", prev, id))
			continue
		}
		seen[k] = id
	}
	return dups
}

// validateAccessConfig rejects the same object listed twice in different case.
func validateAccessConfig(ctx context.Context, groups, sponsors types.Set, diags *diag.Diagnostics) {
	for attrName, s := range map[string]types.Set{"group_ids": groups, "sponsor_ids": sponsors} {
		if dups := caseDuplicates(idList(ctx, s)); len(dups) > 0 {
			diags.AddAttributeError(path.Root(attrName), "Duplicate Object ID",
				fmt.Sprintf("%s lists the same object twice, in different case: %s. Object IDs are not case-sensitive; list each once.",
					attrName, strings.Join(dups, "; ")))
		}
	}
}

// readAccess refreshes group_ids and sponsor_ids from Graph. group_ids keeps
// only the groups it lists that the user is still a member of; sponsor_ids
// becomes the user's sponsors. Null (unmanaged) attributes cost no request,
// and the two reads run together (each joins a read batch).
func readAccess(ctx context.Context, c *graph.Client, id string, m *guestUserResourceModelV0) error {
	listed := idList(ctx, m.GroupIDs)
	readGroups := !m.GroupIDs.IsNull() && !m.GroupIDs.IsUnknown() && len(listed) > 0
	readSponsors := !m.SponsorIDs.IsNull() && !m.SponsorIDs.IsUnknown()
	var groups, sponsors []string
	var groupsErr, sponsorsErr error
	var wg sync.WaitGroup
	if readGroups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			groups, groupsErr = c.ListUserGroupIDs(ctx, id)
		}()
	}
	if readSponsors {
		sponsors, sponsorsErr = c.ListSponsorIDs(ctx, id)
	}
	wg.Wait()
	if groupsErr != nil {
		return fmt.Errorf("reading the groups of user %s (GET /users/%s/memberOf): %w", id, id, groupsErr)
	}
	if sponsorsErr != nil {
		return fmt.Errorf("reading the sponsors of user %s (GET /users/%s/sponsors): %w", id, id, sponsorsErr)
	}
	if !m.GroupIDs.IsNull() && !m.GroupIDs.IsUnknown() {
		var member []string
		for _, g := range listed {
			if containsID(groups, g) {
				member = append(member, g)
			}
		}
		m.GroupIDs = idSet(member)
	}
	if readSponsors {
		m.SponsorIDs = idSet(spelledAs(sponsors, idList(ctx, m.SponsorIDs)))
	}
	return nil
}

// accessChange is one relationship write that failed, with what had been
// achieved before it so the state can record exactly that.
type accessChange struct {
	attr     string
	achieved types.Set
	err      error
}

// applyAccess moves the guest's memberships and sponsors from the state's
// sets (null: nothing known, e.g. after import; a nil from on create) to
// the plan's.
// Adds are retried while Graph has not replicated the new user yet. On
// failure the returned change says which attribute failed and what it now
// holds; the other attribute holds its planned value only if it was done.
func applyAccess(ctx context.Context, c *graph.Client, id string, from, to *guestUserResourceModelV0) (groups, sponsors types.Set, failed *accessChange) {
	if from == nil {
		nothing := newGuestUserModel()
		from = &nothing
	}
	sponsors = from.SponsorIDs
	if !to.GroupIDs.IsNull() {
		got, err := applyRelationship(ctx, idList(ctx, from.GroupIDs), idList(ctx, to.GroupIDs),
			func(ctx context.Context, g string) error { return addMember(ctx, c, g, id) },
			func(ctx context.Context, g string) error { return c.RemoveGroupMember(ctx, g, id) })
		groups = idSet(got)
		if err != nil {
			return groups, sponsors, &accessChange{attr: "group_ids", achieved: groups, err: err}
		}
		groups = to.GroupIDs
	} else {
		groups = types.SetNull(types.StringType)
	}
	if !to.SponsorIDs.IsNull() {
		have := idList(ctx, from.SponsorIDs)
		if from.SponsorIDs.IsNull() {
			// Nothing known yet (create, import, or sponsors just taken
			// under management). Entra may have made the inviter a sponsor
			// (https://learn.microsoft.com/entra/external-id/b2b-sponsors),
			// and sponsor_ids is authoritative, so start from what is there.
			// Right after an invitation the read may still answer 404
			// while the user replicates, like the writes.
			var cur []string
			err := waitUntil(ctx, fmt.Sprintf("the sponsors of user %s are readable", id), func(ctx context.Context) (bool, error, error) {
				got, err := c.ListSponsorIDs(ctx, id)
				switch {
				case err == nil:
					cur = got
					return true, nil, nil
				case graph.IsNotFound(err):
					return false, err, nil
				}
				return false, nil, err
			})
			if err != nil {
				return groups, sponsors, &accessChange{attr: "sponsor_ids", achieved: types.SetNull(types.StringType), err: err}
			}
			have = cur
		}
		got, err := applyRelationship(ctx, have, idList(ctx, to.SponsorIDs),
			func(ctx context.Context, s string) error { return addSponsor(ctx, c, id, s) },
			func(ctx context.Context, s string) error { return c.RemoveSponsor(ctx, id, s) })
		sponsors = idSet(got)
		if err != nil {
			return groups, sponsors, &accessChange{attr: "sponsor_ids", achieved: sponsors, err: err}
		}
		sponsors = to.SponsorIDs
	} else {
		sponsors = types.SetNull(types.StringType)
	}
	return groups, sponsors, nil
}

// applyRelationship removes what is in have but not in want, then adds
// what is in want but not in have, and returns what now holds (have with
// each success applied) together with the first error.
func applyRelationship(ctx context.Context, have, want []string, add, remove func(context.Context, string) error) ([]string, error) {
	now := append([]string{}, have...)
	for _, x := range idsMinus(have, want) {
		if err := remove(ctx, x); err != nil {
			return now, err
		}
		now = idsMinus(now, []string{x})
	}
	for _, x := range idsMinus(want, have) {
		if err := add(ctx, x); err != nil {
			return now, err
		}
		now = append(now, x)
	}
	return now, nil
}

// errMissingObject marks a group or sponsor that does not exist: waiting
// will not help, unlike a user Graph has not replicated yet.
var errMissingObject = errors.New("directory object does not exist")

// addMember adds the user to the group. A 404 for a group that really does
// not exist fails at once, naming the group.
func addMember(ctx context.Context, c *graph.Client, groupID, userID string) error {
	return addReplicated(ctx, fmt.Sprintf("user %s can be added to group %s", userID, groupID),
		func(ctx context.Context) error {
			if err := c.AddGroupMember(ctx, groupID, userID); err != nil {
				return fmt.Errorf("adding user %s to group %s: %w", userID, groupID, err)
			}
			return nil
		},
		func(ctx context.Context) error {
			if _, err := c.GetGroup(ctx, groupID); graph.IsNotFound(err) {
				return fmt.Errorf("%w: group %s was not found in the tenant (GET /groups/%s answered 404); check the ID in group_ids", errMissingObject, groupID, groupID)
			}
			return nil
		})
}

// addSponsor adds sponsorID to the user's sponsors. A sponsor that is
// neither a user nor a group fails at once.
func addSponsor(ctx context.Context, c *graph.Client, userID, sponsorID string) error {
	return addReplicated(ctx, fmt.Sprintf("%s can be added as a sponsor of user %s", sponsorID, userID),
		func(ctx context.Context) error {
			if err := c.AddSponsor(ctx, userID, sponsorID); err != nil {
				return fmt.Errorf("adding %s as a sponsor of user %s: %w", sponsorID, userID, err)
			}
			return nil
		},
		func(ctx context.Context) error {
			if missing, err := sponsorMissing(ctx, c, sponsorID); err == nil && missing {
				return fmt.Errorf("%w: sponsor %s is neither a user nor a group of the tenant; check the ID in sponsor_ids", errMissingObject, sponsorID)
			}
			return nil
		})
}

// addReplicated calls add until it succeeds, retrying while Graph answers
// 404 because the new user has not reached every replica yet. On a 404,
// targetMissing says (with an error) when the other end of the
// relationship does not exist, which waiting will not heal.
func addReplicated(ctx context.Context, what string, add, targetMissing func(context.Context) error) error {
	return waitUntil(ctx, what, func(ctx context.Context) (bool, error, error) {
		err := add(ctx)
		switch {
		case err == nil:
			return true, nil, nil
		case !graph.IsNotFound(err):
			return false, nil, err
		}
		if missing := targetMissing(ctx); missing != nil {
			return false, nil, missing
		}
		tflog.Debug(ctx, "relationship not accepted yet; Graph has not replicated the user", map[string]any{"condition": what})
		return false, err, nil
	})
}

// sponsorMissing reports whether id is neither a user nor a group. The
// client remembers which it is, for the sponsor's @odata.id at apply.
func sponsorMissing(ctx context.Context, c *graph.Client, id string) (bool, error) {
	_, err := c.SponsorSet(ctx, id)
	if graph.IsNotFound(err) {
		return true, nil
	}
	return false, err
}

// checkAccessTargets looks up, at plan time, every group and sponsor the
// plan adds, so a mistyped ID fails the plan instead of an apply that has
// already invited the guest. Lookups that fail for another reason (no read
// permission, network) only warn: apply checks again.
func (r *guestUserResource) checkAccessTargets(ctx context.Context, state, plan *guestUserResourceModelV0, diags *diag.Diagnostics) {
	var prevGroups, prevSponsors []string
	if state != nil {
		prevGroups, prevSponsors = idList(ctx, state.GroupIDs), idList(ctx, state.SponsorIDs)
	}
	newGroups := idsMinus(idList(ctx, plan.GroupIDs), prevGroups)
	newSponsors := idsMinus(idList(ctx, plan.SponsorIDs), prevSponsors)
	if len(newGroups) == 0 && len(newSponsors) == 0 {
		return
	}
	if r.data == nil || r.data.Client == nil {
		return // provider configuration unknown until apply
	}
	c := r.data.Client
	unverified := func(p path.Path, what string, err error) {
		diags.AddAttributeWarning(p, "Could Not Verify "+what,
			fmt.Sprintf("The provider checks at plan time that each new entry exists, and this lookup failed: %v. Apply checks again.", err))
	}
	for _, g := range newGroups {
		exists, err := r.data.checkObject(ctx, "group:"+strings.ToLower(g), func(ctx context.Context) (bool, error) {
			_, err := c.GetGroup(ctx, g)
			if graph.IsNotFound(err) {
				return false, nil
			}
			return err == nil, err
		})
		switch {
		case err == nil && !exists:
			diags.AddAttributeError(path.Root("group_ids"), "Group Not Found",
				fmt.Sprintf("group_ids lists %s, but no group with that object ID exists in the tenant (GET /groups/%s answered 404). "+
					"Use the group's Object ID from the Entra admin center or from the azuread_group resource's object_id.", g, g))
		case err != nil:
			unverified(path.Root("group_ids"), "Group", err)
		}
	}
	for _, s := range newSponsors {
		exists, err := r.data.checkObject(ctx, "sponsor:"+strings.ToLower(s), func(ctx context.Context) (bool, error) {
			missing, err := sponsorMissing(ctx, c, s)
			return err == nil && !missing, err
		})
		missing := err == nil && !exists
		switch {
		case err != nil:
			unverified(path.Root("sponsor_ids"), "Sponsor", err)
		case missing:
			diags.AddAttributeError(path.Root("sponsor_ids"), "Sponsor Not Found",
				fmt.Sprintf("sponsor_ids lists %s, but it is neither a user nor a group of the tenant (GET /users/%s and GET /groups/%s answered 404). "+
					"A sponsor must be the object ID of a user or a group.", s, s, s))
		}
	}
}

// accessDiagnostic explains a failed membership or sponsor change.
func accessDiagnostic(id string, f *accessChange, during string) diag.Diagnostic {
	summary := "Error Updating Guest User Group Memberships"
	if f.attr == "sponsor_ids" {
		summary = "Error Updating Guest User Sponsors"
	}
	return graphErrorAttributeDiagnostic(path.Root(f.attr), summary,
		fmt.Sprintf("%s, changing %s of user %s failed. The state records the changes that were made; the next apply retries the rest.", during, f.attr, id), f.err)
}
