package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// userSelect is every property User carries, from the table. Graph's default
// projection leaves out most of them (externalUserState, creationType,
// userType, createdDateTime …), which come back only when named in $select.
var userSelect = userprop.Select()

const (
	defaultPageSize = 100
	maxPageSize     = 999 // Graph's maximum $top for users
	maxBackoff      = 30 * time.Second
	// maxServerErrorRetries bounds the retries of a 500 or 502 (operationRetry).
	maxServerErrorRetries = 3
)

// call runs fn, retrying throttling that outlived kiota's retry handler
// (it stops after 10 retries or 180 s of waiting) and, for requests that
// are safe to repeat, broken connections, until the context's deadline.
// When the next wait would end after the deadline it returns the last error
// rather than waiting to fail with "context deadline exceeded".
func (c *client) call(ctx context.Context, op operation, fn func(context.Context) error) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(c.retryBudget)
		ctx = context.WithValue(ctx, retryDeadlineKey{}, deadline)
	}
	if op.noRetryOnTransportError {
		ctx = context.WithValue(ctx, unsafeToRepeatKey{}, true)
	}
	var last *Error
	for attempt := 1; ; attempt++ {
		rec := &lastResponse{}
		err := fn(context.WithValue(ctx, lastResponseKey{}, rec))
		if err == nil {
			return nil
		}
		e := c.toError(op, err)
		var ue *url.Error
		if e.StatusCode == 0 && (ctx.Err() != nil || !errors.As(err, &ue)) {
			// No Graph error came back (non-JSON body, or the context ended
			// during kiota's wait): fall back to the last HTTP answer. Not
			// for a broken connection, though: a 429 before it must not turn
			// it into a retriable error (POST /invitations is never repeated
			// after one).
			if fromResp := c.errorFromResponse(op, rec, err); fromResp != nil {
				e = fromResp
			}
		}
		if ctx.Err() != nil {
			if e.StatusCode == 0 && last != nil {
				return last
			}
			return e
		}
		last = e
		wait, retry := c.operationRetry(op, e, attempt)
		if !retry {
			return e
		}
		if time.Now().Add(wait).After(deadline) {
			return e
		}
		c.log.Debug(ctx, "graph: retrying the operation", map[string]any{
			"operation": op.name, "attempt": attempt + 1, "wait_ms": wait.Milliseconds(),
			"status": e.StatusCode, "request_id": e.RequestID,
		})
		if !sleep(ctx, c.clock, wait) {
			return e
		}
	}
}

// operationRetry decides whether the operation is tried again and when.
func (c *client) operationRetry(op operation, e *Error, attempt int) (time.Duration, bool) {
	backoff := c.baseRetryDelay << min(attempt-1, 10)
	if backoff > maxBackoff {
		backoff = maxBackoff
	}
	switch {
	case e.Kind == KindUnreachable:
		// The transport already redialled a refused connection, and each
		// timeout took its full per-attempt limit: waiting again would
		// only multiply that.
		return 0, false
	case outcomeUnknownStatus(e.StatusCode) && op.noRetryOnTransportError:
		// A 500, 502 or 504 to a write that is not safe to repeat: it may
		// have taken effect behind the gateway (IsOutcomeUnknown). The
		// caller looks its effect up before sending it again.
		return 0, false
	case e.Kind == KindThrottled:
		if e.hasRetryAfter {
			// A floor keeps "Retry-After: 0" from spinning.
			return max(e.retryAfter, 100*time.Millisecond), true
		}
		return backoff, true
	case outcomeUnknownStatus(e.StatusCode):
		// A gateway's (or Graph's) 500 or 502 to a request safe to repeat:
		// Kiota retries only 429, 503 and 504, but these are usually passing
		// too. A few times only, with the exponential wait: a 500 that
		// persists is Graph's answer, not worth the whole timeout.
		// An operation that reads through another (a batched GET) meets the
		// same error again: the count is spent once, not per layer.
		if e.serverRetriesSpent || attempt > maxServerErrorRetries {
			e.serverRetriesSpent = true
			return 0, false
		}
		return backoff, true
	case isTransportError(e):
		if op.noRetryOnTransportError {
			return 0, false
		}
		return backoff, true
	}
	return 0, false
}

