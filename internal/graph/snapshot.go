package graph

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
)

// The guest snapshot: during a refresh burst, the tenant's guests are read
// with the list call, up to 999 per request, instead of one batch item per
// guest (at most 20 per $batch, and in practice Terraform's parallelism,
// 10). Terraform cannot read more than -parallelism resources at once, but
// a page of the listing answers the reads still to come as well.
//
// Facts from https://learn.microsoft.com/graph/api/user-list (v1.0):
//   - "The default and maximum page sizes are 100 and 999 user objects
//     respectively", except when signInActivity is selected or filtered on,
//     when "the maximum page size is 500" (capPageSize); a $top above 999 is
//     refused with 400 ("Invalid page size specified ... Must be between 1
//     and 999 inclusive").
//   - userType supports $filter with eq as a default (not advanced) query
//     (https://learn.microsoft.com/graph/api/resources/user, userType row),
//     so the listing reads the same directory as GET /users/{id}, without
//     the advanced queries' index lag.
//   - "Certain properties cannot be returned within a user collection"
//     (aboutMe, birthday, hireDate, interests, mySite, pastProjects,
//     preferredName, responsibilities, schools, skills, mailboxSettings):
//     none is in userSelect (TestSnapshotSelectHasNoSingleUserProperty).
//   - The same application permission (User.Read.All) reads both.
//
// Correctness rules:
//   - A read whose user is not in the pages read so far goes to the normal
//     batched GET: "not found" is only concluded from a real GET, and a
//     user whose userType changed (not a guest any more) is still read.
//   - The listing's cost is bounded by what it saves: never more pages than
//     the batches the reads seen in the burst would have cost, so a tenant
//     with 100,000 guests of which 20 are managed pays at most two pages.
//   - Freshness: see snapshotIdleGap and snapshotMaxAge, and the written
//     set: a user this client wrote is never answered from a listing.
//   - Any error on the listing (403 without User.Read.All on the list, 429,
//     a broken page) ends the snapshot for the burst: reads are batched as
//     before, and the error is logged at debug level only.
const (
	// snapshotIdleGap ends a burst: a snapshot not used for this long is
	// dropped. Terraform's refresh workers read again as soon as they have
	// planned their last resource (milliseconds, or a few hundred on a
	// loaded machine); a gap of seconds means the refresh is over (e.g.
	// apply's confirmation prompt, or the next command of a script).
	snapshotIdleGap = 2 * time.Second
	// snapshotMaxAge bounds how old an answer from a snapshot can be, even
	// within one long burst (a 10,000-guest refresh takes minutes): a
	// guest's refresh then reports Graph's state from at most a minute
	// earlier, in the same plan, as if Terraform had read it earlier in
	// its walk. The next read after it starts a new snapshot.
	snapshotMaxAge = time.Minute
	// snapshotPageTimeout bounds one page: the readers waiting for it
	// would otherwise have been answered by a batch in well under that.
	snapshotPageTimeout = 30 * time.Second
)

var opListGuests = operation{name: "GET /users?$filter=userType eq 'Guest' (refresh snapshot)", permission: "User.Read.All"}

// guestSnapshot is the pages of the guest listing read during the current
// burst, and the users this client wrote, which it never answers.
type guestSnapshot struct {
	c     *client
	clock Clock
	// fetch reads one page: the first when link is empty. A variable so
	// tests can count or fail pages without a server.
	fetch func(ctx context.Context, link string) (users []*User, next string, err error)

	mu sync.Mutex
	// written holds the users this client invited, patched, deleted,
	// restored or changed the groups or sponsors of, for its lifetime (one
	// Terraform command): their listed state may predate the write, or a
	// replica may not have seen it yet.
	written map[string]bool

	// The burst: epoch is bumped whenever it ends, so a page read for an
	// ended burst is discarded.
	epoch    int
	started  time.Time // when the first page was asked for
	lastRead time.Time
	reads    int // reads (of users not written) seen in the burst
	pages    int // pages asked for in the burst
	users    map[string]*User
	next     string // the next page's link; "" with complete
	complete bool   // the last page has been read
	failed   bool   // a page failed: batch for the rest of the burst
	loading  chan struct{}
}

func newGuestSnapshot(c *client, clock Clock) *guestSnapshot {
	s := &guestSnapshot{c: c, clock: clock, written: map[string]bool{}}
	s.fetch = c.fetchGuestPage
	return s
}

// snapshotKey is how ids are compared: Graph's object ids are GUIDs, whose case
// does not matter.
func snapshotKey(id string) string { return strings.ToLower(id) }

// wrote records that this client is writing the user: from now on its
// reads go to Graph.
func (s *guestSnapshot) wrote(id string) {
	if s == nil || id == "" {
		return
	}
	k := snapshotKey(id)
	s.mu.Lock()
	s.written[k] = true
	delete(s.users, k)
	s.mu.Unlock()
}

// endLocked drops the burst's pages.
func (s *guestSnapshot) endLocked() {
	s.epoch++
	s.reads, s.pages = 0, 0
	s.users, s.next = nil, ""
	s.complete, s.failed = false, false
	s.started = time.Time{}
	s.loading = nil
}

