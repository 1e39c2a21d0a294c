package graph_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

const getUserKey = "GET /v1.0/users/{id}"

// emulatorClientClock is emulatorClient on clk.
func emulatorClientClock(t *testing.T, s *emulator.Server, app emulator.App, clk graph.Clock) *graph.Client {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CA().CertPool(), MinVersion: tls.VersionTLS12}}}
	c, err := graph.New(graph.Config{
		Auth: graph.AuthConfig{Method: graph.AuthClientSecret, TenantID: s.TenantID(), ClientID: app.ClientID,
			ClientSecret: app.Secret, AuthorityHost: s.AuthorityHost()},
		GraphEndpoint: s.GraphEndpoint(),
		UserAgent:     "terraform-provider-b2b/test",
		HTTPClient:    hc,
		Clock:         clk,
	})
	if err != nil {
		t.Fatalf("graph.New: %v", err)
	}
	return c
}

func seedGuests(t *testing.T, s *emulator.Server, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		id, err := s.SeedUser(emulator.SeedUser{Email: fmt.Sprintf("g%02d@partner.example", i), DisplayName: fmt.Sprintf("Guest %02d", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	return ids
}

// readAll reads ids concurrently, as Terraform's parallel refresh does.
func readAll(ctx context.Context, c *graph.Client, ids []string) ([]*graph.User, []error) {
	users, errs := make([]*graph.User, len(ids)), make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			users[i], errs[i] = c.GetUser(ctx, id)
		}()
	}
	wg.Wait()
	return users, errs
}

func TestConcurrentReadsShareBatches(t *testing.T) {
	s := startEmulator(t, emulator.Options{})
	c := emulatorClient(t, s, s.DefaultApp())
	graph.DisableGuestSnapshot(c) // batching itself is under test
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ids := seedGuests(t, s, 40)
	missing := "6f1d6b8e-0000-4000-8000-000000000404"
	ids = append(ids, missing)
	// Fetch the token first so that the reads start together.
	if _, err := c.GetUser(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	s.ResetCounters()

	users, errs := readAll(ctx, c, ids)
	for i, id := range ids {
		if id == missing {
			if !graph.IsNotFound(errs[i]) {
				t.Errorf("missing user: err = %v, want not found", errs[i])
			}
			continue
		}
		if errs[i] != nil {
			t.Errorf("read %s: %v", id, errs[i])
			continue
		}
		// Each caller gets its own user back, with the full $select.
		if users[i].ID != id || users[i].Mail != fmt.Sprintf("g%02d@partner.example", i) || users[i].UserType != "Guest" {
			t.Errorf("read %s got %+v", id, users[i])
		}
	}
	cnt := s.Counters()
	wire := cnt[getUserKey] - cnt[emulator.BatchItemCounterPrefix+getUserKey]
	batches := cnt["POST /v1.0/$batch"]
	// 41 reads need at least 3 requests (20+20+1). Reads go alone until the
	// batcher has seen 4 callers at once, and the goroutines start one after
	// another, so the first few are single GETs; a slow scheduler may split
	// a batch too.
	if batches < 2 || wire > 6 || batches+wire > 9 || cnt[emulator.BatchItemCounterPrefix+getUserKey]+wire != len(ids) {
		t.Errorf("41 concurrent reads took %d batches and %d single GETs: %v", batches, wire, cnt)
	}
}

func TestLoneReadIsAPlainGet(t *testing.T) {
	s := startEmulator(t, emulator.Options{})
	c := emulatorClient(t, s, s.DefaultApp())
	ids := seedGuests(t, s, 1)
	u, err := c.GetUser(t.Context(), ids[0])
	if err != nil || u.ID != ids[0] {
		t.Fatalf("GetUser = %+v, %v", u, err)
	}
	if cnt := s.Counters(); cnt[getUserKey] != 1 || cnt["POST /v1.0/$batch"] != 0 {
		t.Errorf("a lone read went out as %v", cnt)
	}
}

func TestThrottledBatchItemsAreRetried(t *testing.T) {
	s := startEmulator(t, emulator.Options{})
	c := emulatorClient(t, s, s.DefaultApp())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ids := seedGuests(t, s, 20)
	if _, err := c.GetUser(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	s.ResetCounters()
	s.SetFaults(emulator.Faults{Rate429: 0.3, RetryAfter: time.Second})

	start := time.Now()
	users, errs := readAll(ctx, c, ids)
	for i := range ids {
		if errs[i] != nil || users[i].ID != ids[i] {
			t.Fatalf("read %s: %+v, %v", ids[i], users[i], errs[i])
		}
	}
	cnt := s.Counters()
	if cnt["status:429"] == 0 {
		t.Skip("no item was throttled this time; nothing to check")
	}
	// Retry-After: 1 was honoured rather than retried at once.
	if took := time.Since(start); took < time.Second {
		t.Errorf("all reads done in %s despite %d answers of 429 with Retry-After: 1", took, cnt["status:429"])
	}
}

// A refresh of guests with managed groups and sponsors reads the user, then
// its memberOf and sponsors: those first pages join the same batches as
// other guests' user reads instead of costing a request each, and each
// caller still gets its own IDs. A third of the items are throttled inside
// their batch and retried.
//
// The batcher and the retries wait on a fake clock that moves only when
// every reader is settled (queued for a batch, waiting to retry, or done),
// so how the reads group does not depend on the machine's load.
func TestRelationshipReadsShareBatches(t *testing.T) {
	s := startEmulator(t, emulator.Options{Apps: []emulator.App{{ClientID: "6f1d6b8e-0000-4000-8000-00000000a991", Secret: "s",
		Permissions: []string{emulator.PermUserReadAll, emulator.PermDirectoryReadAll}}}})
	clk := graph.NewFakeClock()
	c := emulatorClientClock(t, s, s.DefaultApp(), clk)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ids := seedGuests(t, s, 30)
	groups, sponsors := seedAccess(t, s, ids)
	if _, err := c.GetUser(ctx, ids[0]); err != nil { // token first
		t.Fatal(err)
	}
	graph.PrimeBatcher(c, len(ids))
	s.ResetCounters()
	s.SetFaults(emulator.Faults{Rate429: 0.3, RetryAfter: time.Second, Seed: 13})

	var done atomic.Int64
	errs := make(chan error, len(ids))
	for _, id := range ids {
		go func() {
			defer done.Add(1)
			errs <- readWithAccess(ctx, c, id, groups[id], sponsors[id])
		}()
	}
	driveSettled(ctx, t, c, clk, len(ids), &done)
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	s.SetFaults(emulator.Faults{})
	cnt := s.Counters()
	memberOf, sponsorsKey := "GET /v1.0/users/{id}/memberOf", "GET /v1.0/users/{id}/sponsors"
	if cnt[emulator.BatchItemCounterPrefix+memberOf] == 0 || cnt[emulator.BatchItemCounterPrefix+sponsorsKey] == 0 {
		t.Errorf("no memberOf or sponsors read travelled in a batch: %v", cnt)
	}
	wire := 0
	for _, k := range []string{getUserKey, memberOf, sponsorsKey} {
		wire += cnt[k] - cnt[emulator.BatchItemCounterPrefix+k]
	}
	// 90 reads (plus retries of throttled items) sent one by one would be
	// 90+ requests; batched they must be far fewer.
	total := wire + cnt["POST /v1.0/$batch"]
	t.Logf("90 reads: %d requests (%d batches, %d single GETs)", total, cnt["POST /v1.0/$batch"], wire)
	if total > 45 {
		t.Errorf("90 reads took %d requests (%d batches, %d single GETs): %v", total, cnt["POST /v1.0/$batch"], wire, cnt)
	}
}

// seedAccess gives every guest a group of its own and the next guest as
// sponsor, and returns both by guest.
func seedAccess(t *testing.T, s *emulator.Server, ids []string) (groups, sponsors map[string]string) {
	t.Helper()
	groups, sponsors = map[string]string{}, map[string]string{}
	for i, id := range ids {
		g, err := s.SeedGroup(fmt.Sprintf("G%02d", i), id)
		if err != nil {
			t.Fatal(err)
		}
		groups[id] = g
		sp := ids[(i+1)%len(ids)]
		if err := s.AddSponsor(id, sp); err != nil {
			t.Fatal(err)
		}
		sponsors[id] = sp
	}
	return groups, sponsors
}

// readWithAccess reads a guest, its groups and its sponsors, as a refresh
// of a guest with group_ids and sponsor_ids does, and checks each answer.
func readWithAccess(ctx context.Context, c *graph.Client, id, group, sponsor string) error {
	if _, err := c.GetUser(ctx, id); err != nil {
		return fmt.Errorf("user %s: %w", id, err)
	}
	gs, err := c.ListUserGroupIDs(ctx, id)
	if err != nil || len(gs) != 1 || gs[0] != group {
		return fmt.Errorf("groups of %s = %v, %v; want [%s]", id, gs, err, group)
	}
	sp, err := c.ListSponsorIDs(ctx, id)
	if err != nil || len(sp) != 1 || sp[0] != sponsor {
		return fmt.Errorf("sponsors of %s = %v, %v; want [%s]", id, sp, err, sponsor)
	}
	return nil
}

// driveSettled moves clk to its next timer whenever each of the readers
// is settled: queued in c's batcher, waiting on clk to retry, or done. In
// any other state a reader is still working (its batch in flight, or
// between calls) and could join the next batch, so the clock waits.
func driveSettled(ctx context.Context, t *testing.T, c *graph.Client, clk *graph.FakeClock, readers int, done *atomic.Int64) {
	t.Helper()
	for done.Load() < int64(readers) {
		if ctx.Err() != nil {
			t.Fatalf("readers still busy when the test's time ran out (%d of %d done)", done.Load(), readers)
		}
		inside, queued := graph.BatcherState(c)
		sleepers := clk.Timers()
		if queued > 0 {
			sleepers-- // the batch's own flush timer
		}
		if inside == queued && int64(queued+sleepers)+done.Load() == int64(readers) && clk.AdvanceToNext() {
			continue
		}
		runtime.Gosched()
		time.Sleep(100 * time.Microsecond)
	}
}