// isTransportError reports a failure without any HTTP response from Graph.
func isTransportError(e *Error) bool {
	if e.StatusCode != 0 || e.cause == nil {
		return false
	}
	var te *tokenError
	if errors.As(e.cause, &te) {
		return false
	}
	var ue *url.Error
	return errors.As(e.cause, &ue)
}

func (c *client) invite(ctx context.Context, req InvitationRequest) (*Invitation, error) {
	body := models.NewInvitation()
	body.SetInvitedUserEmailAddress(&req.InvitedUserEmailAddress)
	body.SetInviteRedirectUrl(&req.InviteRedirectURL)
	send := req.SendInvitationMessage
	body.SetSendInvitationMessage(&send)
	if req.InvitedUserDisplayName != "" {
		body.SetInvitedUserDisplayName(&req.InvitedUserDisplayName)
	}
	if req.InvitedUserType != "" {
		body.SetInvitedUserType(&req.InvitedUserType)
	}
	if m := req.Message; m != nil {
		info := models.NewInvitedUserMessageInfo()
		if m.CustomizedMessageBody != "" {
			info.SetCustomizedMessageBody(&m.CustomizedMessageBody)
		}
		if m.MessageLanguage != "" {
			info.SetMessageLanguage(&m.MessageLanguage)
		}
		if len(m.CcRecipients) > 0 {
			rs := make([]models.Recipientable, 0, len(m.CcRecipients))
			for _, addr := range m.CcRecipients {
				ea := models.NewEmailAddress()
				ea.SetAddress(&addr)
				r := models.NewRecipient()
				r.SetEmailAddress(ea)
				rs = append(rs, r)
			}
			info.SetCcRecipients(rs)
		}
		body.SetInvitedUserMessageInfo(info)
	}
	if len(req.SponsorIDs) > 0 {
		body.SetInvitedUserSponsors(invitationSponsors(req.SponsorIDs))
	}
	if req.ResetRedemption {
		if req.InvitedUserID == "" {
			return nil, errors.New("graph: resetting the redemption needs the existing user's ID")
		}
		reset := true
		body.SetResetRedemption(&reset)
		u := models.NewUser()
		u.SetId(&req.InvitedUserID)
		body.SetInvitedUser(u)
	}

	var out models.Invitationable
	// A POST /invitations whose connection breaks is not repeated (see
	// opInvite): Graph may have created the guest already, and the caller
	// must look the email up (FindUsersByEmail) before inviting again.
	err := c.call(ctx, opInvite, func(ctx context.Context) error {
		ticket, err := c.paceInvitation(ctx)
		if err != nil {
			return err
		}
		out, err = c.sdk.Invitations().Post(ctx, body, nil)
		c.invitationAnswered(ctx, ticket, err)
		return err
	})
	if err != nil {
		return nil, inviteOutcomeUnknown(err)
	}
	if out == nil {
		// A success status without a body (a proxy that drops it): Graph
		// created the invitation, but which user it invited is unknown.
		// The same as an answer lost on the way, so the caller looks the
		// address up (IsOutcomeUnknown) instead of leaving the guest out of
		// the state or inviting again.
		return nil, &Error{Operation: opInvite.name, cause: errNoInvitation,
			Message: "Graph answered with a success status but without the invitation, so which user it invited is unknown: look the email up before inviting again"}
	}
	inv := &Invitation{
		ID:              deref(out.GetId()),
		InviteRedeemURL: deref(out.GetInviteRedeemUrl()),
		Status:          deref(out.GetStatus()),
	}
	if u := out.GetInvitedUser(); u != nil {
		inv.InvitedUserID = deref(u.GetId())
	}
	c.snapshot.wrote(inv.InvitedUserID)
	return inv, nil
}

// errNoInvitation is the cause of an invitation answered without a body.
var errNoInvitation = errors.New("graph: POST /invitations answered with a success status and no body")

// inviteOutcomeUnknown adds to a failed invitation whose outcome is unknown
// (IsOutcomeUnknown) that it may have created the guest.
func inviteOutcomeUnknown(err error) error {
	var e *Error
	switch {
	case !errors.As(err, &e) || !IsOutcomeUnknown(err):
	case e.StatusCode != 0:
		e.Message += fmt.Sprintf(" (HTTP %d from Graph or a gateway before it: the invitation may have been created; look the email up before inviting again)", e.StatusCode)
	default:
		e.Message += " (the invitation may have been created before the connection failed: look the email up before inviting again)"
	}
	return err
}