// get answers a read of id from the snapshot, reading the next page first
// when the burst's budget allows. batchSize is the batcher's learnt
// concurrency: how many reads one batch would carry. burst reports that
// many callers read at once; a snapshot is only started in a burst.
// ok is false when the read must go to Graph.
func (s *guestSnapshot) get(ctx context.Context, id string, batchSize int, burst bool) (u *User, ok bool) {
	k := snapshotKey(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written[k] {
		return nil, false
	}
	now := s.clock.Now()
	if !s.lastRead.IsZero() && (now.Sub(s.lastRead) >= snapshotIdleGap ||
		(!s.started.IsZero() && now.Sub(s.started) >= snapshotMaxAge)) {
		s.endLocked()
	}
	s.lastRead = now
	s.reads++
	for {
		if u, ok := s.users[k]; ok {
			cp := *u
			return &cp, true
		}
		if s.failed || s.complete {
			return nil, false
		}
		if s.loading != nil {
			ch := s.loading
			s.mu.Unlock()
			select {
			case <-ch:
			case <-ctx.Done():
				s.mu.Lock()
				return nil, false
			}
			s.mu.Lock()
			continue
		}
		// Never more pages than the batches these reads would have cost.
		if (s.pages == 0 && !burst) || s.pages >= ceilDiv(s.reads, max(batchSize, 1)) {
			return nil, false
		}
		s.readPageLocked(ctx)
	}
}

// readPageLocked reads the next page with s.mu released, other readers
// waiting on s.loading.
func (s *guestSnapshot) readPageLocked(ctx context.Context) {
	ch := make(chan struct{})
	s.loading = ch
	s.pages++
	epoch, link := s.epoch, s.next
	if s.started.IsZero() {
		s.started = s.clock.Now()
	}
	s.mu.Unlock()
	// The page serves every reader of the burst, so it does not end with
	// the caller that happened to ask for it.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), snapshotPageTimeout)
	users, next, err := s.fetch(pctx, link)
	cancel()
	s.mu.Lock()
	close(ch)
	if epoch != s.epoch {
		return // the burst ended while the page was read
	}
	s.loading = nil
	if err != nil {
		s.failed = true
		s.c.log.Debug(ctx, "graph: the guest listing failed; reads are batched for the rest of this refresh", map[string]any{
			"operation": opListGuests.name, "page": s.pages, "error": err.Error(),
		})
		return
	}
	if s.users == nil {
		s.users = make(map[string]*User, len(users))
	}
	for _, u := range users {
		if k := snapshotKey(u.ID); !s.written[k] {
			s.users[k] = u
		}
	}
	s.next, s.complete = next, next == ""
	s.c.log.Debug(ctx, "graph: read a page of the guest listing", map[string]any{
		"page": s.pages, "users": len(users), "reads": s.reads, "complete": s.complete,
	})
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// guestListURL is the listing's first page: guests, with exactly the
// $select of GetUser, as many per page as Graph allows.
func (c *client) guestListURL() string {
	q := url.Values{}
	q.Set("$filter", "userType eq 'Guest'")
	q.Set("$select", strings.Join(c.selectList(), ","))
	q.Set("$top", strconv.Itoa(int(c.capPageSize(maxPageSize))))
	return c.graphURL.String() + "/v1.0/users?" + q.Encode()
}

// fetchGuestPage reads one page of the guest listing (the first when link
// is empty) and decodes its users as a batch item's user is decoded.
func (c *client) fetchGuestPage(ctx context.Context, link string) ([]*User, string, error) {
	if link == "" {
		link = c.guestListURL()
	} else if err := c.checkNextLink(link); err != nil {
		return nil, "", err
	}
	u, err := url.Parse(link)
	if err != nil {
		return nil, "", &Error{Operation: opListGuests.name, Message: "the page link is not a URL: " + err.Error(), cause: err}
	}
	var raw []byte
	err = c.call(ctx, opListGuests, func(ctx context.Context) error {
		ri := abs.NewRequestInformation()
		ri.Method = abs.GET
		ri.SetUri(*u)
		ri.Headers.TryAdd("Accept", "application/json")
		res, err := c.adapter.SendPrimitive(ctx, ri, "[]byte", errorMapping)
		if err != nil {
			return err
		}
		raw, _ = res.([]byte)
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	var page struct {
		Value    []json.RawMessage `json:"value"`
		NextLink string            `json:"@odata.nextLink"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		return nil, "", &Error{Operation: opListGuests.name, Message: "Graph's page is not valid JSON: " + err.Error(), cause: err}
	}
	users := make([]*User, 0, len(page.Value))
	for _, v := range page.Value {
		u, err := decodeUserJSON(v)
		if err != nil {
			return nil, "", &Error{Operation: opListGuests.name, Message: "reading a user in Graph's page: " + err.Error(), cause: err}
		}
		if u.ID != "" {
			users = append(users, u)
		}
	}
	if page.NextLink == link {
		return nil, "", &Error{Operation: opListGuests.name, Message: "Graph returned the same @odata.nextLink twice"}
	}
	return users, page.NextLink, nil
}

// snapshotGet answers a user read from the guest snapshot when it can. The
// caller counts among the batcher's readers meanwhile: Terraform's workers
// are reading whichever way they are answered, and the learnt concurrency
// is what tells a refresh burst.
func (c *client) snapshotGet(ctx context.Context, id string) (*User, bool) {
	if c.snapshot == nil {
		return nil, false
	}
	want := c.batcher.enter()
	defer c.batcher.leave()
	return c.snapshot.get(ctx, id, want, want >= minHeldBatch)
}
