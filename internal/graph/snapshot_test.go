package graph

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeTenant answers the guest listing, single user reads (also inside
// batches) and PATCH, as Graph would, for users it holds; listed is the
// order of the listing, which may hold guests no read asks for.
type fakeTenant struct {
	f        *fake
	mu       sync.Mutex
	listed   []string
	users    map[string]map[string]any
	listCode int // answer to the listing when not 0 (e.g. 403)
	pageSize int // the server's page size, at most the $top asked for
	// leaveDenied refuses the employeeLeaveDateTime read of these users (403).
	leaveDenied map[string]bool
}

func newFakeTenant(f *fake, listed []string) *fakeTenant {
	ft := &fakeTenant{f: f, listed: listed, users: map[string]map[string]any{}}
	for _, id := range listed {
		ft.users[id] = userJSON(id, id+"@partner.example")
	}
	f.setGraph(ft.serve)
	return ft
}

func (ft *fakeTenant) serve(w http.ResponseWriter, r *http.Request) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1.0/users":
		if ft.listCode != 0 {
			graphError(w, ft.listCode, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", "")
			return
		}
		q := r.URL.Query()
		top, err := strconv.Atoi(q.Get("$top"))
		if err != nil || top < 1 || top > 999 {
			graphError(w, 400, "Request_BadRequest", "Invalid page size specified.", "")
			return
		}
		if ft.pageSize > 0 {
			top = min(top, ft.pageSize)
		}
		from, _ := strconv.Atoi(q.Get("$skiptoken"))
		to := min(from+top, len(ft.listed))
		page := []any{}
		for _, id := range ft.listed[from:to] {
			u := ft.users[id]
			if u == nil {
				u = userJSON(id, id+"@partner.example") // a guest no read asks for
			}
			page = append(page, u)
		}
		out := map[string]any{"value": page}
		if to < len(ft.listed) {
			q.Set("$skiptoken", strconv.Itoa(to))
			out["@odata.nextLink"] = ft.f.srv.URL + "/v1.0/users?" + q.Encode()
		}
		writeJSON(w, 200, out)
	case strings.HasPrefix(r.URL.Path, "/v1.0/users/"):
		id := strings.TrimPrefix(r.URL.Path, "/v1.0/users/")
		u, ok := ft.users[id]
		switch {
		case !ok:
			graphError(w, 404, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist.", id), "")
		case strings.Contains(r.URL.Query().Get("$select"), "employeeLeaveDateTime") && ft.leaveDenied[id]:
			graphError(w, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", "")
		case strings.Contains(r.URL.Query().Get("$select"), "employeeLeaveDateTime"):
			writeJSON(w, 200, map[string]any{"id": id, "employeeLeaveDateTime": "2027-01-01T01:00:00+01:00"})
		case r.Method == http.MethodPatch:
			u["jobTitle"] = "Patched"
			w.WriteHeader(http.StatusNoContent)
		default:
			writeJSON(w, 200, u)
		}
	default:
		graphError(w, 404, "Request_ResourceNotFound", "no route", "")
	}
}

// wire counts the requests the fake saw by kind.
func wire(f *fake) (lists, batches, gets, total int) {
	for _, c := range f.calls() {
		total++
		switch {
		case c.Method == http.MethodGet && c.Path == "/v1.0/users":
			lists++
		case c.Path == "/v1.0/$batch":
			batches++
		case c.Method == http.MethodGet:
			gets++
		}
	}
	return
}

func guestIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%05d", prefix, i)
	}
	return ids
}

// terraformParallelism is how many reads Terraform has in flight at once
// by default (-parallelism=10).
const terraformParallelism = 10

// snapshotClient is a client of f on a fake clock whose batcher has learnt
// that Terraform's default parallelism of callers read at once.
func snapshotClient(t *testing.T, f *fake) (*Client, *fakeClock) {
	n := terraformParallelism
	t.Helper()
	clk := newFakeClock()
	cfg := f.config()
	cfg.Clock = clk
	c := f.client(cfg)
	setLearnt(c, n)
	// The token first, so that the counts below are Graph's requests only.
	if _, err := c.impl.cred.GetToken(t.Context(), c.impl.tokenOptions); err != nil {
		t.Fatal(err)
	}
	return c, clk
}

// setLearnt makes the batcher behave as if n callers had been reading at once.
func setLearnt(c *Client, n int) {
	b := c.impl.batcher
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range b.peaks {
		b.peaks[i] = n
	}
	b.peak = n
}

// rounds reads ids as Terraform's refresh does: workers at a time, each
// round waiting for the last, while the fake clock is pumped so that a
// batch waiting for company is sent. It returns each read's result.
func rounds(t *testing.T, c *Client, clk *fakeClock, ids []string) ([]*User, []error) {
	workers := terraformParallelism
	t.Helper()
	users, errs := make([]*User, len(ids)), make([]error, len(ids))
	for start := 0; start < len(ids); start += workers {
		done := make(chan struct{})
		var wg sync.WaitGroup
		for i := start; i < min(start+workers, len(ids)); i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
				defer cancel()
				users[i], errs[i] = c.GetUser(ctx, ids[i])
			}()
		}
		go func() { wg.Wait(); close(done) }()
	pump:
		for {
			select {
			case <-done:
				break pump
			case <-time.After(5 * time.Millisecond):
				clk.advanceToNext()
			}
		}
	}
	return users, errs
}