func (c *client) getUser(ctx context.Context, id string) (*User, error) {
	if err := checkID(opGetUser, id); err != nil {
		return nil, err
	}
	if c.batcher == nil {
		return c.getUserDirect(ctx, id)
	}
	if u, ok := c.snapshotGet(ctx, id); ok {
		return u, nil
	}
	// Each attempt joins a batch; an item throttled inside its batch comes
	// back as a 429 *Error with Retry-After, which call waits out.
	var out *User
	err := c.call(ctx, opGetUser, func(ctx context.Context) error {
		var err error
		out, err = c.batcher.get(ctx, id)
		return err
	})
	return out, err
}

// getUserDirect is GetUser as one GET, for reads that found no company.
func (c *client) getUserDirect(ctx context.Context, id string) (*User, error) {
	cfg := &users.UserItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: c.selectList()},
	}
	var out models.Userable
	err := c.call(ctx, opGetUser, func(ctx context.Context) error {
		var err error
		out, err = c.sdk.Users().ByUserId(id).Get(ctx, cfg)
		return err
	})
	if err != nil {
		return nil, err
	}
	return toUser(out), nil
}

func (c *client) updateUser(ctx context.Context, id string, upd UserUpdate) error {
	if err := checkID(opUpdateUser, id); err != nil {
		return err
	}
	if upd.IsEmpty() {
		return nil
	}
	body, err := json.Marshal(patchBody(upd))
	if err != nil {
		return fmt.Errorf("graph: encoding the update: %w", err)
	}
	return c.patchUser(ctx, opUpdateUser, id, body)
}

// patchUser sends PATCH /users/{id} with a JSON body built by the caller
// rather than from a models.User: the SDK's backing store serializes a
// fresh model's @odata.type and decides null-vs-absent from its change
// tracking, while Graph needs exactly the changed properties, null to
// clear a string and [] to empty a collection.
func (c *client) patchUser(ctx context.Context, op operation, id string, body []byte) error {
	c.snapshot.wrote(id)
	return c.call(ctx, op, func(ctx context.Context) error {
		ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abs.PATCH,
			"{+baseurl}/users/{user%2Did}",
			map[string]string{"baseurl": c.adapter.GetBaseUrl(), "user%2Did": id})
		ri.Headers.TryAdd("Accept", "application/json")
		ri.SetStreamContentAndContentType(body, "application/json")
		return c.adapter.SendNoContent(ctx, ri, errorMapping)
	})
}

// patchBody maps the set fields of upd to their Graph names.
func patchBody(u UserUpdate) map[string]any {
	m := map[string]any{}
	str := func(name string, v *string) {
		if v == nil {
			return
		}
		if *v == "" {
			m[name] = nil
			return
		}
		m[name] = *v
	}
	list := func(name string, v *[]string) {
		if v == nil {
			return
		}
		if *v == nil {
			m[name] = []string{}
			return
		}
		m[name] = *v
	}
	str("displayName", u.DisplayName)
	str("userType", u.UserType)
	if u.AccountEnabled != nil {
		m["accountEnabled"] = *u.AccountEnabled
	}
	for name, v := range u.Profile {
		str(name, &v)
	}
	list("businessPhones", u.BusinessPhones)
	list("otherMails", u.OtherMails)
	return m
}

func (c *client) deleteUser(ctx context.Context, id string) error {
	if err := checkID(opDeleteUser, id); err != nil {
		return err
	}
	c.snapshot.wrote(id)
	err := c.call(ctx, opDeleteUser, func(ctx context.Context) error {
		return c.sdk.Users().ByUserId(id).Delete(ctx, nil)
	})
	if err == nil || IsNotFound(err) {
		c.deleted.Store(strings.ToLower(id), struct{}{})
	}
	return err
}

