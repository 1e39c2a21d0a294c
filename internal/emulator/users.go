package emulator

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// Users endpoints: https://learn.microsoft.com/graph/api/user-get,
// user-list, user-update, user-delete; paging per
// https://learn.microsoft.com/graph/paging; query parameters per
// https://learn.microsoft.com/graph/query-parameters.

var (
	readPerms   = []string{PermUserReadAll, PermUserReadWriteAll, PermDirectoryReadAll, PermDirectoryReadWriteAll}
	writePerms  = []string{PermUserReadWriteAll, PermDirectoryReadWriteAll}
	deletePerms = []string{PermUserDeleteRestoreAll, PermUserReadWriteAll}
	invitePerms = []string{PermUserInviteAll, PermUserReadWriteAll, PermDirectoryReadWriteAll}
)

const (
	defaultPageSize = 100
	maxPageSize     = 999
)

// parseSelect maps $select names to Graph's spelling; nil means default set.
func (c *call) parseSelect() ([]string, bool) { return c.parseSelectOf("user", knownProp) }

// parseSelectOf maps $select names to Graph's spelling through resolve,
// without duplicates; nil means the default set. A name resolve does not
// know is Graph's 400 naming the type.
func (c *call) parseSelectOf(typeName string, resolve func(string) (string, bool)) ([]string, bool) {
	raw := c.r.URL.Query().Get("$select")
	if raw == "" {
		return nil, true
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Split(raw, ",") {
		f = strings.TrimSpace(f)
		name, ok := resolve(f)
		if !ok {
			c.badRequest(fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.%s'.", f, typeName))
			return nil, false
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out, true
}

func (s *Server) visibleLocked(u *user) bool { return !s.now().Before(u.VisibleAt) }

// getLinkableLocked finds a live user that $ref writes can reference.
func (s *Server) getLinkableLocked(key string) *user {
	u := s.getVisibleLocked(key)
	if u == nil || s.now().Before(u.LinkableAt) {
		return nil
	}
	return u
}

// lockUser locks the store and finds a user with find (getVisibleLocked or
// getLinkableLocked). On a miss it unlocks and answers 404 naming key;
// on a hit the caller holds the lock and must release it.
func (c *call) lockUser(key string, find func(*Server, string) *user) (*user, bool) {
	c.s.mu.Lock()
	u := find(c.s, key)
	if u == nil {
		c.s.mu.Unlock()
		c.notFound(key)
		return nil, false
	}
	return u, true
}

// getVisibleLocked finds a live user that replication has made readable.
func (s *Server) getVisibleLocked(key string) *user {
	u := s.findUserLocked(key)
	if u == nil || !s.visibleLocked(u) {
		return nil
	}
	return u
}

func (s *Server) contextURL(entity string, sel []string) string {
	if len(sel) > 0 {
		return s.url + "/v1.0/$metadata#" + entity + "(" + strings.Join(sel, ",") + ")"
	}
	return s.url + "/v1.0/$metadata#" + entity
}

func (c *call) getUser() {
	sel, ok := c.parseSelect()
	if !ok || !c.lifecycleReadAllowed(sel) || !c.signInAccess(sel) {
		return
	}
	id := c.r.PathValue("id")
	c.s.mu.Lock()
	u := c.s.readableLocked(id)
	var out map[string]any
	if u != nil {
		if sel == nil {
			out = userJSON(u, defaultUserProps)
		} else {
			out = userJSON(u, sel)
		}
		c.s.addUnaskedLocked(u, out)
	}
	c.s.mu.Unlock()
	if u == nil {
		c.notFound(id)
		return
	}
	out["@odata.context"] = c.s.contextURL("users", sel) + "/$entity"
	writeJSON(c.w, http.StatusOK, out)
}

func (c *call) listUsers() {
	c.pageUsers(userList{
		nextPath: "/v1.0/users",
		context:  "users",
		// Everything under lock: candidates are read while c.s.mu is held.
		candidates: func() []*user { return c.s.listedUsersLocked() },
	})
}

// userList describes one user collection endpoint for pageUsers.
type userList struct {
	nextPath   string
	context    string
	candidates func() []*user
	// advancedFilterOnly: every $filter on this collection is an advanced
	// query (as on group members).
	advancedFilterOnly bool
	// idOnly renders only id and @odata.type (callers without a user read
	// permission listing group members).
	idOnly bool
	// typed names each item's type in @odata.type, as a directoryObject
	// collection does (group members without the cast to users).
	typed bool
	// castOnRelationship: an OData cast on a relationship, which is an
	// advanced query whatever the other options (group-list-members:
	// "This header and $count are required when using the $search,
	// $filter, $orderby, or OData cast query parameters").
	castOnRelationship string
	// withoutSignInActivity drops signInActivity from $select: Microsoft
	// documents it on List users and Get user only
	// (https://learn.microsoft.com/graph/api/resources/user,
	// https://learn.microsoft.com/graph/api/user-list); the request to
	// return it on group members was closed without a change
	// (microsoftgraph/microsoft-graph-docs-contrib#5049). The docs are
	// silent on what Graph does with the $select there, so the emulator
	// takes the conservative model: ignored, as if not asked for, and
	// neither AuditLog.Read.All nor the licence is checked.
	withoutSignInActivity bool
}

// userQuery is a user collection request's query options, validated.
type userQuery struct {
	q        url.Values
	sel      []string
	hasLevel bool  // ConsistencyLevel: eventual, sent or carried by the token
	after    int64 // last sequence served, from $skiptoken
	fromTok  bool  // a $skiptoken was given
	count    bool  // $count=true honoured
	advanced bool  // an advanced query (https://learn.microsoft.com/graph/aad-advanced-queries)
	top      int
	skip     int
	match    pred
}

// pageUsers serves a user collection with $select, $filter, $top, $count
// and $skiptoken paging.
func (c *call) pageUsers(l userList) {
	uq, ok := c.parseUserQuery(l)
	if !ok {
		return
	}
	c.s.mu.Lock()
	page, total, last, more := c.userPageLocked(l, uq)
	c.s.mu.Unlock()

	out := map[string]any{"@odata.context": c.s.contextURL(l.context, uq.sel), "value": page}
	if uq.count {
		out["@odata.count"] = total
	}
	if more {
		out["@odata.nextLink"] = c.base() + l.nextPath + "?" + nextQuery(uq.q, encodeSkipToken(last, uq.advanced))
	}
	writeJSON(c.w, http.StatusOK, out)
}

// parseUserQuery validates a user collection's query options in the
// order Graph reports them; false when an error has been written.
func (c *call) parseUserQuery(l userList) (userQuery, bool) {
	uq := userQuery{q: c.r.URL.Query(), top: defaultPageSize, match: func(*user) bool { return true }}
	var ok bool
	if uq.sel, ok = c.parseSelect(); !ok {
		return uq, false
	}
	if l.withoutSignInActivity && uq.sel != nil {
		uq.sel = slices.DeleteFunc(slices.Clone(uq.sel), func(p string) bool { return strings.EqualFold(p, propSignInActivity) })
	}
	uq.hasLevel = strings.EqualFold(c.r.Header.Get("ConsistencyLevel"), "eventual")
	steps := []func(*userQuery) *apiError{parseUserSkipToken, parseUserCount, parseUserTop, parseUserSkip}
	for _, step := range steps {
		if e := step(&uq); e != nil {
			c.fail(e)
			return uq, false
		}
	}
	if l.castOnRelationship != "" && !uq.advanced {
		c.castNotAdvanced(l.castOnRelationship)
		return uq, false
	}
	if f := uq.q.Get("$filter"); f != "" {
		p, err := parseFilter(f, uq.hasLevel, uq.advanced)
		if err == nil && l.advancedFilterOnly && !uq.advanced {
			err = (&fparser{hasLevel: uq.hasLevel}).needAdvanced("filter")
		}
		if err != nil {
			c.filterError(err)
			return uq, false
		}
		uq.match = p
	}
	if !c.signInAccess(uq.sel) {
		return uq, false
	}
	capSignInPage(&uq)
	c.s.mu.Lock()
	uq.top = c.s.pageSizeLocked(uq.top)
	c.s.mu.Unlock()
	if _, ok := uq.q["$orderby"]; ok {
		c.graphError(http.StatusBadRequest, "Request_UnsupportedQuery", "Sorting not supported for current query.")
		return uq, false
	}
	if _, ok := uq.q["$search"]; ok {
		c.graphError(http.StatusBadRequest, "Request_UnsupportedQuery", "$search is not supported by the emulator.")
		return uq, false
	}
	return uq, true
}

func parseUserSkipToken(uq *userQuery) *apiError {
	tok := uq.q.Get("$skiptoken")
	if tok == "" {
		return nil
	}
	n, adv, err := decodeSkipToken(tok)
	if err != nil {
		return badRequestError("The specified page token value has expired and can no longer be included in your request.")
	}
	// The first page validated the query; the token carries that, so
	// a page iterator that drops ConsistencyLevel on later pages (as
	// msgraph-sdk-go-core's does) still gets them.
	uq.after, uq.fromTok, uq.advanced = n, true, adv
	uq.hasLevel = uq.hasLevel || adv
	return nil
}

func parseUserCount(uq *userQuery) *apiError {
	if v := uq.q.Get("$count"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return badRequestError(fmt.Sprintf("Invalid value '%s' for $count; expected true or false.", v))
		}
		// Without ConsistencyLevel: eventual, Graph "silently ignores the
		// $count query parameter (?$count=true)" on directory objects: no
		// @odata.count and no advanced query
		// (https://learn.microsoft.com/graph/aad-advanced-queries#error-handling-for-advanced-queries-on-directory-objects).
		uq.count = b && uq.hasLevel
	}
	uq.advanced = uq.advanced || (uq.hasLevel && uq.count)
	return nil
}

func parseUserTop(uq *userQuery) *apiError {
	if v := uq.q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return badRequestError(fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", v))
		}
		uq.top = n
	}
	return nil
}

func parseUserSkip(uq *userQuery) *apiError {
	v, ok := uq.q["$skip"]
	if !ok || uq.fromTok {
		return nil
	}
	// List users documents "$skip isn't supported"
	// (https://learn.microsoft.com/graph/api/user-list#optional-query-parameters);
	// Graph answers "'$skip' is not supported by the service."
	// (msgraph-sdk-powershell#1771, msgraph-sdk-dotnet#348) unless the
	// query is an advanced one, which serves it.
	if !uq.advanced {
		return badRequestError("'$skip' is not supported by the service.")
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < 0 {
		return badRequestError(fmt.Sprintf("Invalid value '%s' for $skip; expected a non-negative integer.", v[0]))
	}
	uq.skip = n
	return nil
}

// userPageLocked renders the page after uq.after: the matching visible
// candidates, their total, the last sequence served and whether more
// follow.
func (c *call) userPageLocked(l userList, uq userQuery) (page []map[string]any, total int, last int64, more bool) {
	page = []map[string]any{}
	skip := uq.skip
	for _, u := range l.candidates() {
		if !c.s.visibleLocked(u) || !uq.match(u) {
			continue
		}
		total++
		switch {
		case u.Seq <= uq.after:
		case skip > 0:
			skip--
		case len(page) == uq.top:
			more = true
		default:
			item := renderListedUser(u, uq.sel, l.idOnly)
			if l.typed {
				item["@odata.type"] = "#microsoft.graph.user"
			}
			c.s.addUnaskedLocked(u, item)
			page = append(page, item)
			last = u.Seq
		}
	}
	return page, total, last, more
}

func renderListedUser(u *user, sel []string, idOnly bool) map[string]any {
	switch {
	case idOnly:
		return map[string]any{"@odata.type": "#microsoft.graph.user", "id": u.Props["id"]}
	case sel == nil:
		return userJSON(u, defaultUserProps)
	default:
		return userJSON(u, sel)
	}
}

// filterError answers a refused $filter with Graph's envelope.
func (c *call) filterError(err error) {
	var fe *filterError
	if errors.As(err, &fe) {
		c.graphError(http.StatusBadRequest, fe.code, fe.msg)
		return
	}
	c.badRequest(err.Error())
}

// countUsers serves GET /users/$count. Counting directory objects is
// advanced-query only: without ConsistencyLevel: eventual "the request
// returns an error when the $count URL segment is used", 400
// Request_BadRequest "$count is not currently supported."
// (https://learn.microsoft.com/graph/aad-advanced-queries#error-handling-for-advanced-queries-on-directory-objects).
// With the header the count is plain text (user-list, "Get only a count
// of users").
func (c *call) countUsers() {
	if !strings.EqualFold(c.r.Header.Get("ConsistencyLevel"), "eventual") {
		c.badRequest("$count is not currently supported.")
		return
	}
	match := func(*user) bool { return true }
	if f := c.r.URL.Query().Get("$filter"); f != "" {
		p, err := parseFilter(f, true, true)
		if err != nil {
			c.filterError(err)
			return
		}
		match = p
	}
	n := 0
	c.s.mu.Lock()
	for _, u := range c.s.listedUsersLocked() {
		if c.s.visibleLocked(u) && match(u) {
			n++
		}
	}
	c.s.mu.Unlock()
	c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write([]byte(strconv.Itoa(n)))
}

// Skip tokens are opaque to clients; they carry the last sequence served
// (so pages stay stable while users are added or removed) and whether the
// query was an advanced one.
func encodeSkipToken(seq int64, advanced bool) string {
	a := "0"
	if advanced {
		a = "1"
	}
	return base64.RawURLEncoding.EncodeToString([]byte("b2bemu1:" + strconv.FormatInt(seq, 10) + ":" + a))
}

func decodeSkipToken(t string) (int64, bool, error) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil {
		return 0, false, err
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != "b2bemu1" {
		return 0, false, errors.New("bad token")
	}
	n, err := strconv.ParseInt(parts[1], 10, 64)
	return n, parts[2] == "1", err
}

var (
	usageLocationRE = regexp.MustCompile(`^[A-Za-z]{2}$`)
	languageRE      = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

func invalidValue(prop string) string {
	return fmt.Sprintf("Invalid value specified for property '%s' of resource 'User'.", prop)
}

// validatePatch checks a PATCH body and returns the normalized changes.
// What is writable, nullable and how long it may be comes from the table
// (userprops.go); the format checks below are the emulator's own.
func validatePatch(body map[string]any) (map[string]any, string) {
	out := map[string]any{}
	for k, v := range body {
		if strings.HasPrefix(k, "@odata.") {
			continue
		}
		name, ok := knownProp(k)
		if !ok || name != k {
			return nil, fmt.Sprintf("The property '%s' does not exist on type 'microsoft.graph.user'. Make sure to only use property names that are defined by the type or mark the type as open type.", k)
		}
		if readOnlyProps[name] {
			return nil, fmt.Sprintf("Property '%s' is read-only and cannot be set.", name)
		}
		nv, msg := validatePatchValue(name, v)
		if msg != "" {
			return nil, msg
		}
		out[name] = nv
	}
	return out, ""
}

// validatePatchValue checks one property of a PATCH body by its type.
func validatePatchValue(name string, v any) (any, string) {
	switch {
	case name == "accountEnabled":
		if _, ok := v.(bool); !ok {
			return nil, invalidValue(name)
		}
		return v, ""
	case name == "identities":
		if _, ok := v.([]any); !ok {
			return nil, invalidValue(name)
		}
		return v, ""
	case collectionProps[name]:
		return validatePatchCollection(name, v)
	case modelledProps[name].Type == userprop.Time:
		return validatePatchTime(name, v)
	default:
		return validatePatchString(name, v)
	}
}

// validatePatchCollection checks businessPhones or otherMails; null and []
// both empty the collection.
func validatePatchCollection(name string, v any) (any, string) {
	if v == nil {
		return []any{}, ""
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, invalidValue(name)
	}
	for _, e := range arr {
		s, ok := e.(string)
		if !ok || (name == "otherMails" && !validEmail(s)) || tooLong(name, s) {
			return nil, invalidValue(name)
		}
	}
	if name == "businessPhones" && len(arr) > 1 {
		return nil, "Only one number can be set for this property."
	}
	return v, ""
}

// tooLong reports whether s exceeds name's limit, counted as Graph counts
// it: in UTF-16 code units, so an emoji is 2 (userprop.Length says why).
func tooLong(name, s string) bool {
	l, ok := maxLen[name]
	return ok && userprop.Length(s) > l
}

// validatePatchString checks a string property: null where nullable,
// the length limit, the allowed values of an enumeration, and formats.
func validatePatchString(name string, v any) (any, string) {
	if v == nil {
		if notNullable[name] {
			return nil, invalidValue(name)
		}
		return nil, ""
	}
	s, ok := v.(string)
	if !ok || tooLong(name, s) {
		return nil, invalidValue(name)
	}
	if vals := modelledProps[name].Values; len(vals) > 0 && !slices.Contains(vals, s) {
		return nil, invalidValue(name)
	}
	switch name {
	case "displayName":
		if strings.TrimSpace(s) == "" {
			return nil, invalidValue(name)
		}
	case "usageLocation":
		if !usageLocationRE.MatchString(s) {
			return nil, invalidValue(name)
		}
		s = strings.ToUpper(s)
	case "preferredLanguage":
		if !languageRE.MatchString(s) {
			return nil, invalidValue(name)
		}
	case "mail":
		if !validEmail(s) {
			return nil, invalidValue(name)
		}
	}
	return s, ""
}

func (c *call) patchUser() {
	id := c.r.PathValue("id")
	var body map[string]any
	if !c.readJSONObject(&body) {
		return
	}
	changes, msg := validatePatch(body)
	if msg != "" {
		c.badRequest(msg)
		return
	}
	if !c.lifecycleWriteAllowed(changes) {
		return
	}
	c.s.mu.Lock()
	u := c.s.getVisibleLocked(id)
	if u != nil {
		if upn, ok := changes["userPrincipalName"].(string); ok {
			if o := c.s.findUserLocked(upn); o != nil && o != u {
				c.s.mu.Unlock()
				c.badRequest("Another object with the same value for property userPrincipalName already exists.")
				return
			}
		}
		for k, v := range changes {
			setProp(u, k, c.s.restampLocked(k, v))
		}
		c.s.saveLocked()
	}
	c.s.mu.Unlock()
	if u == nil {
		c.notFound(id)
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

func (c *call) deleteUser() {
	id := c.r.PathValue("id")
	c.s.mu.Lock()
	u := c.s.getVisibleLocked(id)
	if u != nil {
		c.s.softDeleteLocked(u)
		c.s.saveLocked()
	}
	c.s.mu.Unlock()
	if u == nil {
		c.notFound(id)
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

// odataEscaper keeps the characters Graph leaves readable in nextLink
// ($ in option names, commas in $select, quotes and parentheses in $filter).
var odataEscaper = strings.NewReplacer("%24", "$", "%2C", ",", "%27", "'", "%28", "(", "%29", ")", "%3A", ":", "%2F", "/")

// nextQuery rebuilds the request's query with a new $skiptoken.
func nextQuery(q url.Values, token string) string {
	nq := url.Values{}
	for k, v := range q {
		// The token carries the position, so $skip applies to page one only.
		if k != "$skiptoken" && k != "$skip" {
			nq[k] = v
		}
	}
	nq.Set("$skiptoken", token)
	return odataEscaper.Replace(nq.Encode())
}