func (c *fakeClock) advanceBy(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func checkReads(t *testing.T, ids []string, users []*User, errs []error) {
	t.Helper()
	for i, id := range ids {
		if errs[i] != nil || users[i] == nil || users[i].ID != id || users[i].Mail != id+"@partner.example" {
			t.Errorf("read %s: %+v, %v", id, users[i], errs[i])
		}
	}
}

// A refresh of 60 guests by 10 workers is one request: the first page of
// the listing, with GetUser's exact $select and the largest page Graph
// allows, answers every read.
func TestSnapshotAnswersARefreshBurst(t *testing.T) {
	f := newFake(t)
	ids := guestIDs("g", 60)
	newFakeTenant(f, ids)
	c, clk := snapshotClient(t, f)
	users, errs := rounds(t, c, clk, ids)
	checkReads(t, ids, users, errs)
	lists, batches, gets, total := wire(f)
	if lists != 1 || total != 1 {
		t.Fatalf("60 reads took %d requests (%d list pages, %d batches, %d GETs); want the one list page", total, lists, batches, gets)
	}
	q := f.calls()[0].Query
	if q.Get("$filter") != "userType eq 'Guest'" || q.Get("$top") != "999" || q.Get("$select") != strings.Join(c.impl.selectList(), ",") {
		t.Errorf("the listing asked for %v; want guests, $top=999 and GetUser's $select", q)
	}
}

// With signInActivity selected Graph's page limit is 500, not 999.
func TestSnapshotPageSizeWithSignInActivity(t *testing.T) {
	f := newFake(t)
	newFakeTenant(f, guestIDs("g", 10))
	cfg := f.config()
	cfg.ReadSignInActivity = true
	c := f.client(cfg)
	q, _ := url.ParseQuery(strings.SplitN(c.impl.guestListURL(), "?", 2)[1])
	if q.Get("$top") != "500" || !strings.Contains(q.Get("$select"), "signInActivity") {
		t.Errorf("listing query with sign-in activity: %v; want $top=500 and signInActivity selected", q)
	}
}

// 100,000 guests, 20 of which are read: the listing never costs more
// pages than the batches the reads would have cost, and the reads that
// its pages did not answer are batched as before.
func TestSnapshotPagesBoundedByTheReads(t *testing.T) {
	f := newFake(t)
	managed := guestIDs("m", 20)
	others := guestIDs("x", 100000)
	ft := newFakeTenant(f, others) // the managed guests come last in the listing
	for _, id := range managed {
		ft.users[id] = userJSON(id, id+"@partner.example")
	}
	ft.listed = append(ft.listed, managed...)
	c, clk := snapshotClient(t, f)
	users, errs := rounds(t, c, clk, managed)
	checkReads(t, managed, users, errs)
	lists, batches, gets, _ := wire(f)
	if lists > 2 {
		t.Errorf("20 reads listed %d pages; want at most 2 (the batches they would have cost)", lists)
	}
	if lists == 0 || batches+gets == 0 {
		t.Errorf("want the listing tried and the reads batched: %d pages, %d batches, %d GETs", lists, batches, gets)
	}
	t.Logf("%d pages, %d batches, %d GETs", lists, batches, gets)
}

// A user this client wrote is read from Graph, not from a page listed
// before the write; the others are still answered from the snapshot.
func TestSnapshotNeverAnswersAWrittenUser(t *testing.T) {
	f := newFake(t)
	ids := guestIDs("g", 20)
	newFakeTenant(f, ids)
	c, clk := snapshotClient(t, f)
	users, errs := rounds(t, c, clk, ids)
	checkReads(t, ids, users, errs)
	ctx := t.Context()
	if err := c.UpdateUser(ctx, ids[3], UserUpdate{DisplayName: ptr("Renamed")}); err != nil {
		t.Fatal(err)
	}
	before := len(f.calls())
	setLearnt(c, 1) // a lone read: a plain GET
	u, err := c.GetUser(ctx, ids[3])
	if err != nil || u.Profile["jobTitle"] != "Patched" {
		t.Fatalf("read after the write: %+v, %v; want Graph's answer (jobTitle Patched)", u, err)
	}
	if got := f.calls()[before:]; len(got) != 1 || got[0].Path != "/v1.0/users/"+ids[3] {
		t.Fatalf("the read after the write sent %v; want one GET of the user", got)
	}
	before = len(f.calls())
	if u, err := c.GetUser(ctx, ids[4]); err != nil || u.ID != ids[4] || len(f.calls()) != before {
		t.Fatalf("an unwritten user: %+v, %v, %d requests; want it from the snapshot", u, err, len(f.calls())-before)
	}
}

func ptr[T any](v T) *T { return &v }

// A snapshot serves its own burst only: after an idle gap, or past its
// maximum age however busy the burst, the next read lists again.
func TestSnapshotExpires(t *testing.T) {
	f := newFake(t)
	ids := guestIDs("g", 10)
	newFakeTenant(f, ids)
	c, clk := snapshotClient(t, f)
	ctx := t.Context()
	read := func() {
		t.Helper()
		if _, err := c.GetUser(ctx, ids[0]); err != nil {
			t.Fatal(err)
		}
	}
	read()
	clk.advanceBy(snapshotIdleGap - time.Millisecond)
	read()
	if lists, _, _, total := wire(f); lists != 1 || total != 1 {
		t.Fatalf("within the burst: %d requests; want the one page", total)
	}
	clk.advanceBy(snapshotIdleGap)
	read()
	if lists, _, _, _ := wire(f); lists != 2 {
		t.Fatalf("after an idle gap of %v: %d pages; want a new listing", snapshotIdleGap, lists)
	}
	// A busy burst: a read every second, past the maximum age.
	for range int(snapshotMaxAge/time.Second) - 1 {
		clk.advanceBy(time.Second)
		read()
	}
	if lists, _, _, _ := wire(f); lists != 2 {
		t.Fatalf("a read every second within %v: %d pages; want still 2", snapshotMaxAge, lists)
	}
	clk.advanceBy(time.Second)
	read()
	if lists, _, _, _ := wire(f); lists != 3 {
		t.Fatalf("past %v: %d pages; want a new listing", snapshotMaxAge, lists)
	}
}

// A listing Graph refuses (403: the app may read users one by one but not
// list them) falls back to batching silently, once per burst.
func TestSnapshotFallsBackToBatchesOn403(t *testing.T) {
	f := newFake(t)
	ids := guestIDs("g", 30)
	ft := newFakeTenant(f, ids)
	ft.listCode = http.StatusForbidden
	clk := newFakeClock()
	cfg := f.config()
	cfg.Clock = clk
	logs := &memLogger{}
	cfg.Logger = logs
	c := f.client(cfg)
	setLearnt(c, 10)
	users, errs := rounds(t, c, clk, ids)
	checkReads(t, ids, users, errs)
	lists, batches, gets, _ := wire(f)
	if lists != 1 || batches < 3 {
		t.Errorf("%d list pages, %d batches, %d GETs; want one refused listing, then batches", lists, batches, gets)
	}
	if !strings.Contains(logs.all(), "the guest listing failed") {
		t.Errorf("no debug line for the refused listing:\n%s", logs.all())
	}
}

// A read of a user the listing does not hold (deleted, or no longer a
// guest) goes to Graph: NotFound is concluded from a real GET only.
func TestSnapshotMissingUserIsReadFromGraph(t *testing.T) {
	f := newFake(t)
	ids := guestIDs("g", 9)
	newFakeTenant(f, ids)
	c, clk := snapshotClient(t, f)
	missing := "gone-00001"
	users, errs := rounds(t, c, clk, append(ids, missing))
	checkReads(t, ids, users[:9], errs[:9])
	if !IsNotFound(errs[9]) {
		t.Fatalf("the missing user: %v; want NotFound", errs[9])
	}
	var asked bool
	for _, call := range f.calls() {
		asked = asked || strings.HasSuffix(call.Path, "/users/"+missing) || strings.Contains(string(call.Body), "/users/"+missing)
	}
	if !asked {
		t.Fatalf("the missing user was never asked of Graph: %v", f.calls())
	}
}

// Users the reads do not ask for, paged in by the listing, stop being
// paged once the budget is spent, and the pages already read still serve.
func TestSnapshotKeepsServingPagesAlreadyRead(t *testing.T) {
	f := newFake(t)
	ids := guestIDs("g", 3000)
	ft := newFakeTenant(f, ids)
	ft.pageSize = 100
	c, clk := snapshotClient(t, f)
	// 30 reads of users on the first page: 1 page, never 3.
	users, errs := rounds(t, c, clk, ids[:30])
	checkReads(t, ids[:30], users, errs)
	if lists, _, _, total := wire(f); lists != 1 || total != 1 {
		t.Fatalf("30 reads on page 1: %d requests, %d pages; want 1", total, lists)
	}
}

// Graph returns some user properties on a single user only, never in a
// collection (https://learn.microsoft.com/graph/api/user-list: "Certain
// properties cannot be returned within a user collection"): the listing
// would silently miss them and every refresh served by it would drift.
func TestSnapshotSelectHasNoSingleUserProperty(t *testing.T) {
	single := []string{"aboutMe", "birthday", "hireDate", "interests", "mySite", "pastProjects",
		"preferredName", "responsibilities", "schools", "skills", "mailboxSettings"}
	c := &client{cfg: Config{ReadSignInActivity: true}}
	for _, p := range c.selectList() {
		for _, s := range single {
			if strings.EqualFold(p, s) {
				t.Errorf("GetUser selects %s, which Graph does not return in the listing: the snapshot cannot serve it", p)
			}
		}
	}
}