func (c *client) getDeletedUser(ctx context.Context, id string) (*User, error) {
	if err := checkID(opGetDeleted, id); err != nil {
		return nil, err
	}
	item := c.sdk.Directory().DeletedItems().ByDirectoryObjectId(id)
	var out models.Userable
	err := c.call(ctx, opGetDeleted, func(ctx context.Context) error {
		// No $select: the page documents the item as a directoryObject
		// (GET /directory/deletedItems/{object-id},
		// https://learn.microsoft.com/graph/api/directory-deleteditems-get),
		// whose only properties are id and deletedDateTime
		// (https://learn.microsoft.com/graph/api/resources/directoryobject);
		// selecting user properties there is a form no example shows, and
		// a strict OData reader refuses a derived type's property without a
		// cast. The answer without $select is the object's default
		// properties and its @odata.type, as the page's example (and
		// directoryobject-get's) shows, which is all the callers use: the
		// item's existence and kind.
		ri, err := item.ToGetRequestInformation(ctx, nil)
		if err != nil {
			return err
		}
		out, err = c.sendForUser(ctx, ri)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := checkIsUser(opGetDeleted, id, out); err != nil {
		return nil, err
	}
	return toUser(out), nil
}

func (c *client) purgeDeletedUser(ctx context.Context, id string) error {
	if err := checkID(opPurge, id); err != nil {
		return err
	}
	c.snapshot.wrote(id)
	return c.call(ctx, opPurge, func(ctx context.Context) error {
		return c.sdk.Directory().DeletedItems().ByDirectoryObjectId(id).Delete(ctx, nil)
	})
}

func (c *client) restoreDeletedUser(ctx context.Context, id string) (*User, error) {
	if err := checkID(opRestore, id); err != nil {
		return nil, err
	}
	c.snapshot.wrote(id)
	restore := c.sdk.Directory().DeletedItems().ByDirectoryObjectId(id).Restore()
	var out models.Userable
	err := c.call(ctx, opRestore, func(ctx context.Context) error {
		ri, err := restore.ToPostRequestInformation(ctx, nil)
		if err != nil {
			return err
		}
		out, err = c.sendForUser(ctx, ri)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := checkIsUser(opRestore, id, out); err != nil {
		return nil, err
	}
	c.deleted.Delete(strings.ToLower(id))
	return toUser(out), nil
}

// sendForUser parses the response as a user whatever its @odata.type says
// (or does not say): the SDK's deletedItems builders return a generic
// directoryObject, which would drop every user property.
func (c *client) sendForUser(ctx context.Context, ri *abs.RequestInformation) (models.Userable, error) {
	res, err := c.adapter.Send(ctx, ri, models.CreateUserFromDiscriminatorValue, errorMapping)
	if err != nil {
		return nil, err
	}
	u, _ := res.(models.Userable)
	return u, nil
}

func checkIsUser(op operation, id string, u models.Userable) error {
	if u == nil {
		return &Error{Operation: op.name, Message: "Graph returned no object for " + id}
	}
	if t := deref(u.GetOdataType()); t != "" && t != "#microsoft.graph.user" {
		return &Error{Kind: KindNotFound, StatusCode: 404, Code: "Request_ResourceNotFound", Operation: op.name,
			Message: fmt.Sprintf("deleted item %s is a %s, not a user", id, strings.TrimPrefix(t, "#microsoft.graph."))}
	}
	return nil
}

// escapeOData quotes s for a single-quoted OData string literal.
func escapeOData(s string) string { return strings.ReplaceAll(s, "'", "''") }

func (c *client) findUsersByEmail(ctx context.Context, email string) ([]User, error) {
	if strings.TrimSpace(email) == "" {
		return nil, &Error{Kind: KindBadRequest, Operation: opListUsers.name, Message: "an email address is required"}
	}
	q := escapeOData(email)
	// Graph compares mail and otherMails case-insensitively, and both
	// filters are supported without ConsistencyLevel: eventual, which
	// matters because the advanced-query index lags behind new invitations.
	filter := fmt.Sprintf("mail eq '%s' or otherMails/any(m:m eq '%s')", q, q)
	users, err := c.listPages(ctx, filter, false, nil, maxPageSize, 0)
	if err != nil {
		return nil, err
	}
	return c.notInDeletedItems(ctx, c.notDeleted(users)), nil
}

// notInDeletedItems leaves out the users that deleted items holds: users
// deleted elsewhere (the portal, another run, another process) that the
// list query still returned because the replica serving it is behind the
// delete. notDeleted cannot know them, and taking one for the address's
// owner would refuse a create "already exists", adopt a deleted user
// (adopt_existing) or, after an invitation whose answer was lost, save
// the deleted user's ID while the invited one is left out of the state.
// It costs one GET /directory/deletedItems/{id} per user found, so
// nothing when the address is free (every plain create). A deleted item
// is a positive proof only: an answer other than 200 (404 while the
// deleted item itself replicates, or an error) keeps the user, so a lag
// there gives the refusal the look-up gave before, never a second
// invitation. A user restored within seconds can still be read as
// deleted; an invitation to its address then returns that same user
// (Graph invites an existing address's user, not a new one).
func (c *client) notInDeletedItems(ctx context.Context, users []User) []User {
	out := users[:0:0]
	for _, u := range users {
		_, err := c.getDeletedUser(ctx, u.ID)
		if err == nil {
			c.log.Debug(ctx, "graph: the address look-up returned a user that is in deleted items; leaving it out", map[string]any{"object_id": u.ID})
			continue
		}
		if !IsNotFound(err) {
			c.log.Debug(ctx, "graph: could not tell whether a user the address look-up returned is deleted; keeping it", map[string]any{"object_id": u.ID, "error": err.Error()})
		}
		out = append(out, u)
	}
	return out
}

// notDeleted leaves out the users this client deleted. Graph answered the
// DELETE (204, or 404 for a user already gone), so they are gone, but a
// list query can still return one for seconds while the deletion
// replicates (https://devblogs.microsoft.com/identity/designing-for-eventual-consistency-for-microsoft-entra/).
// A create that follows a delete of the same address in one run
// (terraform apply -replace, a taint) would otherwise take the deleted
// user for the address's owner and refuse it as "already exists"; a read
// by ID still goes to Graph, so "gone" is never concluded from this set.
func (c *client) notDeleted(users []User) []User {
	out := users[:0:0]
	for _, u := range users {
		if _, gone := c.deleted.Load(strings.ToLower(u.ID)); !gone {
			out = append(out, u)
		}
	}
	return out
}

// guestFilter builds $filter for f; advanced reports whether it needs
// Graph's advanced query mode (ConsistencyLevel: eventual and $count).
func guestFilter(f GuestFilter) (filter string, advanced bool) {
	var clauses []string
	if f.UserType != "" {
		clauses = append(clauses, fmt.Sprintf("userType eq '%s'", escapeOData(f.UserType)))
	}
	if f.ExternalUserState != "" {
		clauses = append(clauses, fmt.Sprintf("externalUserState eq '%s'", escapeOData(f.ExternalUserState)))
	}
	if f.DisplayNamePrefix != "" {
		clauses = append(clauses, fmt.Sprintf("startswith(displayName,'%s')", escapeOData(f.DisplayNamePrefix)))
	}
	if f.MailDomain != "" {
		d := f.MailDomain
		if !strings.HasPrefix(d, "@") {
			d = "@" + d
		}
		clauses = append(clauses, fmt.Sprintf("endswith(mail,'%s')", escapeOData(d)))
		advanced = true
	}
	// createdDateTime supports ge and le (not gt/lt) in $filter.
	if f.CreatedAfter != nil {
		clauses = append(clauses, "createdDateTime ge "+f.CreatedAfter.UTC().Format(time.RFC3339))
	}
	if f.CreatedBefore != nil {
		clauses = append(clauses, "createdDateTime le "+f.CreatedBefore.UTC().Format(time.RFC3339))
	}
	if c, adv := f.leaveClause(); c != "" {
		clauses = append(clauses, c)
		advanced = advanced || adv
	}
	return strings.Join(clauses, " and "), advanced
}

func (c *client) listUsers(ctx context.Context, f GuestFilter) ([]User, error) {
	filter, advanced := guestFilter(f)
	top := f.PageSize
	switch {
	case top <= 0:
		top = defaultPageSize
	case top > maxPageSize:
		top = maxPageSize
	}
	if f.MaxResults > 0 && f.MaxResults < top {
		top = f.MaxResults
	}
	return c.listPages(ctx, filter, advanced, f.leaveSelect(), int32(top), f.MaxResults)
}

// listPages follows @odata.nextLink until the last page. Each page is one
// retried call, so throttling on page 7 does not restart from page 1.
func (c *client) listPages(ctx context.Context, filter string, advanced bool, extra []string, top int32, maxResults int) ([]User, error) {
	headers := abs.NewRequestHeaders()
	top = c.capPageSize(top)
	qp := &users.UsersRequestBuilderGetQueryParameters{Select: c.selectList(extra...), Top: &top}
	if filter != "" {
		qp.Filter = &filter
	}
	if advanced {
		// endswith on mail is an advanced query: Graph answers 400 without both.
		headers.Add("ConsistencyLevel", "eventual")
		count := true
		qp.Count = &count
	}

	var result []User
	seen := map[string]bool{}
	var page models.UserCollectionResponseable
	err := c.call(ctx, opListUsers, func(ctx context.Context) error {
		var err error
		page, err = c.sdk.Users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{Headers: headers, QueryParameters: qp})
		return err
	})
	for {
		if err != nil {
			return nil, err
		}
		for _, u := range page.GetValue() {
			result = append(result, *toUser(u))
		}
		if maxResults > 0 && len(result) >= maxResults {
			return result[:maxResults], nil
		}
		var next string
		if next, err = c.nextPage(opListUsers, deref(page.GetOdataNextLink()), seen, ""); err != nil {
			return nil, err
		}
		if next == "" {
			return result, nil
		}
		err = c.call(ctx, opListUsers, func(ctx context.Context) error {
			var err error
			// The next link already carries $filter, $select, $top and the
			// skip token; only the ConsistencyLevel header must be repeated.
			page, err = users.NewUsersRequestBuilder(next, c.adapter).Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{Headers: headers})
			return err
		})
	}
}

// nextPage vets the @odata.nextLink a page ended with before a paging loop
// follows it (https://learn.microsoft.com/graph/paging: the link is opaque
// and followed until absent), and remembers it in seen. It returns "" and
// no error after the last page; an error for a link outside Graph
// (checkNextLink) or one already followed, which would loop for ever. of
// names what was listed ("user <id>", "group <id>"), or is empty.
func (c *client) nextPage(op operation, next string, seen map[string]bool, of string) (string, error) {
	if next == "" {
		return "", nil
	}
	if err := c.checkNextLink(next); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Operation = op.name
		}
		return "", err
	}
	if seen[next] {
		msg := "Graph returned the same @odata.nextLink twice"
		if of != "" {
			msg += " for " + of
		}
		return "", &Error{Operation: op.name, Message: msg}
	}
	seen[next] = true
	return next, nil
}

// checkNextLink refuses a next link to another host: following it would
// send requests (though kiota would withhold the token) outside Graph.
func (c *client) checkNextLink(next string) error {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != c.graphURL.Scheme || !strings.EqualFold(u.Host, c.graphURL.Host) {
		return &Error{Operation: opListUsers.name, Message: "Graph returned an @odata.nextLink outside the configured Graph endpoint"}
	}
	return nil
}

func checkID(op operation, id string) error {
	if strings.TrimSpace(id) == "" {
		return &Error{Kind: KindBadRequest, Operation: op.name, Message: "an object ID is required"}
	}
	return nil
}

// toUser copies the SDK model into the package's plain type.
func toUser(m models.Userable) *User {
	if m == nil {
		return nil
	}
	u := &User{
		ID:                              deref(m.GetId()),
		DisplayName:                     deref(m.GetDisplayName()),
		UserPrincipalName:               deref(m.GetUserPrincipalName()),
		Mail:                            deref(m.GetMail()),
		UserType:                        deref(m.GetUserType()),
		ExternalUserState:               deref(m.GetExternalUserState()),
		ExternalUserStateChangeDateTime: utc(m.GetExternalUserStateChangeDateTime()),
		CreationType:                    deref(m.GetCreationType()),
		CreatedDateTime:                 utc(m.GetCreatedDateTime()),
		AccountEnabled:                  m.GetAccountEnabled(),
		BusinessPhones:                  m.GetBusinessPhones(),
		OtherMails:                      m.GetOtherMails(),
		SignInActivity:                  signInFromSDK(m.GetSignInActivity()),
		EmployeeLeaveDateTime:           utc(m.GetEmployeeLeaveDateTime()),
	}
	// Profile strings by their Graph name: the SDK model keeps every
	// property in its backing store under that name, so the table alone
	// decides what is copied.
	for _, p := range userprop.Profiles() {
		v, err := m.GetBackingStore().Get(p.Graph)
		if s, ok := profileText(v); err == nil && ok {
			if u.Profile == nil {
				u.Profile = map[string]string{}
			}
			u.Profile[p.Graph] = s
		}
	}
	return u
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC()
	return &v
}
